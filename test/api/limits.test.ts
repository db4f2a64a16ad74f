/**
 * Operation limits (issue 10.1): nesting (test/api/nesting-limit.test.ts), tokens, depth, aliases, directives and a cost multiplied by page sizes, each
 * refused before execution as GRAPHQL_VALIDATION_FAILED naming the limit, and each configurable.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type LimitsOptions } from '../../src/http/limits-options.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { ContractsDocument, ContractsWithVersionPagesDocument, CreateContractDocument } from '../gql/graphql.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

interface Body {
  data?: unknown;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

function client(limits: Partial<LimitsOptions> = {}, storage: StorageBackend = createMemoryStorage()): TestClient & { unexpected: unknown[] } {
  const unexpected: unknown[] = [];
  const c = createTestClient(storage, (e) => unexpected.push(e), { server: { limits: { ...DEFAULT_LIMITS, ...limits } } });
  return Object.assign(c, { unexpected });
}

async function post(c: TestClient, query: string, variables: Record<string, unknown> = {}): Promise<{ status: number; body: Body }> {
  const response = await c.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Body };
}

function expectRefused(result: { status: number; body: Body }, limit: string, max: number) {
  expect(result.status).toBe(400);
  expect(result.body.data).toBeUndefined();
  expect(result.body.errors).toHaveLength(1);
  expect(result.body.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit, max });
  expect(result.body.errors![0]!.message).toContain(`${limit} limit of ${max}`);
}

/** The issue's first query: versions(first:100) → contract → versions(first:100) … four levels. */
function nestedVersions(levels: number): string {
  let inner = 'id';
  for (let i = 0; i < levels; i++) inner = `versions(first: 100) { nodes { contract { ${inner} } } }`;
  return `{ contracts(first: 100) { nodes { ${inner} } } }`;
}

/** The issue's second query: 1000 aliases of contracts(first:100). */
function aliasedContracts(count: number): string {
  return `{ ${Array.from({ length: count }, (_, i) => `a${i}: contracts(first: 100) { nodes { id name } }`).join(' ')} }`;
}

describe('operation limits', () => {
  it('ordinary operations pass, including 100 contracts with 100 versions each', async () => {
    const c = client();
    const data = await c.run(ContractsWithVersionPagesDocument, { first: 100, versions: 100 });
    expect(data.contracts.totalCount).toBe(0);
    expect(c.unexpected).toEqual([]);
  });

  it("refuses the issue's nested versions query (depth), and by cost when depth is allowed", async () => {
    expectRefused(await post(client(), nestedVersions(4)), 'depth', DEFAULT_LIMITS.maxDepth);
    const deepAllowed = client({ maxDepth: 100 });
    const refused = await post(deepAllowed, nestedVersions(4));
    expectRefused(refused, 'cost', DEFAULT_LIMITS.maxCost);
    expect(refused.body.errors![0]!.extensions!.found).toBeGreaterThan(100 ** 4);
  });

  it("refuses the issue's 1000 aliases (tokens), and by aliases when tokens are allowed", async () => {
    expectRefused(await post(client(), aliasedContracts(1000)), 'tokens', DEFAULT_LIMITS.maxTokens);
    expectRefused(await post(client({ maxTokens: 1_000_000 }), aliasedContracts(1000)), 'aliases', DEFAULT_LIMITS.maxAliases);
  });

  it('multiplies the cost by page sizes given as variables, and by the default page size', async () => {
    const c = client({ maxCost: 5000 });
    const query = ContractsWithVersionPagesDocument.toString();
    expect((await post(c, query, { first: 10, versions: 10 })).body.errors).toBeUndefined();
    expectRefused(await post(c, query, { first: 100, versions: 100 }), 'cost', 5000);
    // Without `first`: 20 × 20 pages.
    expect((await post(client({ maxCost: 400 }), query)).body.errors?.[0]?.extensions).toMatchObject({ limit: 'cost' });
    expect((await post(client({ maxCost: 1000 }), query)).body.errors).toBeUndefined();
  });

  it('measures each request by its own variables when the same operation repeats (costs are remembered per operation and variables)', async () => {
    const c = client({ maxCost: 5000 });
    const query = ContractsWithVersionPagesDocument.toString();
    // Refused, allowed, refused again: what one request's variables cost never stands in for another's.
    for (let round = 0; round < 2; round++) {
      const refused = await post(c, query, { first: 100, versions: 100 });
      expectRefused(refused, 'cost', 5000);
      expect(refused.body.errors![0]!.extensions!.found).toBeGreaterThan(100 * 100);
      expect((await post(c, query, { first: 10, versions: 10 })).body.errors).toBeUndefined();
      expectRefused(await post(c, query, { first: 60, versions: 100 }), 'cost', 5000);
    }
    // A list's length counts: `nodes(ids:)` costs one per id asked for.
    const nodes = 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }';
    const small = client({ maxCost: 50 });
    const ids = (n: number) => Array.from({ length: n }, (_, i) => encodeGlobalID('Contract', `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`));
    for (let round = 0; round < 2; round++) {
      expect((await post(small, nodes, { ids: ids(3) })).body.errors?.[0]?.extensions?.limit).toBeUndefined();
      expectRefused(await post(small, nodes, { ids: ids(90) }), 'cost', 50);
    }
    expect(c.unexpected).toEqual([]);
    expect(small.unexpected).toEqual([]);
  });

  it('refuses a request body past GRIOT_MAX_REQUEST_BYTES before anything parses it, by its Content-Length or as it streams, and writes nothing', async () => {
    const c = client({ maxDocumentBytes: 1024, maxRequestBytes: 4096 });
    const body = (name: string, padding: number) =>
      JSON.stringify({ query: CreateContractDocument.toString(), variables: { input: { document: { ...contractDocument({ name }), description: { purpose: 'x'.repeat(padding) } } } } });
    const declared = await c.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: body('too-large-declared', 5000) });
    const streamed = await c.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // No Content-Length: the body is counted while it is read.
      body: new ReadableStream({ start: (controller) => (controller.enqueue(new TextEncoder().encode(body('too-large-streamed', 5000))), controller.close()) }),
      duplex: 'half',
    } as RequestInit);
    for (const response of [declared, streamed]) {
      expect(response.status).toBe(413);
      const json = (await response.json()) as Body;
      expect(json.data).toBeUndefined();
      expect(json.errors?.[0]?.extensions).toMatchObject({ code: 'REQUEST_ENTITY_TOO_LARGE' });
    }
    expect((await c.run(ContractsDocument, {})).contracts.totalCount).toBe(0);
    // Just within it, the same request is served (so the refusals above can fail).
    const within = await c.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: body('within-request-limit', 100) });
    expect(within.status).toBe(200);
    expect(((await within.json()) as { data: { createContract: { __typename: string } } }).data.createContract.__typename).toBe('CreateContractSuccess');
    expect((await c.run(ContractsDocument, {})).contracts.totalCount).toBe(1);
    expect(c.unexpected).toEqual([]);
  });

  it('limits directives and depth as configured', async () => {
    const directives = `{ viewer { ${Array.from({ length: 6 }, () => '__typename @include(if: true)').join(' ')} } }`;
    expectRefused(await post(client({ maxDirectives: 5 }), directives), 'directives', 5);
    expect((await post(client({ maxDirectives: 6 }), directives)).body.errors).toBeUndefined();
    expectRefused(await post(client({ maxDepth: 1 }), '{ viewer { name } }'), 'depth', 1);
  });

  it('refuses a query nested 2,000 and 100,000 deep without failing (nesting, measured before parsing)', async () => {
    const c = client();
    for (const depth of [2000, 100_000]) {
      expectRefused(await post(c, `{ ${'viewer { '.repeat(depth)}name${' }'.repeat(depth)} }`), 'nesting', DEFAULT_LIMITS.maxNesting);
    }
    expect(c.unexpected).toEqual([]);
  });

  it('refuses before executing: a mutation over the alias limit writes nothing', async () => {
    const c = client({ maxAliases: 2 });
    const variables = Object.fromEntries([1, 2, 3].map((i) => [`d${i}`, contractDocument({ name: `limited-${i}` })]));
    const query = `mutation(${[1, 2, 3].map((i) => `$d${i}: JSON!`).join(', ')}) { ${[1, 2, 3].map((i) => `c${i}: createContract(input: { document: $d${i} }) { __typename }`).join(' ')} }`;
    expectRefused(await post(c, query, variables), 'aliases', 2);
    expect((await c.run(ContractsDocument, {})).contracts.totalCount).toBe(0);
    // Within the limit the same kind of mutation does write (so the count above can fail).
    const ok = await c.run(CreateContractDocument, { input: { document: contractDocument({ name: 'limited-ok' }) } });
    expect(ok.createContract.__typename).toBe('CreateContractSuccess');
    expect((await c.run(ContractsDocument, {})).contracts.totalCount).toBe(1);
  });
});

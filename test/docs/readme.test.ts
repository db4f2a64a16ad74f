/**
 * The operations shown to people — README examples and GraphiQL's default tab — are valid against the schema, and
 * the README's examples, run in order against the server with their variables (as a reader would fill them in),
 * each return a successful, non-empty result.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { type OperationDefinitionNode, parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import type { Role } from '../../src/auth/principal.js';
import { EXAMPLE_OPERATIONS } from '../../src/graphiql.js';
import { schema } from '../../src/schema/index.js';
import { createServer, type RegistryServer } from '../../src/server.js';
import type { JsonObject } from '../../src/domain/odcs.js';
import { ActivateContractDocument, CreateContractDocument, GetContractDocument, SetContractApprovalPolicyDocument } from '../gql/graphql.js';
import { backends } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { clone } from '../support/fixtures.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('documented operations', () => {
  it('the README has GraphQL examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
  });

  it.each(blocks.map((b, i) => [i + 1, b] as const))('README example %i is valid against schema.graphql', (_i, block) => {
    expect(validate(schema, parse(block)).map((e) => e.message)).toEqual([]);
  });

  it('GraphiQL opens with valid operations', () => {
    expect(validate(schema, parse(EXAMPLE_OPERATIONS)).map((e) => e.message)).toEqual([]);
  });
});

/** The first root field of an example: what it is about (and so which variables a reader would give it). */
function rootField(block: string): string {
  const op = parse(block).definitions[0] as OperationDefinitionNode;
  const first = op.selectionSet.selections[0]!;
  return first.kind === 'Field' ? (first.alias?.value ?? first.name.value) : '';
}

/**
 * Why a result is not a successful, non-empty answer (empty when it is): a root field that is null, an object
 * without the fields asked for (an error member of a union), an error type, a zero count or an empty page.
 * Null leaves inside an answer (a first history entry's `from`) are answers too.
 */
function emptiness(data: unknown, label: string): string[] {
  if (!data || typeof data !== 'object') return [`${label} has no data`];
  return Object.entries(data).flatMap(([field, value]) => (value === null ? [`${label}.${field} is null`] : inner(value, `${label}.${field}`)));
}

function inner(value: unknown, path: string): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.length === 0 ? [`${path} is an empty list`] : value.flatMap((v, i) => inner(v, `${path}[${i}]`));
  if (typeof value !== 'object') return [];
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return [`${path} is empty (an error type without the fields asked for?)`];
  const problems: string[] = [];
  for (const [key, v] of entries) {
    if (key === '__typename' && typeof v === 'string' && v.endsWith('Error')) problems.push(`${path} is a ${v}`);
    else if (key === 'totalCount' && v === 0) problems.push(`${path}.totalCount is 0`);
    // Lists a successful answer may leave empty (no warnings, no decisions yet, no mentions) are fine.
    else if (Array.isArray(v) && v.length === 0 && ['nodes', 'edges', 'changes', 'issues'].includes(key)) problems.push(`${path}.${key} is empty`);
    else if (!Array.isArray(v) || v.length > 0) problems.push(...inner(v, `${path}.${key}`));
  }
  return problems;
}

describe.each(backends)('README examples in order on the $name backend', (backend) => {
  let yoga: RegistryServer;
  let admin: TestClient;
  let dispose: () => Promise<void>;
  const keys: Record<string, string> = {};
  const principals: Record<string, Role> = { ana: 'editor', carol: 'approver', dave: 'approver', root: 'admin' };

  beforeAll(async () => {
    const created = await backend.create();
    dispose = created.dispose;
    const apiKeys = Object.entries(principals).map(([name, role]) => {
      keys[name] = randomBytes(18).toString('base64url');
      return { name, roles: [role], sha256: hashApiKey(keys[name]!) };
    });
    yoga = createServer({ storage: created.storage, graphiql: false, auth: { apiKeys } });
    admin = createTestClient(created.storage, undefined, { as: 'admin' });
  });
  afterAll(() => dispose());

  async function run(as: string, query: string, variables: Record<string, unknown>): Promise<{ data?: Record<string, unknown>; errors?: unknown[] }> {
    const response = await yoga.fetch('http://registry.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': keys[as]! },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  }

  it('each returns a successful, non-empty result', async () => {
    const state: { id?: string; document?: JsonObject; request?: string; thread?: string; replacement?: string } = {};
    const revision = async () => (await admin.run(GetContractDocument, { id: state.id! })).contract!.revision;
    const ran: string[] = [];

    for (const block of blocks) {
      const field = rootField(block);
      let as = 'ana';
      let variables: Record<string, unknown> = {};
      switch (field) {
        case 'createContract':
          break;
        case 'updateContract': {
          // "add amount": the reader's new document is the stored one with one more property.
          const doc = clone(state.document!) as { schema: { properties: JsonObject[] }[] };
          doc.schema[0]!.properties.push({ name: 'amount', logicalType: 'number' });
          variables = { id: state.id, doc };
          break;
        }
        case 'previewContractUpdate': {
          const doc = clone(state.document!) as { version: string; schema: { properties: JsonObject[] }[] };
          doc.schema[0]!.properties.pop(); // removing a property: a breaking change to preview
          variables = { id: state.id, doc };
          break;
        }
        case 'startRun':
        case 'addComment':
          variables = { contract: state.id };
          break;
        case 'submitForReview':
          variables = { contract: state.id, revision: await revision() };
          break;
        case 'myPendingApprovals':
          as = 'carol';
          break;
        case 'approve':
          as = 'carol';
          variables = { request: state.request };
          break;
        case 'deprecateContract': {
          // The replacement: a second contract, activated without review by an admin's waiver.
          const created = await admin.run(CreateContractDocument, {
            input: { document: { ...clone(state.document!), id: 'urn:example:orders-v2', name: 'orders-v2' } },
          });
          if (created.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(created));
          const waived = await admin.run(SetContractApprovalPolicyDocument, { input: { id: created.createContract.contract.id, expectedRevision: 1, approvalRequired: false } });
          if (waived.setContractApprovalPolicy.__typename !== 'SetContractApprovalPolicySuccess') throw new Error(JSON.stringify(waived));
          const activated = await admin.run(ActivateContractDocument, { input: { id: created.createContract.contract.id, expectedRevision: waived.setContractApprovalPolicy.contract.revision } });
          if (activated.activateContract.__typename !== 'ActivateContractSuccess') throw new Error(JSON.stringify(activated));
          variables = { old: state.id, revision: await revision(), new: created.createContract.contract.id };
          break;
        }
        case 'reply':
          variables = { contract: state.id, thread: state.thread };
          break;
        default:
          // Queries without variables (schemaCatalog + search, …).
          break;
      }
      const result = await run(as, block, variables);
      const label = `README example ${ran.length + 1} (${field})`;
      expect(result.errors, label).toBeUndefined();
      expect(emptiness(result.data, label)).toEqual([]);
      ran.push(field);

      const data = result.data as Record<string, any>;
      if (field === 'createContract') {
        state.id = data.createContract.contract.id;
        state.document = (await admin.run(GetContractDocument, { id: state.id! })).contract!.document as JsonObject;
      }
      if (field === 'updateContract') state.document = (await admin.run(GetContractDocument, { id: state.id! })).contract!.document as JsonObject;
      if (field === 'submitForReview') state.request = data.submitForReview.approvalRequest.id;
      if (field === 'addComment') state.thread = data.addComment.comment.id;
    }
    // Every example ran, in the README's order.
    expect(ran).toHaveLength(blocks.length);
    expect(ran.slice(0, 3)).toEqual(['createContract', 'updateContract', 'schemaCatalog']);
  });
});

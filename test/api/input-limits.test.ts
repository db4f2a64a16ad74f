/**
 * Values that are accepted can be read back (issue 10.6) and bad input is the caller's error (10.5): names,
 * versions, counts, one document size limit for create/update/import, nesting, YAML alias bombs. On both backends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/http/limits-options.js';
import type { StorageBackend } from '../../src/storage/types.js';
import {
  ContractByNameDocument,
  ContractsDocument,
  CreateContractDocument,
  ImportContractDocument,
  InputLimitsRecordsDocument,
  RecordValidationDocument,
  UpdateContractDocument,
} from '../gql/graphql.js';
import { backends } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

const MAX_BYTES = 64 * 1024;

describe.each(backends)('input limits on $name', (backend) => {
  let storage: StorageBackend;
  let dispose: () => Promise<void>;
  let client: TestClient;
  const unexpected: unknown[] = [];

  beforeAll(async () => {
    ({ storage, dispose } = await backend.create());
    client = createTestClient(storage, (e) => unexpected.push(e), { server: { limits: { ...DEFAULT_LIMITS, maxDocumentBytes: MAX_BYTES } } });
  });
  afterAll(async () => {
    expect(unexpected).toEqual([]);
    await dispose();
  });

  const count = async () => (await client.run(ContractsDocument, {})).contracts.totalCount;

  async function refusedCreate(document: Record<string, unknown>, path: string, message: RegExp) {
    const before = await count();
    const result = await client.run(CreateContractDocument, { input: { document } });
    expect(result.createContract.__typename).toBe('ValidationError');
    const issues = result.createContract.__typename === 'ValidationError' ? result.createContract.issues : [];
    expect(issues).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.stringMatching(message) })]));
    expect(JSON.stringify(result).length).toBeLessThan(5000); // the refused value is not echoed whole
    expect(await count()).toBe(before);
  }

  it('refuses names with control, bidi or zero-width characters, unpaired surrogates, or past 200 characters', async () => {
    for (const name of ['orders\u0000x', 'orders\u202Etxt.exe', 'ord\u200Bers', 'orders\uD800', 'bom\uFEFF']) {
      await refusedCreate(contractDocument({ name }), 'document.name', /control or invisible formatting characters \(U\+[0-9A-F]{4}/);
    }
    await refusedCreate(contractDocument({ name: 'n'.repeat(201) }), 'document.name', /at most 200 characters/);
  });

  it('stores names NFC-normalized, so the name sent finds the contract', async () => {
    const decomposed = 'cafe\u0301-orders'; // "café" with a combining accent
    const result = await client.run(CreateContractDocument, { input: { document: contractDocument({ name: decomposed }) } });
    if (result.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(result));
    expect(result.createContract.contract.name).toBe('caf\u00E9-orders');
    const found = await client.run(ContractByNameDocument, { name: 'caf\u00E9-orders' });
    expect(found.contractByName?.id).toBe(result.createContract.contract.id);
  });

  it('refuses versions longer than 64 characters without echoing them', async () => {
    const document = { ...contractDocument({ name: 'long-version' }), version: `1.0.0-${'a'.repeat(10_000)}` };
    await refusedCreate(document, 'document.version', /at most 64 characters/);
  });

  it('applies one document size limit to create, update and import', async () => {
    const big = { ...contractDocument({ name: 'big' }), description: { purpose: 'x'.repeat(MAX_BYTES) } };
    const created = await client.request(CreateContractDocument, { input: { document: big } });
    expect(created.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.document', limit: 'bytes', max: MAX_BYTES });
    expect(created.errors?.[0]?.message).toContain('input.document');

    const small = await client.run(CreateContractDocument, { input: { document: contractDocument({ name: 'small' }) } });
    if (small.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(small));
    const { id, revision } = small.createContract.contract;
    const updated = await client.request(UpdateContractDocument, { input: { id, expectedRevision: revision, document: { ...big, name: 'small', version: '1.1.0' } } });
    expect(updated.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.document' });

    const imported = await client.request(ImportContractDocument, { input: { text: JSON.stringify(big), format: 'JSON' } });
    expect(imported.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.text' });
    expect((await client.run(ContractByNameDocument, { name: 'big' })).contractByName).toBeNull();
  });

  it('refuses a document nested 100,000 deep, and a YAML alias bomb, writing nothing', async () => {
    const before = await count();
    const depth = 100_000;
    const body = JSON.stringify({
      query: CreateContractDocument.toString(),
      variables: { input: { document: { ...contractDocument({ name: 'deep' }), customProperties: [{ property: 'p', value: '__deep__' }] } } },
    }).replace('"__deep__"', `${'{"x":'.repeat(depth)}{}${'}'.repeat(depth)}`);
    const response = await client.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const deep = (await response.json()) as { errors?: { extensions?: Record<string, unknown> }[] };
    expect(deep.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.document', limit: 'depth' });

    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    }
    const bomb = await client.run(ImportContractDocument, { input: { text: laughs.join('\n'), format: 'YAML' } });
    expect(bomb.importContract).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'text', message: expect.stringContaining('aliases') }] });

    const nestedYaml = await client.run(ImportContractDocument, { input: { text: `${'['.repeat(10_000)}${']'.repeat(10_000)}`, format: 'YAML' } });
    expect(nestedYaml.importContract.__typename).toBe('ValidationError');
    expect(await count()).toBe(before);
  });

  it('counts are whole numbers up to 2^53 − 1: 1e308 is refused, 2^40 is stored and read back', async () => {
    const made = await client.run(CreateContractDocument, { input: { document: contractDocument({ name: 'counted' }) } });
    if (made.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(made));
    const contractId = made.createContract.contract.id;
    const huge = await client.request(RecordValidationDocument, { input: { contractId, passed: true, rowCount: 1e308, errorCount: 0 } });
    expect(huge.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(huge.errors?.[0]?.message).toContain('rowCount');
    const big = 2 ** 40;
    const stored = await client.run(RecordValidationDocument, { input: { contractId, passed: false, rowCount: big, errorCount: big - 1 } });
    expect(stored.recordValidation.__typename).toBe('RecordValidationSuccess');
    const read = await client.run(InputLimitsRecordsDocument, { first: 10 });
    expect(read.validationRecords.nodes).toEqual([expect.objectContaining({ rowCount: big, errorCount: big - 1 })]);
  });
});

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
  ExportContractDocument,
  PreviewContractUpdateDocument,
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

  it('finds a contract by its name in any Unicode normalization form (lookups are NFC like stored names)', async () => {
    const created = await client.run(CreateContractDocument, { input: { document: contractDocument({ name: 'Zu\u0308rich-orders' }) } });
    if (created.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(created));
    expect(created.createContract.contract.name).toBe('Z\u00FCrich-orders');
    // Decomposed ("u" + combining diaeresis), composed, and decomposed with spaces around: the same contract.
    for (const name of ['Zu\u0308rich-orders', 'Z\u00FCrich-orders', ' Zu\u0308rich-orders ']) {
      expect((await client.run(ContractByNameDocument, { name })).contractByName?.id).toBe(created.createContract.contract.id);
    }
    expect((await client.run(ContractByNameDocument, { name: 'Zurich-orders' })).contractByName).toBeNull();
  });

  it('never echoes a long version back whole: update, preview, export and variable errors bound it', async () => {
    const made = await client.run(CreateContractDocument, { input: { document: contractDocument({ name: 'echo-bounds' }) } });
    if (made.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(made));
    const { id, revision } = made.createContract.contract;
    const long = `1.0.0-${'q'.repeat(20_000)}`;
    const notEchoed = (result: unknown) => {
      const text = JSON.stringify(result);
      expect(text).not.toContain('q'.repeat(100));
      expect(text.length).toBeLessThan(5000);
    };
    const updated = await client.run(UpdateContractDocument, { input: { id, expectedRevision: revision, document: contractDocument({ name: 'echo-bounds' }), version: long } });
    expect(updated.updateContract.__typename).toBe('ValidationError');
    notEchoed(updated);
    const notSemver = await client.run(UpdateContractDocument, { input: { id, expectedRevision: revision, document: contractDocument({ name: 'echo-bounds' }), version: `x${'q'.repeat(60)}` } });
    expect(JSON.stringify(notSemver)).toContain('q'.repeat(60)); // short input is quoted whole (so the check above can fail)
    const preview = await client.run(PreviewContractUpdateDocument, { id, document: contractDocument({ name: 'echo-bounds' }), version: long });
    expect(preview.previewContractUpdate.versionError).toContain('(20006 characters) is not a semantic version');
    notEchoed(preview.previewContractUpdate.versionError);
    const exported = await client.request(ExportContractDocument, { id, version: long });
    expect(exported.errors?.[0]?.message).toContain('has no version');
    notEchoed(exported);
    const coercion = await client.request(ContractsDocument, { first: long as unknown as number });
    expect(coercion.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(coercion.errors?.[0]?.message).toMatch(/"1\.0\.0-q+…" \(20006 characters\)/);
    notEchoed(coercion);
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

  it('holds imported text to the configured nesting limit (GRIOT_MAX_DOCUMENT_DEPTH)', async () => {
    const nested = (depth: number, name: string) => {
      let value: unknown = 'leaf';
      for (let i = 0; i < depth; i++) value = { x: value };
      return JSON.stringify({ ...contractDocument({ name }), customProperties: [{ property: 'nested', value }] });
    };
    const shallow = createTestClient(storage, (e) => unexpected.push(e), { server: { limits: { ...DEFAULT_LIMITS, maxDocumentDepth: 16 } } });
    const before = await count();
    const refused = await shallow.run(ImportContractDocument, { input: { text: nested(20, 'nested-refused'), format: 'JSON' } });
    expect(refused.importContract).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'text', message: expect.stringContaining('more than 16 deep') }] });
    const yaml = await shallow.run(ImportContractDocument, { input: { text: `name: nested-yaml\nx: ${'['.repeat(20)}1${']'.repeat(20)}\n`, format: 'YAML' } });
    expect(yaml.importContract).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'text', message: expect.stringContaining('more than 16 deep') }] });
    expect(await count()).toBe(before);
    // The same text is within the default limit (64).
    const accepted = await client.run(ImportContractDocument, { input: { text: nested(20, 'nested-accepted'), format: 'JSON' } });
    expect(accepted.importContract.__typename).toBe('ImportContractSuccess');
  });
});

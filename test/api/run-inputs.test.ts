/**
 * What startRun, updateRun and the runs filter accept, on both backends:
 *  - a run's text (pipelineId, environment, trigger) without control or invisible formatting characters: NUL is
 *    refused by PostgreSQL in text (SQLSTATE 22P05), so on FerretDB/PostgreSQL it failed the start with
 *    INTERNAL_SERVER_ERROR after the start had taken a run slot. Now a ValidationError naming the field, and
 *    nothing is written (no run, no slot);
 *  - the runs filter's pipelineId and environment: the same characters are a VALIDATION_FAILED error naming
 *    filter.pipelineId / filter.environment, not a database failure;
 *  - updateRun merges its metadata over the run's: the merged object stays within 64 KiB (a ValidationError
 *    naming input.metadata, nothing written), not only the metadata sent.
 */
import { decodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { ContractQualityDocument, CreateContractDocument, RunsDocument, StartRunDocument, UpdateRunDocument } from '../gql/graphql.js';
import { backends } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

const FORBIDDEN = ['night\u0000ly', 'bell\u0007', 'rtl\u202Etxt', 'zero\u200Bwidth', 'half\uD800', 'bom\uFEFFx', 'line\u2028sep'];
const REFUSED = /control or invisible formatting characters \(U\+[0-9A-F]{4} at character \d+\)/;

describe.each(backends)('run inputs on $name', (backend) => {
  let storage: StorageBackend;
  let dispose: () => Promise<void>;
  let client: TestClient;
  let contractId: string;
  const unexpected: unknown[] = [];

  beforeAll(async () => {
    ({ storage, dispose } = await backend.create());
    client = createTestClient(storage, (e) => unexpected.push(e));
    const created = await client.run(CreateContractDocument, { input: { document: contractDocument({ name: 'orders' }) } });
    if (created.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(created));
    contractId = created.createContract.contract.id;
  });
  afterAll(async () => {
    expect(unexpected).toEqual([]);
    await dispose();
  });

  /** How many runs the contract has, and (MongoDB) how many run slots are taken. */
  const written = async () => ({
    runs: (await client.run(RunsDocument, { first: 1 })).runs.totalCount,
    slots: backend.name === 'mongodb' ? await (storage as MongoStorageBackend).db.collection('run_slots').countDocuments() : 0,
  });

  it.each(['pipelineId', 'environment', 'trigger'] as const)('startRun refuses control and format characters in %s, and writes nothing', async (field) => {
    const before = await written();
    for (const text of FORBIDDEN) {
      const input = { contractId, pipelineId: 'nightly', [field]: text };
      const result = await client.run(StartRunDocument, { input });
      expect(result.startRun.__typename, text).toBe('ValidationError');
      const issues = result.startRun.__typename === 'ValidationError' ? result.startRun.issues : [];
      expect(issues).toEqual([expect.objectContaining({ path: `input.${field}`, message: expect.stringMatching(REFUSED) })]);
    }
    expect(await written()).toEqual(before);
    expect((await client.run(ContractQualityDocument, { id: contractId, days: 1 })).contract?.latestRun ?? null).toBeNull();
  });

  it('startRun names every refused field at once', async () => {
    const result = await client.run(StartRunDocument, { input: { contractId, pipelineId: 'night\u0000ly', environment: 'pr\u0000od', trigger: 'cron\u0000' } });
    const issues = result.startRun.__typename === 'ValidationError' ? result.startRun.issues : [];
    expect(issues.map((i) => i.path)).toEqual(['input.pipelineId', 'input.environment', 'input.trigger']);
  });

  it('startRun still takes text with white space around it, stored trimmed', async () => {
    const result = await client.run(StartRunDocument, { input: { contractId, pipelineId: ' edge-nightly\n', environment: '\tprod ', trigger: 'cron\r\n' } });
    if (result.startRun.__typename !== 'StartRunSuccess') throw new Error(JSON.stringify(result));
    expect(result.startRun.run).toMatchObject({ pipelineId: 'edge-nightly', environment: 'prod', trigger: 'cron' });
  });

  it.each(['pipelineId', 'environment'] as const)('the runs filter refuses control and format characters in %s (VALIDATION_FAILED naming it)', async (field) => {
    for (const text of FORBIDDEN) {
      const response = await client.request(RunsDocument, { filter: { [field]: text }, first: 5 });
      expect(response.errors?.[0]?.extensions, text).toMatchObject({
        code: 'VALIDATION_FAILED',
        issues: [expect.objectContaining({ path: `filter.${field}`, message: expect.stringMatching(REFUSED) })],
      });
    }
  });

  it('updateRun refuses metadata whose merge over the run’s passes 64 KiB, and writes nothing', async () => {
    const started = await client.run(StartRunDocument, { input: { contractId, pipelineId: 'big-metadata', metadata: { a: 'x'.repeat(60_000) } } });
    if (started.startRun.__typename !== 'StartRunSuccess') throw new Error(JSON.stringify(started));
    const id = started.startRun.run.id;
    const result = await client.run(UpdateRunDocument, { input: { id, metadata: { b: 'y'.repeat(60_000) } } });
    expect(result.updateRun.__typename).toBe('ValidationError');
    const issues = result.updateRun.__typename === 'ValidationError' ? result.updateRun.issues : [];
    expect(issues).toEqual([expect.objectContaining({ path: 'input.metadata', message: expect.stringMatching(/merged over the run's metadata, must be at most 65536 bytes/) })]);
    const [stored] = await storage.runs.getByIds([decodeGlobalID(id).id]);
    expect(Object.keys(stored!.metadata ?? {})).toEqual(['a']);
    expect(stored!.updatedAt.getTime()).toBe(stored!.createdAt.getTime());

    // A merge that replaces the big key stays within the limit: it is taken.
    const replaced = await client.run(UpdateRunDocument, { input: { id, metadata: { a: 'z'.repeat(60_000), c: 1 } } });
    if (replaced.updateRun.__typename !== 'UpdateRunSuccess') throw new Error(JSON.stringify(replaced));
    expect(Object.keys(replaced.updateRun.run.metadata as object)).toEqual(['a', 'c']);
  });
});

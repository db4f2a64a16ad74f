/**
 * One query walks contract → version → run → check result → issue for a page of 100 contracts with a fixed number
 * of database commands (counted on the driver), not a read per item.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { QualityWalkDocument } from '../gql/graphql.js';
import { countReads, mongoBackend } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

const N = 100;
let storage: MongoStorageBackend;
let client: TestClient;
let dispose: () => Promise<void>;

beforeAll(async () => {
  const backend = await mongoBackend.create({ monitorCommands: true });
  storage = backend.storage;
  dispose = backend.dispose;
  client = createTestClient(storage);
  for (let i = 0; i < N; i++) {
    const contract = await storage.contracts.create({ document: contractDocument({ name: `walk_${String(i).padStart(3, '0')}` }) }, 'seed');
    const run = await storage.runs.start({ contractId: contract.id, pipelineId: 'nightly' }, 'seed');
    await storage.validations.record(
      {
        contractId: contract.id,
        runId: run.id,
        passed: i % 2 === 0,
        rowCount: 10,
        errorCount: i % 2 === 0 ? 0 : 1,
        checks: [{ checkId: 'not_null', propertyPath: 'order_id', status: i % 2 === 0 ? 'passed' : 'failed' }],
      },
      'seed',
    );
  }
}, 240_000);

afterAll(() => dispose());

it('walks a page of 100 contracts down to their issues in a fixed number of commands', async () => {
  const reads = await countReads(storage, async () => {
    const result = await client.run(QualityWalkDocument, { first: N });
    const nodes = result.contracts.nodes;
    expect(nodes).toHaveLength(N);
    expect(nodes.every((n) => n.current.version === '1.0.0' && n.latestRun?.contractVersion?.version === '1.0.0')).toBe(true);
    const failing = nodes.filter((n) => n.latestRun?.validationRecords[0]?.passed === false);
    expect(failing).toHaveLength(N / 2);
    for (const n of failing) {
      const issue = n.latestRun!.validationRecords[0]!.checks[0]!.issue;
      expect(issue?.contract?.name).toBe(n.name);
      expect(n.openIssueCount).toBe(1);
      expect(n.latestRun!.issues.map((i) => i.title)).toEqual([issue!.title]);
    }
  });
  // page, current versions (by version string: keys, versions, their contracts), run heads, runs and the slot after
  // each head (run-heads.ts), the runs'
  // versions (the same three), records, issues by id (+ their contracts), issues by run, open counts: one batched
  // read each, whatever the page size. Batches by `_id` are one `$in` each where the server serves `$in` from the
  // index (measured on MongoDB-like plans: 15 finds and 1 aggregate), else parallel point reads, at most one per key
  // of each batch, next to the 4 finds by another key (page, records by run, issues by run) and the aggregate.
  expect(Object.keys(reads.other).filter((name) => name !== 'aggregate')).toEqual([]);
  expect(reads.other.aggregate ?? 0).toBeLessThanOrEqual(1);
  const batches = 16;
  if (storage.capabilities.batchReads === 'in') expect(reads.finds + reads.points).toBeLessThanOrEqual(batches);
  else {
    expect(reads.finds).toBeLessThanOrEqual(4);
    expect(reads.points).toBeLessThanOrEqual((batches - 3) * N);
  }
});

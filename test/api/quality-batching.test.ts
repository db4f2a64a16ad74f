/**
 * One query walks contract → version → run → check result → issue for a page of 100 contracts with a fixed number
 * of database commands (counted on the driver), not a read per item.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { QualityWalkDocument } from '../gql/graphql.js';
import { countCommands, mongoBackend } from '../support/backends.js';
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
  const counts = await countCommands(storage, async () => {
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
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  // page, current versions, run heads, runs, the runs' versions (+ their contracts), records, issues by id (+ their
  // contracts), issues by run, open counts: one batched command each, whatever the page size (measured: 11 finds and
  // 1 aggregate for 100 contracts).
  expect(total).toBeLessThanOrEqual(12);
  expect(counts.aggregate ?? 0).toBeLessThanOrEqual(1);
});

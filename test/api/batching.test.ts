/**
 * Reads by key go through per-request DataLoaders: a page of contracts with their catalog entries, or a page of
 * catalog entries with their contracts, costs a fixed number of database commands, not one per item.
 *
 * Batches by `_id` are one `$in` where the server serves it from the `_id` index (MongoDB), and parallel `_id`
 * point reads where it would scan (FerretDB 1.x; capabilities.ts detects which). So on such a server the count of
 * finds that are not point reads stays fixed, and the point reads are at most one per key of each batch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import {
  ApprovalRequestsWithContractsDocument,
  CatalogWithContractsDocument,
  ContractsWithCatalogDocument,
  ContractsWithPendingApprovalDocument,
  CreateContractDocument,
  SubmitForReviewDocument,
} from '../gql/graphql.js';
import { countReads, mongoBackend } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

const N = 40;
let storage: MongoStorageBackend;
let client: TestClient;
let dispose: () => Promise<void>;

beforeAll(async () => {
  const backend = await mongoBackend.create({ monitorCommands: true });
  storage = backend.storage;
  dispose = backend.dispose;
  client = createTestClient(storage);
  for (let i = 0; i < N; i++) {
    const name = `batch_${String(i).padStart(2, '0')}`;
    const created = await client.run(CreateContractDocument, { input: { document: contractDocument({ name, team: `team-${i % 3}`, schemas: { [`${name}_a`]: [{ name: 'id' }], [`${name}_b`]: [{ name: 'id' }] } }) } });
    if (created.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(created));
    const submitted = await client.run(SubmitForReviewDocument, { input: { contractId: created.createContract.contract.id, expectedRevision: 1, approvers: ['reviewer'] } });
    if (submitted.submitForReview.__typename !== 'SubmitForReviewSuccess') throw new Error(JSON.stringify(submitted));
  }
});
afterAll(() => dispose());

/** Checks the reads against the two ways a batch is read: `inFinds` finds in all ($in batches), or `scanFinds`
 *  finds that are not point reads plus at most `maxPoints` point reads. */
function expectReads(reads: Awaited<ReturnType<typeof countReads>>, expected: { inFinds: number; scanFinds: number; maxPoints: number }) {
  expect(reads.other).toEqual({});
  if (storage.capabilities.batchReads === 'in') {
    expect(reads.finds + reads.points).toBe(expected.inFinds);
  } else {
    expect(reads.finds).toBe(expected.scanFinds);
    expect(reads.points).toBeGreaterThan(0);
    expect(reads.points).toBeLessThanOrEqual(expected.maxPoints);
  }
}

describe('no N+1 reads', () => {
  it('loads a page of contracts, every catalog entry and the entries\' contracts in 5 finds', async () => {
    const reads = await countReads(storage, async () => {
      const r = await client.run(ContractsWithCatalogDocument, { first: N });
      expect(r.contracts.nodes).toHaveLength(N);
      const entries = r.contracts.nodes.flatMap((n) => n.catalogEntries);
      expect(entries).toHaveLength(2 * N);
      expect(entries.every((e) => e.contract?.name.startsWith('batch_'))).toBe(true);
    });
    // the page; one $in for all catalog entries (by contractId); the freshness check of those entries (repair.ts
    // freshenCatalog: their contracts' revisions, and the small catalog_pending collection); the entries' contracts
    // (by global id, via the loader)
    expectReads(reads, { inFinds: 5, scanFinds: 3, maxPoints: 2 * N });
  });

  it('loads a page of catalog entries with their contracts in 4 finds', async () => {
    const reads = await countReads(storage, async () => {
      const r = await client.run(CatalogWithContractsDocument, { first: 100 });
      expect(r.schemaCatalog.nodes).toHaveLength(2 * N);
      expect(new Set(r.schemaCatalog.nodes.map((n) => n.contract?.name)).size).toBe(N);
    });
    // the page; the freshness check (revisions, catalog_pending); the entries' contracts
    expectReads(reads, { inFinds: 4, scanFinds: 2, maxPoints: 2 * N });
  });

  it('loads a page of contracts with their open approval requests, versions and contracts in a fixed number of finds', async () => {
    const reads = await countReads(storage, async () => {
      const r = await client.run(ContractsWithPendingApprovalDocument, { first: N });
      expect(r.contracts.nodes).toHaveLength(N);
      expect(r.contracts.nodes.every((n) => n.pendingApproval?.status === 'OPEN' && n.pendingApproval.contract?.name === n.name)).toBe(true);
      expect(r.contracts.nodes.every((n) => n.pendingApproval?.version?.number === 1)).toBe(true);
    });
    // the page; the requests; their contracts; the versions, then their contracts to hide in-flight versions
    expectReads(reads, { inFinds: 5, scanFinds: 1, maxPoints: 4 * N });
  });

  it('loads a page of approval requests with their contracts and versions in a fixed number of commands', async () => {
    const reads = await countReads(storage, async () => {
      const r = await client.run(ApprovalRequestsWithContractsDocument, { first: N });
      expect(r.approvalRequests.nodes).toHaveLength(N);
      expect(r.approvalRequests.nodes.every((n) => n.contract?.status === 'IN_REVIEW' && n.version?.version === '1.0.0')).toBe(true);
    });
    // the page; the contracts; the versions by (contract, version string): their keys, the versions, their contracts
    expectReads(reads, { inFinds: 5, scanFinds: 1, maxPoints: 4 * N });
  });
});

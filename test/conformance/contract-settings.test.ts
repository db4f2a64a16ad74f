/**
 * Conformance: ContractRepository.setSettings on every backend — registry settings of a contract (autoOpenIssues),
 * written without a version, with the same optimistic concurrency as the other contract writes.
 */
import { describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../src/domain/approvals.js';
import type { Contract } from '../../src/domain/contracts.js';
import { ConflictError, NotFoundError } from '../../src/domain/errors.js';
import type { MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { backends, mongoBackend } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { all, at, moveContractTo, rejection, requireAtomicWrites, useBackend } from './helpers.js';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const T1 = new Date('2030-01-01T00:00:01.000Z');

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);
  const repo = () => storage().contracts;

  it('auto-opens issues by default', async () => {
    const created = await repo().create({ document: contractDocument({ name: 'orders' }) }, 'alice');
    expect(created.autoOpenIssues).toBe(true);
    expect((await repo().getById(created.id))?.autoOpenIssues).toBe(true);
  });

  it('changes the settings with a new revision and no new version', async () => {
    const created = await at(T0, () => repo().create({ document: contractDocument({ name: 'orders' }) }, 'alice'));
    const off = await at(T1, () => repo().setSettings({ id: created.id, expectedRevision: 1, autoOpenIssues: false }, 'bob'));
    expect(off).toEqual<Contract>({ ...created, autoOpenIssues: false, revision: 2, updatedAt: T1, updatedBy: 'bob' });
    expect(await repo().getById(created.id)).toEqual(off);
    expect((await repo().getByIds([created.id]))[0]).toEqual(off);
    expect(await all((page) => repo().listVersions(created.id, page))).toHaveLength(1);
    // The catalog follows the revision, as with every contract write.
    const [entries] = await storage().schemaCatalog.listByContractIds([created.id]);
    expect(entries?.map((e) => e.contractRevision)).toEqual([2]);
    // A setting left out keeps its value (the revision still moves).
    const same = await repo().setSettings({ id: created.id, expectedRevision: 2 }, 'carol');
    expect(same).toMatchObject({ autoOpenIssues: false, revision: 3, updatedBy: 'carol' });
    const on = await repo().setSettings({ id: created.id, expectedRevision: 3, autoOpenIssues: true }, 'carol');
    expect(on).toMatchObject({ autoOpenIssues: true, revision: 4 });
    // Later writes keep the setting.
    const updated = await repo().update({ id: created.id, expectedRevision: 4, document: contractDocument({ name: 'orders', version: '1.1.0' }) }, 'dave');
    expect(updated.autoOpenIssues).toBe(true);
  });

  it('rejects a stale revision with ConflictError and an unknown contract with NotFoundError, writing nothing', async () => {
    const created = await repo().create({ document: contractDocument({ name: 'orders' }) }, 'alice');
    const inReview = await moveContractTo(storage(), created.id, 'in_review');
    expect(inReview.revision).toBe(2);
    const conflict = await rejection(repo().setSettings({ id: created.id, expectedRevision: 1, autoOpenIssues: false }, 'bob'), ConflictError);
    expect([conflict.expectedRevision, conflict.actualRevision]).toEqual([1, 2]);
    const missing = await rejection(repo().setSettings({ id: 'no-such-contract', expectedRevision: 1, autoOpenIssues: false }, 'bob'), NotFoundError);
    expect([missing.resource, missing.key]).toEqual(['Contract', 'no-such-contract']);
    expect(await repo().getById(created.id)).toEqual(inReview);
  });

  it('lets exactly one of concurrent writes from the same revision win', async (ctx) => {
    requireAtomicWrites(ctx, storage());
    for (let round = 0; round < 4; round++) {
      const created = await repo().create({ document: contractDocument({ name: `c${round}` }) }, 'alice');
      const results = await Promise.allSettled<Contract | ApprovalRequest>([
        repo().setSettings({ id: created.id, expectedRevision: 1, autoOpenIssues: false }, 'bob'),
        storage().approvals.submit({ contractId: created.id, expectedRevision: 1, approvers: ['erin'], policy: 'all' }, 'carol'),
        repo().update({ id: created.id, expectedRevision: 1, document: contractDocument({ name: `c${round}`, version: '2.0.0' }) }, 'dave'),
      ]);
      const won = results.filter((r): r is PromiseFulfilledResult<Contract | ApprovalRequest> => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
      const stored = await repo().getById(created.id);
      expect(stored?.revision).toBe(2);
      const requests = await all((page) => storage().approvals.list({ contractId: created.id }, page));
      if (results[1]!.status === 'fulfilled') {
        // The submit won: its request is the open one and the contract is in review.
        expect(requests).toEqual([won[0]!.value]);
        expect(stored).toMatchObject({ status: 'in_review', openApprovalRequestId: requests[0]!.id, versionCount: 1 });
      } else {
        // A losing submit leaves no request behind.
        expect(requests).toEqual([]);
        expect(stored).toEqual(won[0]!.value);
        expect(stored?.openApprovalRequestId).toBeNull();
      }
    }
  });
});

describe('mongodb documents', () => {
  const storage = useBackend(mongoBackend);

  it('reads a contract stored before the setting existed as auto-opening issues', async () => {
    const created = await storage().contracts.create({ document: contractDocument({ name: 'legacy' }) }, 'alice');
    const { db } = storage() as MongoStorageBackend;
    await db.collection('contracts').updateOne({ _id: created.id as never }, { $unset: { autoOpenIssues: '' } });
    expect(await db.collection('contracts').countDocuments({ autoOpenIssues: { $exists: true } })).toBe(0);
    expect((await storage().contracts.getById(created.id))?.autoOpenIssues).toBe(true);
    const { record } = await storage().validations.record(
      { contractId: created.id, passed: false, rowCount: 1, errorCount: 1, checks: [{ checkId: 'x', status: 'failed' }] },
      'ci',
    );
    expect(record.checks[0]?.issueId).not.toBeNull();
  });
});

/**
 * Conformance: the ContractRepository of every backend (src/storage/types.ts) — rollback to an earlier version,
 * lifecycle moves without a new version, and delete with everything that belongs to the contract. Every case runs on
 * every backend, each test on a fresh, empty one.
 */
import { describe, expect, it } from 'vitest';
import type { ContractVersion } from '../../src/domain/contracts.js';
import {
  ConflictError,
  IncompatibleChangeError,
  InvalidStateError,
  InvalidTransitionError,
  NotFoundError,
} from '../../src/domain/errors.js';
import type { JsonObject } from '../../src/domain/odcs.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { all, APPROVER, json, moveContractTo, rejection, REQUESTER, useBackend } from './helpers.js';

function doc(name: string, options: Omit<Parameters<typeof contractDocument>[0], 'name'> = {}): JsonObject {
  return contractDocument({ name, ...options });
}

async function versionsOf(storage: StorageBackend, contractId: string): Promise<ContractVersion[]> {
  return all((page) => storage.contracts.listVersions(contractId, page));
}

async function count(storage: StorageBackend): Promise<number> {
  const page = await storage.contracts.list({}, { field: 'name', direction: 'asc' }, { first: 1 });
  return page.totalCount();
}

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);
  const repo = () => storage().contracts;

  // -------------------------------------------------------------------------------------------------------------
  describe('rollback', () => {
    it('makes an earlier document current again as a new version and keeps the history', async () => {
      const d100 = doc('orders', { purpose: 'first', team: 'sales', schemas: { orders: [{ name: 'order_id' }] } });
      const d110 = doc('orders', { purpose: 'second', team: 'sales', schemas: { orders: [{ name: 'order_id' }, { name: 'amount' }] } });
      const d200 = doc('orders', { version: '2.0.0', purpose: 'third', team: 'sales', schemas: { orders_v2: [{ name: 'id' }] } });
      const created = await repo().create({ document: d100 }, 'alice');
      // Adding the optional property amount is an addition: the minimum bump is minor, 1.1.0 (no longer the patch 1.0.1).
      const u1 = await repo().update({ id: created.id, expectedRevision: 1, document: d110 }, 'bob');
      // Replacing the orders schema by orders_v2 removes a schema object: breaking, so the document declares 2.0.0 (1.1.0
      // would be refused as too low) and the author accepts the breaking change.
      const u2 = await repo().update({ id: created.id, expectedRevision: 2, document: d200, acceptBreakingChanges: true }, 'bob');
      expect([created.version, u1.version, u2.version]).toEqual(['1.0.0', '1.1.0', '2.0.0']);
      const before = await versionsOf(storage(), created.id);

      // Going back to 1.0.0 removes orders_v2 again, so the rollback is judged breaking like the same update: refused
      // without acceptBreakingChanges (nothing written)...
      await rejection(repo().rollback({ id: created.id, expectedRevision: 3, toVersion: '1.0.0', note: 'undo' }, 'carol'), IncompatibleChangeError);
      expect(await repo().getById(created.id)).toEqual(u2);
      expect(await versionsOf(storage(), created.id)).toEqual(before);

      // ...and written with it, at the minimum bump of the breaking change from 2.0.0: 3.0.0.
      const rolled = await repo().rollback({ id: created.id, expectedRevision: 3, toVersion: '1.0.0', note: 'undo', acceptBreakingChanges: true }, 'carol');
      expect(rolled).toMatchObject({
        id: created.id,
        name: 'orders',
        version: '3.0.0',
        versionCount: 4,
        revision: 4,
        description: 'first',
        status: 'draft',
        createdBy: 'alice',
        updatedBy: 'carol',
      });
      expect(json(rolled.document)).toBe(json(d100));
      expect(await repo().getById(created.id)).toEqual(rolled);

      const versions = await versionsOf(storage(), created.id);
      expect(versions.map((v) => [v.number, v.version, v.changeKind, v.restoredFrom])).toEqual([
        [4, '3.0.0', 'rollback', '1.0.0'],
        [3, '2.0.0', 'update', null],
        [2, '1.1.0', 'update', null],
        [1, '1.0.0', 'create', null],
      ]);
      expect(versions[0]).toMatchObject({ id: `${created.id}@4`, note: 'undo', createdBy: 'carol', requiredBump: 'major', breakingChangesAccepted: true });
      expect(versions[1]).toMatchObject({ requiredBump: 'major', breakingChangesAccepted: true });
      expect(versions[2]).toMatchObject({ requiredBump: 'minor', breakingChangesAccepted: false });
      expect(json(versions[0]?.document)).toBe(json(d100));
      expect(versions.slice(1)).toEqual(before);
    });

    it('rejects an unknown version with NotFoundError and changes nothing', async () => {
      const created = await repo().create({ document: doc('orders') }, 'alice');
      const updated = await repo().update({ id: created.id, expectedRevision: 1, document: doc('orders', { purpose: 'x' }) }, 'bob');
      await rejection(repo().rollback({ id: created.id, expectedRevision: 2, toVersion: '0.9.0' }, 'carol'), NotFoundError);
      expect(await repo().getById(created.id)).toEqual(updated);
      expect(await versionsOf(storage(), created.id)).toHaveLength(2);
    });

    it('rejects a stale revision with ConflictError and an unknown contract with NotFoundError', async () => {
      const created = await repo().create({ document: doc('orders') }, 'alice');
      const updated = await repo().update({ id: created.id, expectedRevision: 1, document: doc('orders', { purpose: 'x' }) }, 'bob');
      await rejection(repo().rollback({ id: created.id, expectedRevision: 1, toVersion: '1.0.0' }, 'carol'), ConflictError);
      await rejection(repo().rollback({ id: 'no-such-contract', expectedRevision: 1, toVersion: '1.0.0' }, 'carol'), NotFoundError);
      expect(await repo().getById(created.id)).toEqual(updated);
      expect(await versionsOf(storage(), created.id)).toHaveLength(2);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('lifecycle moves', () => {
    it('moves a contract along its lifecycle without writing a version', async () => {
      const created = await repo().create({ document: doc('orders') }, 'alice');
      const inReview = await moveContractTo(storage(), created.id, 'in_review');
      expect(inReview).toMatchObject({ status: 'in_review', revision: 2, versionCount: 1, version: '1.0.0', updatedBy: REQUESTER, createdBy: 'alice' });
      expect(json(inReview.document)).toBe(json(created.document));
      expect(await versionsOf(storage(), created.id)).toHaveLength(1);

      const active = await moveContractTo(storage(), created.id, 'active');
      expect(active).toMatchObject({ status: 'active', revision: 3, activeVersion: 1, versionCount: 1, version: '1.0.0', updatedBy: APPROVER });
      const deprecated = await moveContractTo(storage(), created.id, 'deprecated');
      expect(deprecated).toMatchObject({ status: 'deprecated', revision: 4, deprecation: { reason: 'superseded', replacedBy: null } });
      const retired = await moveContractTo(storage(), created.id, 'retired');
      expect(retired).toMatchObject({ status: 'retired', revision: 5, activeVersion: 1, version: '1.0.0' });
      expect(json(retired.document)).toBe(json(created.document));
      expect(retired.statusHistory.map((h) => [h.from, h.to])).toEqual([
        [null, 'draft'],
        ['draft', 'in_review'],
        ['in_review', 'active'],
        ['active', 'deprecated'],
        ['deprecated', 'retired'],
      ]);
      expect(await versionsOf(storage(), created.id)).toHaveLength(1);
    });

    it('rejects a transition the lifecycle does not allow and writes nothing', async () => {
      const created = await repo().create({ document: doc('orders') }, 'alice');
      const error = await rejection(repo().retire({ id: created.id, expectedRevision: 1 }, 'bob'), InvalidTransitionError);
      expect(error.from).toBe('draft');
      expect(error.to).toBe('retired');
      expect(await repo().getById(created.id)).toEqual(created);
      const deprecate = await rejection(repo().deprecate({ id: created.id, expectedRevision: 1, reason: 'old' }, 'bob'), InvalidTransitionError);
      expect(deprecate).toMatchObject({ from: 'draft', to: 'deprecated' });
      expect(await repo().getById(created.id)).toEqual(created);
      // Activation needs an approved request unless approval was waived.
      await rejection(repo().activate({ id: created.id, expectedRevision: 1 }, 'bob'), InvalidStateError);
      expect(await repo().getById(created.id)).toEqual(created);

      const active = await moveContractTo(storage(), created.id, 'active');
      const retireActive = await rejection(repo().retire({ id: created.id, expectedRevision: active.revision }, 'bob'), InvalidTransitionError);
      expect(retireActive).toMatchObject({ from: 'active', to: 'retired' });
      expect(await repo().getById(created.id)).toEqual(active);
    });

    it('rejects a stale revision with ConflictError and an unknown contract with NotFoundError', async () => {
      const created = await repo().create({ document: doc('orders') }, 'alice');
      const active = await moveContractTo(storage(), created.id, 'active');
      expect(active.revision).toBe(3);
      await rejection(repo().deprecate({ id: created.id, expectedRevision: 2, reason: 'old' }, 'bob'), ConflictError);
      await rejection(repo().deprecate({ id: 'no-such-contract', expectedRevision: 1, reason: 'old' }, 'bob'), NotFoundError);
      await rejection(repo().retire({ id: 'no-such-contract', expectedRevision: 1 }, 'bob'), NotFoundError);
      await rejection(repo().activate({ id: 'no-such-contract', expectedRevision: 1 }, 'bob'), NotFoundError);
      expect(await repo().getById(created.id)).toEqual(active);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('delete', () => {
    it('removes the contract, its versions and its catalog entries and returns what it deleted', async () => {
      const keep = await repo().create({ document: doc('keep', { schemas: { kept: [{ name: 'id' }] } }) }, 'alice');
      const created = await repo().create({ document: doc('orders', { schemas: { orders: [{ name: 'id' }], lines: [{ name: 'id' }] } }) }, 'alice');
      const updated = await repo().update({ id: created.id, expectedRevision: 1, document: doc('orders', { purpose: 'x', schemas: { orders: [{ name: 'id' }], lines: [{ name: 'id' }] } }) }, 'bob');
      expect(await storage().schemaCatalog.listByContractIds([created.id])).toEqual([[expect.anything(), expect.anything()]]);

      const deleted = await repo().delete(created.id, 2, 'carol');
      expect(deleted).toMatchObject({ id: created.id, name: 'orders', revision: 2, version: '1.0.1' });
      expect(json(deleted.document)).toBe(json(updated.document));

      expect(await repo().getById(created.id)).toBeNull();
      expect(await repo().getByName('orders')).toBeNull();
      expect(await versionsOf(storage(), created.id)).toEqual([]);
      expect(await repo().getVersionsByIds([`${created.id}@1`, `${created.id}@2`])).toEqual([null, null]);
      expect(await repo().getVersions([{ contractId: created.id, version: '1.0.0' }])).toEqual([null]);
      expect(await storage().schemaCatalog.listByContractIds([created.id])).toEqual([[]]);
      expect(await storage().schemaCatalog.getByIds([`${created.id}/orders`, `${created.id}/lines`])).toEqual([null, null]);
      const catalog = await all((page) => storage().schemaCatalog.list({}, page));
      expect(catalog.map((e) => e.contractId)).toEqual([keep.id]);

      // Everything else is untouched.
      expect(await repo().getById(keep.id)).toEqual(keep);
      expect(await versionsOf(storage(), keep.id)).toHaveLength(1);
      expect(await count(storage())).toBe(1);
    });

    it('rejects a stale revision with ConflictError and deletes nothing', async () => {
      const created = await repo().create({ document: doc('orders') }, 'alice');
      const updated = await repo().update({ id: created.id, expectedRevision: 1, document: doc('orders', { purpose: 'x' }) }, 'bob');
      await rejection(repo().delete(created.id, 1, 'carol'), ConflictError);
      expect(await repo().getById(created.id)).toEqual(updated);
      expect(await versionsOf(storage(), created.id)).toHaveLength(2);
      expect(await storage().schemaCatalog.listByContractIds([created.id])).toEqual([[expect.objectContaining({ contractRevision: 2 })]]);
    });

    it('deletes regardless of the revision when none is expected', async () => {
      const created = await repo().create({ document: doc('orders') }, 'alice');
      await repo().update({ id: created.id, expectedRevision: 1, document: doc('orders', { purpose: 'x' }) }, 'bob');
      const deleted = await repo().delete(created.id, null, 'carol');
      expect(deleted.revision).toBe(2);
      expect(await repo().getById(created.id)).toBeNull();
    });

    it('throws NotFoundError for an unknown contract', async () => {
      const created = await repo().create({ document: doc('orders') }, 'alice');
      await repo().delete(created.id, 1, 'carol');
      await rejection(repo().delete(created.id, 1, 'carol'), NotFoundError);
      await rejection(repo().delete('no-such-contract', null, 'carol'), NotFoundError);
    });

    it('frees the name for a new contract', async () => {
      const created = await repo().create({ document: doc('orders', { purpose: 'old' }) }, 'alice');
      await repo().delete(created.id, 1, 'carol');
      const again = await repo().create({ document: doc('orders', { purpose: 'new' }) }, 'dave');
      expect(again.id).not.toBe(created.id);
      expect(again).toMatchObject({ name: 'orders', description: 'new', versionCount: 1, revision: 1, createdBy: 'dave' });
      expect((await repo().getByName('orders'))?.id).toBe(again.id);
      expect((await versionsOf(storage(), again.id)).map((v) => v.number)).toEqual([1]);
    });
  });

});

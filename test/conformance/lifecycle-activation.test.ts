/**
 * Conformance: the contract lifecycle on every backend (domain/lifecycle) — activation with approval waived, and
 * transitive compatibility against the newest and the ever-active versions only.
 */
import { describe, expect, it } from 'vitest';
import type { Contract, ContractVersion } from '../../src/domain/contracts.js';
import { ConflictError, IncompatibleChangeError, InvalidStateError } from '../../src/domain/errors.js';
import type { JsonObject } from '../../src/domain/odcs.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument, type PropertySpec } from '../support/fixtures.js';
import { activateNewest, all, at, moveContractTo, rejection, useBackend } from './helpers.js';

const T = (n: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, n));

function doc(name: string, options: Omit<Parameters<typeof contractDocument>[0], 'name'> = {}): JsonObject {
  return contractDocument({ name, ...options });
}

async function versionsOf(storage: StorageBackend, contractId: string): Promise<ContractVersion[]> {
  return all((page) => storage.contracts.listVersions(contractId, page));
}

/** What a refused write must leave alone. */
async function snapshot(storage: StorageBackend, contractId: string) {
  return {
    contract: await storage.contracts.getById(contractId),
    versions: await versionsOf(storage, contractId),
    catalog: await storage.schemaCatalog.listByContractIds([contractId]),
    requests: await all((page) => storage.approvals.list({ contractId }, page)),
  };
}

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);
  const repo = () => storage().contracts;
  const approvals = () => storage().approvals;

  async function catalogOf(contractId: string) {
    return all((page) => storage().schemaCatalog.list({ contractId }, page));
  }

  // -------------------------------------------------------------------------------------------------------------
  describe('activate (approval waived)', () => {
    it('is refused while approval is required', async () => {
      const created = await repo().create({ document: doc('orders') }, 'alice');
      const before = await snapshot(storage(), created.id);
      await rejection(repo().activate({ id: created.id, expectedRevision: 1 }, 'bob'), InvalidStateError);
      expect(await snapshot(storage(), created.id)).toEqual(before);
    });

    it('moves a draft through in_review to active (both recorded), and activates revisions active → active', async () => {
      const created = await repo().create({ document: doc('orders', { purpose: 'one' }) }, 'alice');
      const waived = await repo().setSettings({ id: created.id, expectedRevision: 1, approvalRequired: false }, 'admin');
      expect(waived).toMatchObject({ approvalRequired: false, revision: 2, status: 'draft' });
      await rejection(repo().activate({ id: created.id, expectedRevision: 1 }, 'bob'), ConflictError);

      const active = await at(T(1), () => repo().activate({ id: created.id, expectedRevision: 2 }, 'bob'));
      expect(active).toMatchObject({ status: 'active', activeVersion: 1, version: '1.0.0', revision: 3, updatedBy: 'bob', openApprovalRequestId: null });
      expect(active.statusHistory.slice(1)).toEqual([
        { at: T(1), by: 'bob', from: 'draft', to: 'in_review', version: '1.0.0', versionNumber: 1, note: 'approval waived', approvalRequestId: null },
        { at: T(1), by: 'bob', from: 'in_review', to: 'active', version: '1.0.0', versionNumber: 1, note: 'approval waived', approvalRequestId: null },
      ]);
      expect(await repo().getById(created.id)).toEqual(active);
      expect((await catalogOf(created.id)).map((e) => [e.contractStatus, e.contractRevision])).toEqual([['active', 3]]);

      // The newest version is already active: nothing to activate.
      await rejection(repo().activate({ id: created.id, expectedRevision: 3 }, 'bob'), InvalidStateError);

      const revised = await repo().update({ id: created.id, expectedRevision: 3, document: doc('orders', { purpose: 'two' }) }, 'bob');
      expect(revised).toMatchObject({ version: '1.0.0', activeVersion: 1, versionCount: 2 });
      const second = await at(T(2), () => repo().activate({ id: created.id, expectedRevision: revised.revision, note: 'hotfix' }, 'carol'));
      expect(second).toMatchObject({ status: 'active', activeVersion: 2, version: '1.0.1', description: 'two', revision: revised.revision + 1 });
      expect(second.statusHistory.at(-1)).toEqual({
        at: T(2),
        by: 'carol',
        from: 'active',
        to: 'active',
        version: '1.0.1',
        versionNumber: 2,
        note: 'hotfix',
        approvalRequestId: null,
      });
      expect((await catalogOf(created.id)).map((e) => e.contractVersion)).toEqual(['1.0.1']);

      // Waived approval does not stop reviews: a request still works, and blocks activation while open.
      const third = await repo().update({ id: created.id, expectedRevision: second.revision, document: doc('orders', { purpose: 'three' }) }, 'bob');
      await approvals().submit({ contractId: created.id, expectedRevision: third.revision, approvers: ['carol'], policy: 'all' }, 'bob');
      await rejection(repo().activate({ id: created.id, expectedRevision: third.revision + 1 }, 'bob'), InvalidStateError);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('transitive compatibility', () => {
    const amount = (logicalType: string): PropertySpec => ({ name: 'amount', logicalType });
    const base: PropertySpec[] = [{ name: 'order_id', primaryKey: true, required: true }];
    const ordersDoc = (name: string, properties: PropertySpec[]) => doc(name, { schemas: { orders: properties } });

    /**
     * v1 (no amount) is activated; v2 adds amount: number as a draft revision; v3 removes it again (breaking,
     * accepted); v4 adds amount: integer. v4 narrows amount only against v2. When v2 was never active it is not
     * checked (v4 passes against v3 and v1); once v2 was active, it is (v4 is refused).
     */
    async function upToV3(name: string, activateV2: boolean): Promise<Contract> {
      const created = await repo().create({ document: ordersDoc(name, base) }, 'alice');
      await repo().setSettings({ id: created.id, expectedRevision: 1, compatibility: 'BACKWARD_TRANSITIVE' }, 'admin');
      const active = await moveContractTo(storage(), created.id, 'active');
      let current = await repo().update({ id: created.id, expectedRevision: active.revision, document: ordersDoc(name, [...base, amount('number')]) }, 'bob');
      if (activateV2) current = await activateNewest(storage(), created.id);
      return repo().update({ id: created.id, expectedRevision: current.revision, document: ordersDoc(name, base), acceptBreakingChanges: true }, 'bob');
    }

    it('checks the newest and the ever-active versions, not drafts that were never activated', async () => {
      const v3 = await upToV3('skipped', false);
      expect(v3).toMatchObject({ activeVersion: 1, versionCount: 3 });
      await repo().update({ id: v3.id, expectedRevision: v3.revision, document: ordersDoc('skipped', [...base, amount('integer')]) }, 'carol');
      const [v4] = await repo().getVersionsByIds([`${v3.id}@4`]);
      expect(v4).toMatchObject({ breakingChangesAccepted: false, compatibility: { mode: 'BACKWARD_TRANSITIVE', compatible: true, checkedAgainst: 2, violations: [] } });
    });

    it('checks a revision once it was active', async () => {
      const v3 = await upToV3('checked', true);
      expect(v3).toMatchObject({ activeVersion: 2, versionCount: 3 });
      const before = await snapshot(storage(), v3.id);
      const error = await rejection(
        repo().update({ id: v3.id, expectedRevision: v3.revision, document: ordersDoc('checked', [...base, amount('integer')]) }, 'carol'),
        IncompatibleChangeError,
      );
      expect(error.compatibility).toBe('BACKWARD_TRANSITIVE');
      expect(error.changes.map((c) => c.ruleId)).toContain('logical-type-narrowed');
      expect(await snapshot(storage(), v3.id)).toEqual(before);
      await repo().update({ id: v3.id, expectedRevision: v3.revision, document: ordersDoc('checked', [...base, amount('integer')]), acceptBreakingChanges: true }, 'carol');
      const [v4] = await repo().getVersionsByIds([`${v3.id}@4`]);
      // The newest (v3) and the ever-active v2 and v1.
      expect(v4).toMatchObject({ breakingChangesAccepted: true, compatibility: { mode: 'BACKWARD_TRANSITIVE', compatible: false, checkedAgainst: 3 } });
    });

    it('a non-transitive mode checks the newest version only, even on an active contract with a draft revision', async () => {
      const created = await repo().create({ document: ordersDoc('plain', [...base, amount('number')]) }, 'alice');
      await repo().setSettings({ id: created.id, expectedRevision: 1, compatibility: 'BACKWARD' }, 'admin');
      const active = await moveContractTo(storage(), created.id, 'active');
      const v2 = await repo().update({ id: created.id, expectedRevision: active.revision, document: ordersDoc('plain', base), acceptBreakingChanges: true }, 'bob');
      // Against the newest (v2, without amount) adding amount: integer is an addition, although v1 (served) had a number.
      await repo().update({ id: created.id, expectedRevision: v2.revision, document: ordersDoc('plain', [...base, amount('integer')]) }, 'carol');
      const [v3] = await repo().getVersionsByIds([`${created.id}@3`]);
      expect(v3).toMatchObject({ version: '2.1.0', requiredBump: 'minor', compatibility: { mode: 'BACKWARD', compatible: true, checkedAgainst: 1 } });
    });
  });
});

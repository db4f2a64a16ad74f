/**
 * Conformance: contract evolution on every backend — updates and rollbacks are checked against the contract's
 * compatibility mode and refused when incompatible, nothing written.
 */
import { describe, expect, it } from 'vitest';
import type { CompatibilityMode } from '../../src/domain/compatibility.js';
import type { Contract, ContractVersion } from '../../src/domain/contracts.js';
import { IncompatibleChangeError } from '../../src/domain/errors.js';
import type { JsonObject } from '../../src/domain/odcs.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument, type PropertySpec } from '../support/fixtures.js';
import { all, json, moveContractTo, rejection, useBackend } from './helpers.js';

/** order_id (primary key, required), customer_id (required), amount (number), customer_email (documented). */
const BASE: readonly PropertySpec[] = [
  { name: 'order_id', primaryKey: true, required: true },
  { name: 'customer_id', required: true },
  { name: 'amount', logicalType: 'number' },
  { name: 'customer_email', description: 'Contact address' },
];

function orders(properties: readonly PropertySpec[] = BASE, options: { name?: string; version?: string; purpose?: string } = {}): JsonObject {
  return contractDocument({ name: options.name ?? 'orders', version: options.version, purpose: options.purpose, schemas: { orders: [...properties] } });
}
const without = (...names: string[]): PropertySpec[] => BASE.filter((p) => !names.includes(p.name));
const changed = (name: string, fields: Partial<PropertySpec>): PropertySpec[] => BASE.map((p) => (p.name === name ? { ...p, ...fields } : p));
const plus = (...extra: PropertySpec[]): PropertySpec[] => [...BASE, ...extra];

/** Shortens judged changes to what identifies them. */
function rules(changes: readonly { ruleId: string; readablePath: string }[] | undefined): [string, string][] {
  return (changes ?? []).map((c) => [c.ruleId, c.readablePath]);
}

function evolutionSuite(storage: () => StorageBackend) {
  const repo = () => storage().contracts;

  async function versionsOf(contractId: string): Promise<ContractVersion[]> {
    return all((page) => repo().listVersions(contractId, page));
  }

  async function latest(contractId: string): Promise<ContractVersion> {
    const [newest] = await versionsOf(contractId);
    // What a write returns is what is stored: read it back by id too.
    expect((await repo().getVersionsByIds([newest!.id]))[0]).toEqual(newest);
    return newest!;
  }

  /** Everything a refused write must leave alone. */
  async function state(contractId: string) {
    return {
      contract: await repo().getById(contractId),
      versions: await versionsOf(contractId),
      catalog: await storage().schemaCatalog.listByContractIds([contractId]),
    };
  }

  async function withMode(contract: Contract, compatibility: CompatibilityMode): Promise<Contract> {
    const next = await repo().setSettings({ id: contract.id, expectedRevision: contract.revision, compatibility }, 'admin');
    expect(next.compatibility).toBe(compatibility);
    return next;
  }

  return { repo, versionsOf, latest, state, withMode };
}

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);
  const { repo, latest, state, withMode } = evolutionSuite(storage);

  // -------------------------------------------------------------------------------------------------------------
  describe('compatibility modes', () => {
    const qualityRule = { quality: [{ type: 'library', metric: 'nullValues', mustBe: 0 }] };

    it('NONE skips the compatibility check, but breaking changes still need acceptBreakingChanges', async () => {
      // Adding a quality rule is an addition, not breaking, but BACKWARD forbids it (data that met the previous
      // version may fail it): refused under the registry default...
      const backward = await repo().create({ document: orders(BASE, { name: 'backward' }) }, 'alice');
      const forbidden = await rejection(
        repo().update({ id: backward.id, expectedRevision: 1, document: orders(changed('amount', qualityRule), { name: 'backward' }) }, 'bob'),
        IncompatibleChangeError,
      );
      expect(forbidden).toMatchObject({ compatibility: 'BACKWARD', requiredBump: 'minor' });
      expect(rules(forbidden.changes)).toEqual([['quality-rule-added', 'orders.amount.quality[0]']]);

      // ...and written without the flag under NONE.
      const created = await withMode(await repo().create({ document: orders() }, 'alice'), 'NONE');
      const withRule = await repo().update({ id: created.id, expectedRevision: 2, document: orders(changed('amount', qualityRule)) }, 'bob');
      expect(withRule.version).toBe('1.1.0');
      const v2 = await latest(created.id);
      expect(v2).toMatchObject({ requiredBump: 'minor', breakingChangesAccepted: false });
      expect(rules(v2.changes)).toEqual([['quality-rule-added', 'orders.amount.quality[0]']]);
      expect(v2.compatibility).toEqual({ mode: 'NONE', compatible: true, checkedAgainst: 0, violations: [] });

      // A breaking change is refused under NONE too: the mode relaxes compatibility, not the breaking-change rule.
      const before = await state(created.id);
      const error = await rejection(
        repo().update({ id: created.id, expectedRevision: 3, document: orders(without('customer_email')) }, 'bob'),
        IncompatibleChangeError,
      );
      expect(error).toMatchObject({ compatibility: 'NONE', requiredBump: 'major' });
      expect(rules(error.changes)).toEqual([['property-removed', 'orders.customer_email']]);
      expect(await state(created.id)).toEqual(before);

      const accepted = await repo().update({ id: created.id, expectedRevision: 3, document: orders(without('customer_email')), acceptBreakingChanges: true }, 'bob');
      expect(accepted.version).toBe('2.0.0');
      const v3 = await latest(created.id);
      expect(v3).toMatchObject({ requiredBump: 'major', breakingChangesAccepted: true });
      expect(v3.compatibility).toEqual({ mode: 'NONE', compatible: true, checkedAgainst: 0, violations: [] });
    });

    it('FORWARD refuses removing a required property; adding a required property is FORWARD-compatible but still breaking', async () => {
      const created = await withMode(await repo().create({ document: orders() }, 'alice'), 'FORWARD');

      // Removing the required customer_id: breaking, and FORWARD-incompatible (consumers of 1.0.0 read it).
      const before = await state(created.id);
      const removal = await rejection(
        repo().update({ id: created.id, expectedRevision: 2, document: orders(without('customer_id')) }, 'bob'),
        IncompatibleChangeError,
      );
      expect(removal).toMatchObject({ compatibility: 'FORWARD', requiredBump: 'major' });
      expect(rules(removal.changes)).toEqual([['property-removed', 'orders.customer_id']]);
      expect(await state(created.id)).toEqual(before);
      const removed = await repo().update({ id: created.id, expectedRevision: 2, document: orders(without('customer_id')), acceptBreakingChanges: true }, 'bob');
      expect(removed.version).toBe('2.0.0');
      const v2 = await latest(created.id);
      expect(v2).toMatchObject({ requiredBump: 'major', breakingChangesAccepted: true, compatibility: { mode: 'FORWARD', compatible: false, checkedAgainst: 1 } });
      expect(rules(v2.compatibility?.violations)).toEqual([['property-removed', 'orders.customer_id']]);

      // Adding the required property note: FORWARD allows it (data with note satisfies the previous contract), but
      // it is breaking (producers must now provide it), so it still needs the flag.
      const withNote = [...without('customer_id'), { name: 'note', required: true }];
      const addition = await rejection(
        repo().update({ id: created.id, expectedRevision: 3, document: orders(withNote) }, 'bob'),
        IncompatibleChangeError,
      );
      expect(addition).toMatchObject({ compatibility: 'FORWARD', requiredBump: 'major' });
      expect(rules(addition.changes)).toEqual([['required-property-added', 'orders.note']]);
      const added = await repo().update({ id: created.id, expectedRevision: 3, document: orders(withNote), acceptBreakingChanges: true }, 'bob');
      expect(added.version).toBe('3.0.0');
      const v3 = await latest(created.id);
      expect(v3).toMatchObject({ requiredBump: 'major', breakingChangesAccepted: true });
      expect(v3.compatibility).toEqual({ mode: 'FORWARD', compatible: true, checkedAgainst: 1, violations: [] });

      // Making note optional again is not breaking, but FORWARD forbids it (consumers of 3.0.0 may get nulls)...
      const optionalNote = [...without('customer_id'), { name: 'note', required: false }];
      const relaxed = await rejection(
        repo().update({ id: created.id, expectedRevision: 4, document: orders(optionalNote) }, 'bob'),
        IncompatibleChangeError,
      );
      expect(relaxed).toMatchObject({ compatibility: 'FORWARD', requiredBump: 'minor' });
      expect(rules(relaxed.changes)).toEqual([['property-became-optional', 'orders.note.required']]);
      // ...while BACKWARD, set on the contract, allows it without the flag.
      const backward = await withMode((await repo().getById(created.id))!, 'BACKWARD');
      const optional = await repo().update({ id: created.id, expectedRevision: backward.revision, document: orders(optionalNote) }, 'bob');
      expect(optional.version).toBe('3.1.0');
      expect(await latest(created.id)).toMatchObject({
        requiredBump: 'minor',
        breakingChangesAccepted: false,
        compatibility: { mode: 'BACKWARD', compatible: true, checkedAgainst: 1, violations: [] },
      });
    });

    /**
     * v1 has amount: number and is activated; v2 removes it (breaking, accepted; a draft revision); v3 adds it back as
     * an integer. v3 is compatible with v2 (an optional property is added) but narrows amount against v1, the active
     * version: only the transitive mode sees it.
     */
    describe.each([
      ['BACKWARD', 'BACKWARD_TRANSITIVE'],
      ['FULL', 'FULL_TRANSITIVE'],
    ] as const)('%s vs %s', (mode, transitive) => {
      async function twoVersions(name: string, compatibility: CompatibilityMode): Promise<Contract> {
        const created = await withMode(await repo().create({ document: orders(BASE, { name }) }, 'alice'), compatibility);
        const active = await moveContractTo(storage(), created.id, 'active');
        const v2 = await repo().update({ id: created.id, expectedRevision: active.revision, document: orders(without('amount'), { name }), acceptBreakingChanges: true }, 'bob');
        // A draft revision: the contract keeps serving v1.
        expect(v2).toMatchObject({ version: '1.0.0', activeVersion: 1, versionCount: 2 });
        expect((await latest(created.id)).version).toBe('2.0.0');
        return v2;
      }
      const v3doc = (name: string) => orders(changed('amount', { logicalType: 'integer' }), { name });

      it(`${mode} checks against the latest version only and lets v3 through`, async () => {
        const v2 = await twoVersions('plain', mode);
        await repo().update({ id: v2.id, expectedRevision: v2.revision, document: v3doc('plain') }, 'carol');
        const record = await latest(v2.id);
        expect(record.version).toBe('2.1.0');
        expect(record).toMatchObject({ requiredBump: 'minor', breakingChangesAccepted: false });
        expect(rules(record.changes)).toEqual([['property-added', 'orders.amount']]);
        expect(record.compatibility).toEqual({ mode, compatible: true, checkedAgainst: 1, violations: [] });
      });

      it(`${transitive} checks against the newest and every ever-active version and catches the narrowing against v1`, async () => {
        const v2 = await twoVersions('transitive', transitive);
        const before = await state(v2.id);
        const error = await rejection(repo().update({ id: v2.id, expectedRevision: v2.revision, document: v3doc('transitive') }, 'carol'), IncompatibleChangeError);
        expect(error).toMatchObject({ compatibility: transitive, requiredBump: 'minor' });
        expect(rules(error.changes)).toEqual([['logical-type-narrowed', 'orders.amount.logicalType']]);
        expect(await state(v2.id)).toEqual(before);

        await repo().update({ id: v2.id, expectedRevision: v2.revision, document: v3doc('transitive'), acceptBreakingChanges: true }, 'carol');
        // The bump is still judged against the newest version (an addition from 2.0.0).
        const record = await latest(v2.id);
        expect(record.version).toBe('2.1.0');
        expect(record).toMatchObject({ requiredBump: 'minor', breakingChangesAccepted: true });
        expect(rules(record.changes)).toEqual([['property-added', 'orders.amount']]);
        expect(record.compatibility).toMatchObject({ mode: transitive, compatible: false, checkedAgainst: 2 });
        expect(record.compatibility?.violations).toEqual([
          expect.objectContaining({ ruleId: 'logical-type-narrowed', readablePath: 'orders.amount.logicalType', before: 'number', after: 'integer' }),
        ]);
      });
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('rollback', () => {
    it('is judged like an update: a rollback removing a property added since is breaking', async () => {
      const created = await repo().create({ document: orders() }, 'alice');
      const added = await repo().update({ id: created.id, expectedRevision: 1, document: orders(plus({ name: 'note' })) }, 'bob');
      expect(added.version).toBe('1.1.0');

      const before = await state(created.id);
      const error = await rejection(repo().rollback({ id: created.id, expectedRevision: 2, toVersion: '1.0.0' }, 'carol'), IncompatibleChangeError);
      expect(error).toMatchObject({ compatibility: 'BACKWARD', requiredBump: 'major' });
      expect(rules(error.changes)).toEqual([['property-removed', 'orders.note']]);
      expect(await state(created.id)).toEqual(before);

      // Accepted: the minimum bump from 1.1.0, recorded like an update's.
      const rolled = await repo().rollback({ id: created.id, expectedRevision: 2, toVersion: '1.0.0', acceptBreakingChanges: true }, 'carol');
      expect(rolled).toMatchObject({ version: '2.0.0', versionCount: 3, revision: 3 });
      expect(json(rolled.document)).toBe(json(created.document));
      const v3 = await latest(created.id);
      expect(v3).toMatchObject({ changeKind: 'rollback', restoredFrom: '1.0.0', version: '2.0.0', requiredBump: 'major', breakingChangesAccepted: true });
      expect(rules(v3.changes)).toEqual([['property-removed', 'orders.note']]);
      expect(v3.compatibility).toMatchObject({ mode: 'BACKWARD', compatible: true, checkedAgainst: 1 });

      // Rolling forward to 1.1.0 adds note back: an addition, so a minor bump and no flag needed.
      const forward = await repo().rollback({ id: created.id, expectedRevision: 3, toVersion: '1.1.0' }, 'carol');
      expect(forward.version).toBe('2.1.0');
      const v4 = await latest(created.id);
      expect(v4).toMatchObject({ changeKind: 'rollback', restoredFrom: '1.1.0', requiredBump: 'minor', breakingChangesAccepted: false });
      expect(rules(v4.changes)).toEqual([['property-added', 'orders.note']]);
    });

    it('gets the patch bump when only documentation differs', async () => {
      const created = await repo().create({ document: orders() }, 'alice');
      await repo().update({ id: created.id, expectedRevision: 1, document: orders(BASE, { purpose: 'documented' }) }, 'bob');
      const rolled = await repo().rollback({ id: created.id, expectedRevision: 2, toVersion: '1.0.0' }, 'carol');
      expect(rolled.version).toBe('1.0.2');
      const v3 = await latest(created.id);
      expect(v3).toMatchObject({ requiredBump: 'patch', breakingChangesAccepted: false });
      expect(rules(v3.changes)).toEqual([['documentation-changed', 'description.purpose']]);
    });

    it('follows the compatibility mode: FORWARD refuses a rollback that makes a property optional again', async () => {
      const created = await repo().create({ document: orders(changed('amount', { required: false })) }, 'alice');
      const required = await repo().update(
        { id: created.id, expectedRevision: 1, document: orders(changed('amount', { required: true })), acceptBreakingChanges: true },
        'bob',
      );
      expect(required.version).toBe('2.0.0');
      const forward = await withMode(required, 'FORWARD');
      const error = await rejection(repo().rollback({ id: created.id, expectedRevision: forward.revision, toVersion: '1.0.0' }, 'carol'), IncompatibleChangeError);
      expect(error).toMatchObject({ compatibility: 'FORWARD', requiredBump: 'minor' });
      expect(rules(error.changes)).toEqual([['property-became-optional', 'orders.amount.required']]);
      const rolled = await repo().rollback({ id: created.id, expectedRevision: forward.revision, toVersion: '1.0.0', acceptBreakingChanges: true }, 'carol');
      expect(rolled.version).toBe('2.1.0');
      expect(await latest(created.id)).toMatchObject({ breakingChangesAccepted: true, compatibility: { mode: 'FORWARD', compatible: false } });
    });
  });
});

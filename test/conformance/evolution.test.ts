/**
 * Conformance: contract evolution on every backend — every update and rollback is diffed against the current
 * document, gets the version bump its changes require, is checked against the contract's compatibility mode, and is
 * refused (IncompatibleChangeError, nothing written) when it holds breaking or incompatible changes the author did
 * not accept; what was judged is recorded on the version. Also the registry policy: the default compatibility mode
 * and `invalidDocuments: 'warn'`.
 */
import { describe, expect, inject, it } from 'vitest';
import type { CompatibilityMode } from '../../src/domain/compatibility.js';
import type { Contract, ContractVersion } from '../../src/domain/contracts.js';
import { IncompatibleChangeError, ValidationError } from '../../src/domain/errors.js';
import type { RegistryPolicy } from '../../src/domain/evolution.js';
import type { JsonObject } from '../../src/domain/odcs.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { createMongoStorage } from '../../src/storage/mongodb/index.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { type BackendFactory, backends, testDatabaseName } from '../support/backends.js';
import { contractDocument, type PropertySpec } from '../support/fixtures.js';
import { activateNewest, all, json, moveContractTo, rejection, useBackend } from './helpers.js';

/** The backends of `backends`, built with a registry policy of their own. */
function backendsWithPolicy(policy: RegistryPolicy): BackendFactory[] {
  return [
    {
      name: 'memory',
      async create() {
        const storage = createMemoryStorage({ policy });
        return { storage, dispose: () => storage.close() };
      },
    },
    {
      name: 'mongodb',
      async create() {
        const storage = await createMongoStorage({ uri: inject('mongodbUri'), database: testDatabaseName(), policy });
        return {
          storage,
          async dispose() {
            await storage.dropDatabase();
            await storage.close();
          },
        };
      },
    },
  ];
}

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
  describe('breaking changes', () => {
    const cases = [
      {
        label: 'a removed property',
        properties: () => without('customer_email'),
        change: { ruleId: 'property-removed', readablePath: 'orders.customer_email', kind: 'removed', path: '$.schema[0].properties[3]' },
        // Removing an (optional) property is allowed by BACKWARD (as in Confluent), yet breaking for its readers.
        backwardViolations: [] as string[],
      },
      {
        label: 'a property that became required',
        properties: () => changed('amount', { required: true }),
        change: { ruleId: 'property-became-required', readablePath: 'orders.amount.required', kind: 'added', path: '$.schema[0].properties[2].required' },
        backwardViolations: ['property-became-required'],
      },
      {
        label: 'a narrowed type',
        properties: () => changed('amount', { logicalType: 'integer' }),
        change: { ruleId: 'logical-type-narrowed', readablePath: 'orders.amount.logicalType', kind: 'changed', path: '$.schema[0].properties[2].logicalType' },
        backwardViolations: ['logical-type-narrowed'],
      },
    ];

    it.each(cases)('refuses $label with IncompatibleChangeError and writes nothing', async ({ properties, change }) => {
      const created = await repo().create({ document: orders() }, 'alice');
      const before = await state(created.id);
      for (const acceptBreakingChanges of [undefined, null, false]) {
        const error = await rejection(
          repo().update({ id: created.id, expectedRevision: 1, document: orders(properties()), acceptBreakingChanges }, 'bob'),
          IncompatibleChangeError,
        );
        expect(error.code).toBe('INCOMPATIBLE_CHANGE');
        expect(error.compatibility).toBe('BACKWARD');
        expect(error.requiredBump).toBe('major');
        expect(error.changes).toEqual([
          expect.objectContaining({
            ruleId: change.ruleId,
            level: 'breaking',
            readablePath: change.readablePath,
            explanation: expect.any(String),
            suggestion: expect.any(String),
          }),
        ]);
        expect(error.message).toContain(error.changes[0]!.explanation);
        expect(error.message).toContain('acceptBreakingChanges');
        // Revision, versions and catalog are untouched.
        expect(await state(created.id)).toEqual(before);
      }
      // The revision did not move: a write from revision 1 still succeeds.
      const next = await repo().update({ id: created.id, expectedRevision: 1, document: orders(BASE, { purpose: 'documented' }) }, 'bob');
      expect(next).toMatchObject({ revision: 2, versionCount: 2, version: '1.0.1' });
    });

    it.each(cases)('writes $label with acceptBreakingChanges as 2.0.0 and records what was accepted', async ({ properties, change, backwardViolations }) => {
      const created = await repo().create({ document: orders() }, 'alice');
      const document = orders(properties());
      const updated = await repo().update({ id: created.id, expectedRevision: 1, document, acceptBreakingChanges: true, note: 'accepted' }, 'bob');
      expect(updated).toMatchObject({ version: '2.0.0', versionCount: 2, revision: 2 });
      expect(json(updated.document)).toBe(json(document));
      expect(await repo().getById(created.id)).toEqual(updated);

      const v2 = await latest(created.id);
      expect(v2).toMatchObject({
        number: 2,
        version: '2.0.0',
        changeKind: 'update',
        note: 'accepted',
        requiredBump: 'major',
        breakingChangesAccepted: true,
        warnings: [],
      });
      expect(v2.changes).toEqual([
        expect.objectContaining({ ruleId: change.ruleId, readablePath: change.readablePath, level: 'breaking', category: 'breaking', kind: change.kind, path: change.path }),
      ]);
      expect(typeof v2.changes[0]!.explanation).toBe('string');
      expect(typeof v2.changes[0]!.suggestion).toBe('string');
      expect(v2.compatibility).toMatchObject({ mode: 'BACKWARD', compatible: backwardViolations.length === 0, checkedAgainst: 1 });
      expect(v2.compatibility?.violations.map((v) => v.ruleId)).toEqual(backwardViolations);
      // Version 1 keeps its (empty) record.
      const [v1] = await repo().getVersionsByIds([`${created.id}@1`]);
      expect(v1).toMatchObject({ changes: [], requiredBump: 'none', compatibility: null, breakingChangesAccepted: false });
      // The catalog follows the accepted version.
      const [entries] = await storage().schemaCatalog.listByContractIds([created.id]);
      expect(entries?.map((e) => [e.schemaName, e.contractVersion, e.contractRevision])).toEqual([['orders', '2.0.0', 2]]);
    });

    it('records acceptBreakingChanges as accepted only when something needed it', async () => {
      const created = await repo().create({ document: orders() }, 'alice');
      await repo().update({ id: created.id, expectedRevision: 1, document: orders(plus({ name: 'note' })), acceptBreakingChanges: true }, 'bob');
      expect(await latest(created.id)).toMatchObject({ version: '1.1.0', requiredBump: 'minor', breakingChangesAccepted: false });
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('version bumps', () => {
    it('gives an added optional property the minor bump 1.1.0 without being asked', async () => {
      const created = await repo().create({ document: orders() }, 'alice');
      const updated = await repo().update({ id: created.id, expectedRevision: 1, document: orders(plus({ name: 'note' })) }, 'bob');
      expect(updated.version).toBe('1.1.0');
      const v2 = await latest(created.id);
      expect(v2).toMatchObject({ version: '1.1.0', requiredBump: 'minor', breakingChangesAccepted: false });
      expect(v2.changes).toEqual([expect.objectContaining({ ruleId: 'property-added', readablePath: 'orders.note', category: 'addition', kind: 'added' })]);
      expect(v2.compatibility).toEqual({ mode: 'BACKWARD', compatible: true, checkedAgainst: 1, violations: [] });
    });

    it('gives a documentation-only change the patch bump 1.0.1, and an unchanged document a patch too', async () => {
      const created = await repo().create({ document: orders() }, 'alice');
      const documented = orders(changed('customer_email', { description: 'Where receipts go' }));
      const updated = await repo().update({ id: created.id, expectedRevision: 1, document: documented }, 'bob');
      expect(updated.version).toBe('1.0.1');
      const v2 = await latest(created.id);
      expect(v2).toMatchObject({ requiredBump: 'patch', breakingChangesAccepted: false });
      expect(v2.changes).toEqual([
        expect.objectContaining({
          ruleId: 'documentation-changed',
          readablePath: 'orders.customer_email.description',
          category: 'docs',
          before: 'Contact address',
          after: 'Where receipts go',
        }),
      ]);

      // Every update is a new version: nothing changed still means a patch, with no changes and no bump required.
      const again = await repo().update({ id: created.id, expectedRevision: 2, document: documented }, 'bob');
      expect(again.version).toBe('1.0.2');
      expect(await latest(created.id)).toMatchObject({ version: '1.0.2', changes: [], requiredBump: 'none', breakingChangesAccepted: false });
    });

    it('refuses a declared version below the required bump, naming the change, and writes nothing', async () => {
      const created = await repo().create({ document: orders() }, 'alice');
      const before = await state(created.id);

      const explicit = await rejection(
        repo().update({ id: created.id, expectedRevision: 1, document: orders(plus({ name: 'note' })), version: '1.0.1' }, 'bob'),
        ValidationError,
      );
      expect(explicit.issues).toEqual([
        { path: 'version', code: 'version_too_low', message: 'adding property orders.note is an addition: version must be at least 1.1.0 (declared 1.0.1)' },
      ]);

      // From the document's version; accepting the breaking change does not lower the version it needs.
      const fromDocument = await rejection(
        repo().update({ id: created.id, expectedRevision: 1, document: orders(without('customer_email'), { version: '1.1.0' }), acceptBreakingChanges: true }, 'bob'),
        ValidationError,
      );
      expect(fromDocument.issues).toEqual([
        { path: 'document.version', code: 'version_too_low', message: 'removing orders.customer_email is breaking: version must be at least 2.0.0 (declared 1.1.0)' },
      ]);

      const several = await rejection(
        repo().update({ id: created.id, expectedRevision: 1, document: orders(without('amount', 'customer_email')), version: '1.1.0', acceptBreakingChanges: true }, 'bob'),
        ValidationError,
      );
      expect(several.issues.map((i) => [i.path, i.code, i.message])).toEqual([
        ['version', 'version_too_low', 'removing orders.amount is breaking (and 1 more change like it): version must be at least 2.0.0 (declared 1.1.0)'],
      ]);
      expect(await state(created.id)).toEqual(before);
    });

    it('keeps a declared version above the minimum, and takes a pre-release of the required version', async () => {
      const created = await repo().create({ document: orders() }, 'alice');
      const minor = await repo().update({ id: created.id, expectedRevision: 1, document: orders(plus({ name: 'note' })), version: '1.5.0' }, 'bob');
      expect(minor.version).toBe('1.5.0');
      expect(await latest(created.id)).toMatchObject({ version: '1.5.0', requiredBump: 'minor' });
      const major = await repo().update(
        { id: created.id, expectedRevision: 2, document: orders(without('customer_email')), version: '2.0.0-rc.1', acceptBreakingChanges: true },
        'bob',
      );
      expect(major.version).toBe('2.0.0-rc.1');
      expect(await latest(created.id)).toMatchObject({ version: '2.0.0-rc.1', requiredBump: 'major', breakingChangesAccepted: true });
    });
  });

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

// -----------------------------------------------------------------------------------------------------------------
describe.each(backendsWithPolicy({ defaultCompatibility: 'BACKWARD', invalidDocuments: 'warn' }))('$name backend, invalidDocuments: warn', (backend) => {
  const storage = useBackend(backend);
  const { repo, latest, state } = evolutionSuite(storage);
  const invalid = () => orders(changed('amount', { logicalType: 'strnig' }));
  const warning = {
    path: 'document.schema[0].properties[2].logicalType',
    code: 'invalid_value',
    message: expect.stringContaining('must be one of'),
  };

  it('stores an invalid document with its problems as warnings on the version', async () => {
    const document = invalid();
    const created = await repo().create({ document }, 'alice');
    expect(created).toMatchObject({ version: '1.0.0', versionCount: 1 });
    expect(json(created.document)).toBe(json(document));
    expect(await latest(created.id)).toMatchObject({ number: 1, warnings: [warning] });

    // A valid update has no warnings; the invalid version keeps its own. (number -> strnig is judged an unrelated
    // type change, so fixing the type is breaking.)
    const fixed = await repo().update({ id: created.id, expectedRevision: 1, document: orders(), acceptBreakingChanges: true }, 'bob');
    expect(fixed.version).toBe('2.0.0');
    expect(await latest(created.id)).toMatchObject({ number: 2, warnings: [] });
    expect((await repo().getVersionsByIds([`${created.id}@1`]))[0]?.warnings).toEqual([warning]);

    // An invalid update is stored with warnings too, and so is a rollback to an invalid version.
    await repo().update({ id: created.id, expectedRevision: 2, document: orders(BASE, { purpose: 'valid' }) }, 'bob');
    const rolled = await repo().rollback({ id: created.id, expectedRevision: 3, toVersion: '1.0.0', acceptBreakingChanges: true }, 'carol');
    expect(json(rolled.document)).toBe(json(document));
    expect(await latest(created.id)).toMatchObject({ changeKind: 'rollback', restoredFrom: '1.0.0', warnings: [warning] });
    const again = await repo().update({ id: created.id, expectedRevision: 4, document: orders(changed('amount', { logicalType: 'strnig', description: 'x' })) }, 'bob');
    expect(again.version).toBe('3.0.1');
    expect(await latest(created.id)).toMatchObject({ requiredBump: 'patch', warnings: [warning] });
  });

  it('still refuses duplicate schema names and a document that is not an object, writing nothing', async () => {
    const duplicate = () => contractDocument({ name: 'orders', schemas: { orders: [{ name: 'a' }], Orders: [{ name: 'b' }] } });
    const onCreate = await rejection(repo().create({ document: duplicate() }, 'alice'), ValidationError);
    expect(onCreate.issues).toEqual([expect.objectContaining({ path: 'document.schema[1].name', code: 'duplicate' })]);
    await rejection(repo().create({ document: ['not', 'a', 'contract'], name: 'orders' }, 'alice'), ValidationError);
    expect(await repo().getByName('orders')).toBeNull();

    const created = await repo().create({ document: orders() }, 'alice');
    const before = await state(created.id);
    const onUpdate = await rejection(repo().update({ id: created.id, expectedRevision: 1, document: duplicate(), acceptBreakingChanges: true }, 'bob'), ValidationError);
    expect(onUpdate.issues).toEqual([expect.objectContaining({ path: 'document.schema[1].name', code: 'duplicate' })]);
    await rejection(repo().update({ id: created.id, expectedRevision: 1, document: 'text' }, 'bob'), ValidationError);
    expect(await state(created.id)).toEqual(before);
  });
});

// -----------------------------------------------------------------------------------------------------------------
describe.each(backendsWithPolicy({ defaultCompatibility: 'FORWARD', invalidDocuments: 'reject' }))('$name backend, defaultCompatibility: FORWARD', (backend) => {
  const storage = useBackend(backend);
  const { repo, latest, state, withMode } = evolutionSuite(storage);

  it('judges contracts without a mode of their own by the registry default; a contract mode overrides it', async () => {
    const created = await repo().create({ document: orders() }, 'alice');
    expect(created.compatibility).toBeNull();
    const optional = orders(changed('customer_id', { required: false }));
    const before = await state(created.id);
    const error = await rejection(repo().update({ id: created.id, expectedRevision: 1, document: optional }, 'bob'), IncompatibleChangeError);
    expect(error.compatibility).toBe('FORWARD');
    expect(rules(error.changes)).toEqual([['property-became-optional', 'orders.customer_id.required']]);
    expect(await state(created.id)).toEqual(before);

    const backward = await withMode(created, 'BACKWARD');
    const updated = await repo().update({ id: created.id, expectedRevision: backward.revision, document: optional }, 'bob');
    expect(updated).toMatchObject({ version: '1.1.0', compatibility: 'BACKWARD' });
    expect(await latest(created.id)).toMatchObject({ breakingChangesAccepted: false, compatibility: { mode: 'BACKWARD', compatible: true } });
  });
});

describe.each(backendsWithPolicy({ defaultCompatibility: 'BACKWARD_TRANSITIVE', invalidDocuments: 'reject' }))(
  '$name backend, defaultCompatibility: BACKWARD_TRANSITIVE',
  (backend) => {
    const storage = useBackend(backend);
    const { repo, latest } = evolutionSuite(storage);

    it('loads the newest and every ever-active version for a transitive registry default', async () => {
      const created = await repo().create({ document: orders() }, 'alice');
      await moveContractTo(storage(), created.id, 'active');
      const v2 = await repo().update({ id: created.id, expectedRevision: 3, document: orders(BASE, { purpose: 'two' }) }, 'bob');
      expect(v2).toMatchObject({ activeVersion: 1, versionCount: 2 });
      const active2 = await activateNewest(storage(), created.id);
      const v3 = await repo().update({ id: created.id, expectedRevision: active2.revision, document: orders(without('amount')), acceptBreakingChanges: true }, 'bob');
      expect(v3).toMatchObject({ activeVersion: 2, versionCount: 3 });
      const narrowed = orders(changed('amount', { logicalType: 'integer' }));
      const error = await rejection(repo().update({ id: created.id, expectedRevision: v3.revision, document: narrowed }, 'bob'), IncompatibleChangeError);
      expect(error.compatibility).toBe('BACKWARD_TRANSITIVE');
      // Versions 1 and 2 (both were active) had amount: number, so the narrowing is found against each of them. (The entries are
      // identical and do not say which version they are against; only the set of judged changes is asserted.)
      expect(new Set(rules(error.changes).map((r) => r.join(' ')))).toEqual(new Set(['logical-type-narrowed orders.amount.logicalType']));
      await repo().update({ id: created.id, expectedRevision: v3.revision, document: narrowed, acceptBreakingChanges: true }, 'bob');
      const v4 = await latest(created.id);
      expect(v4).toMatchObject({ version: '2.1.0', breakingChangesAccepted: true, compatibility: { mode: 'BACKWARD_TRANSITIVE', compatible: false, checkedAgainst: 3 } });
      expect(new Set(rules(v4.compatibility?.violations).map((r) => r.join(' ')))).toEqual(new Set(['logical-type-narrowed orders.amount.logicalType']));
    });
  },
);

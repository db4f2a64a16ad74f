/**
 * Conformance: contract evolution on every backend — every update is diffed against the current document and refused
 * (IncompatibleChangeError, nothing written) when it holds breaking changes the author did not accept; what was judged
 * is recorded on the version; and the version bump the changes require.
 */
import { describe, expect, it } from 'vitest';
import type { CompatibilityMode } from '../../src/domain/compatibility.js';
import type { Contract, ContractVersion } from '../../src/domain/contracts.js';
import { IncompatibleChangeError, ValidationError } from '../../src/domain/errors.js';
import type { JsonObject } from '../../src/domain/odcs.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument, type PropertySpec } from '../support/fixtures.js';
import { all, json, rejection, useBackend } from './helpers.js';

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
  const { repo, latest, state } = evolutionSuite(storage);

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

});

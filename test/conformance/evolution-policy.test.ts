/**
 * Conformance: contract evolution on every backend — the registry policy: `invalidDocuments: 'warn'` and the default
 * compatibility mode (FORWARD, BACKWARD_TRANSITIVE).
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
import { type BackendFactory, testDatabaseName } from '../support/backends.js';
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

/**
 * Conformance: the ContractRepository of every backend (src/storage/types.ts) — writes, reads, versions, rollback,
 * lifecycle, delete and list. Every case runs on every backend, each test on a fresh, empty one.
 */
import { describe, expect, it } from 'vitest';
import type { Contract, ContractVersion } from '../../src/domain/contracts.js';
import {
  AlreadyExistsError,
  ConflictError,
  IncompatibleChangeError,
  InvalidStateError,
  InvalidTransitionError,
  NotFoundError,
  ValidationError,
} from '../../src/domain/errors.js';
import type { JsonObject } from '../../src/domain/odcs.js';
import type { ContractFilter, ContractOrder, StorageBackend } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument, officialExamples, type PropertySpec } from '../support/fixtures.js';
import { all, APPROVER, at, cmp, collectPages, ids, json, moveContractTo, names, rejection, REQUESTER, useBackend } from './helpers.js';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const T1 = new Date('2030-01-01T00:00:01.000Z');
const T2 = new Date('2030-01-01T00:00:02.000Z');

function doc(name: string, options: Omit<Parameters<typeof contractDocument>[0], 'name'> = {}): JsonObject {
  return contractDocument({ name, ...options });
}

/** A copy of `document` with some top-level keys replaced (key order kept), for "the next version". */
function withKeys(document: JsonObject, changes: JsonObject): JsonObject {
  return { ...structuredClone(document), ...changes };
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
  describe('create', () => {
    it('returns the registry metadata and the document', async () => {
      const document = doc('orders', { team: 'sales', purpose: 'Every order we take', version: '1.2.3' });
      const before = Date.now();
      const created = await repo().create({ document }, 'alice');
      const after = Date.now();

      expect(typeof created.id).toBe('string');
      expect(created.id.length).toBeGreaterThan(0);
      expect(created).toMatchObject({
        name: 'orders',
        description: 'Every order we take',
        owner: 'sales',
        status: 'draft',
        version: '1.2.3',
        versionCount: 1,
        revision: 1,
        createdBy: 'alice',
        updatedBy: 'alice',
      });
      expect(created.createdAt).toBeInstanceOf(Date);
      expect(created.updatedAt).toBeInstanceOf(Date);
      expect(created.createdAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(created.createdAt.getTime()).toBeLessThanOrEqual(after);
      expect(created.updatedAt.getTime()).toBe(created.createdAt.getTime());
      expect(json(created.document)).toBe(json(document));

      const read = await repo().getById(created.id);
      expect(read).toEqual(created);
      expect(json(read?.document)).toBe(json(document));
    });

    it('writes version 1 alongside the contract', async () => {
      const document = doc('orders');
      const created = await repo().create({ document, note: 'first cut' }, 'alice');
      const versions = await versionsOf(storage(), created.id);
      expect(versions).toHaveLength(1);
      expect(versions[0]).toEqual({
        id: `${created.id}@1`,
        contractId: created.id,
        number: 1,
        version: '1.0.0',
        document,
        changeKind: 'create',
        restoredFrom: null,
        note: 'first cut',
        createdAt: created.createdAt,
        createdBy: 'alice',
        // Version 1 is not judged against anything: no changes, no bump, no compatibility verdict, no warnings.
        changes: [],
        requiredBump: 'none',
        compatibility: null,
        breakingChangesAccepted: false,
        warnings: [],
        // A structured write has no text; the version is the one the document states.
        source: null,
        statedVersion: '1.0.0',
      });
      expect(json(versions[0]?.document)).toBe(json(document));
    });

    it('prefers an explicit name, owner and version over the document', async () => {
      const document = doc('from-document', { team: 'sales', version: '1.0.0' });
      const created = await repo().create({ document, name: 'explicit', owner: 'platform', version: '2.1.0' }, null);
      expect(created).toMatchObject({ name: 'explicit', owner: 'platform', version: '2.1.0', createdBy: null, updatedBy: null });
      expect(created.document.name).toBe('from-document');
      expect(created.document.version).toBe('1.0.0');
      expect((await repo().getByName('explicit'))?.id).toBe(created.id);
      expect(await repo().getByName('from-document')).toBeNull();
    });

    it('has no owner and no description when the document gives none', async () => {
      const created = await repo().create({ document: doc('bare') }, 'alice');
      expect(created.owner).toBeNull();
      expect(created.description).toBeNull();
    });

    it('keeps the document verbatim: key order, unknown keys, dotted and $ keys, nested arrays', async () => {
      const document: JsonObject = {
        kind: 'DataContract',
        version: '1.0.0',
        'x-extra': { 'a.b': 1, $weird: [[1, 2], [3]], nested: { 'c.d': { $e: null, '': 'empty key' } } },
        apiVersion: 'v3.1.0',
        id: 'urn:test:verbatim',
        zeta: true,
        status: 'draft',
        name: 'verbatim',
        $top: 'dollar',
        'dotted.top': 2.5,
        big: 12345678901,
        unicode: 'Grüße, 東京 🚀',
        empty: {},
        emptyArray: [],
        schema: [
          {
            properties: [
              { name: 'order_id', 'x-prop': [[], [{}], [[['deep']]], [null, false, 0]], logicalType: 'string' },
              { logicalType: 'object', name: 'address', properties: [{ name: 'street', 'x.y': { $z: [1] } }] },
            ],
            name: 'orders',
            'x-schema.ext': { $ref: '#/x' },
          },
        ],
        customProperties: [{ property: 'a.b', value: { $set: 1, 'k.k': [[]] } }],
        alpha: 'last',
      };
      const expected = json(document);
      const created = await repo().create({ document }, 'alice');
      expect(json(created.document)).toBe(expected);
      expect(json((await repo().getById(created.id))?.document)).toBe(expected);
      expect(json((await repo().getByName('verbatim'))?.document)).toBe(expected);
      expect(json((await repo().getByIds([created.id]))[0]?.document)).toBe(expected);
      const listed = await all((page) => repo().list({}, { field: 'name', direction: 'asc' }, page));
      expect(json(listed[0]?.document)).toBe(expected);
      const [v1] = await repo().getVersionsByIds([`${created.id}@1`]);
      expect(json(v1?.document)).toBe(expected);
      // The input object is not mutated by the write.
      expect(json(document)).toBe(expected);
    });

    it.each(officialExamples())('round-trips the official example $file byte-identically', async ({ file, document }) => {
      const expected = json(document);
      const created = await repo().create({ document, name: file }, 'alice');
      expect(created.name).toBe(file);
      const read = await repo().getById(created.id);
      expect(json(read?.document)).toBe(expected);
      const [v1] = await repo().getVersions([{ contractId: created.id, version: created.version }]);
      expect(json(v1?.document)).toBe(expected);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('reads', () => {
    it('returns null for an unknown id or name', async () => {
      const gone = await repo().create({ document: doc('gone') }, 'alice');
      await repo().delete(gone.id, gone.revision, 'alice');
      await repo().create({ document: doc('present') }, 'alice');
      expect(await repo().getById(gone.id)).toBeNull();
      expect(await repo().getById('no-such-contract')).toBeNull();
      expect(await repo().getByName('gone')).toBeNull();
      expect(await repo().getByName('absent')).toBeNull();
    });

    it('getByIds keeps the order of the ids, with null for missing ones and repeats for duplicates', async () => {
      const a = await repo().create({ document: doc('a') }, 'alice');
      const b = await repo().create({ document: doc('b') }, 'alice');
      const c = await repo().create({ document: doc('c') }, 'alice');
      const result = await repo().getByIds([c.id, 'no-such-contract', a.id, c.id, b.id]);
      expect(ids(result)).toEqual([c.id, null, a.id, c.id, b.id]);
      expect(result[0]).toEqual(c);
      expect(result[2]).toEqual(a);
      expect(await repo().getByIds([])).toEqual([]);
    });

    it('getByNames keeps the order of the names, with null for missing ones and repeats for duplicates', async () => {
      const a = await repo().create({ document: doc('a') }, 'alice');
      const b = await repo().create({ document: doc('b') }, 'alice');
      const result = await repo().getByNames(['b', 'nope', 'a', 'b']);
      expect(ids(result)).toEqual([b.id, null, a.id, b.id]);
      expect(names(result)).toEqual(['b', null, 'a', 'b']);
      expect(result[2]).toEqual(a);
      expect(await repo().getByNames([])).toEqual([]);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('name uniqueness', () => {
    it('rejects a second contract with the same name and writes nothing', async () => {
      const first = await repo().create({ document: doc('orders', { purpose: 'first' }) }, 'alice');
      const error = await rejection(
        repo().create({ document: doc('orders', { id: 'urn:test:other', purpose: 'second' }) }, 'bob'),
        AlreadyExistsError,
      );
      expect(error.field).toBe('name');
      expect(error.value).toBe('orders');
      // An explicit name collides the same way.
      await rejection(repo().create({ document: doc('something-else'), name: 'orders' }, 'bob'), AlreadyExistsError);

      expect(await count(storage())).toBe(1);
      const current = await repo().getByName('orders');
      expect(current).toEqual(first);
      expect(await repo().getByName('something-else')).toBeNull();
      expect(await versionsOf(storage(), first.id)).toHaveLength(1);
    });

    it('rejects renaming a contract to a taken name in an update and writes nothing', async () => {
      const a = await repo().create({ document: doc('a') }, 'alice');
      const b = await repo().create({ document: doc('b') }, 'alice');
      await rejection(repo().update({ id: b.id, expectedRevision: b.revision, document: doc('b'), name: 'a' }, 'bob'), AlreadyExistsError);
      expect(await repo().getById(b.id)).toEqual(b);
      expect(await repo().getById(a.id)).toEqual(a);
      expect(await versionsOf(storage(), b.id)).toHaveLength(1);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('validation', () => {
    const invalid: { label: string; input: () => { document: unknown; name?: string; version?: string }; path: string }[] = [
      {
        label: 'a property with an unknown logicalType',
        input: () => ({
          document: doc('invalid', {
            schemas: { orders: [{ name: 'order_id' }, { name: 'amount', logicalType: 'strnig' }, { name: 'note' }] },
          }),
        }),
        path: 'document.schema[0].properties[1].logicalType',
      },
      {
        label: 'a missing apiVersion',
        input: () => {
          const { apiVersion: _drop, ...rest } = doc('invalid');
          return { document: rest };
        },
        path: 'document.apiVersion',
      },
      { label: 'a wrong kind', input: () => ({ document: withKeys(doc('invalid'), { kind: 'Contract' }) }), path: 'document.kind' },
      { label: 'a non-semver document version', input: () => ({ document: doc('invalid', { version: 'v1' }) }), path: 'document.version' },
      { label: 'a non-semver explicit version', input: () => ({ document: doc('invalid'), version: '1.0' }), path: 'version' },
      {
        label: 'duplicate schema names (ignoring case)',
        input: () => ({ document: doc('invalid', { schemas: { orders: [{ name: 'a' }], Orders: [{ name: 'b' }] } }) }),
        path: 'document.schema[1].name',
      },
      {
        label: 'a nested property without a name',
        input: () => ({
          document: doc('invalid', {
            schemas: { orders: [{ name: 'address', logicalType: 'object', properties: [{ name: 'street' }, { logicalType: 'string' }] }] },
          }),
        }),
        path: 'document.schema[0].properties[0].properties[1].name',
      },
      { label: 'no name at all', input: () => ({ document: doc('ignored', { extra: {} }), name: '   ' }), path: 'name' },
      { label: 'a document that is not an object', input: () => ({ document: ['not', 'a', 'contract'], name: 'invalid' }), path: 'document' },
    ];

    it.each(invalid)('rejects $label with a ValidationError at $path and writes nothing', async ({ input, path }) => {
      const error = await rejection(repo().create(input(), 'alice'), ValidationError);
      expect(error.issues.map((i) => i.path)).toContain(path);
      for (const issue of error.issues) {
        expect(typeof issue.message).toBe('string');
        expect(typeof issue.code).toBe('string');
      }
      expect(await count(storage())).toBe(0);
      expect(await repo().getByName('invalid')).toBeNull();
      expect(await repo().getByName('ignored')).toBeNull();
    });

    it('names a contract whose document has no name by its ODCS id; refuses a document with neither, at document.id', async () => {
      const named = doc('x');
      delete named.name;
      expect((await repo().create({ document: named }, 'alice')).name).toBe('urn:test:x');
      const document = doc('y');
      delete document.name;
      delete document.id;
      const error = await rejection(repo().create({ document }, 'alice'), ValidationError);
      expect(error.issues.map((i) => i.path)).toContain('document.id');
      expect(await count(storage())).toBe(1);
    });

    it('reports every problem of a document, not only the first', async () => {
      const document = doc('invalid', {
        schemas: { orders: [{ name: 'a', logicalType: 'strnig' }], Orders: [{ name: 'b' }] },
      });
      delete document.apiVersion;
      const error = await rejection(repo().create({ document }, 'alice'), ValidationError);
      expect(error.issues.map((i) => i.path)).toEqual(
        expect.arrayContaining(['document.apiVersion', 'document.schema[0].properties[0].logicalType', 'document.schema[1].name']),
      );
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('update', () => {
    it('writes version 2 with the next patch version when the document version is unchanged', async () => {
      const created = await repo().create({ document: doc('orders', { purpose: 'v1', team: 'sales' }) }, 'alice');
      const next = doc('orders', { purpose: 'v2 purpose', team: 'sales', extra: { 'x-note': { 'k.k': [[1], [2]] } } });
      const updated = await repo().update({ id: created.id, expectedRevision: 1, document: next, note: 'second' }, 'bob');

      expect(updated).toMatchObject({
        id: created.id,
        name: 'orders',
        owner: 'sales',
        description: 'v2 purpose',
        status: 'draft',
        version: '1.0.1',
        versionCount: 2,
        revision: 2,
        createdBy: 'alice',
        updatedBy: 'bob',
      });
      expect(updated.createdAt.getTime()).toBe(created.createdAt.getTime());
      expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
      expect(json(updated.document)).toBe(json(next));
      expect(await repo().getById(created.id)).toEqual(updated);

      const versions = await versionsOf(storage(), created.id);
      expect(versions.map((v) => [v.number, v.version, v.changeKind])).toEqual([
        [2, '1.0.1', 'update'],
        [1, '1.0.0', 'create'],
      ]);
      expect(versions[0]).toMatchObject({ id: `${created.id}@2`, contractId: created.id, note: 'second', createdBy: 'bob', restoredFrom: null });
      expect(versions[0]?.createdAt.getTime()).toBe(updated.updatedAt.getTime());
      expect(json(versions[0]?.document)).toBe(json(next));
    });

    it('takes the version from the document when the author changed it', async () => {
      const created = await repo().create({ document: doc('orders') }, 'alice');
      const updated = await repo().update({ id: created.id, expectedRevision: 1, document: doc('orders', { version: '1.3.0' }) }, 'bob');
      expect(updated.version).toBe('1.3.0');
      expect(updated.versionCount).toBe(2);
      const again = await repo().update({ id: created.id, expectedRevision: 2, document: doc('orders', { version: '1.3.0', purpose: 'x' }) }, 'bob');
      expect(again.version).toBe('1.3.1');
    });

    it('takes an explicit version over the document', async () => {
      const created = await repo().create({ document: doc('orders') }, 'alice');
      const updated = await repo().update({ id: created.id, expectedRevision: 1, document: doc('orders', { version: '1.1.0' }), version: '2.0.0' }, 'bob');
      expect(updated.version).toBe('2.0.0');
      expect(updated.document.version).toBe('1.1.0');
    });

    it('keeps the name unless an explicit one is given, and can rename', async () => {
      const created = await repo().create({ document: doc('orders') }, 'alice');
      const kept = await repo().update({ id: created.id, expectedRevision: 1, document: doc('renamed-in-document', { id: 'urn:test:orders' }) }, 'bob');
      expect(kept.name).toBe('orders');
      const renamed = await repo().update({ id: created.id, expectedRevision: 2, document: doc('orders'), name: 'sales-orders' }, 'bob');
      expect(renamed.name).toBe('sales-orders');
      expect((await repo().getByName('sales-orders'))?.id).toBe(created.id);
      expect(await repo().getByName('orders')).toBeNull();
    });

    it.each([
      { label: 'an explicit version lower than the current one', version: '0.9.0', documentVersion: '1.0.0', path: 'version' },
      { label: 'an explicit version equal to the current one', version: '1.0.0', documentVersion: '1.0.0', path: 'version' },
      { label: 'a changed document version lower than the current one', version: null, documentVersion: '0.5.0', path: 'document.version' },
      { label: 'a non-semver explicit version', version: 'next', documentVersion: '1.0.0', path: 'version' },
    ])('rejects $label with a ValidationError at $path and changes nothing', async ({ version, documentVersion, path }) => {
      const created = await repo().create({ document: doc('orders') }, 'alice');
      const error = await rejection(
        repo().update({ id: created.id, expectedRevision: 1, document: doc('orders', { version: documentVersion, purpose: 'changed' }), version }, 'bob'),
        ValidationError,
      );
      expect(error.issues.map((i) => i.path)).toContain(path);
      expect(await repo().getById(created.id)).toEqual(created);
      expect(await versionsOf(storage(), created.id)).toHaveLength(1);
    });

    it('rejects an invalid document and changes nothing', async () => {
      const created = await repo().create({ document: doc('orders') }, 'alice');
      const error = await rejection(
        repo().update({ id: created.id, expectedRevision: 1, document: doc('orders', { schemas: { t: [{ name: 'a', logicalType: 'text' }] } }) }, 'bob'),
        ValidationError,
      );
      expect(error.issues.map((i) => i.path)).toContain('document.schema[0].properties[0].logicalType');
      expect(await repo().getById(created.id)).toEqual(created);
      expect(await versionsOf(storage(), created.id)).toHaveLength(1);
    });

    it('rejects a stale revision with a ConflictError and changes nothing', async () => {
      const created = await repo().create({ document: doc('orders', { purpose: 'one' }) }, 'alice');
      const second = await repo().update({ id: created.id, expectedRevision: 1, document: doc('orders', { purpose: 'two' }) }, 'bob');
      const error = await rejection(
        repo().update({ id: created.id, expectedRevision: 1, document: doc('orders', { purpose: 'three' }) }, 'carol'),
        ConflictError,
      );
      expect(error.expectedRevision).toBe(1);
      expect(await repo().getById(created.id)).toEqual(second);
      const versions = await versionsOf(storage(), created.id);
      expect(versions.map((v) => v.document.description)).toEqual([{ purpose: 'two' }, { purpose: 'one' }]);
      // A revision from the future is just as stale.
      await rejection(repo().update({ id: created.id, expectedRevision: 7, document: doc('orders') }, 'carol'), ConflictError);
      expect((await repo().getById(created.id))?.revision).toBe(2);
    });

    it('lets exactly one of two concurrent updates from the same revision win', async () => {
      const created = await repo().create({ document: doc('orders', { purpose: 'base' }) }, 'alice');
      const documents = [doc('orders', { purpose: 'left' }), doc('orders', { purpose: 'right' })];
      const results = await Promise.allSettled(documents.map((document, i) => repo().update({ id: created.id, expectedRevision: 1, document }, `user${i}`)));

      const fulfilled = results.filter((r): r is PromiseFulfilledResult<Contract> => r.status === 'fulfilled');
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(fulfilled).toHaveLength(1);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]?.reason).toBeInstanceOf(ConflictError);

      const winner = fulfilled[0]!.value;
      expect(winner).toMatchObject({ revision: 2, versionCount: 2, version: '1.0.1' });
      const current = await repo().getById(created.id);
      expect(current).toEqual(winner);
      const versions = await versionsOf(storage(), created.id);
      expect(versions).toHaveLength(2);
      expect(versions.map((v) => v.number)).toEqual([2, 1]);
      expect(json(versions[0]?.document)).toBe(json(winner.document));
      const page = await repo().listVersions(created.id, { first: 10 });
      expect(await page.totalCount()).toBe(2);
    });

    it('throws NotFoundError for an unknown contract', async () => {
      const gone = await repo().create({ document: doc('gone') }, 'alice');
      await repo().delete(gone.id, 1, 'alice');
      await rejection(repo().update({ id: gone.id, expectedRevision: 1, document: doc('gone') }, 'bob'), NotFoundError);
      await rejection(repo().update({ id: 'no-such-contract', expectedRevision: 1, document: doc('gone') }, 'bob'), NotFoundError);
      expect(await count(storage())).toBe(0);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('versions', () => {
    async function fiveVersions(): Promise<{ contract: Contract; documents: JsonObject[] }> {
      const documents = [1, 2, 3, 4, 5].map((n) => doc('orders', { purpose: `revision ${n}` }));
      let contract = await repo().create({ document: documents[0]!, note: 'n1' }, 'u1');
      for (let n = 2; n <= 5; n++) {
        contract = await repo().update({ id: contract.id, expectedRevision: contract.revision, document: documents[n - 1]!, note: `n${n}` }, `u${n}`);
      }
      return { contract, documents };
    }

    it('lists versions newest first, page by page', async () => {
      const { contract, documents } = await fiveVersions();
      const first = await repo().listVersions(contract.id, { first: 2 });
      expect(first.items.map((v) => v.number)).toEqual([5, 4]);
      expect(first.hasNextPage).toBe(true);
      expect(await first.totalCount()).toBe(5);

      const second = await repo().listVersions(contract.id, { first: 2, after: first.cursors[1] });
      expect(second.items.map((v) => v.number)).toEqual([3, 2]);
      expect(second.hasNextPage).toBe(true);
      expect(await second.totalCount()).toBe(5);

      const third = await repo().listVersions(contract.id, { first: 2, after: second.cursors[1] });
      expect(third.items.map((v) => v.number)).toEqual([1]);
      expect(third.hasNextPage).toBe(false);

      const { items } = await collectPages((page) => repo().listVersions(contract.id, page), 2);
      expect(items.map((v) => v.version)).toEqual(['1.0.4', '1.0.3', '1.0.2', '1.0.1', '1.0.0']);
      expect(items.map((v) => v.id)).toEqual([5, 4, 3, 2, 1].map((n) => `${contract.id}@${n}`));
      expect(items.map((v) => v.changeKind)).toEqual(['update', 'update', 'update', 'update', 'create']);
      expect(items.map((v) => v.note)).toEqual(['n5', 'n4', 'n3', 'n2', 'n1']);
      expect(items.map((v) => v.createdBy)).toEqual(['u5', 'u4', 'u3', 'u2', 'u1']);
      expect(items.map((v) => json(v.document))).toEqual([...documents].reverse().map(json));
      for (const v of items) {
        expect(v.contractId).toBe(contract.id);
        expect(v.restoredFrom).toBeNull();
        expect(v.createdAt).toBeInstanceOf(Date);
      }
    });

    it('lists no versions for an unknown contract', async () => {
      await repo().create({ document: doc('orders') }, 'alice');
      const page = await repo().listVersions('no-such-contract', { first: 10 });
      expect(page.items).toEqual([]);
      expect(page.cursors).toEqual([]);
      expect(page.hasNextPage).toBe(false);
      expect(await page.totalCount()).toBe(0);
    });

    it('rejects an invalid cursor with a ValidationError at after', async () => {
      const { contract } = await fiveVersions();
      const error = await rejection(repo().listVersions(contract.id, { first: 2, after: 'not-a-cursor' }), ValidationError);
      expect(error.issues.map((i) => i.path)).toEqual(['after']);
    });

    it('gets versions by their version string, in the order asked, with null where missing', async () => {
      const { contract } = await fiveVersions();
      const other = await repo().create({ document: doc('other') }, 'alice');
      const result = await repo().getVersions([
        { contractId: contract.id, version: '1.0.2' },
        { contractId: contract.id, version: '9.9.9' },
        { contractId: other.id, version: '1.0.0' },
        { contractId: 'no-such-contract', version: '1.0.0' },
        { contractId: contract.id, version: '1.0.0' },
        { contractId: other.id, version: '1.0.1' },
        { contractId: contract.id, version: '1.0.2' },
      ]);
      expect(ids(result)).toEqual([`${contract.id}@3`, null, `${other.id}@1`, null, `${contract.id}@1`, null, `${contract.id}@3`]);
      expect(result[0]).toMatchObject({ number: 3, version: '1.0.2', note: 'n3', changeKind: 'update' });
      expect(await repo().getVersions([])).toEqual([]);
    });

    it('gets versions by id, in the order asked, with null where missing', async () => {
      const { contract } = await fiveVersions();
      const listed = await versionsOf(storage(), contract.id);
      const result = await repo().getVersionsByIds([`${contract.id}@2`, `${contract.id}@6`, 'garbage', `${contract.id}@5`, `no-such-contract@1`, `${contract.id}@2`]);
      expect(ids(result)).toEqual([`${contract.id}@2`, null, null, `${contract.id}@5`, null, `${contract.id}@2`]);
      expect(result[0]).toEqual(listed.find((v) => v.number === 2));
      expect(result[3]).toEqual(listed.find((v) => v.number === 5));
      expect(await repo().getVersionsByIds([])).toEqual([]);
    });

    it('never changes an earlier version', async () => {
      const v1doc = doc('orders', { purpose: 'one', schemas: { orders: [{ name: 'order_id' }, { name: 'amount', logicalType: 'number' }] } });
      const created = await repo().create({ document: v1doc }, 'alice');
      const [before] = await repo().getVersionsByIds([`${created.id}@1`]);
      // Replacing the schema object is breaking (the orders schema is removed): accepted explicitly, so a major bump.
      const updated = await repo().update(
        { id: created.id, expectedRevision: 1, document: doc('orders', { purpose: 'two', schemas: { refunds: [{ name: 'refund_id' }] } }), acceptBreakingChanges: true },
        'bob',
      );
      expect(updated.version).toBe('2.0.0');
      const [v2] = await repo().getVersionsByIds([`${created.id}@2`]);
      expect(v2).toMatchObject({ breakingChangesAccepted: true, requiredBump: 'major' });
      await moveContractTo(storage(), created.id, 'in_review');
      const [after] = await repo().getVersionsByIds([`${created.id}@1`]);
      expect(after).toEqual(before);
      expect(json(after?.document)).toBe(json(v1doc));
      const [byVersion] = await repo().getVersions([{ contractId: created.id, version: '1.0.0' }]);
      expect(json(byVersion?.document)).toBe(json(v1doc));
    });

    it('does not share objects with the caller', async () => {
      const document = doc('orders', { purpose: 'original' });
      const created = await repo().create({ document }, 'alice');
      (document.description as JsonObject).purpose = 'mutated input';
      (created.document.description as JsonObject).purpose = 'mutated result';
      const read = await repo().getById(created.id);
      expect(read?.document.description).toEqual({ purpose: 'original' });
      (read!.document.description as JsonObject).purpose = 'mutated read';
      const [v1] = await repo().getVersionsByIds([`${created.id}@1`]);
      expect(v1?.document.description).toEqual({ purpose: 'original' });
      expect((await repo().getById(created.id))?.document.description).toEqual({ purpose: 'original' });
    });
  });

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

  // -------------------------------------------------------------------------------------------------------------
  describe('list', () => {
    const nameAsc: ContractOrder = { field: 'name', direction: 'asc' };

    /** Five contracts, created in this (non-alphabetical) order. */
    async function seed(): Promise<Record<string, Contract>> {
      const specs: [string, string | undefined, Record<string, PropertySpec[]>][] = [
        ['delta', 'sales', { orders: [{ name: 'order_id' }] }],
        ['alpha', 'ops', { Customers: [{ name: 'customer_id' }] }],
        ['echo', 'sales', { orders: [{ name: 'order_id' }], customers: [{ name: 'customer_id' }] }],
        ['charlie', undefined, { events: [{ name: 'event_id' }] }],
        ['bravo', 'ops', { ORDERS: [{ name: 'order_id' }] }],
      ];
      const out: Record<string, Contract> = {};
      for (const [name, team, schemas] of specs) out[name] = await repo().create({ document: doc(name, { team, schemas }) }, 'alice');
      return out;
    }

    async function listNames(filter: ContractFilter, order: ContractOrder = nameAsc): Promise<string[]> {
      const page = await repo().list(filter, order, { first: 100 });
      expect(await page.totalCount()).toBe(page.items.length);
      return page.items.map((c) => c.name);
    }

    it('orders by name, ascending and descending', async () => {
      await seed();
      expect(await listNames({})).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
      expect(await listNames({}, { field: 'name', direction: 'desc' })).toEqual(['echo', 'delta', 'charlie', 'bravo', 'alpha']);
    });

    it('filters by status', async () => {
      const c = await seed();
      await moveContractTo(storage(), c.alpha!.id, 'in_review');
      const active = await moveContractTo(storage(), c.echo!.id, 'active');
      expect(active.status).toBe('active');
      expect(await listNames({ status: ['in_review'] })).toEqual(['alpha']);
      expect(await listNames({ status: ['active', 'in_review'] })).toEqual(['alpha', 'echo']);
      expect(await listNames({ status: ['draft'] })).toEqual(['bravo', 'charlie', 'delta']);
      expect(await listNames({ status: ['retired'] })).toEqual([]);
      expect(await listNames({ status: null })).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    });

    it('filters by owner (the team name) exactly', async () => {
      await seed();
      expect(await listNames({ owner: 'sales' })).toEqual(['delta', 'echo']);
      expect(await listNames({ owner: 'ops' })).toEqual(['alpha', 'bravo']);
      expect(await listNames({ owner: 'Sales' })).toEqual([]);
      expect(await listNames({ owner: 'sale' })).toEqual([]);
      expect(await listNames({ owner: null })).toHaveLength(5);
    });

    it('filters by schema name, ignoring case but not partial', async () => {
      await seed();
      expect(await listNames({ schemaName: 'orders' })).toEqual(['bravo', 'delta', 'echo']);
      expect(await listNames({ schemaName: 'CUSTOMERS' })).toEqual(['alpha', 'echo']);
      expect(await listNames({ schemaName: 'order' })).toEqual([]);
      expect(await listNames({ schemaName: 'events' })).toEqual(['charlie']);
    });

    it('combines filters', async () => {
      const c = await seed();
      await moveContractTo(storage(), c.delta!.id, 'in_review');
      expect(await listNames({ owner: 'sales', schemaName: 'Customers' })).toEqual(['echo']);
      expect(await listNames({ owner: 'sales', schemaName: 'orders', status: ['draft'] })).toEqual(['echo']);
      expect(await listNames({ owner: 'ops', schemaName: 'events' })).toEqual([]);
    });

    it('follows schema renames and deletions in the schemaName filter', async () => {
      const c = await seed();
      // Replacing the orders schema by invoices removes a schema object: breaking, so accepted explicitly.
      const delta = await repo().update(
        { id: c.delta!.id, expectedRevision: 1, document: doc('delta', { team: 'sales', schemas: { invoices: [{ name: 'id' }] } }), acceptBreakingChanges: true },
        'bob',
      );
      expect(delta.version).toBe('2.0.0');
      expect((await versionsOf(storage(), c.delta!.id))[0]?.breakingChangesAccepted).toBe(true);
      await repo().delete(c.bravo!.id, 1, 'bob');
      expect(await listNames({ schemaName: 'orders' })).toEqual(['echo']);
      expect(await listNames({ schemaName: 'invoices' })).toEqual(['delta']);
    });

    it('orders by createdAt with the id as tie-break, and pages through ties', async () => {
      // Three contracts share a creation time, so only the id orders them.
      await at(T1, () => repo().create({ document: doc('late') }, 'alice'));
      for (const name of ['tie-1', 'tie-2', 'tie-3']) await at(T0, () => repo().create({ document: doc(name) }, 'alice'));
      await at(T2, () => repo().create({ document: doc('latest') }, 'alice'));
      const stored = await all((page) => repo().list({}, nameAsc, page));
      const expected = [...stored].sort((a, b) => cmp(a.createdAt.getTime(), b.createdAt.getTime()) || cmp(a.id, b.id)).map((c) => c.id);
      expect(new Set(stored.filter((c) => c.name.startsWith('tie-')).map((c) => c.createdAt.getTime())).size).toBe(1);

      const asc = { field: 'createdAt', direction: 'asc' } as const;
      const desc = { field: 'createdAt', direction: 'desc' } as const;
      expect(ids(await all((page) => repo().list({}, asc, page)))).toEqual(expected);
      expect(ids(await all((page) => repo().list({}, desc, page)))).toEqual([...expected].reverse());
      expect(names(await all((page) => repo().list({}, asc, page)))[4]).toBe('latest');
      expect(names(await all((page) => repo().list({}, asc, page)))[3]).toBe('late');

      for (const order of [asc, desc]) {
        for (const first of [1, 2]) {
          const { items, totalCounts } = await collectPages((page) => repo().list({}, order, page), first);
          expect(ids(items)).toEqual(order === asc ? expected : [...expected].reverse());
          expect(new Set(totalCounts)).toEqual(new Set([5]));
        }
      }
    });

    it('orders by updatedAt, which an update moves forward', async () => {
      for (const name of ['first', 'second', 'third']) await at(T0, () => repo().create({ document: doc(name) }, 'alice'));
      const second = await repo().getByName('second');
      await at(T1, () => repo().update({ id: second!.id, expectedRevision: 1, document: doc('second', { purpose: 'changed' }) }, 'bob'));
      const third = await repo().getByName('third');
      await at(T2, () => moveContractTo(storage(), third!.id, 'in_review'));

      const stored = await all((page) => repo().list({}, nameAsc, page));
      const expected = [...stored].sort((a, b) => cmp(a.updatedAt.getTime(), b.updatedAt.getTime()) || cmp(a.id, b.id)).map((c) => c.name);
      expect(expected.slice(1)).toEqual(['second', 'third']);

      const asc = { field: 'updatedAt', direction: 'asc' } as const;
      const desc = { field: 'updatedAt', direction: 'desc' } as const;
      expect(names(await all((page) => repo().list({}, asc, page)))).toEqual(expected);
      expect(names(await all((page) => repo().list({}, desc, page)))).toEqual([...expected].reverse());
      const paged = await collectPages((page) => repo().list({}, desc, page), 2);
      expect(names(paged.items)).toEqual([...expected].reverse());
    });

    it('pages through every contract exactly once, with a totalCount of the whole filter', async () => {
      await seed();
      for (const order of [nameAsc, { field: 'name', direction: 'desc' } as const]) {
        const { items, pages, totalCounts } = await collectPages((page) => repo().list({}, order, page), 2);
        expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
        expect(new Set(ids(items)).size).toBe(5);
        const expected = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
        expect(names(items)).toEqual(order.direction === 'asc' ? expected : [...expected].reverse());
        expect(totalCounts).toEqual([5, 5, 5]);
      }
      const filtered = await collectPages((page) => repo().list({ schemaName: 'orders' }, nameAsc, page), 2);
      expect(names(filtered.items)).toEqual(['bravo', 'delta', 'echo']);
      expect(filtered.totalCounts).toEqual([3, 3]);

      const firstPage = await repo().list({ owner: 'sales' }, nameAsc, { first: 1 });
      expect(firstPage.items).toHaveLength(1);
      expect(firstPage.hasNextPage).toBe(true);
      expect(await firstPage.totalCount()).toBe(2);
    });

    it('returns an empty page when nothing matches', async () => {
      const empty = await repo().list({}, nameAsc, { first: 5 });
      expect(empty.items).toEqual([]);
      expect(empty.cursors).toEqual([]);
      expect(empty.hasNextPage).toBe(false);
      expect(await empty.totalCount()).toBe(0);
    });

    it('rejects an invalid cursor with a ValidationError at after', async () => {
      await seed();
      for (const after of ['not-a-cursor', Buffer.from('{"x":1}').toString('base64url')]) {
        const error = await rejection(repo().list({}, nameAsc, { first: 2, after }), ValidationError);
        expect(error.issues.map((i) => i.path)).toEqual(['after']);
      }
    });

    it('rejects a cursor from a list in another order instead of misreading it', async () => {
      await seed();
      const byName = await repo().list({}, nameAsc, { first: 1 });
      const error = await rejection(repo().list({}, { field: 'createdAt', direction: 'asc' }, { first: 1, after: byName.cursors[0]! }), ValidationError);
      expect(error.issues).toEqual([expect.objectContaining({ path: 'after', code: 'invalid_cursor' })]);
      const desc = await rejection(repo().list({}, { field: 'name', direction: 'desc' }, { first: 1, after: byName.cursors[0]! }), ValidationError);
      expect(desc.issues.map((i) => i.path)).toEqual(['after']);
    });
  });
});

/**
 * Conformance: the ContractRepository of every backend (src/storage/types.ts) — create and read back: the registry
 * metadata and the document as given, reads by id and name, unique names, and documents refused as invalid with
 * nothing written. Every case runs on every backend, each test on a fresh, empty one.
 */
import { describe, expect, it } from 'vitest';
import type { ContractVersion } from '../../src/domain/contracts.js';
import { AlreadyExistsError, ValidationError } from '../../src/domain/errors.js';
import type { JsonObject } from '../../src/domain/odcs.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument, officialExamples } from '../support/fixtures.js';
import { all, ids, json, names, rejection, useBackend } from './helpers.js';

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

});

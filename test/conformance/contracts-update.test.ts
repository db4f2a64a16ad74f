/**
 * Conformance: the ContractRepository of every backend (src/storage/types.ts) — update and the version history: every
 * update writes the next version (optimistic concurrency on the revision), and the versions of a contract list and
 * read back in order. Every case runs on every backend, each test on a fresh, empty one.
 */
import { describe, expect, it } from 'vitest';
import type { Contract, ContractVersion } from '../../src/domain/contracts.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/errors.js';
import type { JsonObject } from '../../src/domain/odcs.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { all, collectPages, ids, json, moveContractTo, rejection, requireAtomicWrites, useBackend } from './helpers.js';

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

    it('lets exactly one of two concurrent updates from the same revision win', async (ctx) => {
      requireAtomicWrites(ctx, storage());
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

});

/**
 * Conformance: the ContractRepository of every backend (src/storage/types.ts) — list: filters, orders, keyset paging
 * both ways and the total count. Every case runs on every backend, each test on a fresh, empty one.
 */
import { describe, expect, it } from 'vitest';
import type { Contract, ContractVersion } from '../../src/domain/contracts.js';
import { ValidationError } from '../../src/domain/errors.js';
import type { JsonObject } from '../../src/domain/odcs.js';
import type { ContractFilter, ContractOrder, StorageBackend } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument, type PropertySpec } from '../support/fixtures.js';
import { all, at, cmp, collectPages, ids, moveContractTo, names, rejection, useBackend } from './helpers.js';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const T1 = new Date('2030-01-01T00:00:01.000Z');
const T2 = new Date('2030-01-01T00:00:02.000Z');

function doc(name: string, options: Omit<Parameters<typeof contractDocument>[0], 'name'> = {}): JsonObject {
  return contractDocument({ name, ...options });
}

async function versionsOf(storage: StorageBackend, contractId: string): Promise<ContractVersion[]> {
  return all((page) => storage.contracts.listVersions(contractId, page));
}

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);
  const repo = () => storage().contracts;

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

/**
 * Conformance: every list pages both ways on every backend. Backward pages (`last`, `before`) hold the same items
 * as forward pages (`first`, `after`), in list order, with the page flags of the Relay spec: backward, hasPreviousPage
 * says whether items precede the page and hasNextPage whether `before` was given; forward, the other way round.
 * Covered: keyset lists on one key in both directions (contracts by name, by creation), on two keys (issues by
 * severity, then detection), and the offset-paged ranked search.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import type { Page, PageRequest } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { at, collectPages, rejection, useBackend } from './helpers.js';

/** Follows `before` cursors from the end of the list to its start; returns the items in list order. */
async function collectBackward<T>(fetch: (page: PageRequest) => Promise<Page<T>>, last: number): Promise<T[][]> {
  const pages: T[][] = [];
  let before: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const page: Page<T> = await fetch({ last, before });
    expect(page.items.length).toBeLessThanOrEqual(last);
    expect(page.cursors).toHaveLength(page.items.length);
    expect(page.hasNextPage).toBe(before !== null);
    pages.unshift(page.items);
    if (!page.hasPreviousPage) return pages;
    expect(page.items.length).toBe(last);
    before = page.cursors[0] ?? null;
    expect(before).not.toBeNull();
  }
  throw new Error('paging did not end after 1000 pages');
}

/** Both directions agree on `fetch`'s list of `n` items, for several page sizes; returns the list. */
async function agreeBothWays<T>(fetch: (page: PageRequest) => Promise<Page<T>>, n: number): Promise<T[]> {
  const forward = await collectPages(fetch, 1000);
  expect(forward.items).toHaveLength(n);
  for (const size of [1, 2, 3, n]) {
    const backward = await collectBackward(fetch, size);
    expect(backward.flat()).toEqual(forward.items);
    // Pages end at the end of the list: the first backward page is the list's last `size` items.
    expect(backward[backward.length - 1]).toEqual(forward.items.slice(Math.max(0, n - size)));
  }
  // A cursor of a forward page pages backward from there, and the other way round.
  const whole = await fetch({ first: n });
  const middle = whole.cursors[3]!;
  const before = await fetch({ last: 2, before: middle });
  expect(before.items).toEqual(forward.items.slice(1, 3));
  expect(before).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
  const after = await fetch({ first: 2, after: before.cursors[0]! });
  expect(after.items).toEqual(forward.items.slice(2, 4));
  expect(after).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
  // Nothing before the first item; `last: 0` is an empty page.
  const start = await fetch({ last: 5, before: whole.cursors[0]! });
  expect(start).toMatchObject({ items: [], hasPreviousPage: false, hasNextPage: true });
  expect((await fetch({ last: 0 })).items).toEqual([]);
  expect(await (await fetch({ last: 2 })).totalCount()).toBe(n);
  const bad = await rejection(fetch({ last: 2, before: 'not-a-cursor' }), ValidationError);
  expect(bad.issues[0]?.path).toBe('before');
  return forward.items;
}

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);

  async function sixContracts(): Promise<void> {
    const names = ['kiwi', 'apple', 'mango', 'fig', 'banana', 'cherry'];
    for (const [i, name] of names.entries()) {
      await at(Date.UTC(2026, 0, 1 + (i % 3)), () =>
        storage().contracts.create({ document: contractDocument({ name, purpose: `fruit basket ${name}` }) }, 'alice'),
      );
    }
  }

  it('contracts by name, ascending', async () => {
    await sixContracts();
    const list = await agreeBothWays((p) => storage().contracts.list({}, { field: 'name', direction: 'asc' }, p), 6);
    expect(list.map((c) => c.name)).toEqual(['apple', 'banana', 'cherry', 'fig', 'kiwi', 'mango']);
  });

  it('contracts by creation, descending (ties broken by id)', async () => {
    await sixContracts();
    await agreeBothWays((p) => storage().contracts.list({}, { field: 'createdAt', direction: 'desc' }, p), 6);
  });

  it('a cursor of another order is refused on before too', async () => {
    await sixContracts();
    const byName = await storage().contracts.list({}, { field: 'name', direction: 'asc' }, { first: 1 });
    const error = await rejection(storage().contracts.list({}, { field: 'createdAt', direction: 'asc' }, { last: 1, before: byName.cursors[0]! }), ValidationError);
    expect(error.issues[0]?.path).toBe('before');
  });

  it('issues by severity, then detection (two keys)', async () => {
    const c = await storage().contracts.create({ document: contractDocument({ name: 'orders' }) }, 'alice');
    const severities = ['low', 'critical', 'medium', 'high', 'low', 'critical', 'medium'] as const;
    for (const [i, severity] of severities.entries()) {
      await at(Date.UTC(2026, 0, 1, i % 2), () => storage().issues.create({ contractId: c.id, title: `issue ${i}`, severity, category: 'other' }, 'alice'));
    }
    await agreeBothWays((p) => storage().issues.list({ contractId: c.id }, { field: 'severity', direction: 'desc' }, p), 7);
    await agreeBothWays((p) => storage().issues.list({ contractId: c.id }, { field: 'detectedAt', direction: 'asc' }, p), 7);
  });

  it('ranked search (offset cursors)', async () => {
    await sixContracts();
    const hits = await agreeBothWays((p) => storage().contracts.search('fruit', p), 6);
    expect(hits.every((h) => h.score > 0)).toBe(true);
  });
});

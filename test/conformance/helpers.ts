/** Shared plumbing of the storage conformance suite: a fresh backend per test, error and paging helpers. */
import { afterEach, beforeEach, expect, vi } from 'vitest';
import type { Contract } from '../../src/domain/contracts.js';
import type { Page, PageRequest, StorageBackend } from '../../src/storage/types.js';
import type { BackendFactory } from '../support/backends.js';

/** A new, empty backend for every test of the enclosing describe; returns an accessor for it. */
export function useBackend(factory: BackendFactory): () => StorageBackend {
  let current: { storage: StorageBackend; dispose(): Promise<void> } | undefined;
  beforeEach(async () => {
    current = await factory.create();
  });
  afterEach(async () => {
    vi.useRealTimers();
    const c = current;
    current = undefined;
    await c?.dispose();
  });
  return () => {
    if (!current) throw new Error('no backend: useBackend() is only usable inside a test');
    return current.storage;
  };
}

type ErrorClass<E> = abstract new (...args: never[]) => E;

/** Awaits a promise that must reject with an instance of `type`; returns the error for further checks. */
export async function rejection<E>(promise: Promise<unknown>, type: ErrorClass<E>): Promise<E> {
  const outcome = await promise.then(
    (value: unknown) => ({ rejected: false as const, value }),
    (error: unknown) => ({ rejected: true as const, error }),
  );
  if (!outcome.rejected) throw new Error(`expected a rejection with ${type.name}, but it resolved`);
  expect(outcome.error).toBeInstanceOf(type);
  return outcome.error as E;
}

/** Follows `after` cursors from the first page to the last; checks the page invariants on the way. */
export async function collectPages<T>(
  fetch: (page: PageRequest) => Promise<Page<T>>,
  first: number,
): Promise<{ items: T[]; pages: T[][]; totalCounts: number[] }> {
  const items: T[] = [];
  const pages: T[][] = [];
  const totalCounts: number[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const page: Page<T> = await fetch({ first, after });
    expect(page.items.length).toBeLessThanOrEqual(first);
    expect(page.cursors).toHaveLength(page.items.length);
    items.push(...page.items);
    pages.push(page.items);
    totalCounts.push(await page.totalCount());
    if (!page.hasNextPage) return { items, pages, totalCounts };
    expect(page.items.length).toBe(first);
    after = page.cursors[page.cursors.length - 1] ?? null;
    expect(after).not.toBeNull();
  }
  throw new Error('paging did not end after 1000 pages');
}

export function ids(items: readonly ({ id: string } | null)[]): (string | null)[] {
  return items.map((item) => item?.id ?? null);
}

export function names(items: readonly (Contract | null)[]): (string | null)[] {
  return items.map((item) => item?.name ?? null);
}

/** The whole result of a list, in one page. */
export async function all<T>(fetch: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const page = await fetch({ first: 1000 });
  expect(page.hasNextPage).toBe(false);
  return page.items;
}

/** Byte-identical JSON: same values and the same key order. */
export function json(value: unknown): string {
  return JSON.stringify(value);
}

export function cmp(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Runs `write` with the clock frozen at `at` (Date only; timers stay real). */
export async function at<T>(time: Date | number, write: () => Promise<T>): Promise<T> {
  vi.setSystemTime(time);
  try {
    return await write();
  } finally {
    vi.useRealTimers();
  }
}

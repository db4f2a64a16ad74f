/** Shared plumbing of the storage conformance suite: a fresh backend per test, error and paging helpers. */
import { afterEach, beforeEach, expect, type TestContext, vi } from 'vitest';
import type { MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import type { Contract } from '../../src/domain/contracts.js';
import type { ContractStatus } from '../../src/domain/lifecycle.js';
import type { Page, PageRequest, StorageBackend } from '../../src/storage/types.js';
import type { BackendFactory } from '../support/backends.js';

/**
 * For a case of concurrent writes of one revision (exactly one must win): skips it, saying why, where the backend
 * runs the CAS write protocol on a server whose conditional updates are not atomic (the conformance variant forced to
 * cas on FerretDB, test/conformance/cas/). Decided from the server's probe result (capabilities.ts), never its name:
 * on MongoDB the case runs.
 */
export function requireAtomicWrites(ctx: TestContext, storage: StorageBackend): void {
  const capabilities = (storage as Partial<MongoStorageBackend>).capabilities;
  const unsafe = capabilities?.writeProtocol === 'cas' && !capabilities.atomicConditionalUpdates;
  ctx.skip(unsafe, 'needs atomic conditional updates: runs on MongoDB');
}

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

/** Who the lifecycle helpers act as: the requester of approval requests and the one approver they name. */
export const REQUESTER = 'requester-1';
export const APPROVER = 'approver-1';

/**
 * Drives a contract to `status` through the real API of the storage, one legal step at a time: draft → in_review
 * (approvals.submit naming APPROVER), in_review → active (the open request's awaited approvers approve), active → deprecated (contracts.deprecate),
 * deprecated → retired (contracts.retire), in_review → draft (the requester withdraws). Returns the contract as stored.
 * A contract already in `status` is returned as it is (an active contract's draft revision is not approved: see
 * activateNewest).
 */
export async function moveContractTo(storage: StorageBackend, id: string, status: ContractStatus): Promise<Contract> {
  for (let guard = 0; guard < 10; guard++) {
    const contract = await storage.contracts.getById(id);
    if (!contract) throw new Error(`moveContractTo: no contract ${id}`);
    if (contract.status === status) return contract;
    const step = `${contract.status} → ${status}`;
    switch (contract.status) {
      case 'draft':
        if (status === 'retired' || status === 'deprecated' || status === 'active' || status === 'in_review') {
          await storage.approvals.submit({ contractId: id, expectedRevision: contract.revision, approvers: [APPROVER], policy: 'all' }, REQUESTER);
          break;
        }
        throw new Error(`moveContractTo: no path ${step}`);
      case 'in_review': {
        const requestId = contract.openApprovalRequestId;
        if (!requestId) throw new Error(`moveContractTo: contract ${id} is in review without an open request`);
        if (status === 'draft') {
          const [request] = await storage.approvals.getByIds([requestId]);
          await storage.approvals.withdraw({ requestId }, { name: request!.requestedBy, admin: false });
        } else {
          // Its awaited approvers approve, one after the other, until the request resolves.
          const [request] = await storage.approvals.getByIds([requestId]);
          for (const approver of request!.awaiting) {
            const decided = await storage.approvals.decide({ requestId, verdict: 'approve' }, approver);
            if (decided.status !== 'open') break;
          }
        }
        break;
      }
      case 'active':
        if (status !== 'deprecated' && status !== 'retired') throw new Error(`moveContractTo: no path ${step}`);
        await storage.contracts.deprecate({ id, expectedRevision: contract.revision, reason: 'superseded' }, REQUESTER);
        break;
      case 'deprecated':
        if (status !== 'retired') throw new Error(`moveContractTo: no path ${step}`);
        await storage.contracts.retire({ id, expectedRevision: contract.revision }, REQUESTER);
        break;
      case 'retired':
        throw new Error(`moveContractTo: no path ${step}`);
    }
  }
  throw new Error(`moveContractTo: ${id} did not reach ${status}`);
}

/** Submits the newest version of a contract for review (APPROVER, policy all) and approves it; returns the contract. */
export async function activateNewest(storage: StorageBackend, id: string): Promise<Contract> {
  const contract = await storage.contracts.getById(id);
  if (!contract) throw new Error(`activateNewest: no contract ${id}`);
  const request = await storage.approvals.submit({ contractId: id, expectedRevision: contract.revision, approvers: [APPROVER], policy: 'all' }, REQUESTER);
  await storage.approvals.decide({ requestId: request.id, verdict: 'approve' }, APPROVER);
  const after = await storage.contracts.getById(id);
  expect(after?.activeVersion).toBe(request.versionNumber);
  return after!;
}

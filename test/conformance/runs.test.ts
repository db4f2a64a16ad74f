/**
 * Conformance: the RunRepository of every backend — start, the run lifecycle and what each transition stamps,
 * concurrent transitions, list filters / order / paging, and the newest run per contract.
 */
import { describe, expect, it } from 'vitest';
import type { Contract } from '../../src/domain/contracts.js';
import { ConflictError, InvalidTransitionError, NotFoundError, ValidationError } from '../../src/domain/errors.js';
import { allowedRunTransitions, RUN_STATUSES, type Run, type RunStatus } from '../../src/domain/runs.js';
import type { RunFilter, StorageBackend } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { all, at, cmp, collectPages, ids, rejection, useBackend } from './helpers.js';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const T1 = new Date('2030-01-01T00:00:01.500Z');
const T2 = new Date('2030-01-01T00:00:04.000Z');
const T3 = new Date('2030-01-01T00:01:00.000Z');
const T4 = new Date('2030-01-02T00:00:00.000Z');

/** A contract at version 1.1.0 (version 1.0.0 is its first version). */
async function contract(storage: StorageBackend, name = 'orders'): Promise<Contract> {
  const created = await storage.contracts.create({ document: contractDocument({ name, version: '1.0.0' }) }, 'alice');
  return storage.contracts.update({ id: created.id, expectedRevision: 1, document: contractDocument({ name, version: '1.1.0' }) }, 'alice');
}

async function stored(storage: StorageBackend, id: string): Promise<Run | null> {
  return (await storage.runs.getByIds([id]))[0] ?? null;
}

async function runCount(storage: StorageBackend, filter: RunFilter = {}): Promise<number> {
  return (await storage.runs.list(filter, 'asc', { first: 1 })).totalCount();
}

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);
  const repo = () => storage().runs;

  /** A run of `c` brought to `status` through the lifecycle: created at T0 (running unless pending), ended at T1. */
  async function runIn(c: Contract, status: RunStatus): Promise<Run> {
    const run = await at(T0, () => repo().start({ contractId: c.id, pipelineId: 'nightly', status: status === 'pending' ? 'pending' : 'running' }, 'ci'));
    if (status === 'pending' || status === 'running') return run;
    return at(T1, () => repo().update({ id: run.id, status }, 'ci'));
  }

  // -------------------------------------------------------------------------------------------------------------
  describe('start', () => {
    it('starts a running run on the contract’s current version, stamped now', async () => {
      const c = await contract(storage());
      const metadata = { commit: 'abc123', 'dotted.key': { $dollar: [1, [2]] }, nested: { a: null } };
      const run = await at(T0, () =>
        repo().start({ contractId: c.id, pipelineId: ' nightly-load ', environment: ' prod ', trigger: 'schedule', metadata }, 'ci-bot'),
      );
      expect(run).toEqual({
        id: expect.any(String),
        contractId: c.id,
        contractVersion: '1.1.0',
        pipelineId: 'nightly-load',
        environment: 'prod',
        trigger: 'schedule',
        metadata,
        result: null,
        status: 'running',
        createdAt: T0,
        startedAt: T0,
        endedAt: null,
        durationMs: null,
        createdBy: 'ci-bot',
        updatedAt: T0,
        updatedBy: 'ci-bot',
      });
      expect(await stored(storage(), run.id)).toEqual(run);
      expect(JSON.stringify((await stored(storage(), run.id))?.metadata)).toBe(JSON.stringify(metadata));
    });

    it('starts a queued run as pending, not yet started', async () => {
      const c = await contract(storage());
      const run = await at(T0, () => repo().start({ contractId: c.id, pipelineId: 'p', status: 'pending' }, null));
      expect(run).toMatchObject({ status: 'pending', startedAt: null, endedAt: null, durationMs: null, environment: null, trigger: null, metadata: null, createdBy: null });
      expect(await stored(storage(), run.id)).toEqual(run);
    });

    it('takes an explicit version when the contract has it', async () => {
      const c = await contract(storage());
      const run = await repo().start({ contractId: c.id, contractVersion: '1.0.0', pipelineId: 'p' }, 'ci');
      expect(run.contractVersion).toBe('1.0.0');
      expect((await stored(storage(), run.id))?.contractVersion).toBe('1.0.0');
    });

    it('rejects an unknown contract or version with NotFoundError and writes nothing', async () => {
      const c = await contract(storage());
      const noContract = await rejection(repo().start({ contractId: 'no-such-contract', pipelineId: 'p' }, 'ci'), NotFoundError);
      expect([noContract.resource, noContract.key]).toEqual(['Contract', 'no-such-contract']);
      const noVersion = await rejection(repo().start({ contractId: c.id, contractVersion: '9.9.9', pipelineId: 'p' }, 'ci'), NotFoundError);
      expect([noVersion.resource, noVersion.key]).toEqual(['ContractVersion', 'orders@9.9.9']);
      expect(await runCount(storage())).toBe(0);
      expect(await repo().latestByContracts([c.id])).toEqual([null]);
    });

    it('rejects invalid input with a ValidationError at its path and writes nothing', async () => {
      const c = await contract(storage());
      const error = await rejection(repo().start({ contractId: c.id, pipelineId: '  ', trigger: 'x'.repeat(201) }, 'ci'), ValidationError);
      expect(error.issues.map((i) => i.path)).toEqual(['input.pipelineId', 'input.trigger']);
      const big = await rejection(repo().start({ contractId: c.id, pipelineId: 'p', metadata: { blob: 'x'.repeat(70_000) } }, 'ci'), ValidationError);
      expect(big.issues.map((i) => i.path)).toEqual(['input.metadata']);
      expect(await runCount(storage())).toBe(0);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('lifecycle', () => {
    it('stamps startedAt when a queued run starts, and endedAt and the duration from the start when it ends', async () => {
      const c = await contract(storage());
      const queued = await at(T0, () => repo().start({ contractId: c.id, pipelineId: 'p', status: 'pending' }, 'ci'));
      const running = await at(T1, () => repo().update({ id: queued.id, status: 'running' }, 'runner'));
      expect(running).toEqual({ ...queued, status: 'running', startedAt: T1, updatedAt: T1, updatedBy: 'runner' });
      const done = await at(T2, () => repo().update({ id: queued.id, status: 'succeeded', result: { rows: 10 } }, 'runner'));
      expect(done).toEqual({ ...running, status: 'succeeded', result: { rows: 10 }, endedAt: T2, durationMs: T2.getTime() - T1.getTime(), updatedAt: T2 });
      expect(done.durationMs).toBe(2500);
      expect(await stored(storage(), queued.id)).toEqual(done);
    });

    it('measures a run cancelled before it started from its creation', async () => {
      const c = await contract(storage());
      const queued = await at(T0, () => repo().start({ contractId: c.id, pipelineId: 'p', status: 'pending' }, 'ci'));
      const cancelled = await at(T2, () => repo().update({ id: queued.id, status: 'cancelled' }, 'ops'));
      expect(cancelled).toMatchObject({ status: 'cancelled', startedAt: null, endedAt: T2, durationMs: 4000, updatedBy: 'ops' });
      expect(await stored(storage(), queued.id)).toEqual(cancelled);
    });

    const allowed = RUN_STATUSES.flatMap((from) => allowedRunTransitions(from).map((to) => ({ from, to })));
    it.each(allowed)('allows $from → $to', async ({ from, to }) => {
      const c = await contract(storage());
      const run = await runIn(c, from);
      const next = await at(T3, () => repo().update({ id: run.id, status: to }, 'ops'));
      expect(next.status).toBe(to);
      expect(next.updatedAt).toEqual(T3);
      const startedAt = to === 'running' ? T3 : run.startedAt;
      expect(next.startedAt).toEqual(startedAt);
      if (to === 'running') expect([next.endedAt, next.durationMs]).toEqual([null, null]);
      else {
        expect(next.endedAt).toEqual(T3);
        expect(next.durationMs).toBe(T3.getTime() - (startedAt ?? run.createdAt).getTime());
      }
      expect(await stored(storage(), run.id)).toEqual(next);
    });

    const refused = RUN_STATUSES.flatMap((from) =>
      RUN_STATUSES.filter((to) => to !== from && !allowedRunTransitions(from).includes(to)).map((to) => ({ from, to })),
    );
    it.each(refused)('refuses $from → $to and writes nothing', async ({ from, to }) => {
      const c = await contract(storage());
      const run = await runIn(c, from);
      const error = await rejection(repo().update({ id: run.id, status: to, metadata: { x: 1 } }, 'ops'), InvalidTransitionError);
      expect([error.from, error.to]).toEqual([from, to]);
      expect(await stored(storage(), run.id)).toEqual(run);
    });

    it.each(['succeeded', 'failed', 'cancelled'] as const)('never changes a %s run, not even its metadata or result', async (status) => {
      const c = await contract(storage());
      const run = await runIn(c, status);
      await rejection(repo().update({ id: run.id, metadata: { late: true } }, 'ops'), InvalidTransitionError);
      await rejection(repo().update({ id: run.id, result: { late: true } }, 'ops'), InvalidTransitionError);
      await rejection(repo().update({ id: run.id, status }, 'ops'), InvalidTransitionError);
      expect(await stored(storage(), run.id)).toEqual(run);
    });

    it('merges metadata (top-level keys) and sets the result without a status change', async () => {
      const c = await contract(storage());
      const run = await at(T0, () => repo().start({ contractId: c.id, pipelineId: 'p', metadata: { a: 1, b: { c: 2 } } }, 'ci'));
      const next = await at(T1, () => repo().update({ id: run.id, status: 'running', metadata: { b: { d: 3 }, e: [1] }, result: { partial: true } }, 'ci2'));
      expect(next).toEqual({ ...run, metadata: { a: 1, b: { d: 3 }, e: [1] }, result: { partial: true }, updatedAt: T1, updatedBy: 'ci2' });
      expect(await stored(storage(), run.id)).toEqual(next);
    });

    it('throws NotFoundError for an unknown run', async () => {
      const error = await rejection(repo().update({ id: 'no-such-run', status: 'succeeded' }, 'ops'), NotFoundError);
      expect([error.resource, error.key]).toEqual(['Run', 'no-such-run']);
    });

    it('lets exactly one of two concurrent transitions of the same run win', async () => {
      const c = await contract(storage());
      for (let round = 0; round < 5; round++) {
        const run = await repo().start({ contractId: c.id, pipelineId: `p${round}` }, 'ci');
        const targets = ['succeeded', 'failed'] as const;
        const results = await Promise.allSettled(targets.map((status) => repo().update({ id: run.id, status, result: { by: status } }, status)));
        const won = results.filter((r): r is PromiseFulfilledResult<Run> => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        // The loser either lost the compare-and-set, or read the run after the winner ended it.
        expect(lost[0]!.reason instanceof ConflictError || lost[0]!.reason instanceof InvalidTransitionError).toBe(true);
        expect(await stored(storage(), run.id)).toEqual(won[0]!.value);
      }
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('list', () => {
    /** Eight runs over two contracts; two pairs share their creation time. */
    async function seed() {
      const orders = await contract(storage(), 'orders');
      const users = await contract(storage(), 'users');
      const start = (time: Date, c: Contract, pipelineId: string, extra: { contractVersion?: string; environment?: string; status?: 'pending' } = {}) =>
        at(time, () => repo().start({ contractId: c.id, pipelineId, ...extra }, 'ci'));
      const r = {
        a: await start(T0, orders, 'load', { environment: 'prod' }),
        b: await start(T1, orders, 'load', { environment: 'dev', contractVersion: '1.0.0' }),
        c: await start(T1, users, 'load', { environment: 'prod' }),
        d: await start(T2, orders, 'check', { status: 'pending' }),
        e: await start(T2, users, 'check', { environment: 'prod', contractVersion: '1.0.0' }),
        f: await start(T3, orders, 'load', { environment: 'prod' }),
        g: await start(T4, users, 'load', { environment: 'dev' }),
        h: await start(T4, orders, 'check', { environment: 'prod', status: 'pending' }),
      };
      await at(T4, () => repo().update({ id: r.a.id, status: 'succeeded' }, 'ci'));
      await at(T4, () => repo().update({ id: r.c.id, status: 'failed' }, 'ci'));
      await at(T4, () => repo().update({ id: r.f.id, status: 'failed' }, 'ci'));
      return { orders, users, r };
    }

    const keyOf = (all: Record<string, Run>, run: Run) => Object.entries(all).find(([, v]) => v.id === run.id)?.[0];

    it('orders by createdAt then id, both directions, and pages through ties', async () => {
      const { r } = await seed();
      const expected = Object.values(r)
        .sort((x, y) => cmp(x.createdAt.getTime(), y.createdAt.getTime()) || cmp(x.id, y.id))
        .map((x) => x.id);
      expect(ids(await all((page) => repo().list({}, 'asc', page)))).toEqual(expected);
      expect(ids(await all((page) => repo().list({}, 'desc', page)))).toEqual([...expected].reverse());
      for (const direction of ['asc', 'desc'] as const) {
        for (const first of [1, 3]) {
          const { items, totalCounts } = await collectPages((page) => repo().list({}, direction, page), first);
          expect(ids(items)).toEqual(direction === 'asc' ? expected : [...expected].reverse());
          expect(new Set(totalCounts)).toEqual(new Set([8]));
        }
      }
    });

    it('filters by each field alone and combined, with a totalCount of the whole filter', async () => {
      const { orders, users, r } = await seed();
      const keys = async (filter: RunFilter) => (await all((page) => repo().list(filter, 'asc', page))).map((run) => keyOf(r, run)).sort();
      expect(await keys({ contractId: orders.id })).toEqual(['a', 'b', 'd', 'f', 'h']);
      expect(await keys({ contractId: users.id })).toEqual(['c', 'e', 'g']);
      expect(await keys({ contractVersion: '1.0.0' })).toEqual(['b', 'e']);
      expect(await keys({ status: ['failed'] })).toEqual(['c', 'f']);
      expect(await keys({ status: ['pending', 'succeeded'] })).toEqual(['a', 'd', 'h']);
      expect(await keys({ status: [] })).toHaveLength(8);
      expect(await keys({ pipelineId: 'check' })).toEqual(['d', 'e', 'h']);
      expect(await keys({ environment: 'dev' })).toEqual(['b', 'g']);
      expect(await keys({ from: T1 })).toEqual(['b', 'c', 'd', 'e', 'f', 'g', 'h']);
      expect(await keys({ to: T2 })).toEqual(['a', 'b', 'c']);
      expect(await keys({ from: T1, to: T3 })).toEqual(['b', 'c', 'd', 'e']);
      expect(await keys({ contractId: orders.id, environment: 'prod', status: ['running', 'pending', 'failed'] })).toEqual(['f', 'h']);
      expect(await keys({ contractId: users.id, pipelineId: 'load', from: T1, to: T4 })).toEqual(['c']);
      expect(await keys({ contractId: 'no-such-contract' })).toEqual([]);
      expect(await runCount(storage(), { contractId: orders.id, environment: 'prod' })).toBe(3);
      const paged = await collectPages((page) => repo().list({ contractId: orders.id }, 'desc', page), 2);
      expect(paged.items.map((run) => keyOf(r, run))).toEqual(['h', 'f', 'd', 'b', 'a']);
      expect(new Set(paged.totalCounts)).toEqual(new Set([5]));
    });

    it('returns the stored runs, with their updates', async () => {
      const { r } = await seed();
      const listed = await all((page) => repo().list({ status: ['succeeded'] }, 'asc', page));
      expect(listed).toEqual([{ ...r.a, status: 'succeeded', endedAt: T4, durationMs: T4.getTime() - T0.getTime(), updatedAt: T4 }]);
    });

    it('rejects an invalid cursor, and a cursor of the other direction, with a ValidationError at after', async () => {
      await seed();
      const page = await repo().list({}, 'asc', { first: 2 });
      for (const after of ['garbage', Buffer.from('["k",1]').toString('base64url'), page.cursors[1]!]) {
        const error = await rejection(repo().list({}, after === page.cursors[1] ? 'desc' : 'asc', { first: 2, after }), ValidationError);
        expect(error.issues[0]?.path).toBe('after');
      }
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('latestByContracts', () => {
    it('gives the newest run of each contract (createdAt, then id), in the order asked, null where none', async () => {
      const a = await contract(storage(), 'a');
      const b = await contract(storage(), 'b');
      const c = await contract(storage(), 'c');
      await at(T0, () => repo().start({ contractId: a.id, pipelineId: 'p' }, 'ci'));
      const aLatest = await at(T2, () => repo().start({ contractId: a.id, pipelineId: 'p' }, 'ci'));
      // Started later but created earlier (a clock that went back): not the newest.
      await at(T1, () => repo().start({ contractId: a.id, pipelineId: 'p' }, 'ci'));
      const ties = [
        await at(T1, () => repo().start({ contractId: b.id, pipelineId: 'p' }, 'ci')),
        await at(T1, () => repo().start({ contractId: b.id, pipelineId: 'q' }, 'ci')),
        await at(T1, () => repo().start({ contractId: b.id, pipelineId: 'r' }, 'ci')),
      ];
      const bLatest = [...ties].sort((x, y) => cmp(x.id, y.id)).pop()!;
      const latest = await repo().latestByContracts([c.id, a.id, 'no-such-contract', b.id, a.id]);
      expect(latest).toEqual([null, aLatest, null, bLatest, aLatest]);
      expect(await repo().latestByContracts([])).toEqual([]);
      // It is the same as the first item of the list, newest first.
      for (const contractId of [a.id, b.id]) {
        const [newest] = (await repo().list({ contractId }, 'desc', { first: 1 })).items;
        expect((await repo().latestByContracts([contractId]))[0]).toEqual(newest);
      }
    });

    it('follows new runs and reflects updates of the newest one', async () => {
      const a = await contract(storage(), 'a');
      const first = await at(T0, () => repo().start({ contractId: a.id, pipelineId: 'p' }, 'ci'));
      expect(await repo().latestByContracts([a.id])).toEqual([first]);
      const second = await at(T1, () => repo().start({ contractId: a.id, pipelineId: 'p', status: 'pending' }, 'ci'));
      expect(await repo().latestByContracts([a.id])).toEqual([second]);
      const cancelled = await at(T2, () => repo().update({ id: second.id, status: 'cancelled' }, 'ops'));
      expect(await repo().latestByContracts([a.id])).toEqual([cancelled]);
    });

    it('settles on the newest of concurrent starts', async () => {
      const a = await contract(storage(), 'a');
      const runs = await at(T0, () => Promise.all(Array.from({ length: 6 }, (_, i) => repo().start({ contractId: a.id, pipelineId: `p${i}` }, 'ci'))));
      const newest = [...runs].sort((x, y) => cmp(x.id, y.id)).pop()!;
      expect(await repo().latestByContracts([a.id])).toEqual([newest]);
    });
  });
});

/**
 * When the side-by-side benchmark's rounds run (bench/compare.ts), so that a run with a deadline ends with complete
 * tables. The reads come first and the writes after them (a create adds contracts, which the reads should not see
 * change under them); the reads keep the time the writes' first rounds are estimated to need. In each group:
 *   1. every measurement gets a budget (bench/compare-plan.ts, water-filled from its warm-up) and picks its batch so
 *      that `minRounds` rounds fit it (never fewer than c requests per side, never more than `maxBatch`);
 *   2. the first round of every measurement runs, whatever the clock says: it is what the tables need (one measured
 *      batch of every operation, concurrency and size), so nothing is left "not measured";
 *   3. the time left is shared again, water-filled over what each measurement's own first round took, and the
 *      further rounds run in passes (one round of each in turn) as long as each fits its share and the deadline.
 * Every measurement that ran fewer rounds or a smaller batch than asked for is named in `cuts`, with the reason.
 */
import type { Measurement, Prepared } from './compare-measure.js';
import { fillBudgets, shareBudgets } from './compare-plan.js';

export interface Scheduled {
  prepared: Prepared;
  c: number;
  /** The warm-up's time of its operation in ms. */
  estimateMs: number;
}

export interface ScheduleSettings {
  maxBatch: number;
  maxRounds: number;
  minRounds: number;
  /** performance.now() after which no further round starts that is expected to end later (0: no deadline). */
  deadlineAt: number;
  /** Most ms of rounds per measurement (0: no limit). */
  opLimitMs: number;
  /** Called after each round. */
  progress: (m: Measurement, pass: number) => void;
  /** Called when a measurement's first round is estimated past its share of the time left. */
  warn: (text: string) => void;
}

/** Runs the rounds; returns one line per measurement cut short (fewer rounds or a smaller batch than asked for). */
export async function runScheduled(items: Scheduled[], s: ScheduleSettings): Promise<string[]> {
  const reads = items.filter((i) => !i.prepared.m.write);
  const writes = items.filter((i) => i.prepared.m.write);
  const least = (group: Scheduled[]) => group.reduce((sum, i) => sum + i.c * i.estimateMs, 0);
  const stopped = new Map<Measurement, string>();
  await runGroup(reads, s, least(writes), stopped);
  await runGroup(writes, s, 0, stopped);
  return items.flatMap(({ prepared: { m } }) => {
    const fullBatch = Math.max(s.maxBatch, m.c);
    if (m.rounds >= s.maxRounds && m.batch >= fullBatch) return [];
    return [`${m.id} c=${m.c}: ${m.rounds} of ${s.maxRounds} rounds × ${m.batch}${m.batch < fullBatch ? ` of ${fullBatch}` : ''} requests per side (${stopped.get(m) ?? 'its budget'})`];
  });
}

async function runGroup(group: Scheduled[], s: ScheduleSettings, keepMs: number, stopped: Map<Measurement, string>): Promise<void> {
  if (group.length === 0) return;
  // A deadline minus the time kept may be below 0 (long past): still a deadline, not "none".
  const hasDeadline = s.deadlineAt > 0;
  const deadline = s.deadlineAt - keepMs;
  const opLimit = s.opLimitMs > 0 ? s.opLimitMs : Infinity;
  const limits = { maxRounds: s.maxRounds, maxBatch: s.maxBatch };
  const left = () => (hasDeadline ? Math.max(0, deadline - performance.now()) : Infinity);
  const limited = hasDeadline || Number.isFinite(opLimit);
  const budgets = hasDeadline ? shareBudgets(group, left(), limits) : group.map(() => ({ ms: Infinity, over: false }));
  const firstMs = group.reduce((sum, i) => sum + i.c * i.estimateMs, 0);
  if (hasDeadline && firstMs > left()) {
    const kind = group[0]!.prepared.m.write ? 'writes' : 'reads';
    s.warn(`the first rounds of the ${kind} are estimated at ${(firstMs / 1000).toFixed(0)} s and ${(left() / 1000).toFixed(0)} s are left for them: they all run once (what the tables need) and the run overruns its deadline`);
  }
  for (const [k, item] of group.entries()) {
    const ms = Math.min(budgets[k]!.ms, opLimit);
    if (budgets[k]!.over) s.warn(`${item.prepared.m.id} c=${item.c}: its one round of ${item.c} requests per side is estimated at ${((item.c * item.estimateMs) / 1000).toFixed(0)} s, above an even share of the time left`);
    const fit = Number.isFinite(ms) ? Math.floor(ms / s.minRounds / Math.max(item.estimateMs, 1)) : s.maxBatch;
    item.prepared.m.batch = Math.max(item.c, Math.min(s.maxBatch, fit));
  }

  // The first round of each: required.
  const lastMs = new Map<Scheduled, number>();
  for (const item of group) {
    lastMs.set(item, await item.prepared.round());
    s.progress(item.prepared.m, 1);
  }

  // The further rounds: the time left water-filled over what the first rounds took.
  const want = group.map((i) => Math.min((s.maxRounds - 1) * lastMs.get(i)!, Math.max(0, opLimit - lastMs.get(i)!)));
  const shares = Number.isFinite(left()) ? fillBudgets(group.map(() => 0), want, left()) : want.map((ms) => ({ ms, over: false }));
  const plan = group.map((item, k) => ({ item, shareMs: shares[k]!.ms, spentMs: 0 }));
  for (const [k, p] of plan.entries()) {
    if (p.shareMs < want[k]!) stopped.set(p.item.prepared.m, 'cut to fit BENCH_DEADLINE_S');
    else if (want[k]! < (s.maxRounds - 1) * lastMs.get(p.item)!) stopped.set(p.item.prepared.m, 'cut to fit BENCH_OP_SECONDS');
  }
  for (let pass = 2; pass <= s.maxRounds; pass++) {
    for (const p of plan) {
      const last = lastMs.get(p.item)!;
      if (p.item.prepared.m.rounds >= pass) continue;
      // Without a deadline or an op limit every round runs (a share is the rounds' measured time, and a round that
      // took longer than the first must not cut the next). (Half a round of slack: round times vary, and a share
      // that fits n rounds should get them.)
      if (limited && p.spentMs + last / 2 > p.shareMs) continue;
      if (hasDeadline && performance.now() + last > deadline) {
        stopped.set(p.item.prepared.m, 'cut at BENCH_DEADLINE_S');
        continue;
      }
      const took = await p.item.prepared.round();
      lastMs.set(p.item, took);
      p.spentMs += took;
      s.progress(p.item.prepared.m, pass);
    }
  }
}

/**
 * When the side-by-side benchmark's rounds run (bench/compare.ts), so that a run with a deadline ends with complete
 * tables: every measurement gets its budget (bench/compare-plan.ts, from its warm-up) and picks its batch so that
 * `minRounds` rounds fit it; then rounds run in passes — the first round of every measurement, then the second of
 * each that still fits its budget and the deadline, and so on up to `maxRounds`. The reads come first and the writes
 * after them (a create adds contracts, which the reads should not see change under them); the reads' passes keep
 * the time the writes' first rounds are estimated to need.
 */
import type { Measurement, Prepared } from './compare-measure.js';
import { shareBudgets } from './compare-plan.js';

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
  /** performance.now() after which no round starts that is expected to end later (0: no deadline). */
  deadlineAt: number;
  /** Most ms of rounds per measurement (0: no limit). */
  opLimitMs: number;
  /** Called after each round. */
  progress: (m: Measurement, pass: number) => void;
  /** Called when a measurement's single round is estimated past the time it has. */
  warn: (text: string) => void;
}

export async function runScheduled(items: Scheduled[], s: ScheduleSettings): Promise<void> {
  const reads = items.filter((i) => !i.prepared.m.write);
  const writes = items.filter((i) => i.prepared.m.write);
  const least = (group: Scheduled[]) => group.reduce((sum, i) => sum + i.c * i.estimateMs, 0);
  await runGroup(reads, s, least(writes));
  await runGroup(writes, s, 0);
}

async function runGroup(group: Scheduled[], s: ScheduleSettings, keepMs: number): Promise<void> {
  if (group.length === 0) return;
  const deadline = s.deadlineAt > 0 ? s.deadlineAt - keepMs : 0;
  const limits = { maxRounds: s.maxRounds, maxBatch: s.maxBatch };
  const budgets = deadline > 0 ? shareBudgets(group, Math.max(0, deadline - performance.now()), limits) : group.map(() => ({ ms: Infinity, over: false }));
  const plan = group.map((item, k) => {
    const ms = Math.min(budgets[k]!.ms, s.opLimitMs > 0 ? s.opLimitMs : Infinity);
    if (budgets[k]!.over) s.warn(`${item.prepared.m.id} c=${item.c}: one round of ${item.c} requests per side is estimated past the time left; it runs one round`);
    const fit = Number.isFinite(ms) ? Math.floor(ms / s.minRounds / Math.max(item.estimateMs, 1)) : s.maxBatch;
    item.prepared.m.batch = Math.max(item.c, Math.min(s.maxBatch, fit));
    return { item, budgetMs: ms, spentMs: 0, lastMs: 0 };
  });
  for (let pass = 1; pass <= s.maxRounds; pass++) {
    for (const p of plan) {
      if (p.item.prepared.m.rounds >= pass) continue;
      if (pass > 1) {
        // Another round only while one more like the last fits the budget and the deadline.
        if (p.spentMs + p.lastMs > p.budgetMs) continue;
        if (deadline > 0 && performance.now() + p.lastMs > deadline) continue;
      }
      p.lastMs = await p.item.prepared.round();
      p.spentMs += p.lastMs;
      s.progress(p.item.prepared.m, pass);
    }
  }
}

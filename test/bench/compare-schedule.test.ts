/**
 * When the side-by-side benchmark's rounds run (bench/compare-schedule.ts), on fake measurements whose rounds
 * report given times (no clock of theirs, no database): without a deadline every round runs however the round times
 * vary, and with one already past the first round of every measurement still runs and is not named as cut.
 */
import { describe, expect, it } from 'vitest';
import type { Measurement, Prepared } from '../../bench/compare-measure.js';
import { runScheduled, type ScheduleSettings, type Scheduled } from '../../bench/compare-schedule.js';

/** A measurement whose k-th round reports `times[k]` ms (the last one again after that). */
function fake(id: Measurement['id'], write: boolean, times: number[]): Scheduled {
  const m = { id, label: id, write, c: 1, batch: 0, rounds: 0, seconds: 0, stands: [], errorKinds: new Map() } as Measurement;
  const prepared: Prepared = {
    m,
    warmUp: async () => times[0]!,
    round: async () => times[Math.min(m.rounds++, times.length - 1)]!,
  };
  return { prepared, c: 1, estimateMs: times[0]! };
}

const settings = (over: Partial<ScheduleSettings> = {}): ScheduleSettings => ({
  maxBatch: 4,
  maxRounds: 5,
  minRounds: 2,
  deadlineAt: 0,
  opLimitMs: 0,
  progress: () => undefined,
  warn: () => undefined,
  ...over,
});

describe('the benchmark round schedule', () => {
  it('runs every round of every measurement when there is no deadline, also when rounds grow slower than the first', async () => {
    const items = [fake('list', false, [1, 10, 40, 90, 200]), fake('create', true, [2, 2, 50, 2, 2])];
    const cuts = await runScheduled(items, settings());
    expect(items.map((i) => i.prepared.m.rounds)).toEqual([5, 5]);
    expect(items.map((i) => i.prepared.m.batch)).toEqual([4, 4]);
    expect(cuts).toEqual([]);
  });

  it('runs the first round of every measurement, reads before writes, when the deadline has passed, and warns', async () => {
    const order: string[] = [];
    const warnings: string[] = [];
    const items = [fake('create', true, [5]), fake('list', false, [5]), fake('search', false, [5])];
    const cuts = await runScheduled(items, settings({ maxRounds: 1, maxBatch: 1, deadlineAt: 1, progress: (m) => order.push(m.id), warn: (w) => warnings.push(w) }));
    expect(order).toEqual(['list', 'search', 'create']);
    expect(cuts).toEqual([]);
    // both groups know the deadline passed (the reads' deadline less the writes' kept time is below 0: still one)
    expect(warnings.filter((w) => w.includes('they all run once')).map((w) => w.split(' are estimated')[0])).toEqual([
      'the first rounds of the reads',
      'the first rounds of the writes',
    ]);
  });
});

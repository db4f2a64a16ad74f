/**
 * How the side-by-side benchmark shares a deadline's time out (bench/compare-plan.ts): water-filling, so that only
 * the costly measurements are cut when the time is short, and every measurement keeps its one round. Pure
 * arithmetic on given costs (no clock).
 */
import { describe, expect, it } from 'vitest';
import { fillBudgets, shareBudgets, waterLevel } from '../../bench/compare-plan.js';

const limits = { maxRounds: 5, maxBatch: 16 };

describe('the benchmark time budgets', () => {
  it('gives every measurement what it wants when that fits', () => {
    const budgets = shareBudgets([{ estimateMs: 10, c: 1 }, { estimateMs: 20, c: 16 }], 10_000, limits);
    expect(budgets).toEqual([{ ms: 800, over: false }, { ms: 1600, over: false }]);
  });

  it('cuts only the costly measurements when the wants do not fit: the cheap ones keep all their rounds', () => {
    // wants 800 (cheap), 80,000 and 80,000 (costly); leasts 10, 16,000, 16,000; 50,000 ms left
    const budgets = shareBudgets([{ estimateMs: 10, c: 1 }, { estimateMs: 1_000, c: 16 }, { estimateMs: 1_000, c: 16 }], 50_000, limits);
    expect(budgets[0]).toEqual({ ms: 800, over: false });
    expect(budgets[1]!.ms).toBeCloseTo(24_600);
    expect(budgets[2]!.ms).toBeCloseTo(24_600);
    expect(budgets.reduce((sum, b) => sum + b.ms, 0)).toBeCloseTo(50_000);
  });

  it('keeps the least (one round of c requests) of a measurement whose least is above the water level', () => {
    // leasts 0, 0, 9,000; wants 5,000, 5,000, 20,000 in 12,000: the level is 1,500 for the two others
    const budgets = fillBudgets([0, 0, 9_000], [5_000, 5_000, 20_000], 12_000);
    expect(budgets.map((b) => b.ms)).toEqual([1_500, 1_500, 9_000]);
    expect(waterLevel([0, 0, 9_000], [5_000, 5_000, 20_000], 12_000)).toBe(1_500);
  });

  it('gives every measurement its least when even the leasts do not fit, marking over only the costly ones', () => {
    const budgets = shareBudgets([{ estimateMs: 10, c: 1 }, { estimateMs: 10, c: 16 }, { estimateMs: 5_000, c: 16 }], 30_000, limits);
    expect(budgets).toEqual([
      { ms: 10, over: false },
      { ms: 160, over: false },
      { ms: 80_000, over: true },
    ]);
  });
});

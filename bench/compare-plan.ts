/**
 * How the side-by-side benchmark (bench/compare.ts) shares its time out: each measurement left gets a budget for
 * its rounds, from its warm-up's time (one request per side and stand: what one request per side of a round costs).
 * All get what they want (maxRounds × max(maxBatch, c) requests per side) when that fits the time left; else each
 * gets at least one round of c requests and the rest of the time in proportion to what it wanted beyond that.
 */
export interface Planned {
  /** The warm-up's time in ms. */
  estimateMs: number;
  c: number;
}

export interface Budget {
  ms: number;
  /** One round of c requests per side is estimated to take longer than the time left: the run will overrun. */
  over: boolean;
}

/** The budgets of `items` (in ms) in `leftMs`. */
export function shareBudgets(items: readonly Planned[], leftMs: number, limits: { maxRounds: number; maxBatch: number }): Budget[] {
  const want = items.map((i) => limits.maxRounds * Math.max(limits.maxBatch, i.c) * i.estimateMs);
  const least = items.map((i) => i.c * i.estimateMs);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  if (sum(want) <= leftMs) return want.map((ms) => ({ ms, over: false }));
  const spare = leftMs - sum(least);
  if (spare <= 0) return least.map((ms) => ({ ms, over: true }));
  const extra = sum(want) - sum(least);
  return items.map((_, k) => ({ ms: least[k]! + (spare * (want[k]! - least[k]!)) / extra, over: false }));
}

/**
 * How the side-by-side benchmark (bench/compare.ts) shares its time out: each measurement gets a budget for its
 * rounds, from what one request per side and stand costs (its warm-up's time at first, its own measured rounds
 * later). All get what they want (maxRounds × max(maxBatch, c) requests per side) when that fits the time left.
 * Otherwise the time is shared by water-filling: every measurement may spend up to the same cap, chosen so that
 * the budgets add up to the time left, but never less than its least (one round of c requests per side, what the
 * tables need) nor more than it wants. A cheap measurement so keeps its full rounds and only the costly ones are cut
 * (a proportional share would cut every one by the same factor). When even the leasts do not fit, every measurement
 * gets its least and the costliest, those whose least alone is above an even share of the time, are marked `over`.
 */
export interface Planned {
  /** What one request per side and stand costs, in ms (the warm-up's time). */
  estimateMs: number;
  c: number;
}

export interface Budget {
  ms: number;
  /** Its least (one round of c requests per side) is above an even share of the time left: the run will overrun. */
  over: boolean;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * The cap of water-filling: the largest `cap` with Σ clamp(cap, least_k, want_k) ≤ leftMs (Infinity when the wants
 * fit). `least` ≤ `want` item by item.
 */
export function waterLevel(least: readonly number[], want: readonly number[], leftMs: number): number {
  if (sum(want) <= leftMs) return Infinity;
  const at = (cap: number) => sum(least.map((l, k) => Math.max(l, Math.min(want[k]!, cap))));
  // at() is continuous and increasing in cap between its breakpoints: find the segment, then interpolate in it.
  const points = [...new Set([...least, ...want])].sort((a, b) => a - b);
  let lo = 0;
  for (const p of points) {
    if (at(p) > leftMs) break;
    lo = p;
  }
  const slope = least.filter((l, k) => l <= lo && want[k]! > lo).length;
  return slope === 0 ? lo : lo + (leftMs - at(lo)) / slope;
}

/** Water-filled budgets for measurements that want `want[k]` ms and need at least `least[k]` ms, in `leftMs`. */
export function fillBudgets(least: readonly number[], want: readonly number[], leftMs: number): Budget[] {
  if (sum(least) >= leftMs) {
    const even = Math.max(0, leftMs) / Math.max(1, least.length);
    return least.map((ms) => ({ ms, over: even > 0 && ms > even }));
  }
  const cap = waterLevel(least, want, leftMs);
  return least.map((l, k) => ({ ms: Math.max(l, Math.min(want[k]!, cap)), over: false }));
}

/** The budgets of `items` (in ms) in `leftMs`, from their estimates. */
export function shareBudgets(items: readonly Planned[], leftMs: number, limits: { maxRounds: number; maxBatch: number }): Budget[] {
  const want = items.map((i) => limits.maxRounds * Math.max(limits.maxBatch, i.c) * i.estimateMs);
  const least = items.map((i) => i.c * i.estimateMs);
  return fillBudgets(least, want, leftMs);
}

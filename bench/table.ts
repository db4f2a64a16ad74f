/** Statistics and plain-text tables of the benchmarks (bench/compare.ts, bench/events.ts). */

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** The p-quantile (0..1) by nearest rank; NaN for no samples. */
export const percentile = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
};

export const fmt = (x: number | null | undefined, digits = 1): string => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits));

/** Prints rows under a header, the first column left-aligned and the others right-aligned (to `out`, one line a call). */
export function printTable(title: string, header: string[], rows: string[][], out: (line: string) => void = console.log): void {
  const table = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...table.map((r) => (r[c] ?? '').length)));
  out(`\n${title}`);
  for (const row of table) out(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
}

/** A short description of an error for a table's footnote (class name and the start of its message). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.replace(/\s+/g, ' ').slice(0, 160);
  return String(error).slice(0, 160);
}

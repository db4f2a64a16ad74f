/**
 * The tables of the side-by-side benchmark (bench/compare.ts): one per stand size (registry and floor medians,
 * their ratio with its spread over rounds, rates, database commands per request, errors), then the growth table
 * (10×N over N, measured side by side in the same rounds). Everything printed is also kept, so that the run can
 * write it to the file named by BENCH_OUT.
 */
import { writeFileSync } from 'node:fs';
import { growthByRound, type Measurement, summary } from './compare-measure.js';
import { fmt, median, printTable } from './table.js';

const spread = (xs: number[]) => (xs.length ? `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}` : '-');
const ratio = (xs: number[]) => (xs.length ? `${median(xs).toFixed(2)}×` : '-');

export class Report {
  private readonly lines: string[] = [];

  /** Prints a line and keeps it for the file. */
  line(text: string): void {
    console.log(text);
    this.lines.push(text);
  }

  private table(title: string, header: string[], rows: string[][]): void {
    printTable(title, header, rows, (text) => this.line(text));
  }

  /**
   * The tables of `measured` (in run order), for the stand sizes `sizes`; `skipped` names the measurements the run
   * stopped before (interrupted).
   */
  tables(measured: Measurement[], sizes: number[], skipped: string[], settings: { maxRounds: number; maxBatch: number }): void {
    for (const [k, size] of sizes.entries()) {
      const rows = measured.map((m) => {
        const s = m.stands[k]!;
        const reg = summary(s.registry)!;
        const flo = summary(s.floor);
        const cmds = flo ? `${fmt(reg.commands, 2)}/${fmt(flo.commands, 2)}` : fmt(reg.commands, 2);
        const errors = s.floor ? `${s.registry.errors}/${s.floor.errors}` : String(s.registry.errors);
        return [m.id, String(m.c), fmt(reg.p50), fmt(flo?.p50), ratio(s.ratios), spread(s.ratios), fmt(reg.rate), fmt(flo?.rate), cmds, `${m.rounds}×${m.batch}`, errors];
      });
      const header = ['operation', 'c', 'registry p50 ms', 'floor p50 ms', 'ratio (median)', 'ratio spread', 'registry /s', 'floor /s', 'db cmds/op (reg/floor)', 'rounds×batch', 'errors (reg/floor)'];
      const partial = skipped.length ? ' — partial' : '';
      this.table(`N = ${size} (up to ${settings.maxRounds} rounds × ${settings.maxBatch} requests per side, at least c)${partial}`, header, rows);
    }
    if (sizes.length === 2) {
      const rows = measured.map((m) => {
        const reg = growthByRound(m, (s) => s.registry);
        const flo = growthByRound(m, (s) => s.floor);
        return [m.id, String(m.c), m.write ? 'rate' : 'p50', ratio(reg), spread(reg), ratio(flo), spread(flo)];
      });
      const title = `growth ${sizes[0]} → ${sizes[1]}, measured side by side in the same rounds (reads: p50 at 10×N / at N; writes: rate at N / rate at 10×N)`;
      this.table(skipped.length ? `${title} — partial` : title, ['operation', 'c', 'by', 'registry', 'registry spread', 'floor', 'floor spread'], rows);
    }
    if (skipped.length) this.line(`not measured (the run stopped before them): ${skipped.join(', ')}`);
    const kinds = measured.flatMap((m) => [...m.errorKinds].map(([kind, n]) => `  ${m.id} c=${m.c}: ${n}× ${kind}`));
    if (kinds.length) this.line(`errors:\n${kinds.join('\n')}`);
  }

  /** What the scheduler cut to fit the time, and its warnings (bench/compare-schedule.ts); says so when nothing was. */
  cuts(cuts: string[], warnings: string[]): void {
    if (cuts.length === 0) this.line('\ncut: nothing (every measurement ran all its rounds at its full batch)');
    else this.line(`\ncut (fewer rounds or smaller batches than asked for):\n${cuts.map((c) => `  ${c}`).join('\n')}`);
    if (warnings.length) this.line(`scheduler warnings:\n${warnings.map((w) => `  ${w}`).join('\n')}`);
  }

  /** Writes everything printed through this report to `path`. */
  save(path: string): void {
    writeFileSync(path, `${this.lines.join('\n')}\n`);
    console.log(`\nthe tables are in ${path}`);
  }
}

/**
 * One measurement of the side-by-side benchmark (bench/compare.ts): an operation at a concurrency, on every stand
 * (N and 10×N, bench/compare-stand.ts) at once. A round runs four batches back to back — the registry and the floor
 * on the N stand, the same on the 10×N stand — alternating between rounds which stand and which side goes first, so
 * the registry/floor ratio and the growth ratio (10×N over N) are each measured side by side under the same load.
 *
 * How many rounds of how many requests run is bench/compare-schedule.ts's choice. A failed request (typed error,
 * driver error, timeout) is counted and named, never fatal.
 */
import type { BenchOperation, OperationId } from './compare-ops.js';
import type { Stand } from './compare-stand.js';
import { describeError, median } from './table.js';

/** What one side (registry or floor) of one stand measured. */
export interface SideResult {
  times: number[];
  rates: number[];
  /** Median latency and rate of each round's batch (NaN when all its requests failed). */
  roundMedians: number[];
  roundRates: number[];
  commands: number;
  requests: number;
  errors: number;
}

export interface StandResult {
  size: number;
  registry: SideResult;
  /** null in memory (no floor). */
  floor: SideResult | null;
  /** Registry/floor ratio of each round's medians. */
  ratios: number[];
}

export interface Measurement {
  id: OperationId;
  label: string;
  write: boolean;
  c: number;
  batch: number;
  rounds: number;
  seconds: number;
  stands: StandResult[];
  /** The first error of each kind (side, size, class and message start), with its count. */
  errorKinds: Map<string, number>;
}

const side = (): SideResult => ({ times: [], rates: [], roundMedians: [], roundRates: [], commands: 0, requests: 0, errors: 0 });

/** A measurement ready to run: `warmUp` times one request per side and stand, `run` does the rounds. */
export interface Prepared {
  m: Measurement;
  /** One request per side and stand (failures count too); returns their total time in ms (one round's cost per request). */
  warmUp(): Promise<number>;
  /** One round at `m.batch` requests per side (bench/compare-schedule.ts sets it); returns its time in ms. */
  round(): Promise<number>;
}

/** `ops[k]` is the operation as stand `k` runs it (its own ids, targets and clients). */
export function prepare(stands: Stand[], ops: BenchOperation[], c: number): Prepared {
  const op0 = ops[0]!;
  const m: Measurement = { id: op0.id, label: op0.label, write: op0.write, c, batch: 0, rounds: 0, seconds: 0, stands: [], errorKinds: new Map() };
  const note = (kind: string) => m.errorKinds.set(kind, (m.errorKinds.get(kind) ?? 0) + 1);

  const lanes = stands.map((stand, k) => {
    const op = ops[k]!;
    const result: StandResult = { size: stand.size, registry: side(), floor: stand.floorCall ? side() : null, ratios: [] };
    m.stands.push(result);
    const registryOne = async (worker: number) => {
      const r = op.registry(worker);
      const data = await stand.gql(r.query, r.variables); // (not inside `check?.(…)`: that would skip the request when there is no check)
      r.check?.(data);
    };
    const registryFailed = async (error: unknown, worker: number) => {
      result.registry.errors++;
      note(`registry at ${stand.size}: ${describeError(error)}`);
      await op.recover?.(worker).catch(() => undefined);
    };
    const floorOne = async (worker: number) => {
      const f = op.floor(worker);
      await stand.floorCall!(f.op, f.args);
    };
    const floorFailed = async (error: unknown) => {
      result.floor!.errors++;
      note(`floor at ${stand.size}: ${describeError(error)}`);
    };
    return {
      result,
      registry: { one: registryOne, failed: registryFailed, out: result.registry, count: () => (stand.mongo ? stand.commands.registry : NaN) },
      floor: result.floor ? { one: floorOne, failed: floorFailed, out: result.floor, count: () => stand.commands.floor } : null,
    };
  });
  type Lane = (typeof lanes)[number]['registry'];

  // One batch of `size` requests at concurrency c on one side; its latencies, rate and commands go to `lane.out`.
  const batch = async (lane: Lane, size: number) => {
    const times: number[] = [];
    let left = size;
    const before = lane.count();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: c }, async (_, worker) => {
        while (left-- > 0) {
          const t = performance.now();
          try {
            await lane.one(worker);
            times.push(performance.now() - t);
          } catch (error) {
            await lane.failed(error, worker);
          }
        }
      }),
    );
    lane.out.commands += lane.count() - before;
    lane.out.requests += size;
    lane.out.times.push(...times);
    const rate = times.length ? (times.length / (performance.now() - started)) * 1000 : NaN;
    if (times.length) lane.out.rates.push(rate);
    lane.out.roundRates.push(rate);
    const med = median(times);
    lane.out.roundMedians.push(med);
    return med;
  };

  const warmUp = async () => {
    const started = performance.now();
    for (const lane of lanes) {
      for (const l of [lane.registry, lane.floor]) {
        if (!l) continue;
        await l.one(0).catch((e) => l.failed(e, 0));
      }
    }
    return performance.now() - started;
  };

  // One round at the measurement's batch: both stands, registry and floor each, the order alternating by round.
  const round = async () => {
    const at = performance.now();
    const r = m.rounds;
    const order = r % 2 === 0 ? lanes : [...lanes].reverse();
    for (const lane of order) {
      const sides = lane.floor ? (r % 2 === 0 ? [lane.registry, lane.floor] : [lane.floor, lane.registry]) : [lane.registry];
      const medians = new Map<Lane, number>();
      for (const l of sides) medians.set(l, await batch(l, m.batch));
      const ratio = lane.floor ? medians.get(lane.registry)! / medians.get(lane.floor)! : NaN;
      if (Number.isFinite(ratio)) lane.result.ratios.push(ratio);
    }
    const took = performance.now() - at;
    m.rounds++;
    m.seconds += took / 1000;
    return took;
  };

  return { m, warmUp, round };
}

/** Median latency of a side, its median rate, and its commands per request. */
export function summary(r: SideResult | null): { p50: number; rate: number; commands: number } | null {
  if (!r) return null;
  return { p50: median(r.times), rate: median(r.rates), commands: r.requests ? r.commands / r.requests : NaN };
}

/**
 * Growth of each round, 10×N over N, for one side: reads by p50 (latency at 10×N / at N), writes by rate (rate at N
 * / rate at 10×N); > 1 means slower at 10×N. The rounds pair up since both stands ran in every round.
 */
export function growthByRound(m: Measurement, pick: (s: StandResult) => SideResult | null): number[] {
  const [small, large] = m.stands;
  const a = small && pick(small);
  const b = large && pick(large);
  if (!a || !b) return [];
  const out: number[] = [];
  for (let r = 0; r < Math.min(a.roundMedians.length, b.roundMedians.length); r++) {
    const g = m.write ? a.roundRates[r]! / b.roundRates[r]! : b.roundMedians[r]! / a.roundMedians[r]!;
    if (Number.isFinite(g)) out.push(g);
  }
  return out;
}

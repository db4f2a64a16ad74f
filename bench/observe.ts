/**
 * The observability switch of the benchmark (BENCH_OBSERVE): `off` (default) serves without request log or metrics
 * (silent logger, no registry), `on` with both — JSON log lines at info written to /dev/null (pino's own
 * asynchronous destination, as in production minus the terminal) and a metrics registry following the MongoDB
 * client — and `compare` runs the list page with and without them interleaved, request by request, and prints the
 * ratio of the medians.
 */
import { pino } from 'pino';
import { createLogger } from '../src/observability/logger.js';
import { createMetrics } from '../src/observability/metrics.js';
import { mongoClientOf } from '../src/observability/db-monitor.js';
import type { ServerOptions } from '../src/server.js';
import type { StorageBackend } from '../src/storage/types.js';

export type ObserveMode = 'off' | 'on' | 'compare';

export function observeMode(value = process.env.BENCH_OBSERVE ?? 'off'): ObserveMode {
  if (value === 'off' || value === 'on' || value === 'compare') return value;
  throw new Error(`BENCH_OBSERVE=${value}: expected off, on or compare`);
}

/** Server options with the request log and metrics on. */
export function observedOptions(storage: StorageBackend): Pick<ServerOptions, 'logger' | 'observability'> {
  const metrics = createMetrics();
  const client = mongoClientOf(storage);
  if (client) metrics.watch(client);
  const logger = createLogger({ level: 'info', format: 'json', destination: pino.destination({ dest: '/dev/null', sync: false }) });
  return { logger, observability: { metrics: { metrics, open: true } } };
}

/** Interleaves `rounds` requests of each server on one operation; returns the medians and their ratio. */
export async function compare(plain: () => Promise<unknown>, observed: () => Promise<unknown>, rounds: number) {
  const times: { plain: number[]; observed: number[] } = { plain: [], observed: [] };
  await plain();
  await observed();
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first so that neither always runs on a warmer cache.
    const order = r % 2 === 0 ? (['plain', 'observed'] as const) : (['observed', 'plain'] as const);
    for (const which of order) {
      const t = performance.now();
      await (which === 'plain' ? plain() : observed());
      times[which].push(performance.now() - t);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const result = { plain: median(times.plain), observed: median(times.observed) };
  return { ...result, ratio: result.observed / result.plain };
}

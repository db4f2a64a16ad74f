/**
 * Search growth (issue 15.3): seeds N contracts, times searches, then seeds up to 10×N and times the same searches,
 * in one run against one server, and prints both side by side with the growth ratio of the medians and the
 * database commands one search sends (by command, collection and filter shape). The numbers are never asserted.
 *
 *   MONGODB_URI=... npm run bench:search            # N=1000 (GRIOT_BENCH_N), queries GRIOT_BENCH_SEARCH_QUERIES
 *   GRIOT_STORAGE=memory npm run bench:search
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createMemoryStorage } from '../src/storage/memory/index.js';
import { createMongoStorage, type MongoStorageBackend } from '../src/storage/mongodb/index.js';
import type { StorageBackend } from '../src/storage/types.js';
import { seedContracts } from './seed.js';

const N = Number(process.env.GRIOT_BENCH_N ?? 1000);
const REPEATS = Number(process.env.GRIOT_BENCH_REPEATS ?? 7);
/** A rare word (one contract), a word of an eighth of them, a word of all of them, and two-word queries. */
const QUERIES = (process.env.GRIOT_BENCH_SEARCH_QUERIES ?? 'bench_000007|payments|reconciliation|customers email|orders field').split('|');

interface Measured {
  medianMs: number;
  spread: string;
  hits: number;
  commands: string[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function shapeOf(filter: unknown): string {
  if (filter && typeof filter === 'object' && !Array.isArray(filter)) {
    const keys = Object.keys(filter);
    if (keys.length === 1 && keys[0] === '_id' && typeof (filter as { _id: unknown })._id === 'string') return '_id';
    return JSON.stringify(filter).slice(0, 80);
  }
  return JSON.stringify(filter ?? {}).slice(0, 80);
}

async function measure(storage: StorageBackend, mongo: MongoStorageBackend | null, query: string): Promise<Measured> {
  const times: number[] = [];
  let hits = 0;
  await storage.contracts.search(query, { first: 20 }); // warm
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    const page = await storage.contracts.search(query, { first: 20 });
    hits = await page.totalCount();
    times.push(performance.now() - t0);
  }
  const sent = new Map<string, number>();
  const listener = (event: { commandName: string; command: Record<string, any> }) => {
    const c = event.command;
    const filter = event.commandName === 'find' ? c.filter : event.commandName === 'aggregate' ? c.pipeline : undefined;
    const key = `${event.commandName} ${String(c[event.commandName] ?? '')} ${shapeOf(filter)}`;
    sent.set(key, (sent.get(key) ?? 0) + 1);
  };
  mongo?.client.on('commandStarted', listener);
  const page = await storage.contracts.search(query, { first: 20 });
  await page.totalCount();
  mongo?.client.off('commandStarted', listener);
  const sorted = [...times].sort((a, b) => a - b);
  return {
    medianMs: median(times),
    spread: `${sorted[0]!.toFixed(1)}–${sorted[sorted.length - 1]!.toFixed(1)}`,
    hits,
    commands: [...sent].map(([k, n]) => `${n}× ${k}`),
  };
}

async function main(): Promise<void> {
  const uri = process.env.MONGODB_URI;
  const memory = process.env.GRIOT_STORAGE === 'memory' || !uri;
  const database = `griot_bench_search_${randomBytes(4).toString('hex')}`;
  const storage: StorageBackend = memory ? createMemoryStorage() : await createMongoStorage({ uri: uri!, database, monitorCommands: true, operationTimeoutMs: 600_000 });
  const mongo = memory ? null : (storage as MongoStorageBackend);
  console.log(`backend: ${storage.capabilities.backend} ${storage.capabilities.serverVersion ?? ''}; N=${N} and ${10 * N}; ${REPEATS} searches per query (first: 20, with totalCount)`);
  try {
    const results: Measured[][] = [];
    let seeded = 0;
    for (const n of [N, 10 * N]) {
      const t0 = performance.now();
      await seedContracts(storage, mongo, seeded, n);
      seeded = n;
      console.log(`seeded ${n} contracts (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      const row: Measured[] = [];
      for (const q of QUERIES) {
        const m = await measure(storage, mongo, q);
        console.log(`  N=${n} "${q}": ${m.hits} hits, median ${m.medianMs.toFixed(1)} ms (${m.spread})`);
        row.push(m);
      }
      results.push(row);
    }
    console.log(`\n| query | hits N | median ms N | hits 10N | median ms 10N | growth |\n|---|---|---|---|---|---|`);
    const growth: number[] = [];
    QUERIES.forEach((q, i) => {
      const [a, b] = [results[0]![i]!, results[1]![i]!];
      growth.push(b.medianMs / a.medianMs);
      console.log(`| ${q} | ${a.hits} | ${a.medianMs.toFixed(1)} (${a.spread}) | ${b.hits} | ${b.medianMs.toFixed(1)} (${b.spread}) | ${(b.medianMs / a.medianMs).toFixed(2)}× |`);
    });
    const total = (k: number) => results[k]!.reduce((s, m) => s + m.medianMs, 0);
    console.log(`\nsearch growth ${N} → ${10 * N} (sum of the query medians): ${(total(1) / total(0)).toFixed(2)}×; worst query ${Math.max(...growth).toFixed(2)}×`);
    if (mongo) {
      QUERIES.forEach((q, i) => {
        console.log(`\ncommands of one search "${q}" at N=${N} / ${10 * N}:`);
        console.log(`  N:   ${results[0]![i]!.commands.join('; ')}`);
        console.log(`  10N: ${results[1]![i]!.commands.join('; ')}`);
      });
    }
  } finally {
    await mongo?.dropDatabase();
    await storage.close();
  }
}

await main();

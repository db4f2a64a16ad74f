/**
 * What the change log adds to a write (bench/events.ts, part c): two registries side by side in this process, on the
 * same backend (each its own scratch database on MongoDB), one as in production and one built with the storage's
 * bench-only `benchOnlyWithoutEventLog` (writes append no events and record no intents; nothing in the environment
 * or config can set it). Batches of the same write run on both, interleaved, alternating which goes first; the
 * table gives rates, p50 latencies, their ratios (with/without) and database commands per write on each.
 */
import { randomBytes } from 'node:crypto';
import { hashApiKey } from '../src/auth/api-keys.js';
import { createServer, type RegistryServer } from '../src/server.js';
import { createMemoryStorage } from '../src/storage/memory/index.js';
import { createMongoStorage, type MongoStorageBackend } from '../src/storage/mongodb/index.js';
import type { StorageBackend } from '../src/storage/types.js';
import { benchDocument, benchName } from './seed.js';
import { describeError, fmt, median, printTable } from './table.js';

export interface LogCostSettings {
  uri: string | null;
  rounds: number;
  batch: number;
  concurrency: number[];
}

interface Side {
  label: 'with log' | 'without log';
  storage: StorageBackend;
  mongo: MongoStorageBackend | null;
  yoga: RegistryServer;
  commands: number;
  targets: { gid: string; name: string; revision: number; patch: number }[];
  created: number;
}

type WriteId = 'update' | 'create' | 'recordValidation';

const UPDATE = 'mutation($input: UpdateContractInput!) { updateContract(input: $input) { __typename ... on UpdateContractSuccess { contract { revision } } } }';
const CREATE = 'mutation($input: CreateContractInput!) { createContract(input: $input) { __typename ... on CreateContractSuccess { contract { id revision } } } }';
const RECORD = 'mutation($input: RecordValidationInput!) { recordValidation(input: $input) { __typename } }';

export async function measureLogCost(settings: LogCostSettings): Promise<void> {
  const key = randomBytes(24).toString('base64url');
  const open = async (without: boolean): Promise<Side> => {
    const mongo = settings.uri
      ? await createMongoStorage({ uri: settings.uri, database: `griot_bench_log_${randomBytes(4).toString('hex')}`, monitorCommands: true, operationTimeoutMs: 120_000, benchOnlyWithoutEventLog: without })
      : null;
    const storage = mongo ?? createMemoryStorage({ benchOnlyWithoutEventLog: without });
    const yoga = createServer({ storage, graphiql: false, auth: { apiKeys: [{ name: 'bench', roles: ['admin'], sha256: hashApiKey(key) }] } });
    const side: Side = { label: without ? 'without log' : 'with log', storage, mongo, yoga, commands: 0, targets: [], created: 0 };
    mongo?.client.on('commandStarted', () => side.commands++);
    return side;
  };
  const gql = async (side: Side, query: string, variables: Record<string, unknown>) => {
    const response = await side.yoga.fetch('http://bench/graphql', { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify({ query, variables }) });
    const json = (await response.json()) as { data?: any; errors?: { message?: string }[] };
    if (json.errors) throw new Error(json.errors[0]?.message ?? 'error');
    return json.data;
  };
  const sides = [await open(false), await open(true)] as const;
  const maxC = Math.max(...settings.concurrency);
  const errors = new Map<string, number>();
  const failed = (side: Side, op: WriteId, error: unknown) => {
    const kind = `${op} ${side.label}: ${describeError(error)}`;
    errors.set(kind, (errors.get(kind) ?? 0) + 1);
  };
  try {
    for (const side of sides) {
      for (let w = 0; w < maxC; w++) {
        const name = `${benchName(w)}_log`;
        const d = await gql(side, CREATE, { input: { document: benchDocument(name, w) } });
        side.targets.push({ gid: d.createContract.contract.id, name, revision: d.createContract.contract.revision, patch: 0 });
      }
    }
    const write = async (side: Side, op: WriteId, worker: number) => {
      if (op === 'update') {
        const t = side.targets[worker]!;
        t.patch++;
        const d = await gql(side, UPDATE, { input: { id: t.gid, expectedRevision: t.revision, document: benchDocument(t.name, worker, `1.0.${t.patch}`, ` Revision ${t.patch}.`) } });
        if (d.updateContract.__typename !== 'UpdateContractSuccess') throw new Error(`updateContract answered ${d.updateContract.__typename}`);
        t.revision = d.updateContract.contract.revision;
      } else if (op === 'create') {
        const i = side.created++;
        const d = await gql(side, CREATE, { input: { document: benchDocument(`bench_log_new_${i}`, i) } });
        if (d.createContract.__typename !== 'CreateContractSuccess') throw new Error(`createContract answered ${d.createContract.__typename}`);
      } else {
        const input = { contractId: side.targets[worker]!.gid, passed: true, rowCount: 10, errorCount: 0, durationMs: 5, environment: 'prod', checks: [{ checkId: 'not_null', propertyPath: 'id', status: 'PASSED' }] };
        const d = await gql(side, RECORD, { input });
        if (d.recordValidation.__typename !== 'RecordValidationSuccess') throw new Error(`recordValidation answered ${d.recordValidation.__typename}`);
      }
    };
    const batch = async (side: Side, op: WriteId, c: number) => {
      const times: number[] = [];
      let left = settings.batch;
      const before = side.commands;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: Math.min(c, settings.batch) }, async (_, worker) => {
          while (left-- > 0) {
            const t = performance.now();
            try {
              await write(side, op, worker);
              times.push(performance.now() - t);
            } catch (error) {
              failed(side, op, error);
            }
          }
        }),
      );
      return { times, rate: times.length ? (times.length / (performance.now() - started)) * 1000 : NaN, commands: (side.commands - before) / settings.batch };
    };
    const rows: string[][] = [];
    for (const op of ['update', 'create', 'recordValidation'] as const) {
      for (const c of settings.concurrency) {
        const rates = { with: [] as number[], without: [] as number[] };
        const times = { with: [] as number[], without: [] as number[] };
        const cmds = { with: [] as number[], without: [] as number[] };
        const ratios: number[] = [];
        for (let round = 0; round < settings.rounds; round++) {
          const order = round % 2 === 0 ? sides : ([sides[1], sides[0]] as const);
          const got: Record<string, number> = {};
          for (const side of order) {
            const b = await batch(side, op, c);
            const k = side.label === 'with log' ? 'with' : 'without';
            rates[k].push(b.rate);
            times[k].push(...b.times);
            cmds[k].push(b.commands);
            got[k] = b.rate;
          }
          if (Number.isFinite(got.with! / got.without!)) ratios.push(got.with! / got.without!);
        }
        const spread = ratios.length ? `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}` : '-';
        rows.push([
          op,
          String(c),
          fmt(median(rates.with)),
          fmt(median(rates.without)),
          ratios.length ? `${median(ratios).toFixed(2)}×` : '-',
          spread,
          fmt(median(times.with)),
          fmt(median(times.without)),
          sides[0].mongo ? fmt(median(cmds.with), 2) : '-',
          sides[0].mongo ? fmt(median(cmds.without), 2) : '-',
        ]);
        process.stderr.write(`  log cost: ${op} c=${c} done\n`);
      }
    }
    printTable(
      `(c) what the change log adds to a write: ${settings.rounds} interleaved rounds × ${settings.batch} writes per side (rate ratio with/without: 1.00× = free)`,
      ['write', 'c', 'with log /s', 'without /s', 'rate ratio (median)', 'ratio spread', 'with p50 ms', 'without p50 ms', 'db cmds with', 'db cmds without'],
      rows,
    );
    if (errors.size) console.log(`errors:\n${[...errors].map(([k, n]) => `  ${n}× ${k}`).join('\n')}`);
  } finally {
    for (const side of sides) {
      await side.mongo?.dropDatabase().catch(() => undefined);
      await side.storage.close();
    }
  }
}

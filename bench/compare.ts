/**
 * Side-by-side benchmark: the registry through GraphQL over HTTP against a raw-driver floor (bench/floor.ts) on the
 * same collections, for detail, by name, list (with documents), light list, search, create, update and
 * recordValidation, at concurrency 1 and 16. Each round runs a registry batch and a floor batch of the same size
 * back to back (alternating which goes first), so read the ratios, not the absolute times. Then it grows the data
 * to 10×N and runs again, and prints the growth ratio of each registry median.
 *
 *   scripts/test-db.sh run -- npm run bench:compare                 FerretDB/SQLite
 *   scripts/test-db.sh --postgresql run -- npm run bench:compare    FerretDB/PostgreSQL
 *   GRIOT_STORAGE=memory npm run bench:compare                      in memory (no floor)
 *
 * Environment: BENCH_N (contracts, default 1000), BENCH_ROUNDS (default 5), BENCH_BATCH (requests per side per
 * round, default 16), BENCH_CONCURRENCY (default "1,16"), BENCH_GROWTH (0 skips the 10×N run; default 1),
 * BENCH_OPS (comma-separated operations to run, default all), BENCH_TIMEOUT_MS (the registry's request budget and
 * database operation time limit during the run, default 600000: a FerretDB/SQLite list page at N=10,000 is a scan
 * of the whole collection, slower than the production defaults allow).
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { hashApiKey } from '../src/auth/api-keys.js';
import { planCreate } from '../src/domain/contracts.js';
import { DEFAULT_LIMITS } from '../src/http/limits-options.js';
import { createServer } from '../src/server.js';
import { createMemoryStorage } from '../src/storage/memory/index.js';
import { toStoredContract, toStoredVersion } from '../src/storage/mongodb/documents/index.js';
import { createMongoStorage, type MongoStorageBackend } from '../src/storage/mongodb/index.js';
import type { StorageBackend } from '../src/storage/types.js';
import { type FloorOp, startFloor } from './floor.js';
import { benchDocument, benchName, seedContracts } from './seed.js';

const N = Number(process.env.BENCH_N ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BATCH = Number(process.env.BENCH_BATCH ?? 16);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,16').split(',').map(Number);
const GROWTH = process.env.BENCH_GROWTH !== '0';
const OPS = process.env.BENCH_OPS ? new Set(process.env.BENCH_OPS.split(',').map((o) => o.trim())) : null;
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 600_000);

interface Call {
  registry: () => { query: string; variables?: Record<string, unknown>; check?: (data: any) => void };
  floor: () => { op: FloorOp; args?: Record<string, unknown> };
}

interface Row {
  op: string;
  c: number;
  registryMs: number;
  floorMs: number | null;
  ratios: number[];
  registryRate: number;
  floorRate: number | null;
  commands: number | null;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

async function main(): Promise<void> {
  const uri = process.env.MONGODB_URI;
  const memory = process.env.GRIOT_STORAGE === 'memory' || !uri;
  const database = `griot_bench_${randomBytes(4).toString('hex')}`;
  const storage: StorageBackend = memory ? createMemoryStorage() : await createMongoStorage({ uri: uri!, database, monitorCommands: true, operationTimeoutMs: TIMEOUT_MS });
  const mongo = memory ? null : (storage as MongoStorageBackend);
  const caps = storage.capabilities;
  console.log(`backend: ${caps.backend} ${caps.serverVersion ?? ''}; batch reads: ${mongo?.capabilities.batchReads ?? '-'}; text search: ${caps.textSearch}`);

  // A random admin key for this run only (configured as its sha256, as in production).
  const key = randomBytes(24).toString('base64url');
  const yoga = createServer({ storage, graphiql: false, limits: { ...DEFAULT_LIMITS, requestTimeoutMs: TIMEOUT_MS }, auth: { apiKeys: [{ name: 'bench', roles: ['admin'], sha256: hashApiKey(key) }] } });
  const registryServer = createHttpServer(yoga);
  const registryUrl = await listen(registryServer);
  const floor = mongo ? await startFloor(mongo.db) : null;
  let commands = 0;
  mongo?.client.on('commandStarted', () => commands++);

  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(`${registryUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ query, variables }),
    });
    const json = (await res.json()) as { data?: any; errors?: unknown };
    if (json.errors) throw new Error(JSON.stringify(json.errors).slice(0, 500));
    return json.data;
  };
  const floorCall = async (op: FloorOp, args?: Record<string, unknown>) => {
    const res = await fetch(`${floor!.url}/${op}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(args ?? {}) });
    const json = (await res.json()) as { errors?: unknown };
    if (json.errors) throw new Error(JSON.stringify(json.errors));
  };

  try {
    let ids: string[] = [];
    const seed = async (to: number) => {
      const t = performance.now();
      ids = [...ids, ...(await seedContracts(storage, mongo, ids.length, to))];
      console.log(`seeded ${to} contracts in bulk (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    };

    // Write fixtures: per worker, a contract the registry updates and one the floor replaces; stored shapes for
    // the floor's direct inserts.
    const sample = planCreate({ document: benchDocument('bench_floor', 7) }, 'floor', { now: new Date(), actor: 'bench' });
    const floorContract = (() => {
      const { _id, ...rest } = toStoredContract(sample.contract);
      return rest;
    })();
    const floorVersion = (() => {
      const { _id, ...rest } = toStoredVersion(sample.version, 'floor');
      return rest;
    })();
    let created = 0;
    const targets: { gid: string; name: string; revision: number; patch: number; floorId: string }[] = [];
    const maxC = Math.max(...CONCURRENCY);

    const calls = (): Record<string, Call> => {
      const pick = () => Math.floor(Math.random() * ids.length);
      let worker = 0;
      return {
        detail: {
          registry: () => ({ query: 'query($id: ID!) { contract(id: $id) { id name document } }', variables: { id: encodeGlobalID('Contract', ids[pick()]!) }, check: (d) => d.contract.id }),
          floor: () => ({ op: 'detail', args: { id: ids[pick()]! } }),
        },
        'by name': {
          registry: () => ({ query: 'query($n: String!) { contractByName(name: $n) { id name document } }', variables: { n: benchName(pick()) }, check: (d) => d.contractByName.id }),
          floor: () => ({ op: 'byName', args: { name: benchName(pick()) } }),
        },
        'list 100 + documents': {
          registry: () => ({ query: '{ contracts(first: 100, orderBy: { field: UPDATED_AT, direction: DESC }) { nodes { id name document } } }' }),
          floor: () => ({ op: 'list' }),
        },
        'list 100, light': {
          registry: () => ({ query: '{ contracts(first: 100, orderBy: { field: UPDATED_AT, direction: DESC }) { nodes { id name currentVersion status } } }' }),
          floor: () => ({ op: 'lightList' }),
        },
        search: {
          registry: () => ({ query: 'query($q: String!) { searchContracts(query: $q, first: 20) { nodes { score contract { name } } } }', variables: { q: 'payments' } }),
          floor: () => ({ op: 'search', args: { word: 'payments' } }),
        },
        create: {
          registry: () => {
            const i = created++;
            return {
              query: 'mutation($input: CreateContractInput!) { createContract(input: $input) { __typename } }',
              variables: { input: { document: benchDocument(`bench_new_${process.pid}_${i}`, i) } },
              check: (d) => {
                if (d.createContract.__typename !== 'CreateContractSuccess') throw new Error(d.createContract.__typename);
              },
            };
          },
          floor: () => ({ op: 'create', args: { contract: floorContract, version: floorVersion } }),
        },
        update: {
          registry: () => {
            const t = targets[worker++ % targets.length]!;
            t.patch++;
            return {
              query: 'mutation($input: UpdateContractInput!) { updateContract(input: $input) { __typename ... on UpdateContractSuccess { contract { revision } } } }',
              variables: { input: { id: t.gid, expectedRevision: t.revision, document: benchDocument(t.name, 3, `1.0.${t.patch}`, ` Revision ${t.patch}.`) } },
              check: (d) => {
                if (d.updateContract.__typename !== 'UpdateContractSuccess') throw new Error(d.updateContract.__typename);
                t.revision = d.updateContract.contract.revision;
              },
            };
          },
          floor: () => {
            const t = targets[worker++ % targets.length]!;
            return { op: 'update', args: { id: t.floorId, contract: { ...floorContract, name: `${t.name}_floor` } } };
          },
        },
        recordValidation: {
          registry: () => ({
            query: 'mutation($input: RecordValidationInput!) { recordValidation(input: $input) { __typename } }',
            variables: {
              input: {
                contractId: encodeGlobalID('Contract', ids[pick()]!),
                passed: true,
                rowCount: 1000,
                errorCount: 0,
                durationMs: 120,
                environment: 'prod',
                checks: [{ checkId: 'not_null', propertyPath: 'id', status: 'PASSED' }],
              },
            },
            check: (d) => {
              if (d.recordValidation.__typename !== 'RecordValidationSuccess') throw new Error(d.recordValidation.__typename);
            },
          }),
          floor: () => ({
            op: 'recordValidation',
            args: { contractId: ids[pick()]!, record: { passed: true, rowCount: 1000, errorCount: 0, durationMs: 120, environment: 'prod', checks: [{ checkId: 'not_null', status: 'passed' }] } },
          }),
        },
      };
    };

    // One batch of `BATCH` requests at concurrency `c`; per-request latencies.
    const batch = async (c: number, one: () => Promise<void>) => {
      const times: number[] = [];
      let left = BATCH;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: Math.min(c, BATCH) }, async () => {
          while (left-- > 0) {
            const t = performance.now();
            await one();
            times.push(performance.now() - t);
          }
        }),
      );
      return { times, rate: (BATCH / (performance.now() - started)) * 1000 };
    };

    const measure = async (label: string): Promise<Row[]> => {
      // update targets: one per worker, created through the registry (and a floor copy each)
      while (targets.length < maxC) {
        const name = `bench_upd_${process.pid}_${targets.length}`;
        const d = await gql('mutation($input: CreateContractInput!) { createContract(input: $input) { ... on CreateContractSuccess { contract { id revision } } } }', {
          input: { document: benchDocument(name, 3) },
        });
        targets.push({ gid: d.createContract.contract.id, name, revision: d.createContract.contract.revision, patch: 0, floorId: '' });
      }
      if (floor && mongo) {
        for (const t of targets) {
          t.floorId = `floor_${t.name}`;
          await mongo.db.collection('contracts').replaceOne({ _id: t.floorId as never }, { ...floorContract, name: `${t.name}_floor` }, { upsert: true });
        }
      }
      const rows: Row[] = [];
      for (const [op, call] of Object.entries(calls())) {
        if (OPS && !OPS.has(op)) continue;
        for (const c of CONCURRENCY) {
          const reg: number[] = [];
          const flo: number[] = [];
          const ratios: number[] = [];
          const regRates: number[] = [];
          const floRates: number[] = [];
          let cmds = 0;
          const registryOne = async () => {
            const r = call.registry();
            const data = await gql(r.query, r.variables);
            r.check?.(data);
          };
          const floorOne = async () => {
            const f = call.floor();
            await floorCall(f.op, f.args);
          };
          await registryOne(); // warm-up
          if (floor) await floorOne();
          for (let round = 0; round < ROUNDS; round++) {
            const runRegistry = async () => {
              const before = commands;
              const b = await batch(c, registryOne);
              cmds += commands - before;
              reg.push(...b.times);
              regRates.push(b.rate);
              return median(b.times);
            };
            const runFloor = async () => {
              const b = await batch(c, floorOne);
              flo.push(...b.times);
              floRates.push(b.rate);
              return median(b.times);
            };
            if (!floor) await runRegistry();
            else if (round % 2 === 0) {
              const r = await runRegistry();
              ratios.push(r / (await runFloor()));
            } else {
              const f = await runFloor();
              ratios.push((await runRegistry()) / f);
            }
          }
          process.stderr.write(`  ${label}: ${op} c=${c} done\n`);
          rows.push({
            op,
            c,
            registryMs: median(reg),
            floorMs: floor ? median(flo) : null,
            ratios,
            registryRate: median(regRates),
            floorRate: floor ? median(floRates) : null,
            commands: mongo ? cmds / (ROUNDS * BATCH) : null,
          });
        }
      }
      print(label, rows);
      return rows;
    };

    await seed(N);
    const first = await measure(`N = ${N}`);
    if (GROWTH) {
      await seed(10 * N);
      const grown = await measure(`N = ${10 * N}`);
      console.log(`\ngrowth ${N} → ${10 * N} (registry median at 10×N / at N; writes: rate at N / rate at 10×N)`);
      for (const [i, row] of grown.entries()) {
        const before = first[i]!;
        const write = ['create', 'update', 'recordValidation'].includes(row.op);
        const growth = write ? before.registryRate / row.registryRate : row.registryMs / before.registryMs;
        console.log(`  ${row.op.padEnd(22)} c=${String(row.c).padEnd(3)} ${growth.toFixed(2)}×`);
      }
    }
  } finally {
    registryServer.close();
    floor?.server.close();
    await mongo?.dropDatabase();
    await storage.close();
  }
}

function print(label: string, rows: Row[]): void {
  const fmt = (x: number | null, d = 1) => (x === null || Number.isNaN(x) ? '-' : x.toFixed(d));
  const table = [['operation', 'c', 'registry p50 ms', 'floor p50 ms', 'ratio (median)', 'ratio spread', 'registry /s', 'floor /s', 'db cmds/op']];
  for (const r of rows) {
    const spread = r.ratios.length ? `${Math.min(...r.ratios).toFixed(2)}–${Math.max(...r.ratios).toFixed(2)}` : '-';
    table.push([r.op, String(r.c), fmt(r.registryMs), fmt(r.floorMs), r.ratios.length ? `${median(r.ratios).toFixed(2)}×` : '-', spread, fmt(r.registryRate), fmt(r.floorRate), fmt(r.commands, 2)]);
  }
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  console.log(`\n${label} (${ROUNDS} rounds × ${BATCH} requests per side)`);
  for (const row of table) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
}

await main();

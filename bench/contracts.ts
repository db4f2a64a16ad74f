/**
 * Benchmark of the contract read paths through the GraphQL server (in-process), on MongoDB (MONGODB_URI) or the
 * in-memory backend (GRIOT_STORAGE=memory). Seeds BENCH_CONTRACTS contracts (default 1000) into a scratch database,
 * runs each operation BENCH_ROUNDS times (default 50), prints p50/p95 latency and driver commands per operation,
 * then drops the database.
 *
 *   scripts/test-db.sh run -- npm run bench
 *
 * BENCH_OBSERVE=on serves with the request log and metrics; BENCH_OBSERVE=compare measures their overhead on the
 * list page (bench/observe.ts).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from '../src/server.js';
import { compare, observedOptions, observeMode } from './observe.js';
import { createMemoryStorage } from '../src/storage/memory/index.js';
import { createMongoStorage, type MongoStorageBackend } from '../src/storage/mongodb/index.js';
import type { StorageBackend } from '../src/storage/types.js';

const CONTRACTS = Number(process.env.BENCH_CONTRACTS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 50);

function document(i: number) {
  const name = `bench_${String(i).padStart(5, '0')}`;
  return {
    apiVersion: 'v3.1.0',
    kind: 'DataContract',
    id: `urn:bench:${i}`,
    name,
    version: '1.0.0',
    status: 'draft',
    team: { name: `team-${i % 20}` },
    description: { purpose: `Benchmark contract number ${i} about ${['orders', 'customers', 'payments', 'shipments'][i % 4]}` },
    schema: ['a', 'b', 'c'].map((s) => ({
      name: `${name}_${s}`,
      physicalType: 'table',
      properties: Array.from({ length: 10 }, (_, p) => ({
        name: p === 0 ? 'id' : p === 1 && i % 10 === 0 ? 'email' : `field_${p}`,
        logicalType: 'string',
        ...(p === 1 && i % 10 === 0 ? { classification: 'restricted' } : {}),
        description: `Field ${p} of ${s}`,
      })),
    })),
  };
}

const operations: Record<string, { query: string; variables?: Record<string, unknown> }> = {
  'contracts page (100, by updatedAt)': {
    query: '{ contracts(first: 100, orderBy: { field: UPDATED_AT, direction: DESC }) { totalCount nodes { id name currentVersion } } }',
  },
  'contracts page + catalog entries (100)': {
    query: '{ contracts(first: 100) { nodes { name catalogEntries { schemaName hasPii } } } }',
  },
  'contracts filtered by owner': { query: '{ contracts(first: 20, filter: { owner: "team-7" }) { totalCount nodes { name } } }' },
  'contract by name': { query: '{ contractByName(name: "bench_00500") { id currentVersion schemas { name } } }' },
  'catalog: PII email fields': {
    query: '{ schemaCatalog(first: 100, filter: { propertyName: "email", hasPii: true }) { totalCount nodes { schemaName contract { name } } } }',
  },
  'catalog: schema-name prefix': { query: '{ schemaCatalog(first: 20, filter: { schemaNamePrefix: "bench_009" }) { totalCount nodes { schemaName } } }' },
  'approval requests awaiting one approver': {
    query: '{ approvalRequests(first: 50, filter: { awaiting: "reviewer-3" }) { totalCount nodes { versionString contract { name } version { number } } } }',
  },
  'contracts in review + pending approval (100)': {
    query: '{ contracts(first: 100, filter: { status: [IN_REVIEW] }) { totalCount nodes { name pendingApproval { awaiting requestedAt } } } }',
  },
  'search (one word)': { query: '{ searchContracts(query: "payments", first: 20) { totalCount nodes { score contract { name } } } }' },
  'search (rare property name)': { query: '{ searchContracts(query: "email", first: 20) { totalCount nodes { score matchedFields } } }' },
};

async function main(): Promise<void> {
  const uri = process.env.MONGODB_URI;
  const database = `griot_bench_${randomBytes(4).toString('hex')}`;
  const storage: StorageBackend =
    process.env.GRIOT_STORAGE === 'memory' || !uri
      ? createMemoryStorage()
      : await createMongoStorage({ uri, database, monitorCommands: true });
  const mongo = 'client' in storage ? (storage as MongoStorageBackend) : null;
  console.log(`backend: ${storage.capabilities.backend} ${storage.capabilities.serverVersion ?? ''}; text search: ${storage.capabilities.textSearch}`);
  // The benchmark only reads: anonymous read access, no credentials to configure.
  const mode = observeMode();
  const serve = (observed: boolean) => createServer({ storage, graphiql: false, auth: { anonymousRead: true }, ...(observed ? observedOptions(storage) : {}) });
  const yoga = serve(mode === 'on');
  const observedYoga = mode === 'compare' ? serve(true) : null;
  const post = async (body: unknown, server = yoga) => {
    const response = await server.fetch(new URL('/graphql', 'http://bench'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as { errors?: unknown };
    if (json.errors) throw new Error(JSON.stringify(json.errors));
    return json;
  };

  try {
    const seedStart = performance.now();
    for (let i = 0; i < CONTRACTS; i++) {
      const contract = await storage.contracts.create({ document: document(i) }, 'bench');
      // Every fifth contract waits in review for two of seven reviewers.
      if (i % 5 === 0) await storage.approvals.submit({ contractId: contract.id, expectedRevision: 1, approvers: [`reviewer-${i % 7}`, 'lead'], policy: 'any' }, 'bench');
    }
    const seedMs = performance.now() - seedStart;
    console.log(`seeded ${CONTRACTS} contracts (${3 * CONTRACTS} catalog entries) in ${(seedMs / 1000).toFixed(1)} s — ${(seedMs / CONTRACTS).toFixed(2)} ms per create\n`);

    if (observedYoga) {
      const [label, op] = Object.entries(operations)[0]!;
      const r = await compare(() => post(op), () => post(op, observedYoga), ROUNDS);
      console.log(`${label}, ${ROUNDS} interleaved rounds: p50 without log+metrics ${r.plain.toFixed(2)} ms, with ${r.observed.toFixed(2)} ms; ratio ${r.ratio.toFixed(3)}`);
      return;
    }

    let commands = 0;
    mongo?.client.on('commandStarted', () => commands++);
    const rows: string[][] = [['operation', 'p50 ms', 'p95 ms', 'commands']];
    for (const [label, op] of Object.entries(operations)) {
      await post(op); // warm-up
      const times: number[] = [];
      commands = 0;
      for (let r = 0; r < ROUNDS; r++) {
        const t = performance.now();
        await post(op);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(2);
      rows.push([label, pct(0.5), pct(0.95), mongo ? String(commands / ROUNDS) : '-']);
    }
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const row of rows) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  } finally {
    await mongo?.dropDatabase();
    await storage.close();
  }
}

await main();

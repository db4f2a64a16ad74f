/**
 * Events benchmark (issue 14): subscriptions over SSE (graphql-sse on /graphql/stream) against one registry instance
 * in a process of its own (bench/events-server.ts, caps raised for the run), and the cost of the change log.
 *   (a) latency from commit to a subscriber: BENCH_EVENTS_WRITES updates (default 200) one after another, each
 *       waited for on a `contractChanged` subscription; p50/p99/max from the mutation's response, from the event's
 *       own time (`at`), and from sending the mutation;
 *   (b) concurrent subscribers one instance holds: opens subscribers in steps (BENCH_EVENTS_RAMP, default
 *       100,500,1000,2000,5000) until one fails or is refused; at each step the server's RSS and heap after a full GC
 *       (per subscriber: the growth over the baseline divided by the open streams), and the fan-out of
 *       BENCH_EVENTS_FANOUT writes (default 5): from the response to the first and to the last subscriber;
 *   (c) what the change log adds to a write (bench/events-cost.ts): update, create and recordValidation on a
 *       registry as in production and one built with the storage's bench-only `benchOnlyWithoutEventLog`,
 *       interleaved (BENCH_EVENTS_ROUNDS, default 5, × BENCH_EVENTS_BATCH writes, default 20; in memory 15 × 40;
 *       at BENCH_EVENTS_CONCURRENCY, default "1,4").
 *
 *   GRIOT_STORAGE=memory npm run bench:events
 *   scripts/test-db.sh run -- npm run bench:events                 FerretDB/SQLite
 *   scripts/test-db.sh --postgresql run -- npm run bench:events    FerretDB/PostgreSQL
 *
 * BENCH_EVENTS_PARTS picks parts (comma-separated: latency, subscribers, cost; default all); BENCH_QUICK=1 is the
 * smoke test's tiny run (10 writes, ramp 5,10, 2 fan-out writes, 1 round of 2 writes at c=1,2). A failing part is
 * reported and the others still run; each part prints its table as soon as it is done.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { measureLogCost } from './events-cost.js';
import { benchDocument } from './seed.js';
import { openSubscriber, type SseSubscriber } from './sse-subscriber.js';
import { describeError, fmt, median, percentile, printTable } from './table.js';

const QUICK = process.env.BENCH_QUICK === '1';
const env = (name: string, normal: string, quick: string) => process.env[name] ?? (QUICK ? quick : normal);
const WRITES = Number(env('BENCH_EVENTS_WRITES', '200', '10'));
const RAMP = env('BENCH_EVENTS_RAMP', '100,500,1000,2000,5000', '5,10').split(',').map(Number);
const FANOUT = Number(env('BENCH_EVENTS_FANOUT', '5', '2'));
const MEMORY = process.env.GRIOT_STORAGE === 'memory' || !process.env.MONGODB_URI;
// In memory a write takes a few milliseconds: more and longer rounds, so that the machine's noise evens out.
const ROUNDS = Number(env('BENCH_EVENTS_ROUNDS', MEMORY ? '15' : '5', '1'));
const BATCH = Number(env('BENCH_EVENTS_BATCH', MEMORY ? '40' : '20', '2'));
const CONCURRENCY = env('BENCH_EVENTS_CONCURRENCY', '1,4', '1,2').split(',').map(Number);
const PARTS = new Set(env('BENCH_EVENTS_PARTS', 'latency,subscribers,cost', 'latency,subscribers,cost').split(',').map((p) => p.trim()));
/** How long one event may take to arrive before it counts as lost. */
const EVENT_WAIT_MS = 30_000;
const OPEN_PARALLEL = 50;

const CHANGED = 'subscription($id: ID!) { contractChanged(id: $id) { position type revision at } }';
const UPDATE = 'mutation($input: UpdateContractInput!) { updateContract(input: $input) { __typename ... on UpdateContractSuccess { contract { revision } } } }';
const CREATE = 'mutation($input: CreateContractInput!) { createContract(input: $input) { __typename ... on CreateContractSuccess { contract { id revision } } } }';

interface ServerMemory {
  memory: { rss: number; heapUsed: number; external: number; arrayBuffers: number };
  open: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function startServer(key: string, cap: number): Promise<{ child: ChildProcess; url: string; memory: () => Promise<ServerMemory>; stop: () => Promise<void> }> {
  const child = fork(fileURLToPath(new URL('./events-server.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, EVENTS_SERVER_HEARTBEAT_MS: QUICK ? '1000' : '10000', EVENTS_SERVER_KEY: key, EVENTS_SERVER_CAP: String(cap), BENCH_DATABASE: `griot_bench_events_${randomBytes(4).toString('hex')}` },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>(field: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: Record<string, unknown>) => {
        if (!(field in m)) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m as T);
      };
      const onExit = (code: number | null) => reject(new Error(`the server exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const { ready } = await next<{ ready: string }>('ready');
  return {
    child,
    url: ready,
    memory: async () => {
      const answer = next<ServerMemory>('memory');
      child.send('memory');
      return answer;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      await Promise.race([exited, sleep(30_000)]);
      if (child.exitCode === null) child.kill();
    },
  };
}

async function main(): Promise<void> {
  const key = randomBytes(24).toString('base64url');
  const uri = process.env.MONGODB_URI;
  const memory = process.env.GRIOT_STORAGE === 'memory' || !uri;
  console.log(`backend: ${memory ? 'memory' : `MongoDB wire at ${uri}`}; one server process, in-process bus`);
  const server = PARTS.has('latency') || PARTS.has('subscribers') ? await startServer(key, Math.max(...RAMP) + 50) : null;
  const headers = { 'x-api-key': key };
  const gql = async (query: string, variables: Record<string, unknown>) => {
    const res = await fetch(`${server!.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
    const json = (await res.json()) as { data?: any; errors?: { message?: string }[] };
    if (json.errors) throw new Error(json.errors[0]?.message ?? 'error');
    return json.data;
  };
  const contract = async (name: string) => {
    const d = await gql(CREATE, { input: { document: benchDocument(name, 1) } });
    return { id: d.createContract.contract.id as string, name, revision: d.createContract.contract.revision as number, patch: 0 };
  };
  const update = async (c: { id: string; name: string; revision: number; patch: number }) => {
    c.patch++;
    const d = await gql(UPDATE, { input: { id: c.id, expectedRevision: c.revision, document: benchDocument(c.name, 1, `1.0.${c.patch}`, ` Revision ${c.patch}.`) } });
    if (d.updateContract.__typename !== 'UpdateContractSuccess') throw new Error(`updateContract answered ${d.updateContract.__typename}`);
    c.revision = d.updateContract.contract.revision;
    return c.revision;
  };
  /** Waits until the server counts `n` open subscriptions (the subscribe has run, the caps were checked; closed ones are gone). */
  const openOnServer = async (n: number, ms = 60_000) => {
    const deadline = Date.now() + ms;
    let seen = await server!.memory();
    while (seen.open !== n && Date.now() < deadline) {
      await sleep(100);
      seen = await server!.memory();
    }
    return seen;
  };

  try {
    if (PARTS.has('latency')) {
      await part('(a) latency', async () => {
        const c = await contract('bench_events_latency');
        const arrivals = new Map<number, { at: number; received: number }>();
        const waiters = new Map<number, () => void>();
        const sub = openSubscriber(server!.url, headers, { query: CHANGED, variables: { id: c.id } }, (data, received) => {
          const e = data.contractChanged as { revision: number; at: string };
          arrivals.set(e.revision, { at: Date.parse(e.at), received });
          waiters.get(e.revision)?.();
        });
        await sub.opened;
        await openOnServer(1);
        const arrival = (revision: number) =>
          arrivals.has(revision)
            ? Promise.resolve(true)
            : new Promise<boolean>((resolve) => {
                const timer = setTimeout(() => resolve(false), EVENT_WAIT_MS);
                waiters.set(revision, () => {
                  clearTimeout(timer);
                  resolve(true);
                });
              });
        const fromResponse: number[] = [];
        const fromAt: number[] = [];
        const fromSend: number[] = [];
        let lost = 0;
        let failed = 0;
        for (let i = 0; i <= WRITES; i++) {
          const sent = performance.now();
          let revision: number;
          try {
            revision = await update(c);
          } catch (error) {
            failed++;
            if (failed === 1) console.error(`  an update failed: ${describeError(error)}`);
            continue;
          }
          const answered = performance.now();
          if (!(await arrival(revision))) {
            lost++;
            continue;
          }
          if (i === 0) continue; // warm-up
          const a = arrivals.get(revision)!;
          fromResponse.push(a.received - answered);
          fromSend.push(a.received - sent);
          fromAt.push(performance.timeOrigin + a.received - a.at);
        }
        sub.close();
        const row = (label: string, xs: number[]) => [label, String(xs.length), fmt(percentile(xs, 0.5), 2), fmt(percentile(xs, 0.99), 2), fmt(Math.max(...xs), 2)];
        printTable(
          `(a) event latency to one SSE subscriber (contractChanged), ${WRITES} updates one after another; ${lost} not received within ${EVENT_WAIT_MS / 1000} s, ${failed} updates failed${sub.failures.length ? `, stream: ${sub.failures[0]}` : ''}`,
          ['from', 'events', 'p50 ms', 'p99 ms', 'max ms'],
          [row('the mutation’s response', fromResponse), row('the event’s time (at)', fromAt), row('sending the mutation', fromSend)],
        );
        console.log('  (from the response is negative when the event arrives before the response: the stream can beat the HTTP answer)');
      });
    }

    if (PARTS.has('subscribers')) {
      await part('(b) subscribers', async () => {
        const c = await contract('bench_events_fanout');
        // The baseline: no subscription open, after a full GC. A closed stream leaves the server's count only some
        // seconds after its client went (about 10 s measured here), so part a's may still be counted: wait for it.
        await openOnServer(0, 20_000);
        await server!.memory();
        const base = await server!.memory();
        const subs: SseSubscriber[] = [];
        const delivered = new Map<number, { count: number; first: number; last: number }>();
        const rows: string[][] = [];
        let stopped = '';
        for (const level of RAMP) {
          let openErrors = 0;
          let firstError = '';
          const opening: Promise<void>[] = [];
          while (subs.length < level) {
            const s = openSubscriber(server!.url, headers, { query: CHANGED, variables: { id: c.id } }, (data, received) => {
              const r = (data.contractChanged as { revision: number }).revision;
              const d = delivered.get(r) ?? { count: 0, first: received, last: received };
              d.count++;
              d.first = Math.min(d.first, received);
              d.last = Math.max(d.last, received);
              delivered.set(r, d);
            });
            subs.push(s);
            opening.push(
              s.opened.catch((error: unknown) => {
                openErrors++;
                firstError ||= describeError(error);
              }),
            );
            if (opening.length >= OPEN_PARALLEL) await Promise.all(opening.splice(0));
          }
          await Promise.all(opening);
          const seen = await openOnServer(level, 60_000);
          const refused = subs.filter((s) => s.failures.length).length;
          firstError ||= subs.find((s) => s.failures.length)?.failures[0] ?? '';
          // Fan-out of a few writes to every open subscriber.
          const toFirst: number[] = [];
          const toLast: number[] = [];
          let incomplete = 0;
          let writeError = '';
          for (let w = 0; w < FANOUT; w++) {
            let revision: number;
            try {
              revision = await update(c);
            } catch (error) {
              // The write failed (or committed without an answer): take the revision the server has, go on.
              writeError ||= describeError(error);
              incomplete++;
              c.revision = (await gql('query($id: ID!) { contract(id: $id) { revision } }', { id: c.id }).catch(() => null))?.contract?.revision ?? c.revision;
              continue;
            }
            const answered = performance.now();
            const deadline = Date.now() + EVENT_WAIT_MS;
            const listening = subs.filter((s) => !s.ended).length;
            while ((delivered.get(revision)?.count ?? 0) < listening && Date.now() < deadline) await sleep(5);
            const d = delivered.get(revision);
            if (!d || d.count < listening) incomplete++;
            if (d) {
              toFirst.push(d.first - answered);
              toLast.push(d.last - answered);
            }
          }
          const grown = { rss: seen.memory.rss - base.memory.rss, heap: seen.memory.heapUsed - base.memory.heapUsed };
          const per = (bytes: number) => (seen.open ? fmt(bytes / seen.open / 1024, 1) : '-');
          rows.push([
            String(level),
            String(seen.open),
            String(openErrors + refused),
            mb(seen.memory.rss),
            mb(seen.memory.heapUsed),
            per(grown.rss),
            per(grown.heap),
            fmt(median(toFirst), 1),
            fmt(median(toLast), 1),
            fmt(Math.max(...toLast), 1),
            String(incomplete),
          ]);
          process.stderr.write(`  subscribers: ${level} done (${seen.open} open)\n`);
          if (openErrors + refused > 0 || seen.open < level || writeError) {
            stopped = `stopped at ${level}: ${seen.open} open on the server, ${openErrors + refused} failed${firstError ? ` (${firstError})` : ''}${writeError ? `; a fan-out write failed: ${writeError}` : ''}`;
            break;
          }
        }
        for (const s of subs) s.close();
        printTable(
          `(b) concurrent SSE subscribers on one instance (contractChanged on one contract); baseline RSS ${mb(base.memory.rss)} MB, heap ${mb(base.memory.heapUsed)} MB; ${FANOUT} fan-out writes per step${stopped ? `; ${stopped}` : '; no step failed'}`,
          ['subscribers', 'open on server', 'failed', 'RSS MB', 'heap MB', 'RSS KB/sub', 'heap KB/sub', 'to first p50 ms', 'to last p50 ms', 'to last max ms', 'writes not delivered to all'],
          rows,
        );
      });
    }
  } finally {
    await server?.stop();
  }

  if (PARTS.has('cost')) {
    await part('(c) log cost', () => measureLogCost({ uri: memory ? null : uri!, rounds: ROUNDS, batch: BATCH, concurrency: CONCURRENCY }));
  }
}

/** Runs one part; a failure is reported and the next part still runs. */
async function part(label: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    console.log(`\n${label}: stopped: ${describeError(error)}`);
    process.exitCode = 1;
  }
}

await main();

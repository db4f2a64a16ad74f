/**
 * CPU profile of the server under the list-page load (issue 15.6): starts bench/profile-server.ts (in-memory
 * backend, PROFILE_N contracts, default 1000), runs V8's CPU profiler in it (as `node --cpu-prof` would, but only
 * while the load runs), sends PROFILE_REQUESTS list pages
 * (default 300; 100 contracts with their documents, by updatedAt) at concurrency PROFILE_CONCURRENCY (default 4),
 * stops it, and prints where the server's CPU time went: self time by function and by package/file, with the
 * shares of garbage collection and of `structuredClone`. The raw .cpuprofile stays in PROFILE_DIR (default a
 * temporary folder) for Chrome DevTools.
 *
 *   npx tsx bench/profile.ts
 *   PROFILE_QUERY=light npx tsx bench/profile.ts      the light list page (no documents)
 *   npx tsx bench/profile.ts path/to/file.cpuprofile  summarise an existing profile
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const QUERIES: Record<string, string> = {
  list: '{ contracts(first: 100, orderBy: { field: UPDATED_AT, direction: DESC }) { nodes { id name document } } }',
  light: '{ contracts(first: 100, orderBy: { field: UPDATED_AT, direction: DESC }) { nodes { id name currentVersion status } } }',
};

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per node id, from the samples and their time deltas. */
function selfTimes(profile: Profile): Map<number, number> {
  const times = new Map<number, number>();
  profile.samples.forEach((id, i) => times.set(id, (times.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  return times;
}

function where(url: string): string {
  if (!url) return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  if (url.startsWith('node:')) return url;
  return url.split('/').slice(-2).join('/');
}

export function summarise(profile: Profile, top = 25): string {
  const times = selfTimes(profile);
  const total = [...times.values()].reduce((a, b) => a + b, 0);
  const idle = profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').reduce((a, n) => a + (times.get(n.id) ?? 0), 0);
  const busy = total - idle;
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  for (const node of profile.nodes) {
    const t = times.get(node.id) ?? 0;
    if (!t || node.callFrame.functionName === '(idle)') continue;
    const f = `${node.callFrame.functionName || '(anonymous)'} ${where(node.callFrame.url)}${node.callFrame.url ? `:${node.callFrame.lineNumber + 1}` : ''}`;
    byFunction.set(f, (byFunction.get(f) ?? 0) + t);
    const p = where(node.callFrame.url);
    byPlace.set(p, (byPlace.get(p) ?? 0) + t);
  }
  const pct = (t: number) => `${((100 * t) / busy).toFixed(1).padStart(5)} %`;
  const lines = [`busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled (shares below are of busy time)`];
  const gc = byFunction.get('(garbage collector) (native)') ?? 0;
  const clone = [...byFunction].filter(([f]) => f.startsWith('structuredClone ')).reduce((a, [, t]) => a + t, 0);
  lines.push(`garbage collection ${pct(gc)}   structuredClone ${pct(clone)}`);
  lines.push('', 'self time by function:');
  for (const [f, t] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(t)}  ${f}`);
  lines.push('', 'self time by package / file:');
  for (const [p, t] of [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(t)}  ${p}`);
  return lines.join('\n');
}

async function profileServer(): Promise<string> {
  const dir = process.env.PROFILE_DIR ?? mkdtempSync(join(tmpdir(), 'griot-profile-'));
  const requests = Number(process.env.PROFILE_REQUESTS ?? 300);
  const concurrency = Number(process.env.PROFILE_CONCURRENCY ?? 4);
  const query = QUERIES[process.env.PROFILE_QUERY ?? 'list'] ?? QUERIES.list!;
  const out = join(dir, 'server.cpuprofile');
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/profile-server.ts'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, PROFILE_OUT: out } });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const output = createInterface({ input: child.stdout! });
  const [url, key] = await new Promise<[string, string]>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`server exited (${code})`)));
    output.on('line', (line) => {
      const m = /^listening (\S+) (\S+)$/.exec(line);
      if (m) resolve([m[1]!, m[2]!]);
    });
  });
  const one = async () => {
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify({ query }) });
    const json = (await res.json()) as { errors?: unknown };
    if (json.errors) throw new Error(JSON.stringify(json.errors));
  };
  for (let i = 0; i < 20; i++) await one(); // warm-up
  child.stdin!.write('start\n');
  await new Promise<void>((resolve) => output.on('line', (line) => line === 'profiling' && resolve()));
  let left = requests;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left-- > 0) await one();
  }));
  const ms = performance.now() - started;
  console.log(`${requests} requests at c=${concurrency}: ${((requests / ms) * 1000).toFixed(1)}/s, ${(ms / requests).toFixed(2)} ms each on average`);
  child.stdin!.end();
  await exited;
  return out;
}

const file = process.argv[2] ?? (await profileServer());
console.log(`profile: ${file}`);
console.log(summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile));

/**
 * How fast the operation limits refuse the heavy queries of issue 10 (in-process, yoga.fetch, in-memory storage):
 * the 4-level nested versions(first:100)/contract query and 1000 aliases of contracts(first:100). Prints the
 * median, 90th percentile and slowest wall time of 50 runs each, and the CPU time the process spent (which other
 * load on the machine does not inflate), (each document new to yoga's parse cache), after a warm-up. `npx tsx bench/refusals.ts`
 */
import { hashApiKey } from '../src/auth/api-keys.js';
import { createServer } from '../src/server.js';
import { createMemoryStorage } from '../src/storage/memory/index.js';

const key = 'bench-refusals-key-0123456789';
const yoga = createServer({ storage: createMemoryStorage(), auth: { apiKeys: [{ name: 'bench', roles: ['viewer'], sha256: hashApiKey(key) }] } });

let nested = 'id';
for (let i = 0; i < 4; i++) nested = `versions(first: 100) { nodes { contract { ${nested} } } }`;
const queries: Record<string, string> = {
  'baseline { viewer { name } } (answered, not refused)': '{ viewer { name } }',
  'nested versions (4 levels)': `{ contracts(first: 100) { nodes { ${nested} } } }`,
  '1000 aliases of contracts(first:100)': `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: contracts(first: 100) { nodes { id name } }`).join(' ')} }`,
};

async function once(query: string): Promise<{ ms: number; cpuMs: number; code: unknown }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const response = await yoga.fetch('http://bench/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    // A comment makes each document new: yoga caches parsed documents (and parse errors) by their text.
    body: JSON.stringify({ query: `${query}\n# run ${Math.random()}` }),
  });
  const body = (await response.json()) as { errors?: { extensions?: { code?: unknown; limit?: unknown } }[] };
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, code: `${body.errors?.[0]?.extensions?.code}/${body.errors?.[0]?.extensions?.limit}` };
}

for (const [name, query] of Object.entries(queries)) {
  for (let i = 0; i < 5; i++) await once(query);
  const runs = [];
  for (let i = 0; i < 50; i++) runs.push(await once(query));
  const times = runs.map((r) => r.ms).sort((a, b) => a - b);
  const cpu = runs.map((r) => r.cpuMs).sort((a, b) => a - b);
  console.log(`${name} (${query.length} bytes): refused as ${runs[0]!.code}; median ${times[25]!.toFixed(1)} ms, p90 ${times[45]!.toFixed(1)} ms, slowest ${times[49]!.toFixed(1)} ms wall; CPU median ${cpu[25]!.toFixed(1)} ms, p90 ${cpu[45]!.toFixed(1)} ms (load: ${(await import('node:os')).loadavg()[0]!.toFixed(1)})`);
}

/**
 * The server bench/profile.ts profiles: an in-memory registry seeded with PROFILE_N bench contracts (bench/seed.ts),
 * served over HTTP on a free loopback port. It prints `listening <url> <key>` when ready, starts V8's CPU profiler
 * (the one `node --cpu-prof` runs, here only for the load, not the start-up and seeding) on the stdin line `start`,
 * and when its stdin closes writes the profile to PROFILE_OUT and exits.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import { createInterface } from 'node:readline';
import { hashApiKey } from '../src/auth/api-keys.js';
import { createServer } from '../src/server.js';
import { createMemoryStorage } from '../src/storage/memory/index.js';
import { seedContracts } from './seed.js';

const N = Number(process.env.PROFILE_N ?? 1000);
const storage = createMemoryStorage();
await seedContracts([storage], 0, N);
const key = randomBytes(24).toString('base64url');
const yoga = createServer({ storage, graphiql: false, auth: { apiKeys: [{ name: 'profile', roles: ['admin'], sha256: hashApiKey(key) }] } });
const server = createHttpServer(yoga);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  process.stdout.write(`listening http://127.0.0.1:${address.port} ${key}\n`);
});
const session = new Session();
session.connect();
let profiling = false;
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() !== 'start' || profiling) return;
  profiling = true;
  void session.post('Profiler.enable').then(() => session.post('Profiler.start')).then(() => process.stdout.write('profiling\n'));
});
lines.on('close', async () => {
  server.close();
  if (profiling) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(process.env.PROFILE_OUT ?? 'server.cpuprofile', JSON.stringify(profile));
  }
  process.exit(0);
});

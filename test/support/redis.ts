/**
 * Redis for the fan-out tests (subscriptions across instances). Like the database and Chromium, the test set-up
 * provisions it: GRIOT_TEST_REDIS_URL when set; else Debian's `redis-server` (installed with apt-get when absent
 * and this is a Debian machine where we are root, one line says so), started on a free loopback port with no
 * persistence and stopped afterwards. When neither is possible the Redis tests fail, naming the missing package.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, Socket } from 'node:net';

export const REDIS_SERVER = '/usr/bin/redis-server';

export interface RunningRedis {
  url: string;
  stop(): Promise<void>;
}

/** Installs Debian's redis-server when it is absent (root on Debian only). Returns why it is still missing, or null. */
export function ensureRedisServer(say: (line: string) => void): string | null {
  if (existsSync(REDIS_SERVER)) return null;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    return `no ${REDIS_SERVER}; install Debian's \`redis-server\` package (or set GRIOT_TEST_REDIS_URL)`;
  }
  say(`installing Debian's redis-server package for the fan-out tests (apt-get, once)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env, timeout: 300_000 });
    execFileSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'ignore', env, timeout: 600_000 });
  } catch (error) {
    return `apt-get could not install redis-server (${(error as Error).message.split('\n')[0]})`;
  }
  return existsSync(REDIS_SERVER) ? null : `apt-get ran but ${REDIS_SERVER} is still missing`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts redis-server on a free loopback port, in memory only; resolves once it accepts connections. */
export async function startRedis(): Promise<RunningRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--daemonize', 'no', '--loglevel', 'warning'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + 15_000;
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`redis-server exited: ${output.trim().slice(0, 300)}`));
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server did not listen on 127.0.0.1:${port} within 15 s`));
        else setTimeout(attempt, 50);
      });
      socket.connect(port, '127.0.0.1');
    };
    attempt();
  });
  // A test run that ends without its teardown (its output's reader went away, an uncaught error) still takes its
  // Redis with it: the exit hook runs on every exit of this process but a SIGKILL.
  const killOnExit = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

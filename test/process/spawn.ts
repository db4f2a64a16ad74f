/**
 * Spawns the real server (or the command line) as a process for the process tests: a free port (PORT=0, read
 * back from the "serving" line), a private data folder, and a bounded wait for every step.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

/** The environment of a spawned process: ours without MONGODB_URI (tests set it when they want it). */
export function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'development' };
  delete env.MONGODB_URI;
  delete env.GRIOT_API_KEYS;
  delete env.GRIOT_STORAGE;
  delete env.GRIOT_TEST_RESULTS;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `griot-${prefix}-`));
}

export interface Running {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output, or fails after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or signal name) once the process ended, or fails after `ms`. */
  exited(ms?: number): Promise<number | string>;
}

export function run(command: string, args: string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let exit: number | string | undefined;
  const ended = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = code ?? signal ?? -1;
      for (const listener of listeners) listener();
      resolve(exit);
    }),
  );
  return {
    child,
    output: () => text,
    waitFor(pattern, ms = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = text.match(pattern);
          if (match) done(() => resolve(match));
          else if (exit !== undefined) done(() => reject(new Error(`process ended (${exit}) before ${pattern}; output:\n${text}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} within ${ms} ms; output:\n${text}`))), ms);
        const done = (then: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          then();
        };
        listeners.add(check);
        check();
      });
    },
    exited(ms = 30_000) {
      return Promise.race([
        ended,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running after ${ms} ms; output:\n${text}`)), ms).unref()),
      ]);
    },
  };
}

/** `node --import tsx src/main.ts` (what `npm start` execs), waiting until it serves; returns its base URL too. */
export async function startServer(env: NodeJS.ProcessEnv, command: 'node' | 'npm' = 'node'): Promise<Running & { url: string }> {
  const running = command === 'npm' ? run('npm', ['start'], env) : run(process.execPath, ['--import', 'tsx', 'src/main.ts'], env);
  try {
    const [, url] = await running.waitFor(/serving (http:\/\/[^/\s]+)\/graphql/, 90_000);
    return { ...running, url: url! };
  } catch (error) {
    running.child.kill('SIGKILL');
    throw error;
  }
}

/** Whether `pid` is a live process. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** POSTs a GraphQL operation; the parsed body and status. */
export async function graphql(url: string, query: string, variables: unknown, key: string | null): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}

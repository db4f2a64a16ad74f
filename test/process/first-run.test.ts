/**
 * `npm start` as a newcomer runs it: the first start makes a development admin key and prints it once with a
 * GraphiQL header line; the key works at once; SIGTERM to npm stops the server and its embedded database (no
 * orphan); the next start reuses the key's hash, keeps the data, and lets the command line reach the same
 * database through the data folder's record. Production never makes a key.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContractsDocument, CreateContractDocument } from '../gql/graphql.js';
import { alive, baseEnv, graphql, ROOT, run, type Running, startServer, tempDir } from './spawn.js';

const dataDir = tempDir('first-run');
const env = baseEnv({ GRIOT_DATA_DIR: dataDir });
const started: (Running & { url: string })[] = [];

afterAll(() => {
  // A test that failed midway may leave npm, the server under it, and its FerretDB: stop all three.
  const left = existsSync(join(dataDir, 'server.json')) ? record() : null;
  for (const server of started) if (server.child.exitCode === null) server.child.kill('SIGKILL');
  for (const pid of [left?.pid, left?.databasePid]) {
    if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
  }
});

function record(): { pid: number; backend: string; uri: string | null; databasePid: number | null } {
  return JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8'));
}

async function gone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !alive(pid);
}

const orders = {
  apiVersion: 'v3.1.0', kind: 'DataContract', id: 'urn:first-run:orders', name: 'first_run_orders', version: '1.0.0', status: 'draft',
  schema: [{ name: 'orders', physicalType: 'table', properties: [{ name: 'customer_email', logicalType: 'string' }] }],
};

describe('npm start, first and later', () => {
  let key = '';

  it('first start: prints a new admin key once with a GraphiQL header line; createContract works with it (2 steps)', { timeout: 150_000 }, async () => {
    const t0 = Date.now();
    const server = await startServer(env, 'npm');
    started.push(server);
    const startMs = Date.now() - t0;
    const header = server.output().match(/\{"x-api-key": "(griot_dev_[A-Za-z0-9_-]{43})"\}/);
    expect(header, server.output()).not.toBeNull();
    key = header![1]!;
    expect(server.output().split(key).length - 1).toBe(2); // the key line and the header line, nothing else
    const stored = JSON.parse(readFileSync(join(dataDir, 'dev-admin-key.json'), 'utf8'));
    expect(stored).toMatchObject({ name: 'dev-admin', roles: ['admin'] });
    expect(JSON.stringify(stored)).not.toContain(key);
    expect(['mongodb', 'ferretdb']).toContain(record().backend);

    // Step 1: paste the header. Step 2: run CreateContract.
    const created = await graphql(server.url, CreateContractDocument.toString(), { input: { document: orders } }, key);
    expect(created.body.data.createContract.__typename).toBe('CreateContractSuccess');
    // Without the key, writes are refused: the key is what makes the two steps work.
    const anonymous = await graphql(server.url, CreateContractDocument.toString(), { input: { document: { ...orders, id: 'urn:x', name: 'x' } } }, null);
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    console.log(`first npm start to serving: ${startMs} ms`);
  });

  it('SIGTERM to npm reaches the server: it and its embedded database stop, nothing is left behind', { timeout: 150_000 }, async () => {
    const server = started[0]!;
    const { pid, databasePid } = record();
    expect(pid).not.toBe(server.child.pid); // npm runs the server as its child process
    server.child.kill('SIGTERM');
    await server.exited(20_000);
    expect(await gone(pid, 15_000)).toBe(true);
    if (databasePid) expect(await gone(databasePid, 10_000)).toBe(true);
    expect(existsSync(join(dataDir, 'server.json'))).toBe(false);
  });

  it('a later start reuses the key (not shown again), keeps the data, and says how to rotate', { timeout: 150_000 }, async () => {
    const t0 = Date.now();
    const server = await startServer(env, 'npm');
    started.push(server);
    const startMs = Date.now() - t0;
    expect(server.output()).not.toContain(key);
    expect(server.output()).toMatch(/using the development admin API key kept .*dev-admin-key\.json; to rotate it, delete that file and restart/);
    const list = await graphql(server.url, ContractsDocument.toString(), { first: 10 }, key);
    expect(list.body.data.contracts.edges.map((e: { node: { name: string } }) => e.node.name)).toContain('first_run_orders');
    console.log(`later npm start to serving: ${startMs} ms`);
  });

  it('the command line, with no MONGODB_URI, imports into the database the running server serves', { timeout: 150_000 }, async () => {
    const server = started[1]!;
    const folder = tempDir('first-run-import');
    writeFileSync(join(folder, 'customers.odcs.yaml'), 'apiVersion: v3.1.0\nkind: DataContract\nid: urn:first-run:customers\nname: first_run_customers\nversion: 1.0.0\nstatus: draft\n');
    const cli = run(process.execPath, [join(ROOT, 'bin/griot-registry.mjs'), 'import', folder], env);
    expect(await cli.exited(60_000), cli.output()).toBe(0);
    expect(cli.output()).toContain('1 created, 0 updated, 0 unchanged, 0 failed');
    const list = await graphql(server.url, ContractsDocument.toString(), { first: 10 }, key);
    expect(list.body.errors).toBeUndefined();
    expect(list.body.data.contracts.edges.map((e: { node: { name: string } }) => e.node.name)).toContain('first_run_customers');
    server.child.kill('SIGINT');
    await server.exited(20_000);
  });

  it('production never makes a key', { timeout: 150_000 }, async () => {
    const prodDir = tempDir('first-run-prod');
    const server = await startServer(baseEnv({ GRIOT_DATA_DIR: prodDir, NODE_ENV: 'production', GRIOT_STORAGE: 'memory' }));
    started.push(server);
    expect(server.output()).toContain('nobody can write or read');
    expect(server.output()).not.toMatch(/x-api-key/);
    expect(existsSync(join(prodDir, 'dev-admin-key.json'))).toBe(false);
    server.child.kill('SIGTERM');
    expect(await server.exited(20_000)).toBe(0);
  });
});

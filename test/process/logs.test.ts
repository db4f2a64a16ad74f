/**
 * What the real server process writes in production: every line on stdout and stderr — start-up, listening, the
 * request lines, a failed authentication, shutdown — is one JSON object of the pino logger with level, time and
 * msg, and neither the API key nor the bearer token used in the requests appears anywhere in it.
 */
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { ContractsWithCatalogDocument } from '../gql/graphql.js';
import { baseEnv, graphql, type Running, startServer, tempDir } from './spawn.js';

const key = `griot_${randomBytes(24).toString('base64url')}`;
const token = `eyJhbGciOiJIUzI1NiJ9.${randomBytes(24).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
const database = `griot_test_logs_${randomBytes(4).toString('hex')}`;
const servers: Running[] = [];

afterAll(async () => {
  for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
  const client = new MongoClient(inject('mongodbUri'));
  await client.db(database).dropDatabase().catch(() => undefined);
  await client.close();
});

describe('the server process log in production', () => {
  it('is JSON lines with level, time and msg from start-up to shutdown, and never a key or token', { timeout: 180_000 }, async () => {
    const server = await startServer(
      baseEnv({
        NODE_ENV: 'production',
        MONGODB_URI: inject('mongodbUri'),
        MONGODB_DATABASE: database,
        GRIOT_DATA_DIR: tempDir('logs'),
        GRIOT_API_KEYS: JSON.stringify([{ name: 'reader', roles: ['viewer'], sha256: hashApiKey(key) }]),
        GRIOT_LOG_LEVEL: 'info',
        GRIOT_LOG_FORMAT: undefined,
      }),
    );
    servers.push(server);
    const ok = await graphql(server.url, ContractsWithCatalogDocument.toString(), { first: 5 }, key);
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
    const denied = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': 'logs-denied-1' },
      body: JSON.stringify({ query: '{ viewer { name } }' }),
    });
    expect(denied.headers.get('x-request-id')).toBe('logs-denied-1');
    await server.waitFor(/"requestId":"logs-denied-1"[^\n]*"msg":"request"/, 10_000);

    server.child.kill('SIGTERM');
    expect(await server.exited(60_000)).toBe(0);
    const text = server.output();
    expect(text).not.toContain(key);
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[2]!);

    const lines = text.split('\n').filter((line) => line.trim() !== '');
    const parsed = lines.map((line) => {
      let value: unknown;
      expect(() => (value = JSON.parse(line)), `not a JSON line: ${line}`).not.toThrow();
      expect(value, line).toMatchObject({ level: expect.any(Number), time: expect.any(String), msg: expect.any(String), name: 'griot-registry' });
      expect(Number.isNaN(Date.parse((value as { time: string }).time)), line).toBe(false);
      return value as Record<string, unknown>;
    });
    const messages = parsed.map((l) => String(l.msg));
    // start-up, listening, the requests, shutdown — in that order
    const at = (pattern: RegExp) => {
      const index = messages.findIndex((m) => pattern.test(m));
      expect(index, `no line ${pattern} in\n${messages.join('\n')}`).toBeGreaterThanOrEqual(0);
      return index;
    };
    const storage = at(/^storage /);
    const serving = at(/^serving http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    const shutting = at(/^SIGTERM: shutting down/);
    const stopped = at(/^stopped$/);
    // Ordered by when each line was logged (its `time`): stdout and stderr are read through separate pipes, whose
    // arrival order at the reader is not the order of writing.
    const time = (i: number) => Date.parse(String(parsed[i]!.time));
    expect(time(storage)).toBeLessThanOrEqual(time(serving));
    expect(time(serving)).toBeLessThanOrEqual(time(shutting));
    expect(time(shutting)).toBeLessThanOrEqual(time(stopped));
    expect(parsed.every((_, i) => time(i) <= time(stopped))).toBe(true);

    const requests = parsed.filter((l) => l.msg === 'request');
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({ level: 30, operation: 'ContractsWithCatalog', principal: 'reader', authMethod: 'api_key', status: 200, result: 'ok' });
    expect(requests[0]!.dbCommands).toBeGreaterThan(0);
    expect(requests[1]).toMatchObject({ requestId: 'logs-denied-1', result: 'user_error', errors: ['UNAUTHENTICATED'] });
    const failed = parsed.filter((l) => l.event === 'authentication_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ level: 40, requestId: 'logs-denied-1', clientAddress: expect.stringMatching(/127\.0\.0\.1/) });
    for (const line of parsed) expect(line.level, JSON.stringify(line)).toBeLessThan(50);
  });
});

/**
 * Graceful shutdown under load, through the process: 20 writers update their own contracts in a loop; SIGTERM
 * arrives while their requests run. Every request must get a complete answer — the write's success, or a typed
 * UNAVAILABLE saying it was not run — or be refused before it was sent (connection refused). Afterwards the
 * database holds no claim, no version beyond its contract, no catalog entry behind its contract, and each contract
 * is at the revision its writer was last told; after a restart, a write at that revision succeeds for every one.
 */
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { CreateContractDocument, UpdateContractDocument } from '../gql/graphql.js';
import { baseEnv, graphql, type Running, startServer, tempDir } from './spawn.js';

const WRITERS = 20;
const key = randomBytes(24).toString('base64url');
const database = `griot_test_shutdown_${randomBytes(4).toString('hex')}`;
const env = baseEnv({
  MONGODB_URI: inject('mongodbUri'),
  MONGODB_DATABASE: database,
  GRIOT_DATA_DIR: tempDir('shutdown'),
  GRIOT_API_KEYS: JSON.stringify([{ name: 'writer', roles: ['editor'], sha256: hashApiKey(key) }]),
  GRIOT_SHUTDOWN_GRACE_MS: '20000',
});
const servers: (Running & { url: string })[] = [];

afterAll(async () => {
  for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
  const client = new MongoClient(inject('mongodbUri'));
  await client.db(database).dropDatabase().catch(() => undefined);
  await client.close();
});

function document(writer: number, minor: number) {
  return {
    apiVersion: 'v3.1.0', kind: 'DataContract', id: `urn:shutdown:w${writer}`, name: `shutdown_w${writer}`, version: `1.${minor}.0`, status: 'draft',
    schema: [{
      name: 'events', physicalType: 'table',
      properties: [{ name: 'event_id', logicalType: 'string', primaryKey: true }, ...Array.from({ length: minor }, (_, i) => ({ name: `field_${i}`, logicalType: 'string' }))],
    }],
  };
}

interface Writer {
  id: string;
  revision: number;
  minor: number;
  successes: number;
  /** Successful responses that arrived after SIGTERM was sent: requests that were in flight and finished. */
  finishedAfterSignal: number;
  end: 'refused' | 'unavailable' | null;
  /** Anything else: a cut connection, an error that does not say the write did not happen. */
  bad: string[];
}

describe('graceful shutdown', () => {
  it('20 writers, SIGTERM: every request answered completely, no torn state afterwards', async () => {
    const server = await startServer(env);
    servers.push(server);
    const writers: Writer[] = [];
    for (let w = 0; w < WRITERS; w++) {
      const created = await graphql(server.url, CreateContractDocument.toString(), { input: { document: document(w, 0) } }, key);
      const contract = created.body.data.createContract.contract;
      writers.push({ id: contract.id, revision: contract.revision, minor: 0, successes: 0, finishedAfterSignal: 0, end: null, bad: [] });
    }

    let signalledAt = 0;
    const write = async (writer: Writer, w: number) => {
      while (!writer.end && writer.bad.length === 0) {
        const next = writer.minor + 1;
        let response: Response;
        try {
          response = await fetch(`${server.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-api-key': key },
            body: JSON.stringify({ query: UpdateContractDocument.toString(), variables: { input: { id: writer.id, expectedRevision: writer.revision, document: document(w, next) } } }),
          });
        } catch (error) {
          const code = (error as { cause?: { code?: string } }).cause?.code;
          if (code === 'ECONNREFUSED' && signalledAt) writer.end = 'refused';
          else writer.bad.push(`request failed: ${code ?? (error as Error).message}`);
          return;
        }
        let body: any;
        try {
          body = await response.json();
        } catch (error) {
          writer.bad.push(`incomplete response body (${response.status}): ${(error as Error).message}`);
          return;
        }
        const result = body?.data?.updateContract;
        if (response.status === 200 && result?.__typename === 'UpdateContractSuccess') {
          writer.revision = result.contract.revision;
          writer.minor = next;
          writer.successes++;
          if (signalledAt) writer.finishedAfterSignal++;
        } else if (response.status === 503 && body?.errors?.[0]?.extensions?.code === 'UNAVAILABLE' && signalledAt) {
          writer.end = 'unavailable';
        } else {
          writer.bad.push(`${response.status} ${JSON.stringify(body).slice(0, 300)}`);
        }
      }
    };
    const running = writers.map((writer, w) => write(writer, w));
    // Let every writer get going, then stop the server under them.
    const until = Date.now() + 30_000;
    while (writers.some((w) => w.successes < 2) && Date.now() < until && writers.every((w) => w.bad.length === 0)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    signalledAt = Date.now();
    server.child.kill('SIGTERM');
    await Promise.all(running);
    expect(await server.exited(30_000)).toBe(0);

    expect(writers.flatMap((w) => w.bad)).toEqual([]);
    expect(writers.every((w) => w.end === 'refused' || w.end === 'unavailable')).toBe(true);
    const finished = writers.reduce((n, w) => n + w.finishedAfterSignal, 0);
    // The signal came while writes were running, and those finished with their success.
    expect(finished).toBeGreaterThan(0);
    console.log(
      `SIGTERM under ${WRITERS} writers: ${writers.reduce((n, w) => n + w.successes, 0)} writes, ${finished} finished after the signal, ` +
        `${writers.filter((w) => w.end === 'unavailable').length} told UNAVAILABLE, ${writers.filter((w) => w.end === 'refused').length} refused a connection, 0 cut`,
    );

    // The database, read directly.
    const client = new MongoClient(inject('mongodbUri'));
    try {
      const db = client.db(database);
      expect(await db.collection('write_claims').countDocuments()).toBe(0);
      for (const writer of writers) {
        const contract = await db.collection('contracts').findOne({ name: `shutdown_w${writers.indexOf(writer)}` });
        expect(contract).not.toBeNull();
        expect(contract!.revision).toBe(writer.revision);
        const versions = await db.collection('contract_versions').find({ contractId: contract!._id }).project({ number: 1 }).toArray();
        expect(versions.map((v) => v.number).sort((a, b) => a - b)).toEqual(Array.from({ length: contract!.versionCount }, (_, i) => i + 1));
        const catalog = await db.collection('schema_catalog').find({ contractId: contract!._id }).toArray();
        expect(catalog.length).toBeGreaterThan(0);
        for (const entry of catalog) {
          expect(entry.contractRevision).toBe(contract!.revision);
          expect(entry.contractVersion).toBe(contract!.version);
        }
      }
    } finally {
      await client.close();
    }

    // After a restart every contract takes a write at the revision its writer holds.
    const again = await startServer(env);
    servers.push(again);
    for (const [w, writer] of writers.entries()) {
      const updated = await graphql(again.url, UpdateContractDocument.toString(), { input: { id: writer.id, expectedRevision: writer.revision, document: document(w, writer.minor + 1) } }, key);
      expect(updated.body.data.updateContract.__typename).toBe('UpdateContractSuccess');
    }
    again.child.kill('SIGTERM');
    expect(await again.exited(30_000)).toBe(0);
  }, 180_000);
});

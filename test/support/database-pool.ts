/**
 * Test databases reused within one test file. Building a backend's collections and indexes on a new database is
 * most of what a MongoDB backend costs on FerretDB (~1 s of ~1.5 s per conformance case under load); on a database
 * that already has them `createMongoStorage` only checks them. A disposed backend's database is emptied (every
 * document of every collection deleted, scratch collections dropped) and handed to the next backend the file creates,
 * which so starts on an empty database exactly as on a new one: same collections, same indexes, no documents. The
 * pooled databases are dropped after the file (vitest runs each file in a fresh module registry, so the pool is the
 * file's own).
 */
import { MongoClient } from 'mongodb';
import { afterAll } from 'vitest';

const free = new Map<string, string[]>();
let admin: { uri: string; client: Promise<MongoClient> } | undefined;

function clientFor(uri: string): Promise<MongoClient> {
  if (admin?.uri !== uri) admin = { uri, client: new MongoClient(uri).connect() };
  return admin.client;
}

/** An emptied database of an earlier backend of this file on `uri`, or undefined (then the caller names a new one). */
export function takeDatabase(uri: string): string | undefined {
  return free.get(uri)?.pop();
}

/**
 * Empties `database` (its backend closed) and puts it back in the pool. Where emptying fails the database is dropped
 * instead and not reused, so no later case can see what this one left.
 */
export async function releaseDatabase(uri: string, database: string): Promise<void> {
  const db = (await clientFor(uri)).db(database);
  try {
    const collections = await db.listCollections({}, { nameOnly: true }).toArray();
    await Promise.all(
      collections.map(({ name }) => (name.startsWith('capability_probe_') ? db.collection(name).drop() : db.collection(name).deleteMany({}))),
    );
    for (const { name } of collections) {
      if (!name.startsWith('capability_probe_') && (await db.collection(name).findOne({})) !== null) throw new Error(`${database}.${name} is not empty`);
    }
  } catch {
    await db.dropDatabase();
    return;
  }
  const list = free.get(uri) ?? [];
  list.push(database);
  free.set(uri, list);
}

afterAll(async () => {
  if (!admin) return;
  const client = await admin.client;
  for (const [, databases] of free) for (const name of databases.splice(0)) await client.db(name).dropDatabase();
  await client.close();
  admin = undefined;
});

/**
 * No stored string holds NUL (PostgreSQL refuses it: FerretDB on PostgreSQL would fail the write), although issue
 * fingerprints, idempotency keys and reaction ids are built with NUL separators (src/storage/mongodb/nul-free.ts);
 * and a database that stored them with NUL (SQLite, MongoDB) is rewritten once at start-up and keeps working:
 * a repeated idempotency key writes nothing, a failing check joins its open issue, a reaction can be taken back.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { KEYS_COLLECTION } from '../../src/storage/mongodb/keys.js';
import { testDatabaseName } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';

const opts = { uri: inject('mongodbUri'), database: testDatabaseName() };
let storage: MongoStorageBackend;

beforeAll(async () => {
  storage = await createMongoStorage(opts);
});
afterAll(async () => {
  await storage.dropDatabase();
  await storage.close();
});

const failing = (contractId: string, idempotencyKey: string | null) => ({
  contractId,
  passed: false,
  rowCount: 10,
  errorCount: 1,
  idempotencyKey,
  checks: [{ checkId: 'not_null', propertyPath: 'order_id', status: 'failed' as const }],
});

async function seed(name: string) {
  const contract = await storage.contracts.create({ document: contractDocument({ name }) }, 'test');
  const { record } = await storage.validations.record(failing(contract.id, 'push-1'), 'test');
  const comment = await storage.comments.add({ target: { type: 'contract', id: contract.id } as never, body: 'hello' }, 'alice');
  await storage.comments.addReaction(comment.id, 'heart', 'alice');
  return { contract, record, comment };
}

function nulPaths(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => nulPaths(v, `${path}[${i}]`));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.entries(value).flatMap(([k, v]) => [...(k.includes('\u0000') ? [`${path}.${k}`] : []), ...nulPaths(v, `${path}.${k}`)]);
  }
  return [];
}

describe('stored keys', () => {
  it('hold no NUL anywhere after a failing push with an idempotency key and a reaction', async () => {
    await seed('nul_free');
    const found: string[] = [];
    for (const info of await storage.db.listCollections().toArray()) {
      for (const doc of await storage.db.collection(info.name).find({}).toArray()) found.push(...nulPaths(doc, `${info.name}/${String(doc._id)}`));
    }
    expect(found).toEqual([]);
  });

  it('written with NUL by an older registry are rewritten at start-up and keep working', async () => {
    const { contract, record, comment } = await seed('nul_legacy');
    const [issue] = await storage.issues.getByIds([record.checks[0]!.issueId!]);
    expect(issue?.checkId).toBe('not_null');
    // What an older registry stored: the raw NUL-joined keys. Servers that refuse NUL (PostgreSQL) cannot hold such
    // data, and say so by refusing the write: there is then nothing to migrate.
    const legacyIdem = `${contract.id}\u0000push-1`;
    const legacyFingerprint = [contract.id, issue!.schemaName ?? '', issue!.propertyPath ?? '', issue!.checkId].join('\u0000');
    const legacyReaction = `${comment.id}\u0000heart\u0000alice`;
    let accepted = true;
    try {
      await storage.db.collection('validation_records').updateOne({ _id: record.id as never }, { $set: { idemKey: legacyIdem } });
    } catch {
      accepted = false;
    }
    if (!accepted) {
      const stored = await storage.db.collection('validation_records').findOne({ _id: record.id as never });
      expect(stored?.idemKey).not.toContain('\u0000');
      return;
    }
    await storage.db.collection('issues').updateOne({ _id: issue!.id as never }, { $set: { activeKey: legacyFingerprint } });
    const reactions = storage.db.collection('comment_reactions');
    const current = await reactions.findOne({ commentId: comment.id });
    await reactions.deleteOne({ _id: current!._id });
    await reactions.insertOne({ ...current!, _id: legacyReaction as never });
    await storage.db.collection(KEYS_COLLECTION).deleteOne({ _id: 'migration/nul-free-v1' as never });
    await storage.close();

    storage = await createMongoStorage(opts);
    const again = await storage.validations.record(failing(contract.id, 'push-1'), 'test');
    expect(again.created).toBe(false);
    expect(again.record.id).toBe(record.id);
    const other = await storage.validations.record(failing(contract.id, 'push-2'), 'test');
    expect(other.created).toBe(true);
    expect(other.record.checks[0]!.issueId).toBe(issue!.id);
    const unreacted = await storage.comments.removeReaction(comment.id, 'heart', 'alice');
    expect(unreacted.reactions).toEqual([]);
    expect(await storage.db.collection('comment_reactions').countDocuments({ commentId: comment.id })).toBe(0);
  });
});

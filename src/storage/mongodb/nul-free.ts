/**
 * Stored keys never contain NUL: PostgreSQL refuses it in text (SQLSTATE 22P05), so FerretDB on PostgreSQL fails
 * any write of such a string. The registry's composite keys join their parts with NUL (issue fingerprints,
 * idempotency keys, reaction ids): they are stored as their SHA-256 instead, which keeps them unique and equal
 * where the keys are equal. A key without NUL is stored as it is.
 *
 * A database written before (on SQLite or MongoDB, which accept NUL) is rewritten once at start-up
 * (migrateNulKeys; a marker document records it).
 */
import { createHash } from 'node:crypto';
import type { AnyBulkWriteOperation } from 'mongodb';
import type { MongoCollections, StoredIssue, StoredReaction, StoredValidationRecord } from './documents/index.js';
import { bulkWriteInCommands } from './bulk.js';
import { isDuplicateKeyError } from './errors.js';
import type { KeyCollection } from './keys.js';
import { upsertRacing } from './upserts.js';

const MARKER = 'migration/nul-free-v1';
const BATCH = 500;

export function nulFree(key: string): string {
  return key.includes('\u0000') ? `sha256:${createHash('sha256').update(key).digest('hex')}` : key;
}

/**
 * Rewrites the keys that contain NUL: issues' activeKey, validation records' idemKey (fields with a unique index:
 * rewritten in place) and reactions' `_id` (inserted under the new id, then the old one removed). Reads only the
 * key fields. Idempotent: a start-up cut short runs it again.
 */
export async function migrateNulKeys(keys: KeyCollection, collections: MongoCollections): Promise<{ ran: boolean; rewritten: number }> {
  if (await keys.findOne({ _id: MARKER }, { projection: { _id: 1 } })) return { ran: false, rewritten: 0 };
  let rewritten = 0;
  const issueOps: AnyBulkWriteOperation<StoredIssue>[] = [];
  for await (const doc of collections.issues.find({}, { projection: { activeKey: 1 }, batchSize: BATCH })) {
    if (typeof doc.activeKey === 'string' && doc.activeKey.includes('\u0000')) {
      issueOps.push({ updateOne: { filter: { _id: doc._id }, update: { $set: { activeKey: nulFree(doc.activeKey) } } } });
    }
  }
  const recordOps: AnyBulkWriteOperation<StoredValidationRecord>[] = [];
  for await (const doc of collections.validations.find({}, { projection: { idemKey: 1 }, batchSize: BATCH })) {
    if (typeof doc.idemKey === 'string' && doc.idemKey.includes('\u0000')) {
      recordOps.push({ updateOne: { filter: { _id: doc._id }, update: { $set: { idemKey: nulFree(doc.idemKey) } } } });
    }
  }
  for (let i = 0; i < issueOps.length; i += BATCH) await bulkWriteInCommands(collections.issues, issueOps.slice(i, i + BATCH));
  for (let i = 0; i < recordOps.length; i += BATCH) await bulkWriteInCommands(collections.validations, recordOps.slice(i, i + BATCH));
  rewritten += issueOps.length + recordOps.length;
  const reactions: StoredReaction[] = [];
  for await (const doc of collections.commentReactions.find({}, { batchSize: BATCH })) {
    if (doc._id.includes('\u0000')) reactions.push(doc);
  }
  for (const doc of reactions) {
    try {
      await collections.commentReactions.insertOne({ ...doc, _id: nulFree(doc._id) });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error; // already rewritten by an earlier, cut-short run
    }
    await collections.commentReactions.deleteOne({ _id: doc._id });
    rewritten++;
  }
  await upsertRacing(() => keys.replaceOne({ _id: MARKER }, { contractId: '', at: new Date() }, { upsert: true }));
  return { ran: true, rewritten };
}

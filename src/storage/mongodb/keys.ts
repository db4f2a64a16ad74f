/**
 * Key documents: lookups of contracts by a key other than their `_id` made as `_id` point reads, because a lone
 * `_id` equality is the one read every MongoDB-wire server serves from an index (FerretDB 1.x scans the whole
 * collection for `{name}`, see capabilities.ts). Collection `contract_keys`, one document per key:
 *  - `name/<name>` → the contract holding that name. It is also how a create or rename learns the name is taken
 *    without a scan: the writer inserts the key BEFORE the contract (claimKey), holding the create's write claim
 *    (claims.ts), so a key whose contract does not exist is in flight exactly while that claim is live; the
 *    contracts' unique name index stays the final guard;
 *  - `version/<contractId>/<version>` → the number of that version string (written with the version, before the
 *    contract moves to it).
 *
 * Keys are a way in, never the truth: every read checks the document it lands on (the contract has that name, the
 * version has that string) and treats anything else as missing, so a key left behind by a crashed or lost write is
 * harmless and is taken over by the next writer of that key. Stored keys never contain NUL (PostgreSQL refuses it
 * in text): a value with NUL, or a very long one, is stored as its SHA-256.
 *
 * Data written before key documents existed is indexed once at start-up (backfillKeys; a marker document records
 * that it ran): it adds only the keys that are absent, and leaves every existing one to the live writers. Other key
 * kinds (e.g. ODCS ids) belong in this file too.
 */
import { createHash } from 'node:crypto';
import { type AnyBulkWriteOperation, type Collection, type Db, MongoBulkWriteError } from 'mongodb';
import { versionId } from '../../domain/contracts.js';
import { AlreadyExistsError } from '../../domain/errors.js';
import { bulkWriteInCommands } from './bulk.js';
import { waitForCreate } from './claim-waits.js';
import { protocolOf, type StoredClaim, withLock } from './claims.js';
import type { MongoCollections, StoredVersion } from './documents/index.js';
import { isDuplicateKeyError, writeErrorsOf } from './errors.js';
import { type BatchReads, readByIds } from './point-reads.js';
import { upsertRacing } from './upserts.js';

export const KEYS_COLLECTION = 'contract_keys';
/** Marker of the start-up backfill (keys for data written before key documents existed). */
const BACKFILL_MARKER = 'migration/keys-v1';
const BACKFILL_BATCH = 500;

export interface StoredContractKey {
  _id: string;
  contractId: string;
  /** version keys: the version's number */
  number?: number;
  at: Date;
}

export type KeyCollection = Collection<StoredContractKey>;

export function keysOf(db: Db): KeyCollection {
  return db.collection<StoredContractKey>(KEYS_COLLECTION);
}

export async function ensureKeyIndexes(keys: KeyCollection): Promise<void> {
  await keys.createIndex({ contractId: 1 }, { name: 'contract_keys_contract' });
}

/** A key value as stored: itself when short and free of NUL, else its SHA-256 (prefixes keep the two apart). */
function safe(value: string): string {
  if (value.length <= 256 && !value.includes('\u0000')) return `=${value}`;
  return `#${createHash('sha256').update(value).digest('hex')}`;
}

export function nameKeyId(name: string): string {
  return `name/${safe(name)}`;
}

export function versionKeyId(contractId: string, version: string): string {
  return `version/${contractId}/${safe(version)}`;
}

/** `odcs/<odcs id>` → the contract whose identity that ODCS id is (claimed and read in odcs-ids.ts). */
export function odcsKeyId(odcsId: string): string {
  return `odcs/${safe(odcsId)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Names

/**
 * Claims `name` for `contractId` before the contract is written with it. AlreadyExistsError when a contract holds
 * it (also once a create in flight that claimed it has finished). A key whose contract no
 * longer has the name (renamed, deleted, a lost write) is taken over.
 */
export async function claimName(keys: KeyCollection, collections: MongoCollections, name: string, contractId: string): Promise<void> {
  const _id = nameKeyId(name);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await keys.insertOne({ _id, contractId, at: new Date() });
      return;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const existing = await keys.findOne({ _id });
    if (!existing) continue; // given back meanwhile: insert again
    if (existing.contractId !== contractId) {
      const owner = await collections.contracts.findOne({ _id: existing.contractId }, { projection: { name: 1 } });
      if (owner?.name === name) throw new AlreadyExistsError('Contract', 'name', name);
      // No contract yet: a create in flight (claim-waits.ts waitForCreate: its claim is live, or under cas its key is
      // young). Wait until its contract exists or the create died:
      // then the name is taken (it finished) or the dead create's key is taken over.
      if (!owner) {
        await waitForCreate(collections.claims, collections.contracts, existing.contractId, existing.at, () => keyStands(keys, _id, existing));
        const created = await collections.contracts.findOne({ _id: existing.contractId }, { projection: { name: 1 } });
        if (created?.name === name) throw new AlreadyExistsError('Contract', 'name', name);
      }
    }
    // Taken over only while it is still the key judged stale above: another create (or a delete, or a repair) may
    // have changed it since, and a replace of theirs would leave their contract without its key.
    if (await takeOverKey(keys, collections.claims, existing, contractId)) return;
  }
  throw new AlreadyExistsError('Contract', 'name', name);
}

/** Points key `seen` at `contractId` if it is still `seen` (keyChange: one writer at a time under claims); false if it changed. */
async function takeOverKey(keys: KeyCollection, claims: Collection<StoredClaim>, seen: StoredContractKey, contractId: string): Promise<boolean> {
  const { _id } = seen;
  if (protocolOf(claims) === 'cas') return (await keys.replaceOne({ _id, contractId: seen.contractId, at: seen.at }, { contractId, at: new Date() })).matchedCount === 1;
  return withLock(claims, `takeover/${_id}`, async () => {
    if (!(await keyStands(keys, _id, seen))) return false;
    await keys.replaceOne({ _id }, { contractId, at: new Date() });
    return true;
  });
}

/** Whether key `_id` is still the very document `seen` (the same contract, written at the same time). */
export async function keyStands(keys: KeyCollection, _id: string, seen: Pick<StoredContractKey, 'contractId' | 'at'>): Promise<boolean> {
  const now = await keys.findOne({ _id }, { projection: { contractId: 1, at: 1 } });
  return now !== null && now.contractId === seen.contractId && now.at?.getTime() === seen.at?.getTime();
}

/** Gives up a claim (a write that did not happen, an old name): removed only while it still names `contractId`. */
export async function releaseName(keys: KeyCollection, claims: Collection<StoredClaim>, name: string, contractId: string): Promise<void> {
  try {
    await removeKey(keys, claims, nameKeyId(name), contractId);
  } catch {
    // a key left behind is harmless (see the top of this file)
  }
}

/**
 * Points the key back at the contract that really holds the name, after the unique name index refused a write the
 * key was claimed for (two writers took over a stale key at once). The one read by name outside the key: rare.
 */
export async function repairName(keys: KeyCollection, collections: MongoCollections, name: string): Promise<void> {
  const owner = await collections.contracts.findOne({ name }, { projection: { _id: 1 } });
  const _id = nameKeyId(name);
  if (owner) await keyChange(collections.claims, _id, () => keys.replaceOne({ _id }, { contractId: owner._id, at: new Date() }, { upsert: true }));
}

/** The contract id each name's key points at (null: no key). The caller checks the contract has the name. */
export async function contractIdsByName(keys: KeyCollection, names: readonly string[], mode: BatchReads): Promise<(string | null)[]> {
  const found = await readByIds(keys, names.map(nameKeyId), mode);
  return names.map((name) => found.get(nameKeyId(name))?.contractId ?? null);
}

// ---------------------------------------------------------------------------------------------------------------
// Versions

/** Records that `version` of the contract is number `number` (after that version document was inserted). */
export async function putVersionKey(keys: KeyCollection, contractId: string, version: string, number: number): Promise<void> {
  await keys.replaceOne({ _id: versionKeyId(contractId, version) }, { contractId, number, at: new Date() }, { upsert: true });
}

/**
 * The version documents of (contract, version string) pairs, by pair index (null: none). Two rounds of point reads
 * (keys, then versions); a version document whose string differs from the key's (the key was left by a lost
 * write) counts as missing. Visibility (number up to versionCount) is the caller's check.
 */
export async function versionsByKey(
  keys: KeyCollection,
  collections: MongoCollections,
  pairs: readonly { contractId: string; version: string }[],
  mode: BatchReads,
): Promise<(StoredVersion | null)[]> {
  const keyIds = pairs.map((p) => versionKeyId(p.contractId, p.version));
  const found = await readByIds(keys, keyIds, mode);
  const ids = pairs.map((p, i) => {
    const n = found.get(keyIds[i]!)?.number;
    return typeof n === 'number' ? versionId(p.contractId, n) : null;
  });
  const docs = await readByIds(collections.versions, ids.filter((id): id is string => id !== null), mode);
  return pairs.map((p, i) => {
    const doc = ids[i] === null ? undefined : docs.get(ids[i]!);
    return doc && doc.version === p.version && doc.contractId === p.contractId ? doc : null;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Deletes and the start-up backfill

/**
 * Removes the keys of a deleted contract. Under `cas` one delete by `{contractId}` (atomic per key on MongoDB).
 * Under `claims` its name and ODCS id keys go only while they still name it (removeKey: a create may be taking
 * either over already, the contract being gone), then its version keys, which no other writer touches. Best
 * effort: the contract is deleted already, and a key left behind (this one's, if a removal fails; a key of a name
 * or ODCS id it no longer had, from a rename or an update that could not give it back) is as harmless as any (see
 * the top of this file).
 */
export async function deleteKeysOf(keys: KeyCollection, claims: Collection<StoredClaim>, contract: { _id: string; name: string; odcsId: string | null }): Promise<void> {
  const contractId = contract._id;
  try {
    if (protocolOf(claims) === 'cas') {
      await keys.deleteMany({ contractId });
      return;
    }
    await removeKey(keys, claims, nameKeyId(contract.name), contractId);
    if (contract.odcsId) await removeKey(keys, claims, odcsKeyId(contract.odcsId), contractId);
    await keys.deleteMany({ contractId, _id: { $gte: `version/${contractId}/`, $lt: `version/${contractId}0` } });
  } catch {
    // left behind: taken over later
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Changing a key another contract may take over

/**
 * Runs `change`, a write of key `_id` that depends on which contract it names, alone among the writers that take
 * over, repair or remove that key. Under `claims` (FerretDB 1.x runs a delete or replace with a filter beyond `_id`
 * as "find, then write by `_id`", so a remover that read the key before a taker replaced it would remove the
 * taker's key) they go one at a time under the key's takeover lock (claims.ts withLock); under `cas` each is one
 * atomic command and runs as it is.
 */
export function keyChange<T>(claims: Collection<StoredClaim>, _id: string, change: () => Promise<T>): Promise<T> {
  return protocolOf(claims) === 'cas' ? change() : withLock(claims, `takeover/${_id}`, change);
}

/** Removes key `_id` if it still names `contractId`: one delete by `{_id, contractId}`, or under `claims` a read and a delete by `_id` under the key's lock. */
export async function removeKey(keys: KeyCollection, claims: Collection<StoredClaim>, _id: string, contractId: string): Promise<void> {
  if (protocolOf(claims) === 'cas') {
    await keys.deleteOne({ _id, contractId });
    return;
  }
  await withLock(claims, `takeover/${_id}`, async () => {
    const now = await keys.findOne({ _id }, { projection: { contractId: 1 } });
    if (now?.contractId === contractId) await keys.deleteOne({ _id });
  });
}

/**
 * Writes the keys of every contract and version stored before key documents existed, once per database (the
 * marker is written last, so a start-up cut short runs it again). Only keys that are absent are written: each is
 * an insert, and one refused as a duplicate (E11000) is left as it is. Another instance may be running on this
 * database (a rolling start, a start-up run again), and a key written by a live writer is right where this scan
 * may not be (a name a rename released and a create took names the new contract, while the contracts read here
 * may still show the old one with it): a rewrite would repoint it. Any other error fails the start-up. Contracts
 * and versions are read in batches with only the fields keys need. `written`: the keys this run inserted.
 */
export async function backfillKeys(keys: KeyCollection, collections: MongoCollections): Promise<{ ran: boolean; written: number }> {
  if (await keys.findOne({ _id: BACKFILL_MARKER }, { projection: { _id: 1 } })) return { ran: false, written: 0 };
  let written = 0;
  let batch: StoredContractKey[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const docs = batch;
    batch = [];
    const operations = docs.map((document): AnyBulkWriteOperation<StoredContractKey> => ({ insertOne: { document } }));
    const counts = await bulkWriteInCommands(keys, operations, async (error, chunk, offset) => {
      written += await insertedDespite(keys, error, docs.slice(offset, offset + chunk.length));
    });
    written += counts.insertedCount;
  };
  const put = async (doc: StoredContractKey) => {
    batch.push(doc);
    if (batch.length >= BACKFILL_BATCH) await flush();
  };
  const at = new Date();
  for await (const c of collections.contracts.find({}, { projection: { _id: 1, name: 1 }, batchSize: BACKFILL_BATCH })) {
    await put({ _id: nameKeyId(c.name), contractId: c._id, at });
  }
  for await (const v of collections.versions.find({}, { projection: { contractId: 1, version: 1, number: 1 }, batchSize: BACKFILL_BATCH })) {
    await put({ _id: versionKeyId(v.contractId, v.version), contractId: v.contractId, number: v.number, at });
  }
  await flush();
  await upsertRacing(() => keys.replaceOne({ _id: BACKFILL_MARKER }, { contractId: '', at: new Date() }, { upsert: true }));
  return { ran: true, written };
}

/**
 * How many of `docs` the unordered insert command that failed with `error` inserted, when every statement it
 * refused was refused as a duplicate (that key exists: left as it is); any other error is thrown. Where the
 * server's report does not account for every statement, each key is inserted on its own (a duplicate that is
 * this very document was inserted by the command).
 */
async function insertedDespite(keys: KeyCollection, error: unknown, docs: readonly StoredContractKey[]): Promise<number> {
  if (!(error instanceof MongoBulkWriteError) || !isDuplicateKeyError(error) || error.result.getWriteConcernError()) throw error;
  if (error.result.insertedCount + writeErrorsOf(error).length === docs.length) return error.result.insertedCount;
  let inserted = 0;
  for (const doc of docs) {
    try {
      await keys.insertOne(doc);
      inserted++;
    } catch (e) {
      if (!isDuplicateKeyError(e)) throw e;
      if (await keyStands(keys, doc._id, doc)) inserted++;
    }
  }
  return inserted;
}

/**
 * The ODCS id is a contract's identity and unique across contracts. On MongoDB it is enforced by a key document
 * per id in `contract_keys` (keys.ts), `_id: odcs/<id>`: the `_id` index is unique on every MongoDB-wire server
 * (FerretDB included), with no partial index (a unique index on `contracts.odcsId` would refuse the contracts
 * without an id, stored with warnings, and the contracts stored before this rule that share an id). The key also
 * serves point reads by ODCS id, and goes with the contract's other keys when it is deleted (deleteKeysOf).
 *
 * A key is valid while its contract exists and holds that id. A key whose contract is gone or holds another id (a
 * create that crashed after claiming it, a delete cut short) is taken over once its create is no longer in flight
 * (claim-waits.ts waitForCreate: the create's write claim is released or dead and its contract did not appear; under
 * cas, the key is a lease old).
 *
 * Migration: contracts stored before ODCS id keys existed get theirs at start-up (backfillOdcsIds, once per
 * database), oldest first, so where old contracts share an id the oldest holds it — the one import always chose —
 * and the others read and take versions exactly as before.
 */
import type { Collection } from 'mongodb';
import { AlreadyExistsError } from '../../domain/errors.js';
import { CONTRACT_VIEW_PROJECTION, type StoredContract, type StoredContractView } from './documents/index.js';
import { isDuplicateKeyError } from './errors.js';
import { protocolOf, type StoredClaim, withLock } from './claims.js';
import { waitForCreate } from './claim-waits.js';
import { type KeyCollection, keyStands, odcsKeyId, removeKey, type StoredContractKey } from './keys.js';
import { upsertRacing } from './upserts.js';

/** Without write claims: a claimed key whose contract does not exist yet is a create in flight this long. */
const KEY_IN_FLIGHT_MS = 30_000;

const BACKFILL_MARKER = 'migration/odcs-ids-v1';
const BACKFILL_BATCH = 500;

export class OdcsIdKeys {
  constructor(
    readonly keys: KeyCollection,
    private readonly contracts: Collection<StoredContract>,
    /** The write claims (claims.ts): a key whose contract does not exist is in flight while its create's claim is live. */
    private readonly claims?: Collection<StoredClaim>,
  ) {}

  /**
   * Takes `odcsId` for `contractId`. AlreadyExistsError naming the contract that holds it (nothing written), also
   * while another create of that id is in flight.
   */
  async claim(odcsId: string, contractId: string): Promise<void> {
    const _id = odcsKeyId(odcsId);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.keys.insertOne({ _id, contractId, at: new Date() });
        return;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const key = await this.keys.findOne({ _id });
      if (!key) continue; // released meanwhile
      if (key.contractId === contractId) return;
      let holder = await this.contracts.findOne({ _id: key.contractId }, { projection: { _id: 1, name: 1, odcsId: 1 } });
      if (!holder && this.claims) {
        // A create in flight: wait until it finished (the id is then taken) or died (its key is taken over).
        await waitForCreate(this.claims, this.contracts, key.contractId, key.at, () => keyStands(this.keys, _id, key));
        holder = await this.contracts.findOne({ _id: key.contractId }, { projection: { _id: 1, name: 1, odcsId: 1 } });
      } else if (!holder && Date.now() - key.at.getTime() < KEY_IN_FLIGHT_MS) {
        throw new AlreadyExistsError('Contract', 'odcsId', odcsId);
      }
      if (holder && holder.odcsId === odcsId) throw new AlreadyExistsError('Contract', 'odcsId', odcsId, { id: holder._id, name: holder.name });
      await this.takeOver(_id, key); // left behind: take it over
    }
    throw new AlreadyExistsError('Contract', 'odcsId', odcsId);
  }

  /**
   * Removes the key `stale` left behind, unless it changed meanwhile. Where conditional writes are atomic (`cas`)
   * that is one delete by `{_id, contractId, at}`. Under `claims` (FerretDB 1.x finds, then deletes by `_id`) the
   * takers of one key go one at a time, under a write lock (claims.ts withLock), each reading the key again first:
   * otherwise a slow taker's delete could remove the key a faster taker had just inserted, and both creates would
   * hold the id (measured: two of six concurrent creates got it). Every other remover of the key (a delete of its
   * contract, a create giving it back: keys.ts removeKey) takes the same lock, and an insert cannot replace a key,
   * so the read stays true until the delete.
   */
  private async takeOver(_id: string, stale: StoredContractKey): Promise<void> {
    if (!this.claims || protocolOf(this.claims) === 'cas') {
      await this.keys.deleteOne({ _id, contractId: stale.contractId, at: stale.at });
      return;
    }
    await withLock(this.claims, `takeover/${_id}`, async () => {
      if (await keyStands(this.keys, _id, stale)) await this.keys.deleteOne({ _id });
    });
  }

  /** Gives `odcsId` up, if `contractId` holds it. Best effort: a key left behind is taken over later (see above). */
  async release(odcsId: string, contractId: string): Promise<void> {
    const _id = odcsKeyId(odcsId);
    await (this.claims ? removeKey(this.keys, this.claims, _id, contractId) : this.keys.deleteOne({ _id, contractId })).catch(() => undefined);
  }

  /**
   * The contract holding `odcsId`: by its key (two point reads), else — a contract written without a key, e.g. by
   * an older instance during a rolling deploy — the oldest contract whose document has that id.
   */
  async holder(odcsId: string): Promise<StoredContractView | null> {
    const key = await this.keys.findOne({ _id: odcsKeyId(odcsId) });
    if (key) {
      const doc = await this.contracts.findOne({ _id: key.contractId }, { projection: CONTRACT_VIEW_PROJECTION });
      if (doc && doc.odcsId === odcsId) return doc;
    }
    return this.contracts.find({ odcsId }, { projection: CONTRACT_VIEW_PROJECTION }).sort({ createdAt: 1, _id: 1 }).limit(1).next();
  }
}

/**
 * Gives every contract stored before ODCS id keys existed its key, oldest first (the oldest of several sharing an
 * id holds it; an existing key is kept). Once per database: the marker is written last, so a start-up cut short
 * runs it again. Safe for several instances at once. Returns how many keys it wrote.
 */
export async function backfillOdcsIds(odcsIds: OdcsIdKeys, contracts: Collection<StoredContract>): Promise<{ ran: boolean; written: number; shared: number }> {
  const { keys } = odcsIds;
  if (await keys.findOne({ _id: BACKFILL_MARKER }, { projection: { _id: 1 } })) return { ran: false, written: 0, shared: 0 };
  let written = 0;
  let shared = 0;
  const seen = new Set<string>();
  let batch: StoredContractKey[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    try {
      written += (await keys.insertMany(batch, { ordered: false })).insertedCount;
    } catch (error) {
      // Keys that exist already (another instance, a contract created meanwhile) stay as they are.
      if (!isDuplicateKeyError(error)) throw error;
      written += (error as { result?: { insertedCount?: number } }).result?.insertedCount ?? 0;
    }
    batch = [];
  };
  const at = new Date();
  const cursor = contracts.find({ odcsId: { $ne: null } }, { projection: { _id: 1, odcsId: 1 }, batchSize: BACKFILL_BATCH }).sort({ createdAt: 1, _id: 1 });
  for await (const doc of cursor) {
    if (typeof doc.odcsId !== 'string') continue;
    if (seen.has(doc.odcsId)) {
      shared++;
      continue;
    }
    seen.add(doc.odcsId);
    batch.push({ _id: odcsKeyId(doc.odcsId), contractId: doc._id, at });
    if (batch.length >= BACKFILL_BATCH) await flush();
  }
  await flush();
  await upsertRacing(() => keys.replaceOne({ _id: BACKFILL_MARKER }, { contractId: '', at: new Date() }, { upsert: true }));
  return { ran: true, written, shared };
}

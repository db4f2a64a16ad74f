/**
 * Batch creates on MongoDB (ContractRepository.createMany, the bulk import): the steps of a single create
 * (contracts.ts), each done for the whole batch in one unordered `insertMany`, in the same order, so a batch cut
 * short leaves exactly what cut single creates leave and repair.ts completes or removes it the same way:
 *   claims `@0` of every item → ODCS id keys → name keys → versions → version keys → catalog_pending marks →
 *   contracts (with their search fields) → catalog entries → marks removed → claims released.
 * A key already taken (dup key) sends that item through the single create's careful claim (odcs-ids.ts claim,
 * keys.ts claimName: a stale key is taken over, a live one is an AlreadyExistsError naming the item); the rest of
 * the batch goes on. Two items of one batch with the same name or ODCS id: the later one is created after the
 * batch (its own round), so it meets the earlier one as it would in a sequential import.
 *
 * Under the `cas` write protocol (write-protocol.ts; MongoDB) a batch takes no claim, as a single create takes none
 * (contract-cas.ts): the record of a batch cut short is each item's `catalog_pending` mark, so the marks are written
 * right after the keys (before the versions), and the repair pass completes or removes what a cut batch left once
 * its marks are a lease old. An id given twice (in one batch or across batches) meets at the mark's or the version's
 * unique `_id` and is refused for that item alone (AlreadyExistsError on the id, as the claim refuses it).
 * Past three quarters of a lease since its first key the batch gives up before its contracts step (as a create
 * does: its keys may be taken over after a lease).
 */
import { randomUUID } from 'node:crypto';
import type { Collection, Document } from 'mongodb';
import { type Contract, type ContractVersion, type CreateContractInput, planCreate } from '../../domain/contracts.js';
import { deriveCatalogEntries } from '../../domain/catalog.js';
import { AlreadyExistsError, RegistryError } from '../../domain/errors.js';
import type { RegistryPolicy } from '../../domain/evolution.js';
import { odcsIdOf } from '../../domain/odcs-identity.js';
import type { BatchCreateOutcome } from '../types.js';
import { StorageUnavailableError } from '../errors.js';
import { type ClaimSettings, claimSettingsOf, revisionKey, type StoredClaim } from './claims.js';
import { COLLECTIONS, type MongoCollections, type StoredCatalogEntry, toStoredCatalogEntry, toStoredContract, toStoredVersion } from './documents/index.js';
import { isDuplicateKeyError, mayLandLater } from './errors.js';
import type { FaultHook } from './faults.js';
import { claimName, type KeyCollection, nameKeyId, odcsKeyId, releaseName, repairName, versionKeyId } from './keys.js';
import type { OdcsIdKeys } from './odcs-ids.js';

export interface BatchWriter {
  collections: MongoCollections;
  keys: KeyCollection;
  odcsIds: OdcsIdKeys;
  policy: RegistryPolicy;
  faults?: FaultHook;
  /** Throws when the request was stopped (domain/cancellation stopPoint): checked between steps. */
  stopPoint?: () => void;
}

interface Item {
  index: number;
  contract: Contract;
  version: ContractVersion;
  odcsId: string | null;
  token: string;
  claim: StoredClaim;
}

/** Creates `inputs` in batched writes; one outcome per input, in order. */
export async function createBatch(w: BatchWriter, inputs: readonly CreateContractInput[], actor: string | null): Promise<BatchCreateOutcome[]> {
  const outcomes: (BatchCreateOutcome | null)[] = inputs.map(() => null);
  const items: Item[] = [];
  const later: number[] = [];
  const names = new Set<string>();
  const odcsIdsSeen = new Set<string>();
  const now = new Date();
  const settings = claimSettingsOf(w.collections.claims);
  for (const [index, input] of inputs.entries()) {
    try {
      const { contract, version } = planCreate(input, input.id ?? randomUUID(), { now, actor, policy: w.policy });
      const odcsId = odcsIdOf(version.document);
      if (names.has(contract.name) || (odcsId !== null && odcsIdsSeen.has(odcsId))) {
        later.push(index);
        continue;
      }
      names.add(contract.name);
      if (odcsId !== null) odcsIdsSeen.add(odcsId);
      const token = randomUUID();
      const claim: StoredClaim = {
        _id: revisionKey(COLLECTIONS.contracts, contract.id, 0),
        token,
        owner: settings.owner,
        at: now,
        expiresAt: new Date(now.getTime() + settings.leaseMs),
      };
      items.push({ index, contract, version, odcsId, token, claim });
    } catch (error) {
      if (!(error instanceof RegistryError)) throw error;
      outcomes[index] = { ok: false, error };
    }
  }
  if (items.length > 0) await writeItems(w, items, outcomes);
  if (later.length > 0) {
    const rest = await createBatch(w, later.map((i) => inputs[i]!), actor);
    later.forEach((i, k) => (outcomes[i] = rest[k]!));
  }
  return outcomes.map((o) => o!);
}

async function writeItems(w: BatchWriter, all: Item[], outcomes: (BatchCreateOutcome | null)[]): Promise<void> {
  const { collections, keys } = w;
  const settings = claimSettingsOf(collections.claims);
  const cas = settings.protocol === 'cas';
  const first = all[0]!.contract.id;
  const step = async (name: 'claimed' | 'keys' | 'versions' | 'contracts' | 'catalog') => {
    if (w.faults) await w.faults(`createMany:${name}`, first);
  };
  const fail = (item: Item, error: RegistryError) => (outcomes[item.index] = { ok: false, error });
  const renewal = cas ? null : holdClaims(collections.claims, settings, all);
  let live = all;
  const keyed = Date.now();
  try {
    if (!cas) {
      // Fresh ids: a claim can only be taken when the caller gave an id twice.
      const claimed = await insertEach(collections.claims as unknown as Collection<Document>, live.map((i) => i.claim), (doc, mine) => doc.token === mine.token);
      live = live.filter((item, k) => claimed[k] || (fail(item, new AlreadyExistsError('Contract', 'id', item.contract.id)), false));
    }
    await step('claimed');
    w.stopPoint?.();

    // ODCS id keys, then name keys; a taken key goes the careful way (stale keys are taken over).
    const withId = live.filter((i) => i.odcsId !== null);
    const odcsTaken = await insertEach(keys as unknown as Collection<Document>, withId.map((i) => ({ _id: odcsKeyId(i.odcsId!), contractId: i.contract.id, at: now() })), sameContract);
    const refused = new Set<Item>();
    for (const [k, item] of withId.entries()) {
      if (odcsTaken[k]) continue;
      try {
        await w.odcsIds.claim(item.odcsId!, item.contract.id);
      } catch (error) {
        if (!(error instanceof RegistryError)) throw error;
        fail(item, error);
        refused.add(item);
      }
    }
    live = live.filter((i) => !refused.has(i));
    const nameTaken = await insertEach(keys as unknown as Collection<Document>, live.map((i) => ({ _id: nameKeyId(i.contract.name), contractId: i.contract.id, at: now() })), sameContract);
    for (const [k, item] of live.entries()) {
      if (nameTaken[k]) continue;
      try {
        await claimName(keys, collections, item.contract.name, item.contract.id);
      } catch (error) {
        if (!(error instanceof RegistryError)) throw error;
        fail(item, error);
        refused.add(item);
        if (item.odcsId !== null) await w.odcsIds.release(item.odcsId, item.contract.id);
      }
    }
    live = live.filter((i) => !refused.has(i));
    await step('keys');
    if (live.length === 0) return;
    w.stopPoint?.();

    // Versions (invisible until their contract exists), their keys, the catalog marks: fresh ids, so one insert each
    // (under cas the marks come first, and an id given twice loses its item at the mark or the version).
    if (cas) {
      live = await refuseTakenIds(w, live, fail, await insertEach(collections.catalogPending as unknown as Collection<Document>, live.map(markOf) as Document[], sameToken), false);
      if (live.length === 0) return;
      const versions = await insertEach(collections.versions as unknown as Collection<Document>, live.map((i) => toStoredVersion(i.version, i.token) as unknown as Document), (doc, mine) => doc.writeToken === mine.writeToken);
      live = await refuseTakenIds(w, live, fail, versions, true);
      if (live.length === 0) return;
    } else {
      await collections.versions.insertMany(live.map((i) => toStoredVersion(i.version, i.token)), { ordered: false });
    }
    await step('versions');
    await keys.insertMany(
      live.map((i) => ({ _id: versionKeyId(i.contract.id, i.version.version), contractId: i.contract.id, number: i.version.number, at: now() })),
      { ordered: false },
    );
    if (!cas) await collections.catalogPending.insertMany(live.map(markOf), { ordered: false });
    w.stopPoint?.();
    if (cas && Date.now() - keyed > (settings.leaseMs * 3) / 4) {
      throw new StorageUnavailableError(`the batch create of ${live.length} contracts took longer than its keys' lease allows`);
    }

    // The contracts: from here on a reader sees them. A duplicate name here is a writer that took over the same
    // stale key at the same moment (as in a single create): that item is undone and refused.
    const inserted = await insertEach(collections.contracts as unknown as Collection<Document>, live.map((i) => toStoredContract(i.contract) as unknown as Document), (doc, mine) => doc._id === mine._id);
    const lost = live.filter((_, k) => !inserted[k]);
    for (const item of lost) {
      await collections.versions.deleteOne({ _id: item.version.id, writeToken: item.token }).catch(() => undefined);
      if (item.odcsId !== null) await w.odcsIds.release(item.odcsId, item.contract.id);
      await repairName(keys, collections, item.contract.name);
      fail(item, new AlreadyExistsError('Contract', 'name', item.contract.name));
    }
    live = live.filter((_, k) => inserted[k]);
    await step('contracts');
    for (const item of live) outcomes[item.index] = { ok: true, contract: item.contract };

    // Catalog entries of every created contract, then their marks (catalog readers repair a contract still marked).
    const entries = live.flatMap((i) => deriveCatalogEntries(i.contract)).map((e) => ({ _id: e.id, ...toStoredCatalogEntry(e) }) as StoredCatalogEntry);
    if (entries.length > 0) await insertEach(collections.catalog as unknown as Collection<Document>, entries as unknown as Document[], () => true);
    if (live.length > 0) await collections.catalogPending.deleteMany({ _id: { $in: live.map((i) => i.contract.id) } });
    await step('catalog');
  } catch (error) {
    // Not a refusal: the batch may be half written. Its claims stay (they run out) so repair.ts completes or
    // removes each contract; items not yet created report nothing. After a lost answer (an insert that may yet
    // land) they stay in flight to this instance too until their leases end (as claims.ts keepUntilLeaseEnds).
    const forget = () => {
      for (const item of all) settings.inFlight.delete(item.token);
    };
    if (mayLandLater(error)) setTimeout(forget, settings.leaseMs).unref();
    else forget();
    throw error;
  } finally {
    if (renewal) {
      clearInterval(renewal);
      settings.renewals.delete(renewal);
    }
  }
  if (cas) return;
  // Released: the claims of the whole batch (refused items wrote nothing that a claim must guard any more).
  const ids = all.map((i) => i.claim._id);
  await collections.claims.deleteMany({ _id: { $in: ids } }).catch(() => undefined);
  for (const item of all) settings.inFlight.delete(item.token);
}

/** Claims only: marks the batch's claims in flight and renews their leases while it runs (as a single writer renews its one claim). */
function holdClaims(claims: Collection<StoredClaim>, settings: ClaimSettings, all: Item[]): NodeJS.Timeout {
  for (const item of all) settings.inFlight.add(item.token);
  const renewal = setInterval(() => {
    claims.updateMany({ _id: { $in: all.map((i) => i.claim._id) } }, { $set: { expiresAt: new Date(Date.now() + settings.leaseMs) } }).catch(() => undefined);
  }, Math.max(1, Math.floor(settings.leaseMs / 3)));
  renewal.unref();
  settings.renewals.add(renewal);
  return renewal;
}

/**
 * Under cas: the items whose mark (`versionsWritten` false) or version (true) was stored; each other one met another
 * writer of its id and is refused (AlreadyExistsError on the id), its keys and own mark (and version) given up.
 */
async function refuseTakenIds(w: BatchWriter, live: Item[], fail: (item: Item, error: RegistryError) => void, stored: boolean[], versionsWritten: boolean): Promise<Item[]> {
  const kept: Item[] = [];
  for (const [k, item] of live.entries()) {
    if (stored[k]) {
      kept.push(item);
      continue;
    }
    if (versionsWritten) await w.collections.catalogPending.deleteOne({ _id: item.contract.id, token: item.token }).catch(() => undefined);
    await releaseName(w.keys, w.collections.claims, item.contract.name, item.contract.id);
    if (item.odcsId !== null) await w.odcsIds.release(item.odcsId, item.contract.id);
    fail(item, new AlreadyExistsError('Contract', 'id', item.contract.id));
  }
  return kept;
}

function markOf(item: Item): { _id: string; token: string; at: Date } {
  return { _id: item.contract.id, token: item.token, at: now() };
}

function sameToken(doc: Document, mine: Document): boolean {
  return doc.token === mine.token;
}

function now(): Date {
  return new Date();
}

function sameContract(doc: Document, mine: Document): boolean {
  return doc.contractId === mine.contractId;
}

/**
 * Inserts `docs` with one unordered insertMany; per document whether it is stored as `docs` has it (true) or its
 * `_id` was taken by another (false). After a duplicate the documents are checked one by one (FerretDB 1.x may stop
 * an unordered insert at its first error): each is inserted again, a duplicate read back and compared (`ours`).
 */
async function insertEach(collection: Collection<Document>, docs: Document[], ours: (stored: Document, mine: Document) => boolean): Promise<boolean[]> {
  if (docs.length === 0) return [];
  try {
    await collection.insertMany(docs, { ordered: false });
    return docs.map(() => true);
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
  const stored: boolean[] = [];
  for (const doc of docs) {
    try {
      await collection.insertOne(doc);
      stored.push(true);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const existing = await collection.findOne({ _id: doc._id });
      stored.push(existing !== null && ours(existing, doc));
    }
  }
  return stored;
}

/**
 * Rewrites the stored search fields of contracts written by an older derivation (searchVersion absent or below
 * SEARCH_VERSION; 3 added the word postings, 4 stores them as JSON text), at start-up, before the backend serves. Each contract is rewritten
 * from its own stored name, owner, status and document, only while its revision is still the one read: a write that
 * got there first has already stored the current fields. Where `{_id, revision}` is not an index read
 * (capabilities.ts idConditions false: FerretDB would scan once per contract) the rewrite is by `_id`, and then the
 * batch's revisions are point-read again: a contract written meanwhile is rewritten from its new state. Nothing but the derived search fields changes, so a crash part-way leaves
 * every contract either as it was (and searchable the old way) or rewritten; the next start-up finishes the rest.
 * Catalog entries written before the `propertyWord` filter existed lack their word list: when one is found the
 * catalog is rebuilt from the contracts (idempotent; MongoCatalogRepository.rebuild).
 *
 * Both checks scan (the catalog's has no index, and on FerretDB every filter but `_id` equality is a scan): at
 * 1,000 contracts on FerretDB/SQLite they took 29 s and 20 s of every start-up. So start-up runs them once per
 * database and SEARCH_VERSION (migrateSearchFieldsOnce): a marker in contract_keys, written after both finished,
 * is read by `_id` first. This version's writes store current fields, so nothing is outdated after the marker.
 */
import type { AnyBulkWriteOperation, Filter } from 'mongodb';
import { bulkWriteInCommands } from './bulk.js';
import { MongoCatalogRepository } from './catalog.js';
import { fromStoredContract, type MongoCollections, type StoredContract } from './documents/index.js';
import type { KeyCollection } from './keys.js';
import { readByIds } from './point-reads.js';
import { SEARCH_VERSION, storedSearchFields } from './search-fields.js';
import { upsertRacing } from './upserts.js';

/** How many contracts one round trip rewrites. */
export const SEARCH_MIGRATION_BATCH = 200;

/** The contracts whose search fields are older than SEARCH_VERSION (index contracts_search_version). */
export function outdatedSearchFilter(): Filter<StoredContract> {
  return { $or: [{ searchVersion: { $exists: false } }, { searchVersion: { $lt: SEARCH_VERSION } }] } as Filter<StoredContract>;
}

export async function migrateSearchFields(collections: MongoCollections, idConditions = true): Promise<{ rewritten: number; catalogRebuilt: boolean }> {
  const { rewritten } = await migrateContracts(collections, idConditions);
  const stale = await collections.catalog.findOne({ propertyWords: { $exists: false } }, { projection: { _id: 1 } });
  if (stale) await new MongoCatalogRepository(collections).rebuild();
  return { rewritten, catalogRebuilt: stale !== null };
}

/** The marker of a finished migration to SEARCH_VERSION (in contract_keys, as the other start-up migrations). */
export function searchMigrationMarker(): string {
  return `migration/search-fields-v${SEARCH_VERSION}`;
}

/**
 * migrateSearchFields unless this database's marker says it already ran for SEARCH_VERSION; the marker is written
 * last, so a start-up cut short runs it again (rewriting current fields is harmless).
 */
export async function migrateSearchFieldsOnce(
  keys: KeyCollection,
  collections: MongoCollections,
  idConditions = true,
): Promise<{ ran: boolean; rewritten: number; catalogRebuilt: boolean }> {
  const marker = searchMigrationMarker();
  if (await keys.findOne({ _id: marker }, { projection: { _id: 1 } })) return { ran: false, rewritten: 0, catalogRebuilt: false };
  const done = await migrateSearchFields(collections, idConditions);
  await upsertRacing(() => keys.replaceOne({ _id: marker }, { contractId: '', at: new Date() }, { upsert: true }));
  return { ran: true, ...done };
}

async function migrateContracts({ contracts }: MongoCollections, idConditions: boolean): Promise<{ rewritten: number }> {
  let rewritten = 0;
  let batch: StoredContract[] = [];
  const rewrite = (doc: StoredContract): AnyBulkWriteOperation<StoredContract> => ({
    updateOne: {
      filter: (idConditions ? { _id: doc._id, revision: doc.revision } : { _id: doc._id }) as Filter<StoredContract>,
      update: { $set: storedSearchFields(fromStoredContract(doc)), $unset: { search: '' } },
    },
  });
  const flush = async () => {
    let docs = batch;
    batch = [];
    while (docs.length > 0) {
      const result = await bulkWriteInCommands(contracts, docs.map(rewrite));
      rewritten += result.modifiedCount;
      if (idConditions) return;
      // Written by _id: redo any contract whose revision moved since it was read.
      const now = await readByIds(contracts, docs.map((d) => d._id), 'points');
      docs = docs.flatMap((d) => {
        const current = now.get(d._id);
        return current && current.revision !== d.revision ? [current] : [];
      });
    }
  };
  for await (const doc of contracts.find(outdatedSearchFilter(), { batchSize: SEARCH_MIGRATION_BATCH })) {
    batch.push(doc);
    if (batch.length >= SEARCH_MIGRATION_BATCH) await flush();
  }
  await flush();
  return { rewritten };
}

/**
 * Rewrites the stored search fields of contracts written by an older derivation (searchVersion absent or below
 * SEARCH_VERSION), at start-up, before the backend serves. Each contract is rewritten from its own stored name,
 * owner, status and document, only while its revision is still the one read: a write that got there first has
 * already stored the current fields. Nothing but the derived search fields changes, so a crash part-way leaves
 * every contract either as it was (and searchable the old way) or rewritten; the next start-up finishes the rest.
 * Catalog entries written before the `propertyWord` filter existed lack their word list: when one is found the
 * catalog is rebuilt from the contracts (idempotent; MongoCatalogRepository.rebuild).
 */
import type { AnyBulkWriteOperation, Filter } from 'mongodb';
import { MongoCatalogRepository } from './catalog.js';
import { fromStoredContract, type MongoCollections, type StoredContract } from './documents/index.js';
import { SEARCH_VERSION, storedSearchFields } from './search-fields.js';

/** How many contracts one round trip rewrites. */
export const SEARCH_MIGRATION_BATCH = 200;

/** The contracts whose search fields are older than SEARCH_VERSION (index contracts_search_version). */
export function outdatedSearchFilter(): Filter<StoredContract> {
  return { $or: [{ searchVersion: { $exists: false } }, { searchVersion: { $lt: SEARCH_VERSION } }] } as Filter<StoredContract>;
}

export async function migrateSearchFields(collections: MongoCollections): Promise<{ rewritten: number; catalogRebuilt: boolean }> {
  const { rewritten } = await migrateContracts(collections);
  const stale = await collections.catalog.findOne({ propertyWords: { $exists: false } }, { projection: { _id: 1 } });
  if (stale) await new MongoCatalogRepository(collections).rebuild();
  return { rewritten, catalogRebuilt: stale !== null };
}

async function migrateContracts({ contracts }: MongoCollections): Promise<{ rewritten: number }> {
  let rewritten = 0;
  let batch: AnyBulkWriteOperation<StoredContract>[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const result = await contracts.bulkWrite(batch, { ordered: false });
    rewritten += result.modifiedCount;
    batch = [];
  };
  for await (const doc of contracts.find(outdatedSearchFilter(), { batchSize: SEARCH_MIGRATION_BATCH })) {
    const fields = storedSearchFields(fromStoredContract(doc));
    batch.push({ updateOne: { filter: { _id: doc._id, revision: doc.revision }, update: { $set: fields } } });
    if (batch.length >= SEARCH_MIGRATION_BATCH) await flush();
  }
  await flush();
  return { rewritten };
}

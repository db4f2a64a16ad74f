/**
 * Rewrites the stored search fields of contracts written by an older derivation (searchVersion absent or below
 * SEARCH_VERSION; 3 added the word postings), at start-up, before the backend serves. Each contract is rewritten
 * from its own stored name, owner, status and document, only while its revision is still the one read: a write that
 * got there first has already stored the current fields. Where `{_id, revision}` is not an index read
 * (capabilities.ts idConditions false: FerretDB would scan once per contract) the rewrite is by `_id`, and then the
 * batch's revisions are point-read again: a contract written meanwhile is rewritten from its new state. Nothing but the derived search fields changes, so a crash part-way leaves
 * every contract either as it was (and searchable the old way) or rewritten; the next start-up finishes the rest.
 * SEARCH_VERSION 4 added the word index (search-index.ts): a contract's postings are written to it before the
 * contract's searchVersion moves to 4, so a contract at 4 is always in the word index (indexContracts, which a bulk
 * insert of stored contracts, as the benchmark's seed, calls too).
 * Catalog entries written before the `propertyWord` filter existed lack their word list: when one is found the
 * catalog is rebuilt from the contracts (idempotent; MongoCatalogRepository.rebuild).
 */
import type { AnyBulkWriteOperation, Filter } from 'mongodb';
import { MongoCatalogRepository } from './catalog.js';
import { fromStoredContract, type MongoCollections, type StoredContract } from './documents/index.js';
import { readByIds } from './point-reads.js';
import type { Contract } from '../../domain/contracts.js';
import { contractPostings, SEARCH_VERSION, storedSearchFields } from './search-fields.js';
import { bucketOf, postingField, type SearchIndexCollections, type StoredWordBucket, wordBucketId, writeWords } from './search-index.js';

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

async function migrateContracts(collections: MongoCollections, idConditions: boolean): Promise<{ rewritten: number }> {
  const { contracts } = collections;
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
    await indexContracts(collections, docs.map(fromStoredContract));
    while (docs.length > 0) {
      const result = await contracts.bulkWrite(docs.map(rewrite), { ordered: false });
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

/**
 * Writes the postings of these contracts' current texts to the word index, one write per word bucket for the whole
 * batch (idempotent: a repeat sets the same values).
 */
export async function indexContracts(collections: SearchIndexCollections, batch: readonly Contract[]): Promise<void> {
  const byBucket = new Map<string, Record<string, number[]>>();
  for (const contract of batch) {
    const bucket = bucketOf(contract.id);
    const field = `p.${postingField(contract.id)}`;
    for (const [word, list] of contractPostings(contract)) {
      const id = wordBucketId(word, bucket);
      let set = byBucket.get(id);
      if (!set) byBucket.set(id, (set = {}));
      set[field] = list;
    }
  }
  const ops = [...byBucket].map(([id, set]) => ({ updateOne: { filter: { _id: id }, update: { $set: set }, upsert: true } }));
  for (let i = 0; i < ops.length; i += SEARCH_MIGRATION_BATCH * 5) {
    await writeWords(collections.searchWords, ops.slice(i, i + SEARCH_MIGRATION_BATCH * 5) as AnyBulkWriteOperation<StoredWordBucket>[]);
  }
}

/**
 * Contract search on MongoDB, through the word index (search-index.ts) on every server: the query's words are read
 * by `_id` (SEARCH_WORD_BUCKETS documents per word), which gives every contract holding one of them with those
 * words' postings: its exact score, with no contract read and no text tokenized. Of these the best
 * `maxCandidates` (domain search-select.ts) are read by `_id`, only their ranking fields and the postings of the
 * query's words stored on the contract itself (search-fields.ts candidateProjection: the truth, written with the
 * contract in one step; a posting the word index still holds for a word the contract lost, or for a contract that
 * is gone, drops out here). They are ranked, filtered and counted by domain rankCandidates, exactly as in memory.
 * Then the page's contracts are read whole, by id (point-reads.ts). So a search costs the same commands whatever
 * the number of contracts: words × SEARCH_WORD_BUCKETS, at most maxCandidates, and the page.
 * Filters and facets work on the ranked candidates, in the same pass that ranks them. Pages use offset cursors
 * (ranked lists have no stable keyset), forward or backward (../cursor.ts offsetWindow).
 */
import { prepareQuery, queryTerms, rankCandidates, type SearchFilter, type WordPostings } from '../../domain/search.js';
import { DEFAULT_SEARCH_MAX_CANDIDATES, type IndexedCandidate, selectCandidates } from '../../domain/search-select.js';
import { encodeOffsetCursor, offsetWindow } from '../cursor.js';
import type { ContractSearchHit, ContractSearchPage, PageRequest } from '../types.js';
import { fromStoredContract, type MongoCollections } from './documents/index.js';
import type { BatchReads } from './point-reads.js';
import { readByIds } from './point-reads.js';
import { candidateOf, candidateProjection, type StoredCandidate } from './search-fields.js';
import { contractIdOfField, wordBucketIds } from './search-index.js';

const NO_FACETS = { status: [], owner: [], domain: [], tag: [], hasPii: [] };

export async function searchContracts(
  collections: MongoCollections,
  batchReads: BatchReads,
  query: string,
  page: PageRequest,
  filter: SearchFilter = {},
  maxCandidates: number = DEFAULT_SEARCH_MAX_CANDIDATES,
): Promise<ContractSearchPage> {
  const { contracts } = collections;
  const terms = queryTerms(query);
  if (terms.length === 0) {
    await offsetWindow(page, () => 0); // an invalid cursor is an error even for an empty query
    return { items: [], cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount: async () => 0, facets: NO_FACETS };
  }
  const found = await indexedCandidates(collections, batchReads, terms);
  const ids = selectCandidates(found, prepareQuery(query), maxCandidates);
  const docs = await readByIds(contracts, ids, batchReads, { projection: candidateProjection(terms) });
  const { hits, facets } = rankCandidates(
    [...docs.values()].map((d) => candidateOf(d as unknown as StoredCandidate, terms)),
    query,
    filter,
  );

  const { start, size, hasPreviousPage, hasNextPage } = await offsetWindow(page, () => hits.length);
  const slice = hits.slice(start, start + size);
  const byId = await readByIds(contracts, slice.map((h) => h.id), batchReads);
  const items: ContractSearchHit[] = [];
  const cursors: string[] = [];
  slice.forEach((hit, i) => {
    const doc = byId.get(hit.id);
    if (!doc) return; // deleted since it was ranked
    items.push({ contract: fromStoredContract(doc), score: hit.score, matchedFields: hit.matchedFields });
    cursors.push(encodeOffsetCursor(start + i));
  });
  return {
    items,
    cursors,
    hasNextPage: hasNextPage(hits.length - start),
    hasPreviousPage,
    totalCount: async () => hits.length,
    facets,
  };
}

/** The contracts the word index holds for any of the words, each with those words' postings. */
async function indexedCandidates(collections: MongoCollections, batchReads: BatchReads, terms: readonly string[]): Promise<IndexedCandidate[]> {
  const buckets = await readByIds(collections.searchWords, terms.flatMap(wordBucketIds), batchReads);
  const found = new Map<string, Map<string, WordPostings>>();
  for (const term of terms) {
    for (const bucketId of wordBucketIds(term)) {
      const postings = buckets.get(bucketId)?.p;
      if (!postings || typeof postings !== 'object') continue;
      for (const [field, list] of Object.entries(postings)) {
        if (!Array.isArray(list) || list.length === 0) continue;
        const id = contractIdOfField(field);
        let held = found.get(id);
        if (!held) found.set(id, (held = new Map()));
        held.set(term, list);
      }
    }
  }
  return [...found].map(([id, postings]) => ({ id, postings }));
}

/**
 * Contract search on MongoDB. Candidates are the contracts holding a query word: through the text index
 * (`$text` over the stored word list) where the server has one (capabilities.textSearch), else through the
 * multikey index on the same list (`searchTerms: {$in}`). Both find the same contracts: the list holds every whole
 * term and every part, and the query words include every part. Of the candidates only the ranking fields and the
 * postings of the query's words are read (search-fields.ts candidateProjection: no text, no tokenizing); they are
 * ranked, filtered and counted by domain rankCandidates, exactly as in memory, so both paths and both backends give
 * the same hits in the same order. Then the page's contracts are read whole, by id (point-reads.ts).
 * Filters and facets work on the candidate set, in the same pass that ranks it: the query itself is always the
 * indexed word lookup. Pages use offset cursors (ranked lists have no stable keyset), forward or backward (../cursor.ts
 * offsetWindow).
 */
import type { Filter } from 'mongodb';
import { queryTerms, rankCandidates, type SearchFilter } from '../../domain/search.js';
import { encodeOffsetCursor, offsetWindow } from '../cursor.js';
import type { ContractSearchHit, ContractSearchPage, PageRequest } from '../types.js';
import { fromStoredContract, type MongoCollections, type StoredContract } from './documents/index.js';
import type { BatchReads } from './point-reads.js';
import { readByIds } from './point-reads.js';
import { candidateOf, candidateProjection, type StoredCandidate } from './search-fields.js';

const NO_FACETS = { status: [], owner: [], domain: [], tag: [], hasPii: [] };

/** The candidate query: any query word, through the text index or the word-list index. */
export function candidateFilter(textSearch: boolean, terms: readonly string[]): Filter<StoredContract> {
  // The words have no quotes or leading '-', which $search would read as phrases or negations.
  // One word is an equality, which FerretDB/PostgreSQL pushes down to its storage (an `$in` it does not).
  if (textSearch) return { $text: { $search: terms.join(' ') } } as Filter<StoredContract>;
  return (terms.length === 1 ? { searchTerms: terms[0] } : { searchTerms: { $in: [...terms] } }) as Filter<StoredContract>;
}

export async function searchContracts(
  { contracts }: MongoCollections,
  textSearch: boolean,
  batchReads: BatchReads,
  query: string,
  page: PageRequest,
  filter: SearchFilter = {},
): Promise<ContractSearchPage> {
  const terms = queryTerms(query);
  if (terms.length === 0) {
    await offsetWindow(page, () => 0); // an invalid cursor is an error even for an empty query
    return { items: [], cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount: async () => 0, facets: NO_FACETS };
  }
  const docs = (await contracts.find(candidateFilter(textSearch, terms), { projection: candidateProjection(terms) }).toArray()) as unknown as StoredCandidate[];
  const { hits, facets } = rankCandidates(
    docs.map((d) => candidateOf(d, terms)),
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

/**
 * The in-memory word index: each stored contract's search postings (domain search-postings.ts) and facet values,
 * derived once per stored contract object and kept as long as that object is the stored one (every write stores a
 * new object, so a write drops its entry). A search looks up the query's words in these postings: it reads no
 * contract's text and tokenizes nothing but the query.
 */
import type { Contract } from '../../domain/contracts.js';
import {
  facetValuesOf,
  postingsOf,
  prepareQuery,
  queryTerms,
  rankCandidates,
  type SearchCandidate,
  type SearchFacetValues,
  type SearchFilter,
  type SearchPostings,
  searchTextOf,
} from '../../domain/search.js';
import { selectCandidates } from '../../domain/search-select.js';

export interface ContractSearchIndex {
  postings: SearchPostings;
  facets: SearchFacetValues;
}

const indexes = new WeakMap<Contract, ContractSearchIndex>();

/** The search index entry of a stored contract (never a copy handed out: the stored object itself). */
export function searchIndexOf(stored: Contract): ContractSearchIndex {
  let entry = indexes.get(stored);
  if (!entry) {
    entry = { postings: postingsOf(searchTextOf(stored.name, stored.document, stored.owner)), facets: facetValuesOf(stored) };
    indexes.set(stored, entry);
  }
  return entry;
}

/**
 * The ranked hits of a query among stored contracts, as on MongoDB: every contract holding a query word, the `cap`
 * best of them by their postings alone (domain search-select.ts), ranked in full (rankCandidates).
 */
export function rankStored(stored: Iterable<Contract>, query: string, filter: SearchFilter, cap: number): ReturnType<typeof rankCandidates> {
  const terms = queryTerms(query);
  const found = new Map<string, { contract: Contract; index: ContractSearchIndex }>();
  for (const c of stored) {
    const index = searchIndexOf(c);
    if (terms.some((t) => index.postings.has(t))) found.set(c.id, { contract: c, index });
  }
  const ids = selectCandidates(
    [...found.values()].map(({ contract, index }) => ({ id: contract.id, postings: index.postings })),
    prepareQuery(query),
    cap,
  );
  const candidates: SearchCandidate[] = ids.map((id) => {
    const { contract, index } = found.get(id)!;
    return { id, name: contract.name, updatedAt: contract.updatedAt, postings: index.postings, facets: index.facets };
  });
  return rankCandidates(candidates, query, filter);
}

/**
 * The in-memory word index: each stored contract's search postings (domain search-postings.ts) and facet values,
 * derived once per stored contract object and kept as long as that object is the stored one (every write stores a
 * new object, so a write drops its entry). A search looks up the query's words in these postings: it reads no
 * contract's text and tokenizes nothing but the query.
 */
import type { Contract } from '../../domain/contracts.js';
import { facetValuesOf, postingsOf, type SearchFacetValues, type SearchPostings, searchTextOf } from '../../domain/search.js';

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

/**
 * Which candidates of a query a search ranks in full: the word index gives every contract holding a query word
 * with that word's postings (search-postings.ts), which is enough for its exact score (scoreQueryPostings) and the
 * weight of its best matched field. A search keeps the `cap` best by score, then that weight, then the id, and
 * only those are read and ranked (search.ts rankCandidates, with the ties broken by name and recency). So the work
 * per query beyond the word index is bounded by the cap however common its words are; the hits, their order, the
 * total count and the facet counts are exact whenever the query has at most `cap` candidates, and otherwise are
 * those of the `cap` best. Pure.
 */
import { type PreparedQuery, SEARCH_WEIGHTS, scoreQueryPostings } from './search.js';
import type { WordPostings } from './search-postings.js';

/** The default of GRIOT_SEARCH_MAX_CANDIDATES. */
export const DEFAULT_SEARCH_MAX_CANDIDATES = 1000;

/** One contract found in the word index: the postings of the query words it holds. */
export interface IndexedCandidate {
  id: string;
  postings: ReadonlyMap<string, WordPostings>;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The ids of the `cap` best candidates (all of them when there are no more), best first. */
export function selectCandidates(candidates: Iterable<IndexedCandidate>, query: PreparedQuery, cap: number): string[] {
  const scored: { id: string; score: number; weight: number }[] = [];
  for (const c of candidates) {
    const s = scoreQueryPostings((w) => c.postings.get(w), query);
    if (!s) continue;
    scored.push({ id: c.id, score: s.score, weight: Math.max(0, ...s.matchedFields.map((f) => SEARCH_WEIGHTS[f])) });
  }
  if (scored.length <= cap) return scored.map((s) => s.id);
  scored.sort((a, b) => b.score - a.score || b.weight - a.weight || cmp(a.id, b.id));
  return scored.slice(0, Math.max(0, cap)).map((s) => s.id);
}

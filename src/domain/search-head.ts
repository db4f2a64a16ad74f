/**
 * The head of a word's candidates: a word index stores each word's candidates in the order the one-word query for
 * exactly that word ranks them (rankCandidates), so that a reader of a one-word query can take the first few and
 * still answer a first page exactly, when it can prove that none of the candidates it left out ranks above the
 * hits it returns. Pure.
 *
 * What a reader knows of the candidates it left out (LeftOut): the highest word score among them (their scores
 * for the word alone, scoreFromPostings, unrounded) and the first of them in the word's order. A hit is ahead of
 * every one of them when its final score is above the highest final score they can reach (the final score grows
 * with the word score, and the share of a one-word query is the same for every candidate), or, when the query
 * ranks exactly as the word's own one-word query does (the same words, base words and phrase), when it ranks
 * above the first of them: that one ranks above all the others, so equal scores across the cut are decided too.
 */
import { compareRanks, prepareQuery, type PreparedQuery, rankOf, type RankedHit, type SearchCandidate, scoreQueryPostings } from './search.js';
import { scoreFromPostings } from './search-postings.js';

/** The items of one word in the order of the one-word query for that word (best first), with their word scores. */
export function orderForWord<T>(word: string, items: readonly T[], candidateOf: (item: T) => SearchCandidate): { item: T; wordScore: number | null }[] {
  const prepared = prepareQuery(word);
  const ranked = items.map((item) => {
    const candidate = candidateOf(item);
    const postings = (w: string) => candidate.postings.get(w);
    return { item, rank: rankOf(candidate, prepared), wordScore: scoreFromPostings(postings, [word])?.score ?? null };
  });
  // No hit (no postings for the word: never stored) last, by id, so the order is total.
  ranked.sort((a, b) => (a.rank && b.rank ? compareRanks(a.rank, b.rank) : a.rank ? -1 : b.rank ? 1 : 0));
  return ranked.map(({ item, wordScore }) => ({ item, wordScore }));
}

/** A word's candidates split after the first `k` of orderForWord, with what a reader needs to know of the rest. */
export function splitForWord<T>(
  word: string,
  items: readonly T[],
  k: number,
  candidateOf: (item: T) => SearchCandidate,
): { head: T[]; rest: T[]; restMax: number } {
  const ordered = orderForWord(word, items, candidateOf);
  const rest = ordered.slice(k);
  const restMax = rest.reduce((max, o) => Math.max(max, o.wordScore ?? 0), 0);
  return { head: ordered.slice(0, k).map((o) => o.item), rest: rest.map((o) => o.item), restMax };
}

/** What a reader knows of the candidates of a word it left out. */
export interface LeftOut {
  word: string;
  /** The highest word score among them (scoreFromPostings of the word alone, unrounded). */
  maxWordScore: number;
  /** The first of them in the word's order (orderForWord), as stored. */
  first: SearchCandidate | null;
}

function sameRanking(a: PreparedQuery, b: PreparedQuery): boolean {
  const same = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return same(a.terms, b.terms) && same(a.concepts, b.concepts) && a.phrase === b.phrase;
}

/**
 * How many leading hits of rankCandidates(candidates read, query, filter) rank above every candidate left out,
 * whatever those are now: the hits a page may take without reading them. `read` holds the candidates the hits
 * were ranked from. 0 unless the query's only word is the word left out of.
 */
export function hitsAhead(hits: readonly RankedHit[], read: ReadonlyMap<string, SearchCandidate>, query: string, out: LeftOut): number {
  const prepared = prepareQuery(query);
  if (prepared.terms.length !== 1 || prepared.terms[0] !== out.word) return 0;
  // The highest final score a candidate left out reaches: the ranking's own score of that word score.
  const bound = scoreQueryPostings((w) => (w === out.word ? [0, out.maxWordScore] : undefined), prepared)?.score ?? 0;
  const first = out.first && sameRanking(prepared, prepareQuery(out.word)) ? rankOf(out.first, prepared) : null;
  let ahead = 0;
  for (const hit of hits) {
    if (first) {
      const candidate = read.get(hit.id);
      const rank = candidate && rankOf(candidate, prepared);
      if (!rank || compareRanks(rank, first) >= 0) break;
    } else if (!(hit.score > bound)) break;
    ahead++;
  }
  return ahead;
}

/**
 * The scoring inputs of a contract's search text, word by word: what the word index keeps so that a search scores
 * a candidate without reading or re-tokenizing its text. Pure.
 *
 * For every word of the text, its *postings* are the fields holding it with the word's contribution there: for
 * each value of the field, each occurrence adds a geometrically shrinking amount (1, 1/2, 1/4, …), scaled by how
 * much of the value the word covers and by the field's weight; a value that is exactly the word counts 10 % more
 * (search.ts scoreSearchText). A query's score is then a sum over its words of these contributions, field by
 * field, so it is computed from the query words' postings alone.
 */
import { SEARCH_FIELDS, SEARCH_WEIGHTS, type SearchField, type SearchText } from './search.js';
import { analyze } from './search-words.js';

/** For one word: `[fieldIndex, contribution, fieldIndex, contribution, …]`, fields in SEARCH_FIELDS order. */
export type WordPostings = readonly number[];

/** The postings of a contract's words (only the words it holds). */
export type SearchPostings = ReadonlyMap<string, WordPostings>;

function fieldValues(text: SearchText, field: SearchField): string[] {
  const v = text[field];
  return Array.isArray(v) ? v : v ? [v] : [];
}

/** Every word of the text with its postings. */
export function postingsOf(text: SearchText): Map<string, number[]> {
  const postings = new Map<string, number[]>();
  SEARCH_FIELDS.forEach((field, index) => {
    const inField = new Map<string, number>();
    for (const value of fieldValues(text, field)) {
      const { words, length, terms: whole } = analyze(value);
      if (words.length === 0) continue;
      const counts = new Map<string, number>();
      for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
      for (const [word, count] of counts) {
        let freq = 0;
        for (let i = 0; i < count; i++) freq += 1 / 2 ** i;
        const coverage = 0.5 * Math.min(1, count / length) + 0.5;
        let s = SEARCH_WEIGHTS[field] * freq * coverage;
        if (whole.length === 1 && whole[0] === word) s *= 1.1;
        inField.set(word, (inField.get(word) ?? 0) + s);
      }
    }
    for (const [word, s] of inField) {
      let list = postings.get(word);
      if (!list) postings.set(word, (list = []));
      list.push(index, s);
    }
  });
  return postings;
}

/**
 * The word score of a contract for query words, from their postings: per field (in SEARCH_FIELDS order) the sum of
 * the words' contributions (in the order of `terms`), then the sum of the fields. Null when no word is held.
 */
export function scoreFromPostings(
  postings: (word: string) => WordPostings | undefined,
  terms: readonly string[],
): { score: number; matchedFields: SearchField[]; matched: Set<string> } | null {
  const fieldScores = new Array<number>(SEARCH_FIELDS.length).fill(0);
  const matched = new Set<string>();
  for (const term of terms) {
    const list = postings(term);
    if (!list || list.length === 0) continue;
    matched.add(term);
    for (let i = 0; i < list.length; i += 2) fieldScores[list[i]!] = fieldScores[list[i]!]! + list[i + 1]!;
  }
  if (matched.size === 0) return null;
  let score = 0;
  const fields: SearchField[] = [];
  fieldScores.forEach((s, i) => {
    if (s > 0) {
      fields.push(SEARCH_FIELDS[i]!);
      score += s;
    }
  });
  return fields.length ? { score, matchedFields: fields, matched } : null;
}

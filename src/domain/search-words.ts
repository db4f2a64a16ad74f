/**
 * How searchable text becomes words. A *term* is a run of letters and digits, possibly joined by `_`, `-` or `.`
 * (`customer_email`, `order-lines`, `orders.customer_email`, `rcvrCntryCode`). A term is split into its *parts*
 * at the joiners, at camelCase humps and between letters and digits (`rcvrCntryCode` → rcvr, cntry, code;
 * `address12` → address, 12; parts of one character are left out). Both are words: the whole term (so an exact `customer_email` ranks first) and each
 * part (so "customer email" finds `customer_email`). Everything is lower-cased, with accents folded.
 * The same functions read the stored text and the query, so both always agree.
 */

const TERM = /[\p{L}\p{N}]+(?:[._-]+[\p{L}\p{N}]+)*/gu;
const JOINERS = /[._-]+/u;
/** An upper-case run before a capitalised word (`XMLHttp` → XML), a capitalised or lower-case word, digits, other letters. */
const PART = /\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}?\p{Ll}+|\p{Lu}+|\p{N}+|[^\p{Lu}\p{Ll}\p{N}]+/gu;

function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '');
}

/**
 * The parts of one term (case kept until split, then lower-cased). Parts of one character are dropped: a stray
 * capital (`qUoKkA`) or a digit suffix (`street2`) would otherwise match everything; the whole term still matches.
 */
function partsOf(term: string): string[] {
  const parts: string[] = [];
  for (const segment of term.split(JOINERS)) {
    for (const part of segment.match(PART) ?? []) if (part.length > 1) parts.push(part.toLowerCase());
  }
  return parts;
}

export interface AnalyzedText {
  /** Every word in text order: each whole term, followed by its parts when they are not just the term. */
  words: string[];
  /** How many parts the text has (a term of one part counts once): the length used to weigh coverage. */
  length: number;
  /** The whole terms, lower-cased, in text order. */
  terms: string[];
}

export function analyze(text: string): AnalyzedText {
  const words: string[] = [];
  const terms: string[] = [];
  let length = 0;
  for (const raw of fold(text).match(TERM) ?? []) {
    const term = raw.toLowerCase();
    const parts = partsOf(raw);
    terms.push(term);
    words.push(term);
    if (parts.length > 1 || (parts.length === 1 && parts[0] !== term)) words.push(...parts);
    length += Math.max(1, parts.length);
  }
  return { words, length, terms };
}

/** The words of a text (see analyze), duplicates kept. */
export function tokenize(text: string): string[] {
  return analyze(text).words;
}

/** The distinct words of a query: its whole terms and their parts. */
export function queryTerms(query: string): string[] {
  return [...new Set(tokenize(query))];
}

/** The text as its parts joined by one space: `customer_orders`, `customerOrders` and "Customer orders" compare equal. */
export function normalizedPhrase(text: string): string {
  const parts: string[] = [];
  for (const raw of fold(text).match(TERM) ?? []) parts.push(...partsOf(raw));
  return parts.join(' ');
}

/** One word as typed for a prefix match: trimmed, lower-cased, accents folded (no splitting). */
export function normalizeWord(word: string): string {
  return fold(word.trim()).toLowerCase();
}

/**
 * The distinct base words of a query: the parts of each term, or the term itself when it has none
 * (`customer_email orders` → customer, email, orders). How many of them a text holds is how much of the query it
 * answers.
 */
export function queryConcepts(query: string): string[] {
  const concepts = new Set<string>();
  for (const raw of fold(query).match(TERM) ?? []) {
    const parts = partsOf(raw);
    for (const c of parts.length ? parts : [raw.toLowerCase()]) concepts.add(c);
  }
  return [...concepts];
}

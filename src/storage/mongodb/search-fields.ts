/**
 * The search fields stored on a contract document, derived from the contract on every write: the word list (the
 * portable index, and the text index where the server has one), the scoring inputs of every word (its postings,
 * domain search-postings.ts: ranking and matched fields read only the query words' postings, never the text) and
 * the facet values (filters, facet counts). `searchVersion` says which derivation wrote them; search-migration.ts
 * rewrites contracts written by an older one.
 */
import type { Contract } from '../../domain/contracts.js';
import type { ContractStatus } from '../../domain/lifecycle.js';
import { facetValuesOf, postingsOf, type SearchCandidate, type SearchText, searchTermsOf, searchTextOf, type WordPostings } from '../../domain/search.js';

/**
 * Bump whenever searchTextOf, facetValuesOf or the word splitting changes what is stored.
 * 1 (implicit, field absent): whole words of letters, digits and '_' over five fields.
 * 2: terms split into parts, twelve fields, facet values.
 * 3: the postings of every word (`searchPostings`) instead of the text (`search`, removed).
 * 4: the postings as one JSON text instead of a subdocument of one field per word. FerretDB decodes the whole stored
 *    document on every read, projection or not, and that subdocument made a contract's point read twice as costly
 *    (FerretDB 1.24, SQLite and PostgreSQL alike: p50 ~1.9 ms against ~1.0 ms as text, for a 38-property contract).
 */
export const SEARCH_VERSION = 4;

/** The search text of a contract, as stored. Fields added later may be absent on older documents. */
export type StoredSearchText = { name: string } & Partial<Omit<SearchText, 'name'>>;

export interface StoredSearchFacets {
  domain: string | null;
  tags: string[];
  hasPii: boolean;
}

export interface StoredSearchFields {
  /** Every distinct word of the search text (the portable search index, and the text index). */
  searchTerms: string[];
  /**
   * The postings of every word, keyed by postingKey(word) (ranking, and the fields reported as matched): as JSON
   * text since SEARCH_VERSION 4, a subdocument before (read with storedPostings, either way).
   */
  searchPostings?: string | Record<string, number[]>;
  /** The searchable text (SEARCH_VERSION 2; not written since 3). */
  search?: StoredSearchText;
  /** Filter and facet values beyond status and owner (absent before SEARCH_VERSION 2). */
  searchFacets?: StoredSearchFacets;
  /** Which derivation wrote these fields (absent: 1). */
  searchVersion?: number;
}

/**
 * The field name of a word's postings: `w` + the word with its dots as `~` (field names hold no dots; words hold
 * letters, digits, `_`, `-` and `.`, never `~`; the prefix keeps digits-only words from reading as array indexes).
 */
export function postingKey(word: string): string {
  return `w${word.replaceAll('.', '~')}`;
}

export function storedSearchFields(
  contract: Pick<Contract, 'name' | 'document' | 'owner' | 'status'>,
  text: SearchText = searchTextOf(contract.name, contract.document, contract.owner),
): Required<Omit<StoredSearchFields, 'search'>> {
  const facets = facetValuesOf(contract);
  const postings: Record<string, number[]> = {};
  for (const [word, list] of postingsOf(text)) postings[postingKey(word)] = list;
  return {
    searchTerms: searchTermsOf(text),
    searchPostings: JSON.stringify(postings),
    searchFacets: { domain: facets.domain, tags: facets.tags, hasPii: facets.hasPii },
    searchVersion: SEARCH_VERSION,
  };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function string(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The SearchText of a stored contract, from its stored search fields (the document is not parsed). */
export function storedSearchText(doc: Pick<StoredSearchFields, 'search'>): SearchText {
  const s = doc.search ?? ({ name: '' } as StoredSearchText);
  return {
    name: string(s.name),
    odcsId: string(s.odcsId),
    description: string(s.description),
    schemaNames: strings(s.schemaNames),
    schemaDescriptions: strings(s.schemaDescriptions),
    businessNames: strings(s.businessNames),
    propertyNames: strings(s.propertyNames),
    propertyDescriptions: strings(s.propertyDescriptions),
    tags: strings(s.tags),
    domain: string(s.domain),
    dataProduct: string(s.dataProduct),
    team: strings(s.team),
  };
}

/** What ranking reads of a stored contract (the projection of a candidate query). */
export interface StoredCandidate extends StoredSearchFields {
  _id: string;
  name: string;
  status: ContractStatus;
  owner: string | null;
  updatedAt: Date;
}

/** What a candidate query reads: the ranking fields and the postings (one text: a projection cannot pick words from it). */
export const CANDIDATE_PROJECTION = { _id: 1, name: 1, status: 1, owner: 1, updatedAt: 1, searchFacets: 1, searchPostings: 1 } as const;

const parsed = new WeakMap<object, Record<string, number[]>>();

/**
 * The postings of a stored contract by postingKey(word), in either format (text since SEARCH_VERSION 4; a
 * subdocument before, until the start-up migration rewrote it). Parsed once per read document. A text that does
 * not parse (never written so) counts as no postings: the fields are derived, and the contract's next write or the
 * next migration stores them again.
 */
export function storedPostings(doc: Pick<StoredSearchFields, 'searchPostings'>): Record<string, number[]> {
  const stored = doc.searchPostings;
  if (stored === undefined || stored === null) return {};
  if (typeof stored !== 'string') return stored;
  const known = parsed.get(doc);
  if (known) return known;
  let value: Record<string, number[]> = {};
  try {
    const json: unknown = JSON.parse(stored);
    if (json && typeof json === 'object' && !Array.isArray(json)) value = json as Record<string, number[]>;
  } catch {
    value = {};
  }
  parsed.set(doc, value);
  return value;
}

export function candidateOf(doc: StoredCandidate, terms: readonly string[]): SearchCandidate {
  const f = doc.searchFacets;
  const stored = storedPostings(doc);
  const postings = new Map<string, WordPostings>();
  for (const term of terms) {
    const key = postingKey(term);
    const list = Object.hasOwn(stored, key) ? stored[key] : undefined;
    if (Array.isArray(list)) postings.set(term, list);
  }
  return {
    id: doc._id,
    name: doc.name,
    updatedAt: doc.updatedAt instanceof Date ? doc.updatedAt : new Date(doc.updatedAt),
    postings,
    facets: {
      status: doc.status,
      owner: doc.owner ?? null,
      domain: f?.domain ?? null,
      tags: strings(f?.tags),
      hasPii: f?.hasPii === true,
    },
  };
}

/**
 * Contract search: which text of a contract is searchable, how a hit is scored, how hits are ordered, filtered and
 * counted into facets. Pure. Every backend finds its candidates its own way (all contracts in memory, the indexed
 * word list or the text index on MongoDB) and then ranks them with `rankCandidates`, so all of them return the same
 * hits in the same order. Words come from search-words.ts.
 */
import { stopPoint } from './cancellation.js';
import { isPiiProperty } from './catalog.js';
import type { ContractStatus } from './lifecycle.js';
import { caseKey } from './names.js';
import type { JsonObject, OdcsDocument, OdcsSchemaObject } from './odcs.js';
import { walkProperties } from './odcs.js';
import { postingsOf, type SearchPostings, scoreFromPostings, type WordPostings } from './search-postings.js';
import { normalizedPhrase, queryConcepts, queryTerms, tokenize } from './search-words.js';

export { queryTerms, tokenize } from './search-words.js';
export { postingsOf, type SearchPostings, type WordPostings } from './search-postings.js';

export const SEARCH_FIELDS = [
  'name',
  'odcsId',
  'schemaNames',
  'businessNames',
  'propertyNames',
  'tags',
  'domain',
  'dataProduct',
  'team',
  'description',
  'schemaDescriptions',
  'propertyDescriptions',
] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];

/** Field weights: a word in the name counts most, one in a property description least. */
export const SEARCH_WEIGHTS: Record<SearchField, number> = {
  name: 10,
  odcsId: 8,
  schemaNames: 6,
  businessNames: 5,
  propertyNames: 4,
  tags: 4,
  domain: 3,
  dataProduct: 3,
  team: 3,
  description: 2,
  schemaDescriptions: 1.5,
  propertyDescriptions: 1,
};

/** The searchable text of a contract, field by field, as written. */
export interface SearchText {
  name: string;
  odcsId: string;
  description: string;
  schemaNames: string[];
  schemaDescriptions: string[];
  /** businessName of the schemas and of their properties. */
  businessNames: string[];
  propertyNames: string[];
  propertyDescriptions: string[];
  /** Tags of the contract, its schemas and their properties. */
  tags: string[];
  domain: string;
  dataProduct: string;
  /** The team's name and the contract's owner (when they differ). */
  team: string[];
}

/** What a search can be filtered by, and what facets count. */
export interface SearchFacetValues {
  status: ContractStatus;
  owner: string | null;
  domain: string | null;
  /** The contract's own (top-level) tags. */
  tags: string[];
  /** A property of one of its schemas is personal data (as in the catalog). */
  hasPii: boolean;
}

export interface SearchFilter {
  status?: readonly ContractStatus[] | null;
  owner?: string | null;
  /** Ignoring case. */
  domain?: string | null;
  /** Contracts with this top-level tag, ignoring case. */
  tag?: string | null;
  hasPii?: boolean | null;
}

export interface FacetCount<T> {
  value: T;
  count: number;
}

/** For each facet, the hits per value among the hits of the query and every OTHER filter (so alternatives show). */
export interface SearchFacets {
  status: FacetCount<ContractStatus>[];
  owner: FacetCount<string>[];
  domain: FacetCount<string>[];
  tag: FacetCount<string>[];
  hasPii: FacetCount<boolean>[];
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function strs(values: unknown): string[] {
  return Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string' && v !== '') : [];
}

export function searchTextOf(name: string, document: JsonObject, owner: string | null = null): SearchText {
  const doc = document as unknown as OdcsDocument;
  const description = doc.description && typeof doc.description === 'object' ? doc.description : {};
  const schemas = (Array.isArray(doc.schema) ? doc.schema : []).filter((s): s is OdcsSchemaObject => !!s && typeof s === 'object');
  const text: SearchText = {
    name,
    odcsId: str(doc.id),
    description: [description.purpose, description.usage, description.limitations].filter((s) => typeof s === 'string' && s).join('\n'),
    schemaNames: [],
    schemaDescriptions: [],
    businessNames: [],
    propertyNames: [],
    propertyDescriptions: [],
    tags: strs(doc.tags),
    domain: str(doc.domain),
    dataProduct: str(doc.dataProduct),
    team: [],
  };
  for (const schema of schemas) {
    if (typeof schema.name === 'string') text.schemaNames.push(schema.name);
    if (str(schema.description)) text.schemaDescriptions.push(str(schema.description));
    if (str(schema.businessName)) text.businessNames.push(str(schema.businessName));
    text.tags.push(...strs(schema.tags));
    for (const { property } of walkProperties(schema.properties)) {
      text.propertyNames.push(property.name);
      if (str(property.description)) text.propertyDescriptions.push(str(property.description));
      if (str(property.businessName)) text.businessNames.push(str(property.businessName));
      text.tags.push(...strs(property.tags));
    }
  }
  const team = doc.team as { name?: unknown } | unknown[] | undefined;
  const teamName = team && !Array.isArray(team) ? str(team.name).trim() : '';
  if (teamName) text.team.push(teamName);
  if (owner && owner !== teamName) text.team.push(owner);
  return text;
}

export function facetValuesOf(contract: { status: ContractStatus; owner: string | null; document: JsonObject }): SearchFacetValues {
  const doc = contract.document as unknown as OdcsDocument;
  const schemas = Array.isArray(doc.schema) ? doc.schema : [];
  const hasPii = schemas.some((s) => {
    for (const { property } of walkProperties(s?.properties)) if (isPiiProperty(property)) return true;
    return false;
  });
  const domain = str(doc.domain).trim();
  return { status: contract.status, owner: contract.owner, domain: domain || null, tags: [...new Set(strs(doc.tags))], hasPii };
}

function fieldValues(text: SearchText, field: SearchField): string[] {
  const v = text[field];
  return Array.isArray(v) ? v : v ? [v] : [];
}

/** Every distinct word of the searchable text: what the portable search index holds. */
export function searchTermsOf(text: SearchText): string[] {
  const terms = new Set<string>();
  for (const field of SEARCH_FIELDS) for (const value of fieldValues(text, field)) for (const t of tokenize(value)) terms.add(t);
  return [...terms];
}

export function matchedFields(text: SearchText, terms: readonly string[]): SearchField[] {
  const wanted = new Set(terms);
  return SEARCH_FIELDS.filter((field) => fieldValues(text, field).some((value) => tokenize(value).some((t) => wanted.has(t))));
}

/**
 * Scores text for query words: for every field value, each word occurrence adds a geometrically shrinking amount
 * (1, 1/2, 1/4, …), scaled by how much of the value the word covers and by the field's weight; a value that is
 * exactly the word counts 10 % more. A whole term (`customer_email`) is a word besides its parts, so a value
 * holding the exact term scores above one holding only its parts. Null when nothing matches.
 */
export function scoreSearchText(text: SearchText, terms: readonly string[]): { score: number; matchedFields: SearchField[] } | null {
  const scored = scoreWords(text, terms);
  return scored && { score: round(scored.score), matchedFields: scored.matchedFields };
}

function round(score: number): number {
  return Math.round(score * 1e6) / 1e6;
}

function scoreWords(text: SearchText, terms: readonly string[]): { score: number; matchedFields: SearchField[]; matched: Set<string> } | null {
  if (terms.length === 0) return null;
  const postings = postingsOf(text);
  return scoreFromPostings((w) => postings.get(w), terms);
}

/**
 * The score of a contract for a query: its word score (scoreSearchText) times the square of the share of the
 * query's base words it holds, so a contract answering the whole query ("order lines" in `order-lines`) ranks above one that repeats
 * half of it.
 */
export function scoreQuery(text: SearchText, query: string): { score: number; matchedFields: SearchField[] } | null {
  const postings = postingsOf(text);
  return scoreQueryPostings((w) => postings.get(w), prepareQuery(query));
}

/** A query's words, base words and phrase, worked out once per search. */
export interface PreparedQuery {
  terms: string[];
  concepts: string[];
  phrase: string;
}

export function prepareQuery(query: string): PreparedQuery {
  return { terms: queryTerms(query), concepts: queryConcepts(query), phrase: normalizedPhrase(query) };
}

/** scoreQuery from the postings of the query's words (search-postings.ts): the text is not needed. */
export function scoreQueryPostings(postings: (word: string) => WordPostings | undefined, query: PreparedQuery): { score: number; matchedFields: SearchField[] } | null {
  if (query.terms.length === 0) return null;
  const scored = scoreFromPostings(postings, query.terms);
  if (!scored) return null;
  const held = query.concepts.filter((c) => scored.matched.has(c)).length;
  const share = query.concepts.length ? Math.max(held, 1) / query.concepts.length : 1;
  return { score: round(scored.score * share * share), matchedFields: scored.matchedFields };
}

/** A contract a backend found for the query words, with what ranking needs: the postings of (at least) the query's words. */
export interface SearchCandidate {
  id: string;
  name: string;
  updatedAt: Date;
  postings: SearchPostings;
  facets: SearchFacetValues;
}

export interface RankedHit {
  id: string;
  score: number;
  matchedFields: SearchField[];
}

export function matchesFilter(values: SearchFacetValues, filter: SearchFilter, except?: keyof SearchFacets): boolean {
  if (except !== 'status' && filter.status?.length && !filter.status.includes(values.status)) return false;
  if (except !== 'owner' && filter.owner != null && values.owner !== filter.owner) return false;
  // Domain and tag ignore case and compare in NFC (the document keeps them as sent): caseKey, on both sides.
  if (except !== 'domain' && filter.domain != null && (values.domain == null || caseKey(values.domain) !== caseKey(filter.domain))) return false;
  if (except !== 'tag' && filter.tag != null) {
    const tag = caseKey(filter.tag);
    if (!values.tags.some((t) => caseKey(t) === tag)) return false;
  }
  if (except !== 'hasPii' && filter.hasPii != null && values.hasPii !== filter.hasPii) return false;
  return true;
}

function bestWeight(fields: readonly SearchField[]): number {
  return Math.max(0, ...fields.map((f) => SEARCH_WEIGHTS[f]));
}

/** A candidate's place in rankCandidates' order for a query: its hit and the tie-breaks (compareRanks orders two). */
export interface CandidateRank {
  candidate: SearchCandidate;
  hit: RankedHit;
  /** The query reads as the candidate's name. */
  exact: boolean;
  /** The weight of the best matched field. */
  weight: number;
}

/** The rank of a candidate for a query, or null when it is no hit (it holds no query word). */
export function rankOf(candidate: SearchCandidate, prepared: PreparedQuery): CandidateRank | null {
  const s = scoreQueryPostings((w) => candidate.postings.get(w), prepared);
  if (!s) return null;
  return {
    candidate,
    hit: { id: candidate.id, ...s },
    exact: prepared.phrase !== '' && normalizedPhrase(candidate.name) === prepared.phrase,
    weight: bestWeight(s.matchedFields),
  };
}

/** rankCandidates' order (a total order: ids differ): negative when `a` ranks first. */
export function compareRanks(a: CandidateRank, b: CandidateRank): number {
  return (
    b.hit.score - a.hit.score ||
    Number(b.exact) - Number(a.exact) ||
    b.weight - a.weight ||
    b.candidate.updatedAt.getTime() - a.candidate.updatedAt.getTime() ||
    cmp(a.candidate.id, b.candidate.id)
  );
}

/**
 * The hits of a query among candidates, best first: by score (scoreQuery); equal scores by an exact name match (the query reads
 * as the name), then by the weight of the best matched field, then the most recently updated, then the id. Plus the
 * facet counts of the filters.
 */
export function rankCandidates(
  candidates: readonly SearchCandidate[],
  query: string,
  filter: SearchFilter = {},
): { hits: RankedHit[]; facets: SearchFacets } {
  const prepared = prepareQuery(query);
  const scored: CandidateRank[] = [];
  for (const candidate of candidates) {
    stopPoint(); // a search whose request was stopped ends here (domain/cancellation)
    const rank = rankOf(candidate, prepared);
    if (rank) scored.push(rank);
  }
  const facets = countFacets(
    scored.map((s) => s.candidate.facets),
    filter,
  );
  const kept = scored.filter((s) => matchesFilter(s.candidate.facets, filter));
  kept.sort(compareRanks);
  return { hits: kept.map((s) => s.hit), facets };
}

function countFacets(all: readonly SearchFacetValues[], filter: SearchFilter): SearchFacets {
  const count = <T>(facet: keyof SearchFacets, valuesOf: (v: SearchFacetValues) => readonly T[]): FacetCount<T>[] => {
    const counts = new Map<T, number>();
    for (const v of all) {
      if (!matchesFilter(v, filter, facet)) continue;
      for (const value of new Set(valuesOf(v))) counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    return [...counts]
      .map(([value, n]) => ({ value, count: n }))
      .sort((a, b) => b.count - a.count || cmp(String(a.value), String(b.value)));
  };
  return {
    status: count('status', (v) => [v.status]),
    owner: count('owner', (v) => (v.owner ? [v.owner] : [])),
    domain: count('domain', (v) => (v.domain ? [v.domain] : [])),
    tag: count('tag', (v) => v.tags),
    hasPii: count('hasPii', (v) => [v.hasPii]),
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

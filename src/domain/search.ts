/**
 * Contract search: which text of a contract is searchable, how it is tokenized, and how a hit is scored.
 * The in-memory backend and MongoDB servers without text indexes rank with `scoreSearchText`; servers with a
 * text index rank with their own text score, and `matchedFields` tells on both which fields matched.
 */
import type { JsonObject, OdcsDocument } from './odcs.js';
import { walkProperties } from './odcs.js';

export const SEARCH_FIELDS = ['name', 'description', 'schemaNames', 'propertyNames', 'propertyDescriptions'] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];

/** Field weights, shared with the MongoDB text index so both rankings favour the same fields. */
export const SEARCH_WEIGHTS: Record<SearchField, number> = {
  name: 10,
  schemaNames: 6,
  propertyNames: 4,
  description: 2,
  propertyDescriptions: 1,
};

export interface SearchText {
  name: string;
  description: string;
  schemaNames: string[];
  propertyNames: string[];
  propertyDescriptions: string[];
}

export function searchTextOf(name: string, document: JsonObject): SearchText {
  const doc = document as unknown as OdcsDocument;
  const description = doc.description && typeof doc.description === 'object' ? doc.description : {};
  const schemas = Array.isArray(doc.schema) ? doc.schema : [];
  const propertyNames: string[] = [];
  const propertyDescriptions: string[] = [];
  for (const schema of schemas) {
    for (const { property } of walkProperties(schema?.properties)) {
      propertyNames.push(property.name);
      if (typeof property.description === 'string' && property.description) propertyDescriptions.push(property.description);
    }
  }
  return {
    name,
    description: [description.purpose, description.usage, description.limitations].filter((s) => typeof s === 'string' && s).join('\n'),
    schemaNames: schemas.map((s) => s?.name).filter((n): n is string => typeof n === 'string'),
    propertyNames,
    propertyDescriptions,
  };
}

/** Lower-cased words: runs of letters, digits and underscores (so `customer_email` is one word, as in MongoDB). */
export function tokenize(text: string): string[] {
  return text.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').match(/[\p{L}\p{N}_]+/gu) ?? [];
}

export function queryTerms(query: string): string[] {
  return [...new Set(tokenize(query))];
}

/** Every distinct word of the searchable text: what the portable search index holds. */
export function searchTermsOf(text: SearchText): string[] {
  const terms = new Set<string>();
  for (const field of SEARCH_FIELDS) for (const value of fieldValues(text, field)) for (const t of tokenize(value)) terms.add(t);
  return [...terms];
}

function fieldValues(text: SearchText, field: SearchField): string[] {
  const v = text[field];
  return Array.isArray(v) ? v : [v];
}

export function matchedFields(text: SearchText, terms: readonly string[]): SearchField[] {
  const wanted = new Set(terms);
  return SEARCH_FIELDS.filter((field) => fieldValues(text, field).some((value) => tokenize(value).some((t) => wanted.has(t))));
}

/**
 * Scores text for query terms: for every field value, each term occurrence adds a geometrically shrinking amount
 * (1, 1/2, 1/4, …), scaled by how much of the value the term covers and by the field's weight; an exact
 * whole-value match counts 10 % more. Null when nothing matches.
 */
export function scoreSearchText(text: SearchText, terms: readonly string[]): { score: number; matchedFields: SearchField[] } | null {
  if (terms.length === 0) return null;
  const wanted = new Set(terms);
  let score = 0;
  const fields: SearchField[] = [];
  for (const field of SEARCH_FIELDS) {
    let fieldScore = 0;
    for (const value of fieldValues(text, field)) {
      const tokens = tokenize(value);
      if (tokens.length === 0) continue;
      const counts = new Map<string, number>();
      for (const t of tokens) if (wanted.has(t)) counts.set(t, (counts.get(t) ?? 0) + 1);
      for (const [term, count] of counts) {
        let freq = 0;
        for (let i = 0; i < count; i++) freq += 1 / 2 ** i;
        const coverage = 0.5 * (count / tokens.length) + 0.5;
        let s = SEARCH_WEIGHTS[field] * freq * coverage;
        if (value.toLowerCase() === term) s *= 1.1;
        fieldScore += s;
      }
    }
    if (fieldScore > 0) {
      fields.push(field);
      score += fieldScore;
    }
  }
  return fields.length ? { score: Math.round(score * 1e6) / 1e6, matchedFields: fields } : null;
}

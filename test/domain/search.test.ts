import { describe, expect, it } from 'vitest';
import {
  facetValuesOf,
  postingsOf,
  queryTerms,
  rankCandidates,
  type SearchCandidate,
  scoreSearchText,
  searchTermsOf,
  searchTextOf,
  tokenize,
} from '../../src/domain/search.js';
import { normalizedPhrase } from '../../src/domain/search-words.js';
import type { JsonObject } from '../../src/domain/odcs.js';
import { contractDocument } from '../support/fixtures.js';

describe('search words', () => {
  it('keeps each whole term and adds its parts: snake_case, camelCase, kebab-case, dotted paths, digits', () => {
    expect(tokenize('customer_email')).toEqual(['customer_email', 'customer', 'email']);
    expect(tokenize('rcvrCntryCode')).toEqual(['rcvrcntrycode', 'rcvr', 'cntry', 'code']);
    expect(tokenize('order-lines')).toEqual(['order-lines', 'order', 'lines']);
    expect(tokenize('orders.customer_email')).toEqual(['orders.customer_email', 'orders', 'customer', 'email']);
    expect(tokenize('address12')).toEqual(['address12', 'address', '12']);
    // Parts of one character are left out; the whole term is kept.
    expect(tokenize('street2')).toEqual(['street2', 'street']);
    expect(tokenize('qUoKkA')).toEqual(['quokka', 'uo', 'kk']);
    expect(tokenize('XMLHttpRequest')).toEqual(['xmlhttprequest', 'xml', 'http', 'request']);
    expect(tokenize('customerID')).toEqual(['customerid', 'customer', 'id']);
  });

  it('lower-cases, folds accents, and drops punctuation around terms', () => {
    expect(tokenize('Façade, (café)!')).toEqual(['facade', 'cafe']);
    expect(tokenize('the end. -- next_')).toEqual(['the', 'end', 'next']);
    expect(tokenize('urn:example:orders')).toEqual(['urn', 'example', 'orders']);
    expect(tokenize('--- ... !!!')).toEqual([]);
  });

  it('splits a query the same way, each word once', () => {
    expect(queryTerms('  Orders orders ORDERS ')).toEqual(['orders']);
    expect(queryTerms('customer_email customer')).toEqual(['customer_email', 'customer', 'email']);
    expect(queryTerms('customer email')).toEqual(['customer', 'email']);
  });

  it('reads names that differ only in how words are joined as the same phrase', () => {
    for (const name of ['customer_orders', 'customerOrders', 'Customer Orders', 'customer-orders']) {
      expect(normalizedPhrase(name), name).toBe('customer orders');
    }
  });
});

describe('search text', () => {
  const document: JsonObject = {
    ...contractDocument({
      id: 'urn:acme:sales:orders',
      name: 'x',
      purpose: 'Orders placed by customers',
      team: 'sales-data',
      schemas: { orders: [{ name: 'customer_email', description: 'Where we write', businessName: 'Customer e-mail', tags: ['contact'] }] },
    }),
    domain: 'Sales',
    dataProduct: 'webShop',
    tags: ['finance', 'Finance', 'gold'],
  };
  (document.schema as JsonObject[])[0]!.description = 'One row per order';
  (document.schema as JsonObject[])[0]!.businessName = 'Web orders';
  const text = searchTextOf('customer_orders', document, 'sales-data');

  it('holds every searchable field', () => {
    expect(text).toEqual({
      name: 'customer_orders',
      odcsId: 'urn:acme:sales:orders',
      description: 'Orders placed by customers',
      schemaNames: ['orders'],
      schemaDescriptions: ['One row per order'],
      businessNames: ['Web orders', 'Customer e-mail'],
      propertyNames: ['customer_email'],
      propertyDescriptions: ['Where we write'],
      tags: ['finance', 'Finance', 'gold', 'contact'],
      domain: 'Sales',
      dataProduct: 'webShop',
      team: ['sales-data'],
    });
    // The owner counts as a team name when it is not the team's.
    expect(searchTextOf('n', document, 'ops').team).toEqual(['sales-data', 'ops']);
  });

  it('indexes every word of every field, whole terms and parts', () => {
    const terms = searchTermsOf(text);
    for (const word of ['customer_orders', 'customer', 'orders', 'customer_email', 'email', 'urn', 'acme', 'sales', 'row', 'web', 'e-mail', 'mail', 'gold', 'webshop', 'shop', 'sales-data', 'data']) {
      expect(terms, word).toContain(word);
    }
    expect(new Set(terms).size).toBe(terms.length);
  });

  it('knows the facet values of a contract', () => {
    expect(facetValuesOf({ status: 'draft', owner: 'sales-data', document })).toEqual({
      status: 'draft',
      owner: 'sales-data',
      domain: 'Sales',
      tags: ['finance', 'Finance', 'gold'],
      hasPii: false,
    });
    const pii = contractDocument({ name: 'p', schemas: { people: [{ name: 'email', classification: 'restricted' }] } });
    expect(facetValuesOf({ status: 'active', owner: null, document: pii })).toMatchObject({ hasPii: true, domain: null, tags: [] });
  });

  it('weights the name above descriptions and says which fields matched', () => {
    const byName = scoreSearchText(text, ['customer_orders']);
    const byDescription = scoreSearchText(text, ['placed']);
    expect(byName?.matchedFields).toEqual(['name']);
    expect(byDescription?.matchedFields).toEqual(['description']);
    expect(byName!.score).toBeGreaterThan(byDescription!.score);
    expect(scoreSearchText(text, ['email'])?.matchedFields).toEqual(['propertyNames']);
    expect(scoreSearchText(text, ['mail'])?.matchedFields).toEqual(['businessNames']);
    expect(scoreSearchText(text, ['sales'])?.matchedFields).toEqual(['odcsId', 'domain', 'team']);
    expect(scoreSearchText(text, ['nothing'])).toBeNull();
    expect(scoreSearchText(text, [])).toBeNull();
  });
});

describe('ranking', () => {
  function candidate(id: string, name: string, document: JsonObject, updatedAt = '2026-01-01T00:00:00Z', status: 'draft' | 'active' = 'draft'): SearchCandidate {
    return {
      id,
      name,
      updatedAt: new Date(updatedAt),
      postings: postingsOf(searchTextOf(name, document, null)),
      facets: facetValuesOf({ status, owner: null, document }),
    };
  }

  it('ranks the exact term above its parts found apart', () => {
    const exact = candidate('a', 'newsletter', contractDocument({ name: 'n', schemas: { people: [{ name: 'customer_email' }] } }));
    const apart = candidate('b', 'billing', contractDocument({ name: 'b', schemas: { invoices: [{ name: 'customer_id' }, { name: 'email' }] } }));
    expect(rankCandidates([apart, exact], 'customer_email').hits.map((h) => h.id)).toEqual(['a', 'b']);
    // "customer email" finds both.
    expect(rankCandidates([apart, exact], 'customer email').hits.map((h) => h.id).sort()).toEqual(['a', 'b']);
  });

  it('breaks equal scores by exact name, then field weight, then recency, then id', () => {
    const doc = (name: string) => contractDocument({ id: `urn:${name}`, name, schemas: { s: [{ name: 'p' }] } });
    const older = candidate('b', 'kiwi', doc('kiwi'), '2026-01-01T00:00:00Z');
    const newer = candidate('c', 'kiwi', doc('kiwi'), '2026-02-01T00:00:00Z');
    const sameTime = candidate('a', 'kiwi', doc('kiwi'), '2026-01-01T00:00:00Z');
    expect(rankCandidates([older, sameTime, newer], 'kiwi').hits.map((h) => h.id)).toEqual(['c', 'a', 'b']);
  });

  it('filters hits and counts facets over the other filters', () => {
    const tagged = (id: string, status: 'draft' | 'active', tags: string[]) =>
      candidate(id, `c${id}`, { ...contractDocument({ name: `c${id}`, purpose: 'lemur data' }), tags }, '2026-01-01T00:00:00Z', status);
    const all = [tagged('1', 'draft', ['gold']), tagged('2', 'active', ['gold']), tagged('3', 'active', ['silver'])];
    const { hits, facets } = rankCandidates(all, 'lemur', { status: ['active'], tag: 'GOLD' });
    expect(hits.map((h) => h.id)).toEqual(['2']);
    // Status counts ignore the status filter (gold only); tag counts ignore the tag filter (active only).
    expect(facets.status).toEqual([
      { value: 'active', count: 1 },
      { value: 'draft', count: 1 },
    ]);
    expect(facets.tag).toEqual([
      { value: 'gold', count: 1 },
      { value: 'silver', count: 1 },
    ]);
    expect(facets.hasPii).toEqual([{ value: false, count: 1 }]);
  });
});

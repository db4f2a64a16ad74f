/**
 * Search relevance on a small fixed, judged set: a handful of realistic contracts, and for each query the contract
 * a person would expect first (judged by hand when the set was written, not read off the ranking). Runs on every
 * backend: the same order everywhere.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/domain/odcs.js';
import { backends } from '../support/backends.js';
import { contractDocument, type PropertySpec } from '../support/fixtures.js';
import { useBackend } from './helpers.js';

interface Spec {
  name: string;
  id: string;
  purpose?: string;
  team?: string;
  domain?: string;
  tags?: string[];
  schemas: Record<string, PropertySpec[]>;
}

const CORPUS: Spec[] = [
  {
    name: 'customer_orders',
    id: 'urn:acme:sales:customer-orders',
    purpose: 'Every order placed in the web shop, one row per order',
    team: 'sales-data',
    domain: 'sales',
    tags: ['gold'],
    schemas: { orders: [{ name: 'order_id' }, { name: 'customer_email', classification: 'restricted' }, { name: 'orderTotal', logicalType: 'number' }] },
  },
  {
    name: 'customers',
    id: 'urn:acme:crm:customers',
    purpose: 'The customer master: who bought something',
    team: 'crm',
    domain: 'crm',
    schemas: { customers: [{ name: 'customer_id' }, { name: 'email', classification: 'restricted' }, { name: 'country_code' }] },
  },
  {
    name: 'payments',
    id: 'urn:acme:finance:payments',
    purpose: 'Card and bank transfers received',
    team: 'finance-core',
    domain: 'finance',
    schemas: { transfers: [{ name: 'transfer_id' }, { name: 'rcvrCntryCode', description: 'ISO country of the receiver' }, { name: 'amount' }] },
  },
  {
    name: 'shipments',
    id: 'urn:acme:logistics:shipments',
    purpose: 'Parcels handed to carriers',
    team: 'logistics',
    domain: 'logistics',
    schemas: { parcels: [{ name: 'tracking_code', description: 'carrier reference, sent to the customer by email' }, { name: 'order-lines' }] },
  },
  {
    name: 'newsletter_subscribers',
    id: 'urn:acme:marketing:newsletter',
    purpose: 'People who asked for the newsletter',
    team: 'marketing',
    domain: 'marketing',
    tags: ['pii'],
    schemas: { subscribers: [{ name: 'subscriber_email', classification: 'restricted' }, { name: 'topic' }] },
  },
  { name: 'exchange_rates', id: 'urn:acme:finance:fx', purpose: 'Daily currency rates', team: 'finance-core', domain: 'finance', schemas: {} },
  {
    name: 'web_sessions',
    id: 'urn:acme:web:sessions',
    purpose: 'Clicks and page views of the web shop',
    team: 'web',
    domain: 'web',
    schemas: { sessions: [{ name: 'session_id' }, { name: 'pageUrl' }, { name: 'customer_id' }] },
  },
];

/** Query → the contract that must rank first (and, where a second is clearly next, the second). */
const JUDGED: [query: string, first: string, second?: string][] = [
  ['customer_email', 'customer_orders'],
  ['customer email', 'customer_orders'],
  ['customers', 'customers'],
  ['email', 'customers'],
  ['country code', 'customers', 'payments'],
  ['cntry', 'payments'],
  ['order lines', 'shipments'],
  ['orders', 'customer_orders'],
  ['newsletter', 'newsletter_subscribers'],
  ['exchange rates', 'exchange_rates'],
  ['fx', 'exchange_rates'],
  ['transfers', 'payments'],
  ['currency', 'exchange_rates'],
  ['receiver country', 'payments'],
  ['tracking', 'shipments'],
  ['page url', 'web_sessions'],
  ['web shop', 'web_sessions', 'customer_orders'],
];

function documentOf(spec: Spec): JsonObject {
  const doc = contractDocument({ id: spec.id, name: spec.name, purpose: spec.purpose, team: spec.team, schemas: spec.schemas });
  if (Object.keys(spec.schemas).length === 0) delete doc.schema;
  return { ...doc, ...(spec.domain ? { domain: spec.domain } : {}), ...(spec.tags ? { tags: spec.tags } : {}) };
}

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);

  it('ranks the judged contract first for every query of the set', async () => {
    for (const spec of CORPUS) await storage().contracts.create({ document: documentOf(spec) }, 'judge');
    const misses: string[] = [];
    for (const [query, first, second] of JUDGED) {
      const names = (await storage().contracts.search(query, { first: 5 })).items.map((h) => h.contract.name);
      if (names[0] !== first) misses.push(`"${query}": expected ${first} first, got ${names.join(', ')}`);
      else if (second && names[1] !== second) misses.push(`"${query}": expected ${second} second, got ${names.join(', ')}`);
    }
    expect(misses).toEqual([]);
  });
});

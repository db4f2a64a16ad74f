/**
 * Conformance: the SchemaCatalogRepository of every backend — list (filters, orders, paging) and lookups.
 */
import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../src/domain/catalog.js';
import type { Contract } from '../../src/domain/contracts.js';
import { ValidationError } from '../../src/domain/errors.js';
import type { JsonObject } from '../../src/domain/odcs.js';
import type { CatalogFilter } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { cmp, collectPages, ids, moveContractTo, rejection, useBackend } from './helpers.js';

function contractDoc(name: string, schema: JsonObject[], extra: JsonObject = {}): JsonObject {
  return { apiVersion: 'v3.1.0', kind: 'DataContract', id: `urn:test:${name}`, name, version: '1.0.0', status: 'draft', schema, ...extra };
}

const customers: JsonObject = {
  name: 'customers',
  physicalName: 'crm.customers',
  physicalType: 'table',
  description: 'One row per customer',
  properties: [
    { name: 'customer_id', logicalType: 'integer', physicalType: 'bigint', description: 'Customer key', required: true, primaryKey: true, primaryKeyPosition: 2 },
    { name: 'tenant_id', logicalType: 'string', required: true, primaryKey: true, primaryKeyPosition: 1 },
    { name: 'email', logicalType: 'string', classification: 'restricted', description: 'Contact e-mail' },
    {
      name: 'address',
      logicalType: 'object',
      properties: [
        { name: 'street', logicalType: 'string', customProperties: [{ property: 'pii', value: true }] },
        { name: 'city', logicalType: 'string', classification: 'public' },
      ],
    },
    { name: 'segment', logicalType: 'string', classification: 'public', customProperties: [{ property: 'pii', value: false }] },
  ],
};

const billing: JsonObject = {
  name: 'Billing',
  physicalType: 'view',
  properties: [
    { name: 'invoice_id', logicalType: 'string', primaryKey: true },
    { name: 'amount', logicalType: 'number', classification: 'public' },
    { name: 'lines', logicalType: 'array', items: { logicalType: 'object', properties: [{ name: 'sku', logicalType: 'string' }] } },
  ],
};

const legacy: JsonObject = { name: 'legacy', properties: [{ name: 'old_id', logicalType: 'string' }] };

function schemaNames(entries: readonly CatalogEntry[]): string[] {
  return entries.map((e) => e.schemaName);
}

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);
  const repo = () => storage().contracts;
  const catalog = () => storage().schemaCatalog;

  async function list(filter: CatalogFilter): Promise<CatalogEntry[]> {
    const page = await catalog().list(filter, { first: 100 });
    expect(page.hasNextPage).toBe(false);
    expect(await page.totalCount()).toBe(page.items.length);
    return page.items;
  }

  // -------------------------------------------------------------------------------------------------------------
  describe('list', () => {
    /** crm: customers, Billing; events: customer_events (PII), audit; misc: accounts, orders; shop: orders, Zeta. */
    async function seed(): Promise<Record<string, Contract>> {
      const crm = await repo().create({ document: contractDoc('crm', [customers, billing]) }, 'alice');
      const events = await repo().create(
        {
          document: contractDoc('events', [
            { name: 'customer_events', properties: [{ name: 'event_id', primaryKey: true }, { name: 'EMAIL', customProperties: [{ property: 'pii', value: true }] }] },
            { name: 'audit', properties: [{ name: 'actor', classification: 'public' }] },
          ]),
        },
        'alice',
      );
      const misc = await repo().create({ document: contractDoc('misc', [{ name: 'accounts', properties: [{ name: 'id' }] }, { name: 'orders', properties: [{ name: 'id' }] }]) }, 'alice');
      const shop = await repo().create({ document: contractDoc('shop', [{ name: 'orders', properties: [{ name: 'id' }] }, { name: 'Zeta', properties: [{ name: 'street' }] }]) }, 'alice');
      await moveContractTo(storage(), events.id, 'in_review');
      return { crm, events, misc, shop };
    }

    function byNameThenId(entries: readonly { id: string; schemaName: string }[]): string[] {
      return [...entries].sort((a, b) => cmp(a.schemaName.toLowerCase(), b.schemaName.toLowerCase()) || cmp(a.id, b.id)).map((e) => e.id);
    }

    it('orders by schema name ignoring case, then id', async () => {
      const c = await seed();
      const entries = await list({});
      expect(schemaNames(entries)).toEqual(['accounts', 'audit', 'Billing', 'customer_events', 'customers', 'orders', 'orders', 'Zeta']);
      const orders = [`${c.misc!.id}/orders`, `${c.shop!.id}/orders`].sort(cmp);
      expect(ids(entries).slice(5, 7)).toEqual(orders);
      expect(ids(entries)).toEqual(byNameThenId(entries));
    });

    it('filters by schema name prefix, ignoring case', async () => {
      const c = await seed();
      expect(ids(await list({ schemaNamePrefix: 'CUST' }))).toEqual([`${c.events!.id}/customer_events`, `${c.crm!.id}/customers`]);
      expect(ids(await list({ schemaNamePrefix: 'customers' }))).toEqual([`${c.crm!.id}/customers`]);
      expect(schemaNames(await list({ schemaNamePrefix: 'b' }))).toEqual(['Billing']);
      expect(schemaNames(await list({ schemaNamePrefix: 'z' }))).toEqual(['Zeta']);
      expect(await list({ schemaNamePrefix: 'ustomers' })).toEqual([]);
      expect(await list({ schemaNamePrefix: 'customers_' })).toEqual([]);
    });

    it('filters by property name or path, ignoring case', async () => {
      const c = await seed();
      expect(ids(await list({ propertyName: 'email' }))).toEqual([`${c.events!.id}/customer_events`, `${c.crm!.id}/customers`]);
      expect(ids(await list({ propertyName: 'address.street' }))).toEqual([`${c.crm!.id}/customers`]);
      expect(ids(await list({ propertyName: 'ADDRESS.Street' }))).toEqual([`${c.crm!.id}/customers`]);
      // A nested property is found by its own name as well.
      expect(ids(await list({ propertyName: 'street' }))).toEqual([`${c.crm!.id}/customers`, `${c.shop!.id}/Zeta`]);
      expect(ids(await list({ propertyName: 'lines.sku' }))).toEqual([`${c.crm!.id}/Billing`]);
      expect(await list({ propertyName: 'mail' })).toEqual([]);
      expect(await list({ propertyName: 'street.address' })).toEqual([]);
    });

    it('filters by PII, contract and contract status, alone and combined', async () => {
      const c = await seed();
      expect(schemaNames(await list({ hasPii: true }))).toEqual(['customer_events', 'customers']);
      expect(schemaNames(await list({ hasPii: false }))).toEqual(['accounts', 'audit', 'Billing', 'orders', 'orders', 'Zeta']);
      expect(await list({ hasPii: null })).toHaveLength(8);
      expect(ids(await list({ contractId: c.shop!.id }))).toEqual([`${c.shop!.id}/orders`, `${c.shop!.id}/Zeta`]);
      expect(await list({ contractId: 'no-such-contract' })).toEqual([]);
      expect(schemaNames(await list({ contractStatus: ['in_review'] }))).toEqual(['audit', 'customer_events']);
      expect(schemaNames(await list({ contractStatus: ['draft'] }))).toEqual(['accounts', 'Billing', 'customers', 'orders', 'orders', 'Zeta']);
      expect(schemaNames(await list({ contractStatus: ['draft', 'in_review'] }))).toHaveLength(8);
      expect(await list({ contractStatus: ['active'] })).toEqual([]);
      expect(ids(await list({ hasPii: true, contractStatus: ['draft'] }))).toEqual([`${c.crm!.id}/customers`]);
      expect(ids(await list({ propertyName: 'email', contractId: c.events!.id }))).toEqual([`${c.events!.id}/customer_events`]);
      expect(await list({ schemaNamePrefix: 'cust', hasPii: false })).toEqual([]);
    });

    it('pages through every entry exactly once, with a totalCount of the whole filter', async () => {
      await seed();
      const everything = await list({});
      for (const first of [1, 2, 3]) {
        const { items, totalCounts } = await collectPages((page) => catalog().list({}, page), first);
        expect(ids(items)).toEqual(ids(everything));
        expect(new Set(totalCounts)).toEqual(new Set([8]));
      }
      const filtered = await collectPages((page) => catalog().list({ contractStatus: ['draft'] }, page), 2);
      expect(schemaNames(filtered.items)).toEqual(['accounts', 'Billing', 'customers', 'orders', 'orders', 'Zeta']);
      expect(filtered.pages.map((p) => p.length)).toEqual([2, 2, 2]);
      expect(filtered.totalCounts).toEqual([6, 6, 6]);
    });

    it('rejects an invalid cursor with a ValidationError at after', async () => {
      await seed();
      const error = await rejection(catalog().list({}, { first: 2, after: 'not-a-cursor' }), ValidationError);
      expect(error.issues.map((i) => i.path)).toEqual(['after']);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('lookups', () => {
    it('getByIds keeps the order of the ids, with null for missing ones', async () => {
      const crm = await repo().create({ document: contractDoc('crm', [customers, billing]) }, 'alice');
      const ids_ = [`${crm.id}/customers`, `${crm.id}/nope`, 'garbage', `${crm.id}/Billing`, `${crm.id}/customers`];
      const result = await catalog().getByIds(ids_);
      expect(ids(result)).toEqual([`${crm.id}/customers`, null, null, `${crm.id}/Billing`, `${crm.id}/customers`]);
      expect(result[0]?.schemaName).toBe('customers');
      expect(result[3]?.schemaName).toBe('Billing');
      expect(await catalog().getByIds([])).toEqual([]);
    });

    it('listByContractIds groups the entries per contract, in the order of the ids', async () => {
      const a = await repo().create({ document: contractDoc('a', [customers, billing]) }, 'alice');
      const b = await repo().create({ document: contractDoc('b', [legacy]) }, 'alice');
      const empty = await repo().create({ document: contractDoc('empty', []) }, 'alice');
      const groups = await catalog().listByContractIds([b.id, 'no-such-contract', a.id, empty.id, b.id]);
      expect(groups).toHaveLength(5);
      const sorted = groups.map((g) => g.map((e) => e.id).sort(cmp));
      expect(sorted).toEqual([[`${b.id}/legacy`], [], [`${a.id}/Billing`, `${a.id}/customers`].sort(cmp), [], [`${b.id}/legacy`]]);
      for (const group of groups) for (const e of group) expect((await catalog().getByIds([e.id]))[0]).toEqual(e);
      expect(await catalog().listByContractIds([])).toEqual([]);
    });
  });

});

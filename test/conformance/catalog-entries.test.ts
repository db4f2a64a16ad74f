/**
 * Conformance: the SchemaCatalogRepository of every backend — one entry per (contract, schema), derived from the
 * contract's current document, kept in step with every contract write, and rebuilt.
 */
import { describe, expect, it } from 'vitest';
import type { CatalogEntry, CatalogProperty } from '../../src/domain/catalog.js';
import type { JsonObject } from '../../src/domain/odcs.js';
import type { CatalogFilter } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { cmp, ids, moveContractTo, useBackend } from './helpers.js';

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

function prop(path: string, fields: Partial<CatalogProperty> = {}): CatalogProperty {
  return {
    path,
    name: path.split('.').pop()!,
    logicalType: 'string',
    physicalType: null,
    description: null,
    required: false,
    primaryKey: false,
    classification: null,
    pii: false,
    ...fields,
  };
}

function schemaNames(entries: readonly CatalogEntry[]): string[] {
  return entries.map((e) => e.schemaName);
}

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);
  const repo = () => storage().contracts;
  const catalog = () => storage().schemaCatalog;

  async function entriesOf(contractId: string): Promise<CatalogEntry[]> {
    const [group] = await catalog().listByContractIds([contractId]);
    return [...(group ?? [])].sort((a, b) => cmp(a.schemaName.toLowerCase(), b.schemaName.toLowerCase()));
  }

  async function list(filter: CatalogFilter): Promise<CatalogEntry[]> {
    const page = await catalog().list(filter, { first: 100 });
    expect(page.hasNextPage).toBe(false);
    expect(await page.totalCount()).toBe(page.items.length);
    return page.items;
  }

  // -------------------------------------------------------------------------------------------------------------
  describe('entries', () => {
    it('derives one entry per schema with every catalog field', async () => {
      const crm = await repo().create({ document: contractDoc('crm', [customers, billing]) }, 'alice');
      const entries = await entriesOf(crm.id);
      expect(schemaNames(entries)).toEqual(['Billing', 'customers']);

      const [entry] = await catalog().getByIds([`${crm.id}/customers`]);
      expect(entry).toEqual({
        id: `${crm.id}/customers`,
        contractId: crm.id,
        contractName: 'crm',
        contractVersion: '1.0.0',
        contractStatus: 'draft',
        contractRevision: 1,
        schemaName: 'customers',
        physicalName: 'crm.customers',
        physicalType: 'table',
        description: 'One row per customer',
        properties: [
          prop('customer_id', { logicalType: 'integer', physicalType: 'bigint', description: 'Customer key', required: true, primaryKey: true }),
          prop('tenant_id', { required: true, primaryKey: true }),
          prop('email', { classification: 'restricted', description: 'Contact e-mail', pii: true }),
          prop('address', { logicalType: 'object' }),
          prop('address.street', { pii: true }),
          prop('address.city', { classification: 'public' }),
          prop('segment', { classification: 'public' }),
        ],
        propertyCount: 7,
        hasPii: true,
        primaryKey: ['tenant_id', 'customer_id'],
        updatedAt: crm.updatedAt,
      } satisfies CatalogEntry);
      expect(entries[1]).toEqual(entry);

      expect(entries[0]).toEqual({
        id: `${crm.id}/Billing`,
        contractId: crm.id,
        contractName: 'crm',
        contractVersion: '1.0.0',
        contractStatus: 'draft',
        contractRevision: 1,
        schemaName: 'Billing',
        physicalName: null,
        physicalType: 'view',
        description: null,
        properties: [
          prop('invoice_id', { primaryKey: true }),
          prop('amount', { logicalType: 'number', classification: 'public' }),
          prop('lines', { logicalType: 'array' }),
          prop('lines.sku'),
        ],
        propertyCount: 4,
        hasPii: false,
        primaryKey: ['invoice_id'],
        updatedAt: crm.updatedAt,
      } satisfies CatalogEntry);
    });

    it('orders the primary key by primaryKeyPosition, then document order', async () => {
      const c = await repo().create(
        {
          document: contractDoc('keys', [
            {
              name: 'facts',
              properties: [
                { name: 'c', primaryKey: true },
                { name: 'b', primaryKey: true, primaryKeyPosition: 2 },
                { name: 'x' },
                { name: 'a', primaryKey: true, primaryKeyPosition: 1 },
                { name: 'd', primaryKey: true },
              ],
            },
          ]),
        },
        'alice',
      );
      const [entry] = await catalog().getByIds([`${c.id}/facts`]);
      expect(entry?.primaryKey).toEqual(['a', 'b', 'c', 'd']);
      expect(entry?.properties.filter((p) => p.primaryKey).map((p) => p.path)).toEqual(['c', 'b', 'a', 'd']);
    });

    it('marks PII from a sensitive classification or a pii custom property, never from public', async () => {
      const c = await repo().create(
        {
          document: contractDoc('pii', [
            { name: 'restricted_only', properties: [{ name: 'ssn', classification: 'restricted' }, { name: 'n' }] },
            { name: 'flag_only', properties: [{ name: 'n' }, { name: 'payload', customProperties: [{ property: 'pii', value: true }] }] },
            { name: 'public_only', properties: [{ name: 'city', classification: 'public' }, { name: 'flag_off', customProperties: [{ property: 'pii', value: false }] }] },
            { name: 'no_properties' },
          ]),
        },
        'alice',
      );
      const entries = await catalog().getByIds(['restricted_only', 'flag_only', 'public_only', 'no_properties'].map((s) => `${c.id}/${s}`));
      expect(entries.map((e) => e?.hasPii)).toEqual([true, true, false, false]);
      expect(entries.map((e) => e?.properties.map((p) => p.pii))).toEqual([[true, false], [false, true], [false, false], []]);
      expect(entries[3]?.propertyCount).toBe(0);
      expect(entries[3]?.primaryKey).toEqual([]);
    });

    it('has no entries for a contract without schemas', async () => {
      const c = await repo().create({ document: { apiVersion: 'v3.1.0', kind: 'DataContract', id: 'urn:x', name: 'empty', version: '1.0.0', status: 'draft' } }, 'alice');
      expect(await catalog().listByContractIds([c.id])).toEqual([[]]);
      expect(await list({})).toEqual([]);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('kept in step with contract writes', () => {
    it('follows update (schemas removed, added, renamed, changed), rollback, a status change and delete', async () => {
      const other = await repo().create({ document: contractDoc('other', [legacy]) }, 'alice');
      const otherEntries = await entriesOf(other.id);
      const v1 = await repo().create({ document: contractDoc('crm', [customers, billing, legacy]) }, 'alice');
      expect(schemaNames(await entriesOf(v1.id))).toEqual(['Billing', 'customers', 'legacy']);

      // Update: legacy removed, Billing renamed to invoices, shipments added, customers changed (email out, phone in).
      const customersV2: JsonObject = {
        ...customers,
        properties: [
          { name: 'customer_id', logicalType: 'integer', primaryKey: true },
          { name: 'phone', logicalType: 'string', classification: 'public' },
        ],
      };
      const v2 = await repo().update(
        {
          id: v1.id,
          expectedRevision: 1,
          document: contractDoc('crm', [customersV2, { ...billing, name: 'invoices' }, { name: 'shipments', properties: [{ name: 'shipment_id' }] }]),
          name: 'crm-renamed',
          // Removing schema objects and properties is breaking: accepted explicitly, so the version is the major bump 2.0.0.
          acceptBreakingChanges: true,
        },
        'bob',
      );
      expect(v2.version).toBe('2.0.0');
      const afterUpdate = await entriesOf(v1.id);
      expect(schemaNames(afterUpdate)).toEqual(['customers', 'invoices', 'shipments']);
      for (const e of afterUpdate) {
        expect(e).toMatchObject({ contractId: v1.id, contractName: 'crm-renamed', contractVersion: '2.0.0', contractRevision: 2, contractStatus: 'draft' });
        expect(e.updatedAt.getTime()).toBe(v2.updatedAt.getTime());
        expect(e.id).toBe(`${v1.id}/${e.schemaName}`);
      }
      const customersNow = afterUpdate[0]!;
      expect(customersNow.properties.map((p) => p.path)).toEqual(['customer_id', 'phone']);
      expect(customersNow.hasPii).toBe(false);
      expect(customersNow.primaryKey).toEqual(['customer_id']);
      expect(await catalog().getByIds([`${v1.id}/Billing`, `${v1.id}/legacy`])).toEqual([null, null]);
      expect(await list({ propertyName: 'email' })).toEqual([]);
      expect(ids(await list({ propertyName: 'phone' }))).toEqual([`${v1.id}/customers`]);

      // Rollback to 1.0.0: the version-1 schemas come back. It removes invoices and shipments again, so it is breaking
      // too: accepted explicitly, at the major bump of 2.0.0.
      const v3 = await repo().rollback({ id: v1.id, expectedRevision: 2, toVersion: '1.0.0', acceptBreakingChanges: true }, 'carol');
      expect(v3.version).toBe('3.0.0');
      const afterRollback = await entriesOf(v1.id);
      expect(schemaNames(afterRollback)).toEqual(['Billing', 'customers', 'legacy']);
      for (const e of afterRollback) {
        expect(e).toMatchObject({ contractName: 'crm-renamed', contractVersion: '3.0.0', contractRevision: 3, contractStatus: 'draft' });
        expect(e.updatedAt.getTime()).toBe(v3.updatedAt.getTime());
      }
      expect(afterRollback[1]?.properties.map((p) => p.path)).toContain('email');
      expect(afterRollback[1]?.hasPii).toBe(true);
      expect(await catalog().getByIds([`${v1.id}/invoices`, `${v1.id}/shipments`])).toEqual([null, null]);

      // A status change (submitted for review): the contract status and revision follow, the rest stays.
      const v4 = await moveContractTo(storage(), v1.id, 'in_review');
      expect(v4).toMatchObject({ status: 'in_review', revision: 4 });
      const afterStatus = await entriesOf(v1.id);
      expect(afterStatus.map((e) => [e.contractStatus, e.contractRevision, e.contractVersion])).toEqual([
        ['in_review', 4, '3.0.0'],
        ['in_review', 4, '3.0.0'],
        ['in_review', 4, '3.0.0'],
      ]);
      expect(afterStatus.map((e) => e.properties)).toEqual(afterRollback.map((e) => e.properties));
      for (const e of afterStatus) expect(e.updatedAt.getTime()).toBe(v4.updatedAt.getTime());

      // Delete: every entry of the contract goes; the other contract's stay.
      await repo().delete(v1.id, 4, 'erin');
      expect(await catalog().listByContractIds([v1.id])).toEqual([[]]);
      expect(await catalog().getByIds(afterStatus.map((e) => e.id))).toEqual([null, null, null]);
      expect(await list({})).toEqual(otherEntries);
    });

    it('does not mix up two contracts with the same schema names', async () => {
      const a = await repo().create({ document: contractDoc('a', [legacy, customers]) }, 'alice');
      const b = await repo().create({ document: contractDoc('b', [legacy]) }, 'alice');
      // Removing the legacy schema object is breaking: accepted explicitly.
      const updated = await repo().update({ id: a.id, expectedRevision: 1, document: contractDoc('a', [customers]), acceptBreakingChanges: true }, 'bob');
      expect(updated.version).toBe('2.0.0');
      expect(schemaNames(await entriesOf(a.id))).toEqual(['customers']);
      expect(schemaNames(await entriesOf(b.id))).toEqual(['legacy']);
      expect((await entriesOf(b.id))[0]?.contractRevision).toBe(1);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('rebuild', () => {
    it('regenerates the same entries and returns the counts', async () => {
      const a = await repo().create({ document: contractDoc('a', [customers, billing]) }, 'alice');
      await repo().create({ document: contractDoc('b', [legacy]) }, 'alice');
      await repo().create({ document: contractDoc('c', []) }, 'alice');
      await repo().update({ id: a.id, expectedRevision: 1, document: contractDoc('a', [customers, billing, { name: 'extra' }]) }, 'bob');
      await moveContractTo(storage(), a.id, 'in_review');

      const before = await list({});
      expect(before).toHaveLength(4);
      const result = await catalog().rebuild();
      expect(result).toEqual({ contracts: 3, entries: 4 });
      const after = await list({});
      expect(after).toEqual(before);
      expect(await entriesOf(a.id)).toEqual(before.filter((e) => e.contractId === a.id));
    });

    it('counts only what exists after deletes, and nothing on an empty backend', async () => {
      expect(await catalog().rebuild()).toEqual({ contracts: 0, entries: 0 });
      const a = await repo().create({ document: contractDoc('a', [customers, billing]) }, 'alice');
      await repo().create({ document: contractDoc('b', [legacy]) }, 'alice');
      await repo().delete(a.id, 1, 'bob');
      const before = await list({});
      expect(await catalog().rebuild()).toEqual({ contracts: 1, entries: 1 });
      expect(await list({})).toEqual(before);
      expect(schemaNames(before)).toEqual(['legacy']);
    });
  });
});

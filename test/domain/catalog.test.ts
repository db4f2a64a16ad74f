import { describe, expect, it } from 'vitest';
import { deriveCatalogEntries, isPiiProperty } from '../../src/domain/catalog.js';
import { contractDocument } from '../support/fixtures.js';

describe('PII detection', () => {
  it('flags sensitive classifications and PII custom properties, not public or internal data', () => {
    expect(isPiiProperty({ classification: 'restricted' })).toBe(true);
    expect(isPiiProperty({ classification: 'Confidential' })).toBe(true);
    expect(isPiiProperty({ classification: 'public' })).toBe(false);
    expect(isPiiProperty({ classification: 'internal' })).toBe(false);
    expect(isPiiProperty({ customProperties: [{ property: 'pii', value: true }] })).toBe(true);
    expect(isPiiProperty({ customProperties: [{ property: 'isPII', value: 'yes' }] })).toBe(true);
    expect(isPiiProperty({ customProperties: [{ property: 'pii', value: false }] })).toBe(false);
    expect(isPiiProperty({})).toBe(false);
  });
});

describe('catalog entries', () => {
  it('derives one entry per schema with nested paths, PII and ordered primary keys', () => {
    const document = contractDocument({
      name: 'c',
      schemas: {
        orders: [
          { name: 'line', primaryKey: true, primaryKeyPosition: 2 },
          { name: 'order_id', primaryKey: true, primaryKeyPosition: 1 },
          { name: 'buyer', logicalType: 'object', properties: [{ name: 'email', classification: 'restricted' }] },
        ],
        empty: [],
      },
    });
    const now = new Date('2026-01-01T00:00:00Z');
    const entries = deriveCatalogEntries({ id: 'c1', name: 'c', version: '1.0.0', status: 'draft', revision: 3, document, updatedAt: now });
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      id: 'c1/orders',
      schemaName: 'orders',
      physicalType: 'table',
      propertyCount: 4,
      hasPii: true,
      primaryKey: ['order_id', 'line'],
      contractRevision: 3,
    });
    expect(entries[0]!.properties.map((p) => [p.path, p.pii])).toEqual([
      ['line', false],
      ['order_id', false],
      ['buyer', false],
      ['buyer.email', true],
    ]);
    expect(entries[1]).toMatchObject({ schemaName: 'empty', propertyCount: 0, hasPii: false, primaryKey: [] });
  });
});

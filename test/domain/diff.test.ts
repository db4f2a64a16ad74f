import { describe, expect, it } from 'vitest';
import { type Change, canonicalJson, diffDocuments, jsonEqual, renderJsonPath, valueAt } from '../../src/domain/diff/index.js';
import type { JsonObject, JsonValue } from '../../src/domain/odcs.js';
import { clone, officialExamples, ordersDocument } from '../support/fixtures.js';


const doc = ordersDocument;

const summary = (changes: Change[]) => changes.map((c) => `${c.kind} ${c.jsonPath} ${c.readablePath}`);

/** Reverses every array whose order carries no meaning, and every object's key order, recursively. */
function shuffle(value: JsonValue, key: string | null = null): JsonValue {
  if (Array.isArray(value)) {
    const items = value.map((v) => shuffle(v));
    const unordered = items.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v)) || ['tags', 'examples', 'transformSourceObjects', 'validValues', 'enum', 'required'].includes(key ?? '');
    return unordered ? items.reverse() : items;
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .reverse()
        .map((k) => [k, shuffle(value[k]!, k)]),
    );
  }
  return value;
}

describe('diffDocuments on the official examples', () => {
  it.each(officialExamples())('finds no change between $file and itself', ({ document }) => {
    expect(diffDocuments(document, clone(document))).toEqual([]);
  });

  it.each(officialExamples())('finds no change when the items and keys of $file are reordered', ({ document }) => {
    const shuffled = shuffle(document) as JsonObject;
    expect(JSON.stringify(shuffled)).not.toBe(JSON.stringify(document));
    expect(diffDocuments(document, shuffled)).toEqual([]);
    expect(diffDocuments(shuffled, document)).toEqual([]);
  });
});

describe('diffDocuments: paths and granularity', () => {
  const base = doc([
    { name: 'order_id', logicalType: 'string', primaryKey: true },
    { name: 'customer_email', logicalType: 'string' },
    { name: 'amount', logicalType: 'number' },
  ]);

  it('reports a changed field as one change at the most specific path, with both values and paths', () => {
    const after = clone(base);
    (((after.schema as JsonObject[])[0]!.properties as JsonObject[])[1] as JsonObject).logicalType = 'integer';
    const changes = diffDocuments(base, after);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      kind: 'changed',
      path: ['schema', 0, 'properties', 1, 'logicalType'],
      jsonPath: '$.schema[0].properties[1].logicalType',
      readablePath: 'orders.customer_email.logicalType',
      before: 'string',
      after: 'integer',
      beforePath: ['schema', 0, 'properties', 1, 'logicalType'],
      afterPath: ['schema', 0, 'properties', 1, 'logicalType'],
      target: {
        element: 'property',
        whole: false,
        schema: 'orders',
        property: 'customer_email',
        readablePath: 'orders.customer_email',
        beforePath: ['schema', 0, 'properties', 1],
        afterPath: ['schema', 0, 'properties', 1],
        schemaBeforePath: ['schema', 0],
        schemaAfterPath: ['schema', 0],
        field: ['logicalType'],
      },
    });
  });

  it('reports an added property as one change with the whole property, at its path in the after document', () => {
    const added = { name: 'currency', logicalType: 'string', required: true, quality: [{ metric: 'nullValues', mustBe: 0 }] };
    const after = doc([...((base.schema as JsonObject[])[0]!.properties as JsonObject[]).slice(0, 2), added, { name: 'amount', logicalType: 'number' }]);
    const changes = diffDocuments(base, after);
    expect(changes).toEqual([
      expect.objectContaining({
        kind: 'added',
        path: ['schema', 0, 'properties', 2],
        jsonPath: '$.schema[0].properties[2]',
        readablePath: 'orders.currency',
        before: null,
        after: added,
        beforePath: null,
        target: expect.objectContaining({ element: 'property', whole: true, property: 'currency', beforePath: null, afterPath: ['schema', 0, 'properties', 2], field: [] }),
      }),
    ]);
  });

  it('reports a removed property at its path in the before document', () => {
    const after = doc([{ name: 'order_id', logicalType: 'string', primaryKey: true }, { name: 'amount', logicalType: 'number' }]);
    const [change, ...rest] = diffDocuments(base, after);
    expect(rest).toEqual([]);
    expect(change).toMatchObject({
      kind: 'removed',
      path: ['schema', 0, 'properties', 1],
      readablePath: 'orders.customer_email',
      before: { name: 'customer_email', logicalType: 'string' },
      after: null,
      afterPath: null,
      target: { element: 'property', whole: true, beforePath: ['schema', 0, 'properties', 1], afterPath: null },
    });
  });

  it('reports added and removed schema objects whole, with the schema name as readable path', () => {
    const after = clone(base);
    (after.schema as JsonObject[]).push({ name: 'customers', properties: [{ name: 'id' }] });
    expect(diffDocuments(base, after)).toEqual([
      expect.objectContaining({ kind: 'added', readablePath: 'customers', jsonPath: '$.schema[1]', target: expect.objectContaining({ element: 'schema', whole: true, schema: 'customers' }) }),
    ]);
    expect(diffDocuments(after, base)).toEqual([expect.objectContaining({ kind: 'removed', readablePath: 'customers', path: ['schema', 1] })]);
  });

  it('names nested properties by their dotted path, through objects and array items', () => {
    const before = doc([
      { name: 'address', logicalType: 'object', properties: [{ name: 'street', logicalType: 'string' }] },
      { name: 'lines', logicalType: 'array', items: { logicalType: 'object', properties: [{ name: 'sku', logicalType: 'string' }] } },
      { name: 'tags', logicalType: 'array', items: { logicalType: 'string' } },
    ]);
    const after = doc([
      { name: 'address', logicalType: 'object', properties: [{ name: 'street', logicalType: 'string', required: true }, { name: 'zip', logicalType: 'string' }] },
      { name: 'lines', logicalType: 'array', items: { logicalType: 'object', properties: [{ name: 'sku', logicalType: 'integer' }] } },
      { name: 'tags', logicalType: 'array', items: { logicalType: 'integer' } },
    ]);
    const changes = diffDocuments(before, after);
    expect(summary(changes)).toEqual([
      'added $.schema[0].properties[0].properties[0].required orders.address.street.required',
      'added $.schema[0].properties[0].properties[1] orders.address.zip',
      'changed $.schema[0].properties[1].items.properties[0].logicalType orders.lines.sku.logicalType',
      'changed $.schema[0].properties[2].items.logicalType orders.tags.items.logicalType',
    ]);
    expect(changes.map((c) => [c.target.property, c.target.field])).toEqual([
      ['address.street', ['required']],
      ['address.zip', []],
      ['lines.sku', ['logicalType']],
      ['tags', ['items', 'logicalType']],
    ]);
  });

  it('names top-level sections by their identity keys', () => {
    const before = doc([], {
      description: { purpose: 'Orders' },
      servers: [{ server: 'prod-db', type: 'postgres' }],
      slaProperties: [{ property: 'latency', value: 4, unit: 'd' }],
      team: { name: 'sales', members: [{ username: 'jwayne', role: 'owner' }] },
      roles: [{ role: 'reader', access: 'read' }],
      support: [{ channel: '#orders', url: 'https://chat' }],
      customProperties: [{ property: 'domainOwner', value: 'sales' }],
    });
    const after = clone(before);
    (after.description as JsonObject).purpose = 'All orders';
    ((after.servers as JsonObject[])[0] as JsonObject).type = 'mysql';
    ((after.slaProperties as JsonObject[])[0] as JsonObject).value = 2;
    (((after.team as JsonObject).members as JsonObject[])[0] as JsonObject).role = 'steward';
    ((after.roles as JsonObject[])[0] as JsonObject).access = 'write';
    ((after.support as JsonObject[])[0] as JsonObject).url = 'https://chat2';
    ((after.customProperties as JsonObject[])[0] as JsonObject).value = 'finance';
    expect(diffDocuments(before, after).map((c) => [c.readablePath, c.target.element])).toEqual([
      ['description.purpose', 'document'],
      ['servers.prod-db.type', 'server'],
      ['slaProperties.latency.value', 'slaProperty'],
      ['team.members.jwayne.role', 'document'],
      ['roles.reader.access', 'document'],
      ['support.#orders.url', 'document'],
      ['customProperties.domainOwner.value', 'document'],
    ]);
  });

  it('distinguishes items that share an identity key by occurrence, and still ignores their order', () => {
    const before = doc([], {
      slaProperties: [
        { property: 'timeOfAvailability', value: '09:00-08:00', driver: 'regulatory' },
        { property: 'timeOfAvailability', value: '08:00-08:00', driver: 'analytics' },
      ],
    });
    const swapped = clone(before);
    (swapped.slaProperties as JsonObject[]).reverse();
    expect(diffDocuments(before, swapped)).toEqual([]);
    const after = clone(before);
    ((after.slaProperties as JsonObject[])[1] as JsonObject).driver = 'operational';
    expect(diffDocuments(before, after).map((c) => c.readablePath)).toEqual(['slaProperties.timeOfAvailability#2.driver']);
  });

  it('keeps absent and null apart; undefined values are reported as null', () => {
    const before = doc([{ name: 'a' }]);
    const after = doc([{ name: 'a', description: null }]);
    expect(diffDocuments(before, after)).toEqual([
      expect.objectContaining({ kind: 'added', readablePath: 'orders.a.description', before: null, after: null, beforePath: null }),
    ]);
  });

  it('renders JSON paths with brackets for keys that are not identifiers', () => {
    expect(renderJsonPath(['schema', 0, 'properties', 3, 'logicalType'])).toBe('$.schema[0].properties[3].logicalType');
    expect(renderJsonPath(['customProperties', 'x-y', "it's", 'a\\b'])).toBe("$.customProperties['x-y']['it\\'s']['a\\\\b']");
    expect(renderJsonPath([])).toBe('$');
  });

  it('has helpers for values at paths and key-order-insensitive equality', () => {
    const d = doc([{ name: 'a', logicalType: 'string' }]);
    expect(valueAt(d, ['schema', 0, 'properties', 0, 'logicalType'])).toBe('string');
    expect(valueAt(d, ['schema', 5, 'name'])).toBeUndefined();
    expect(valueAt(d, ['schema', 'x'])).toBeUndefined();
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(canonicalJson({ b: 1, a: [true, null] })).toBe('{"a":[true,null],"b":1}');
  });
});

describe('diffDocuments: matching items of arrays of objects', () => {
  it('matches by name: reordering properties and schema objects is not a change', () => {
    const before: JsonObject = { ...doc([]), schema: [{ name: 'x', properties: [{ name: 'a' }, { name: 'b' }] }, { name: 'y' }] };
    const after: JsonObject = { ...before, schema: [{ name: 'y' }, { name: 'x', properties: [{ name: 'b' }, { name: 'a' }] }] };
    expect(diffDocuments(before, after)).toEqual([]);
  });

  it('reports a change inside a moved item at its new index', () => {
    const before = doc([{ name: 'a', logicalType: 'string' }, { name: 'b', logicalType: 'string' }]);
    const after = doc([{ name: 'b', logicalType: 'integer' }, { name: 'a', logicalType: 'string' }]);
    expect(diffDocuments(before, after)).toEqual([
      expect.objectContaining({ jsonPath: '$.schema[0].properties[0].logicalType', beforePath: ['schema', 0, 'properties', 1, 'logicalType'], readablePath: 'orders.b.logicalType' }),
    ]);
  });

  it('matches by id first: a renamed property with the same id is one change of its name', () => {
    const before = doc([{ id: 'p1', name: 'email', logicalType: 'string' }, { id: 'p2', name: 'phone' }]);
    const after = doc([{ id: 'p2', name: 'phone' }, { id: 'p1', name: 'email_address', logicalType: 'string' }]);
    expect(diffDocuments(before, after)).toEqual([
      expect.objectContaining({ kind: 'changed', jsonPath: '$.schema[0].properties[1].name', readablePath: 'orders.email_address.name', before: 'email', after: 'email_address' }),
    ]);
  });

  it('does not match items whose ids differ even if their names are equal', () => {
    const before = doc([{ id: 'p1', name: 'email' }]);
    const after = doc([{ id: 'p9', name: 'email' }]);
    expect(summary(diffDocuments(before, after))).toEqual(['removed $.schema[0].properties[0] orders.email', 'added $.schema[0].properties[0] orders.email']);
  });

  it('treats a renamed property without id as removed + added', () => {
    const before = doc([{ name: 'email', logicalType: 'string' }]);
    const after = doc([{ name: 'email_address', logicalType: 'string' }]);
    expect(diffDocuments(before, after).map((c) => `${c.kind} ${c.readablePath}`)).toEqual(['removed orders.email', 'added orders.email_address']);
  });

  it('matches custom properties and SLA properties by property, servers by server', () => {
    const before = doc([{ name: 'a', customProperties: [{ property: 'pii', value: true }, { property: 'owner', value: 'x' }] }], {
      slaProperties: [{ property: 'latency', value: 4, unit: 'd' }, { property: 'retention', value: 3, unit: 'y' }],
      servers: [{ server: 'prod', type: 'postgres' }, { server: 'dev', type: 'postgres' }],
    });
    const after = clone(before);
    (((after.schema as JsonObject[])[0]!.properties as JsonObject[])[0]!.customProperties as JsonObject[]).reverse();
    (after.slaProperties as JsonObject[]).reverse();
    (after.servers as JsonObject[]).reverse();
    expect(diffDocuments(before, after)).toEqual([]);
    ((after.slaProperties as JsonObject[])[0] as JsonObject).value = 5; // retention, now first
    ((after.servers as JsonObject[])[1] as JsonObject).type = 'mysql'; // prod, now second
    expect(summary(diffDocuments(before, after))).toEqual([
      'changed $.slaProperties[0].value slaProperties.retention.value',
      'changed $.servers[1].type servers.prod.type',
    ]);
  });

  it('pairs items without identity keys by equality first, then by position', () => {
    const q1 = { metric: 'nullValues', mustBe: 0 };
    const q2 = { metric: 'rowCount', mustBeGreaterThan: 100 };
    const before = doc([{ name: 'a', quality: [q1, q2] }]);
    expect(diffDocuments(before, doc([{ name: 'a', quality: [q2, q1] }]))).toEqual([]);
    const changes = diffDocuments(before, doc([{ name: 'a', quality: [q1, { ...q2, mustBeGreaterThan: 1000 }] }]));
    expect(changes).toEqual([
      expect.objectContaining({
        kind: 'changed',
        readablePath: 'orders.a.quality[1].mustBeGreaterThan',
        before: 100,
        after: 1000,
        target: expect.objectContaining({ element: 'quality', property: 'a', readablePath: 'orders.a.quality[1]', field: ['mustBeGreaterThan'] }),
      }),
    ]);
  });

  it('names quality rules with a name by it', () => {
    const before = doc([{ name: 'a', quality: [{ name: 'few_nulls', metric: 'nullValues', mustBeLessThan: 5 }] }]);
    const after = doc([{ name: 'a', quality: [{ name: 'few_nulls', metric: 'nullValues', mustBeLessThan: 2 }] }]);
    expect(diffDocuments(before, after).map((c) => c.readablePath)).toEqual(['orders.a.quality.few_nulls.mustBeLessThan']);
  });
});

describe('diffDocuments: arrays of scalars', () => {
  it('compares tags as a set: reordering is not a change, each added or removed tag is one change', () => {
    const before = doc([], { tags: ['finance', 'orders', 'eu'] });
    expect(diffDocuments(before, doc([], { tags: ['eu', 'finance', 'orders'] }))).toEqual([]);
    const changes = diffDocuments(before, doc([], { tags: ['eu', 'orders', 'sales'] }));
    expect(changes.map((c) => [c.kind, c.jsonPath, c.readablePath, c.before, c.after])).toEqual([
      ['removed', '$.tags[0]', 'tags', 'finance', null],
      ['added', '$.tags[2]', 'tags', null, 'sales'],
    ]);
  });

  it('compares allowed values as a set', () => {
    const before = doc([{ name: 'status', logicalTypeOptions: { enum: ['new', 'paid', 'shipped'] } }]);
    const after = doc([{ name: 'status', logicalTypeOptions: { enum: ['shipped', 'new', 'cancelled'] } }]);
    expect(diffDocuments(before, after).map((c) => `${c.kind} ${c.readablePath} ${JSON.stringify(c.kind === 'removed' ? c.before : c.after)}`)).toEqual([
      'removed orders.status.logicalTypeOptions.enum "paid"',
      'added orders.status.logicalTypeOptions.enum "cancelled"',
    ]);
  });

  it('compares other scalar arrays in order, as one change of the whole array', () => {
    const before = doc([{ name: 'a', quality: [{ metric: 'rowCount', mustBeBetween: [1, 5] }] }]);
    const after = doc([{ name: 'a', quality: [{ metric: 'rowCount', mustBeBetween: [1, 10] }] }]);
    expect(diffDocuments(before, after)).toEqual([
      expect.objectContaining({ kind: 'changed', readablePath: 'orders.a.quality[0].mustBeBetween', before: [1, 5], after: [1, 10] }),
    ]);
  });
});

describe('diffDocuments: containers present on one side only', () => {
  it('reports each item of an added list of objects, and each key of an added object', () => {
    const before = doc([{ name: 'a' }]);
    const after = doc([{ name: 'a', logicalTypeOptions: { minLength: 1, maxLength: 5 }, quality: [{ metric: 'nullValues', mustBe: 0 }, { metric: 'rowCount', mustBeGreaterThan: 0 }] }]);
    const changes = diffDocuments(before, after);
    expect(summary(changes)).toEqual([
      'added $.schema[0].properties[0].logicalTypeOptions.minLength orders.a.logicalTypeOptions.minLength',
      'added $.schema[0].properties[0].logicalTypeOptions.maxLength orders.a.logicalTypeOptions.maxLength',
      'added $.schema[0].properties[0].quality[0] orders.a.quality[0]',
      'added $.schema[0].properties[0].quality[1] orders.a.quality[1]',
    ]);
    expect(changes.map((c) => [c.target.element, c.target.whole])).toEqual([
      ['property', false],
      ['property', false],
      ['quality', true],
      ['quality', true],
    ]);
    expect(summary(diffDocuments(after, before))).toEqual([
      'removed $.schema[0].properties[0].logicalTypeOptions.minLength orders.a.logicalTypeOptions.minLength',
      'removed $.schema[0].properties[0].logicalTypeOptions.maxLength orders.a.logicalTypeOptions.maxLength',
      'removed $.schema[0].properties[0].quality[0] orders.a.quality[0]',
      'removed $.schema[0].properties[0].quality[1] orders.a.quality[1]',
    ]);
  });

  it('reports a whole added scalar list or empty container as one change', () => {
    const before = doc([{ name: 'a', logicalTypeOptions: {} }]);
    const after = doc([{ name: 'a', logicalTypeOptions: { enum: ['x', 'y'] }, tags: [] }]);
    expect(diffDocuments(before, after).map((c) => [c.kind, c.readablePath, c.after])).toEqual([
      ['added', 'orders.a.logicalTypeOptions.enum', ['x', 'y']],
      ['added', 'orders.a.tags', []],
    ]);
  });

  it('reports every schema object when the whole schema list is added', () => {
    const before: JsonObject = { apiVersion: 'v3.1.0', kind: 'DataContract', id: 'x', version: '1.0.0', status: 'draft' };
    const after: JsonObject = { ...before, schema: [{ name: 'a' }, { name: 'b' }] };
    expect(diffDocuments(before, after).map((c) => [c.kind, c.readablePath, c.target.element, c.target.whole])).toEqual([
      ['added', 'a', 'schema', true],
      ['added', 'b', 'schema', true],
    ]);
  });
});

describe('diffDocuments: order', () => {
  it('lists changes in document order, removed things where they were (before what was added there)', () => {
    const before = doc([{ name: 'a', logicalType: 'string' }, { name: 'b' }, { name: 'c', logicalType: 'string' }, { name: 'd' }], { version: '1.0.0', tags: ['x'] });
    const after = { ...doc([{ name: 'a', logicalType: 'integer' }, { name: 'c', logicalType: 'integer' }, { name: 'e' }]), version: '1.1.0', tags: ['x', 'y'] };
    expect(diffDocuments(before, after).map((c) => `${c.kind} ${c.readablePath}`)).toEqual([
      'changed version',
      'changed orders.a.logicalType',
      'removed orders.b',
      'changed orders.c.logicalType',
      'removed orders.d',
      'added orders.e',
      'added tags',
    ]);
  });

  it('is deterministic', () => {
    const [a, b] = officialExamples().map((e) => e.document);
    expect(diffDocuments(a!, b!)).toEqual(diffDocuments(clone(a!), clone(b!)));
  });
});

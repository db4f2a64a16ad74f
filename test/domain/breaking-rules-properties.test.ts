/**
 * The breaking-change rules (src/domain/breaking-rules/) as pure functions: schema objects and properties — added,
 * removed, renamed, logical types, required / unique / primary key, allowed values and value constraints.
 */
import { describe, expect, it } from 'vitest';
import { type Judgement, RULES, judgeChanges, primaryKeyOf } from '../../src/domain/breaking-rules/index.js';
import type { JsonObject } from '../../src/domain/odcs.js';
import { clone, officialExamples, ordersDocument } from '../support/fixtures.js';

const doc = ordersDocument;

/** The judgements between a document with property `before` and one with property `after` (plus others). */
function judgeProperty(before: JsonObject, after: JsonObject, others: JsonObject[] = []): Judgement[] {
  return judgeChanges(doc([before, ...others]), doc([after, ...others]));
}

const ids = (judgements: Judgement[]) => judgements.map((j) => j.ruleId);
const brief = (judgements: Judgement[]) => judgements.map((j) => `${j.ruleId} ${j.level} ${j.category} ${j.readablePath}`);

function example(file: string): JsonObject {
  const found = officialExamples().find((e) => e.file === file);
  if (!found) throw new Error(`no official example ${file}`);
  return clone(found.document);
}

describe('schema objects', () => {
  it('schema-removed is breaking (FORWARD); schema-added is an info addition', () => {
    const before: JsonObject = { ...doc([{ name: 'a' }]), schema: [{ name: 'orders' }, { name: 'customers' }] };
    const after: JsonObject = { ...doc([{ name: 'a' }]), schema: [{ name: 'orders' }] };
    const [removed] = judgeChanges(before, after);
    expect(removed).toMatchObject({ ruleId: 'schema-removed', level: 'breaking', category: 'breaking', readablePath: 'customers', breaks: { backward: false, forward: true } });
    expect(removed!.explanation).toBe('Schema object customers was removed; consumers that read it will break.');
    expect(brief(judgeChanges(after, before))).toEqual(['schema-added info addition customers']);
  });

  it('reordering schema objects is not a change', () => {
    const before: JsonObject = { ...doc([]), schema: [{ name: 'orders' }, { name: 'customers' }] };
    expect(judgeChanges(before, { ...before, schema: [{ name: 'customers' }, { name: 'orders' }] })).toEqual([]);
  });

  it('schema-renamed when a schema object with the same id has a new name', () => {
    const before: JsonObject = { ...doc([]), schema: [{ id: 's1', name: 'orders' }] };
    const after: JsonObject = { ...doc([]), schema: [{ id: 's1', name: 'purchases' }] };
    expect(brief(judgeChanges(before, after))).toEqual(['schema-renamed breaking breaking purchases']);
  });

  it('physical-name-changed for a schema object', () => {
    const before: JsonObject = { ...doc([]), schema: [{ name: 'orders', physicalName: 'orders_v1' }] };
    const after: JsonObject = { ...doc([]), schema: [{ name: 'orders', physicalName: 'orders_v2' }] };
    const [j] = judgeChanges(before, after);
    expect(j).toMatchObject({ ruleId: 'physical-name-changed', readablePath: 'orders.physicalName', breaks: { backward: true, forward: true } });
    expect(j!.explanation).toContain('from "orders_v1" to "orders_v2"');
  });
});

describe('properties added, removed, renamed', () => {
  const email = { name: 'customer_email', logicalType: 'string' };

  it('property-removed is breaking, and breaks FORWARD only when the property was required', () => {
    const [optional] = judgeChanges(doc([{ name: 'id' }, email]), doc([{ name: 'id' }]));
    expect(optional).toMatchObject({ ruleId: 'property-removed', level: 'breaking', readablePath: 'orders.customer_email', breaks: { backward: false, forward: false } });
    expect(optional!.summary).toBe('removing orders.customer_email');
    expect(optional!.explanation).toBe('Property orders.customer_email was removed; consumers that read it will break.');
    expect(optional!.suggestion).toMatch(/deprecated/);
    const [required] = judgeChanges(doc([{ name: 'id' }, { ...email, required: true }]), doc([{ name: 'id' }]));
    expect(required).toMatchObject({ ruleId: 'property-removed', breaks: { backward: false, forward: true } });
    expect(required!.explanation).toContain('(it was required)');
  });

  it('property-added is info for an optional property and required-property-added is breaking (BACKWARD)', () => {
    expect(brief(judgeChanges(doc([{ name: 'id' }]), doc([{ name: 'id' }, email])))).toEqual(['property-added info addition orders.customer_email']);
    expect(brief(judgeChanges(doc([{ name: 'id' }]), doc([{ name: 'id' }, { ...email, required: false }])))).toEqual(['property-added info addition orders.customer_email']);
    const [j] = judgeChanges(doc([{ name: 'id' }]), doc([{ name: 'id' }, { ...email, required: true }]));
    expect(j).toMatchObject({ ruleId: 'required-property-added', level: 'breaking', breaks: { backward: true, forward: false } });
  });

  it('judges nested properties with their dotted path', () => {
    const before = doc([{ name: 'address', logicalType: 'object', properties: [{ name: 'street' }, { name: 'city' }] }]);
    const after = doc([{ name: 'address', logicalType: 'object', properties: [{ name: 'street', logicalType: 'integer' }, { name: 'zip', required: true }] }]);
    expect(brief(judgeChanges(before, after))).toEqual([
      'logical-type-added warning addition orders.address.street.logicalType',
      'property-removed breaking breaking orders.address.city',
      'required-property-added breaking breaking orders.address.zip',
    ]);
  });

  it('reordering properties is not a change', () => {
    expect(judgeChanges(doc([{ name: 'id' }, email]), doc([email, { name: 'id' }]))).toEqual([]);
  });

  it('property-renamed when a property with the same id has a new name (a rename without id is removed + added)', () => {
    const [j] = judgeProperty({ id: 'p1', ...email }, { id: 'p1', ...email, name: 'email' });
    expect(j).toMatchObject({ ruleId: 'property-renamed', level: 'breaking', readablePath: 'orders.email', breaks: { backward: true, forward: true } });
    expect(ids(judgeProperty(email, { ...email, name: 'email' }))).toEqual(['property-removed', 'property-added']);
  });

  it('physical-name-changed compares physicalName, falling back to the name', () => {
    expect(ids(judgeProperty({ name: 'a', physicalName: 'col_a' }, { name: 'a', physicalName: 'col_b' }))).toEqual(['physical-name-changed']);
    expect(ids(judgeProperty({ name: 'a' }, { name: 'a', physicalName: 'col_a' }))).toEqual(['physical-name-changed']);
    expect(ids(judgeProperty({ name: 'a' }, { name: 'a', physicalName: 'a' }))).toEqual(['other-changed']);
    expect(ids(judgeProperty({ name: 'a', physicalName: 'a' }, { name: 'a' }))).toEqual(['other-changed']);
  });

  it('physical-type-changed is a warning', () => {
    expect(brief(judgeProperty({ name: 'a', physicalType: 'varchar(2)' }, { name: 'a', physicalType: 'varchar(3)' }))).toEqual([
      'physical-type-changed warning other orders.a.physicalType',
    ]);
  });
});

describe('logical types', () => {
  const typed = (t: string | undefined, extra: JsonObject = {}) => ({ name: 'amount', ...(t ? { logicalType: t } : {}), ...extra });

  it.each([
    ['integer', 'number', 'logical-type-widened', 'warning', { backward: false, forward: true }],
    ['date', 'timestamp', 'logical-type-widened', 'warning', { backward: false, forward: true }],
    ['number', 'integer', 'logical-type-narrowed', 'breaking', { backward: true, forward: false }],
    ['timestamp', 'date', 'logical-type-narrowed', 'breaking', { backward: true, forward: false }],
    ['string', 'integer', 'logical-type-changed', 'breaking', { backward: true, forward: true }],
    ['integer', 'string', 'logical-type-changed', 'breaking', { backward: true, forward: true }],
    ['date', 'time', 'logical-type-changed', 'breaking', { backward: true, forward: true }],
    [undefined, 'string', 'logical-type-added', 'warning', { backward: true, forward: false }],
    ['string', undefined, 'logical-type-removed', 'warning', { backward: false, forward: true }],
  ] as const)('%s -> %s is %s (%s)', (from, to, rule, level, breaks) => {
    const [j, ...rest] = judgeProperty(typed(from), typed(to));
    expect(rest).toEqual([]);
    expect(j).toMatchObject({ ruleId: rule, level, breaks, readablePath: 'orders.amount.logicalType' });
  });

  it('renders the types in the explanation', () => {
    const [j] = judgeProperty(typed('integer'), typed('number'));
    expect(j!.explanation).toMatch(/^orders\.amount was widened from integer to number/);
    expect(j!.level).not.toBe('breaking');
  });

  it('judges the type of array items', () => {
    const [j] = judgeProperty(typed('array', { items: { logicalType: 'string' } }), typed('array', { items: { logicalType: 'integer' } }));
    expect(j).toMatchObject({ ruleId: 'logical-type-changed', readablePath: 'orders.amount.items.logicalType' });
    expect(j!.explanation).toContain('orders.amount.items');
  });
});

describe('required, unique, primary key', () => {
  it('property-became-required is breaking (BACKWARD), including from absent; becoming optional is a warning', () => {
    for (const from of [{}, { required: false }] as JsonObject[]) {
      const [j, ...rest] = judgeProperty({ name: 'email', ...from }, { name: 'email', required: true });
      expect(rest).toEqual([]);
      expect(j).toMatchObject({ ruleId: 'property-became-required', level: 'breaking', readablePath: 'orders.email.required', breaks: { backward: true, forward: false } });
      expect(j!.explanation).toMatch(/non-nullable/);
    }
    expect(judgeProperty({ name: 'email', required: true }, { name: 'email', required: false })[0]).toMatchObject({
      ruleId: 'property-became-optional',
      level: 'warning',
      category: 'addition',
      breaks: { backward: false, forward: true },
    });
    expect(ids(judgeProperty({ name: 'email' }, { name: 'email', required: false }))).toEqual(['other-changed']);
  });

  it('judges logicalTypeOptions.required of an object property like required flags of its properties', () => {
    const obj = (required?: string[]) => ({ name: 'customer', logicalType: 'object', ...(required ? { logicalTypeOptions: { required } } : {}), properties: [{ name: 'a' }, { name: 'b' }] });
    expect(brief(judgeProperty(obj(['a']), obj(['a', 'b'])))).toEqual(['property-became-required breaking breaking orders.customer.b']);
    expect(brief(judgeProperty(obj(['a', 'b']), obj(['b'])))).toEqual(['property-became-optional warning addition orders.customer.a']);
    expect(brief(judgeProperty(obj(), obj(['a', 'b'])))).toEqual(['property-became-required breaking breaking orders.customer']);
    expect(judgeProperty(obj(['a', 'b']), obj(['b', 'a']))).toEqual([]);
  });

  it('unique-added is breaking (BACKWARD); unique-removed is a warning', () => {
    expect(judgeProperty({ name: 'email' }, { name: 'email', unique: true })[0]).toMatchObject({ ruleId: 'unique-added', level: 'breaking', breaks: { backward: true, forward: false } });
    expect(judgeProperty({ name: 'email', unique: true }, { name: 'email' })[0]).toMatchObject({ ruleId: 'unique-removed', level: 'warning', breaks: { backward: false, forward: true } });
    expect(ids(judgeProperty({ name: 'email', unique: false }, { name: 'email' }))).toEqual(['other-changed']);
  });

  const pk = (name: string, position?: number) => ({ name, primaryKey: true, ...(position !== undefined ? { primaryKeyPosition: position } : {}) });

  it('primary-key-changed when the key properties change', () => {
    const judgements = judgeChanges(doc([pk('order_id'), { name: 'line' }]), doc([pk('order_id', 1), pk('line', 2)]));
    expect(brief(judgements)).toEqual(['primary-key-changed breaking breaking orders']);
    expect(judgements[0]!.changes.map((c) => c.readablePath)).toEqual(['orders.order_id.primaryKeyPosition', 'orders.line.primaryKey', 'orders.line.primaryKeyPosition']);
    expect(judgements[0]!.explanation).toBe(
      'The primary key of orders changed from (order_id) to (order_id, line); consumers that join, deduplicate or upsert on it will break.',
    );
    expect(judgements[0]!.breaks).toEqual({ backward: true, forward: true });
  });

  it('primary-key-changed when key positions are swapped', () => {
    const [j] = judgeChanges(doc([pk('a', 1), pk('b', 2)]), doc([pk('a', 2), pk('b', 1)]));
    expect(j).toMatchObject({ ruleId: 'primary-key-changed', changes: [expect.anything(), expect.anything()] });
    expect(j!.explanation).toMatch(/new key positions/);
  });

  it('removing a key property is both property-removed and primary-key-changed', () => {
    expect(ids(judgeChanges(doc([pk('a', 1), pk('b', 2)]), doc([pk('a', 1)])))).toEqual(['property-removed', 'primary-key-changed']);
    expect(ids(judgeChanges(doc([pk('a', 1)]), doc([pk('a', 1), pk('b', 2)])))).toEqual(['property-added', 'primary-key-changed']);
  });

  it('does not judge the primary key when it is the same (reordered properties, default positions)', () => {
    expect(judgeChanges(doc([pk('a', 1), pk('b', 2)]), doc([pk('b', 2), pk('a', 1)]))).toEqual([]);
    expect(ids(judgeChanges(doc([pk('a')]), doc([pk('a', -1)])))).toEqual(['other-changed']);
    expect(ids(judgeChanges(doc([{ name: 'a', primaryKeyPosition: 3 }]), doc([{ name: 'a', primaryKeyPosition: 4 }])))).toEqual(['other-changed']);
    expect(primaryKeyOf({ name: 'x', properties: [pk('b', 2), pk('a', 1), { name: 'c' }] })).toEqual([
      { property: 'a', position: 1 },
      { property: 'b', position: 2 },
    ]);
  });
});

describe('allowed values', () => {
  const status = (values?: string[]) => ({ name: 'status', logicalType: 'string', ...(values ? { logicalTypeOptions: { enum: values } } : {}) });

  it('allowed-values-removed is breaking (BACKWARD), allowed-values-added is info', () => {
    const judgements = judgeProperty(status(['new', 'paid', 'shipped']), status(['new', 'shipped', 'cancelled']));
    expect(brief(judgements)).toEqual([
      'allowed-values-removed breaking breaking orders.status.logicalTypeOptions.enum',
      'allowed-values-added info addition orders.status.logicalTypeOptions.enum',
    ]);
    expect(judgements[0]!.explanation).toBe('"paid" is no longer an allowed value of orders.status.logicalTypeOptions.enum; existing data may contain it.');
    expect(judgements.map((j) => j.breaks)).toEqual([
      { backward: true, forward: false },
      { backward: false, forward: true },
    ]);
  });

  it('introducing a list of allowed values removes values; dropping it adds them', () => {
    expect(ids(judgeProperty(status(), status(['new'])))).toEqual(['allowed-values-removed']);
    expect(ids(judgeProperty(status(['new']), status()))).toEqual(['allowed-values-added']);
  });

  it('reordering allowed values is not a change', () => {
    expect(judgeProperty(status(['a', 'b']), status(['b', 'a']))).toEqual([]);
  });

  it('judges validValues of a quality rule (official example column-validity)', () => {
    const before = example('column-validity.odcs.yaml');
    const after = clone(before);
    const rule = (((after.schema as JsonObject[])[0]!.properties as JsonObject[])[0]!.quality as JsonObject[])[0]!;
    (rule.arguments as JsonObject).validValues = ['', null, 'n/a', 'unknown'];
    expect(brief(judgeChanges(before, after))).toEqual(['allowed-values-added info addition Air_Quality.air_quality_status.quality[0].arguments.validValues']);
    (rule.arguments as JsonObject).validValues = ['', 'n/a'];
    expect(judgeChanges(before, after)[0]!.explanation).toMatch(/^null is no longer an allowed value/);
  });
});

describe('value constraints (logicalTypeOptions)', () => {
  const str = (options: JsonObject) => ({ name: 'code', logicalType: 'string', logicalTypeOptions: options });
  const num = (options: JsonObject, type = 'integer') => ({ name: 'qty', logicalType: type, logicalTypeOptions: options });

  it.each([
    [str({ maxLength: 10 }), str({ maxLength: 5 }), 'value-constraint-tightened'],
    [str({ maxLength: 5 }), str({ maxLength: 10 }), 'value-constraint-relaxed'],
    [str({}), str({ maxLength: 10 }), 'value-constraint-tightened'],
    [str({ minLength: 1 }), str({ minLength: 2 }), 'value-constraint-tightened'],
    [str({ minLength: 1 }), str({}), 'value-constraint-relaxed'],
    [str({}), str({ pattern: '^[A-Z]+$' }), 'value-constraint-tightened'],
    [str({ pattern: '^[A-Z]+$' }), str({}), 'value-constraint-relaxed'],
    [str({ pattern: '^[A-Z]+$' }), str({ pattern: '^[A-Z0-9]+$' }), 'value-constraint-changed'],
    [str({ format: 'email' }), str({ format: 'uri' }), 'value-constraint-changed'],
    [num({ format: 'i32' }), num({ format: 'i64' }), 'value-constraint-relaxed'],
    [num({ format: 'i64' }), num({ format: 'u32' }), 'value-constraint-tightened'],
    [num({ format: 'i8' }), num({ format: 'u8' }), 'value-constraint-changed'],
    [num({ multipleOf: 5 }), num({ multipleOf: 10 }), 'value-constraint-tightened'],
    [num({ multipleOf: 10 }), num({ multipleOf: 5 }), 'value-constraint-relaxed'],
    [num({ multipleOf: 3 }), num({ multipleOf: 5 }), 'value-constraint-changed'],
    [num({ minimum: 0 }), num({ minimum: 1 }), 'value-constraint-tightened'],
    [num({ minimum: 0, maximum: 10 }), num({ minimum: -5, maximum: 20 }), 'value-constraint-relaxed'],
    [num({ minimum: 0 }), num({ exclusiveMinimum: 0 }), 'value-constraint-tightened'],
    [num({ maximum: 10 }), num({ exclusiveMaximum: 10 }), 'value-constraint-tightened'],
    [num({ minimum: 0, maximum: 10 }), num({ minimum: 5, maximum: 20 }), 'value-constraint-changed'],
    [num({ minimum: 0 }), num({ maximum: 100 }), 'value-constraint-changed'],
    [num({ maximum: 100 }), num({}), 'value-constraint-relaxed'],
    [{ name: 'd', logicalType: 'date', logicalTypeOptions: { maximum: '2021-01-01' } }, { name: 'd', logicalType: 'date', logicalTypeOptions: { maximum: '2030-01-01' } }, 'value-constraint-relaxed'],
    [{ name: 't', logicalType: 'time', logicalTypeOptions: { minimum: '00:00:00' } }, { name: 't', logicalType: 'time', logicalTypeOptions: { minimum: '06:00:00' } }, 'value-constraint-tightened'],
    [{ name: 'l', logicalType: 'array', logicalTypeOptions: { maxItems: 3 } }, { name: 'l', logicalType: 'array', logicalTypeOptions: { maxItems: 2 } }, 'value-constraint-tightened'],
    [{ name: 'l', logicalType: 'array', logicalTypeOptions: {} }, { name: 'l', logicalType: 'array', logicalTypeOptions: { uniqueItems: true } }, 'value-constraint-tightened'],
    [{ name: 't', logicalType: 'timestamp', logicalTypeOptions: { timezone: true } }, { name: 't', logicalType: 'timestamp', logicalTypeOptions: { timezone: false } }, 'value-constraint-changed'],
  ] as const)('%j -> %j is %s', (before, after, rule) => {
    const judgements = judgeProperty(before as JsonObject, after as JsonObject);
    expect(ids(judgements)).toEqual([rule]);
    expect(judgements[0]!.breaks).toEqual(RULES[rule].breaks);
  });

  it('judges one range change for the bounds of one property, naming both ranges', () => {
    const [j, ...rest] = judgeProperty(num({ minimum: 0, maximum: 10 }), num({ exclusiveMinimum: 0, maximum: 5 }));
    expect(rest).toEqual([]);
    expect(j).toMatchObject({ ruleId: 'value-constraint-tightened', readablePath: 'orders.qty' });
    expect(j!.changes).toHaveLength(3);
    expect(j!.explanation).toBe('The allowed range of orders.qty is narrower (minimum 0, maximum 10 -> exclusiveMinimum 0, maximum 5); existing data may fall outside it.');
  });

  it('does not judge equivalent constraints as tightened or relaxed', () => {
    expect(ids(judgeProperty(str({}), str({ minLength: 0 })))).toEqual(['other-changed']);
    expect(ids(judgeProperty({ name: 'l', logicalType: 'array' }, { name: 'l', logicalType: 'array', logicalTypeOptions: { uniqueItems: false } }))).toEqual(['other-changed']);
  });
});

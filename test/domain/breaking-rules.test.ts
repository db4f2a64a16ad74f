import { describe, expect, it } from 'vitest';
import { type Judgement, RULES, type RuleId, classificationRank, judgeChanges, primaryKeyOf } from '../../src/domain/breaking-rules/index.js';
import { diffDocuments } from '../../src/domain/diff/index.js';
import type { JsonObject, JsonValue } from '../../src/domain/odcs.js';
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

describe('the rule table', () => {
  it('has kebab-case ids, a level, a category and a description for every rule; breaking level iff breaking category', () => {
    const rules = Object.values(RULES);
    expect(rules.length).toBeGreaterThanOrEqual(40);
    for (const rule of rules) {
      expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(['breaking', 'warning', 'info']).toContain(rule.level);
      expect(['breaking', 'addition', 'docs', 'other']).toContain(rule.category);
      expect(rule.description.length).toBeGreaterThan(10);
      expect(rule.level === 'breaking', rule.id).toBe(rule.category === 'breaking');
      if (rule.level === 'breaking' && rule.id !== 'server-removed') expect(rule.breaks.backward || rule.breaks.forward, rule.id).toBe(true);
    }
  });

  it('covers every change of a diff with at least one judgement (except the document version), each fully rendered', () => {
    const examples = officialExamples().map((e) => e.document);
    for (const before of examples) {
      for (const after of examples) {
        const changes = diffDocuments(before, after);
        const judgements = judgeChanges(before, after, changes);
        const covered = new Set(judgements.flatMap((j) => j.changes));
        for (const c of changes) if (c.readablePath !== 'version') expect(covered.has(c), c.readablePath).toBe(true);
        for (const j of judgements) {
          expect(j.change).toBe(j.changes[0]);
          expect(j.explanation.length).toBeGreaterThan(10);
          expect(j.suggestion.length).toBeGreaterThan(5);
          expect(j.summary.length).toBeGreaterThan(5);
          expect(j.level).toBe(RULES[j.ruleId].level);
          expect(j.category).toBe(RULES[j.ruleId].category);
        }
      }
    }
  });

  it('judges nothing when nothing changed, and ignores the document version field', () => {
    const d = doc([{ name: 'a', logicalType: 'string' }]);
    expect(judgeChanges(d, clone(d))).toEqual([]);
    expect(judgeChanges(d, { ...d, version: '2.0.0' })).toEqual([]);
  });

  it('accepts precomputed changes', () => {
    const before = doc([{ name: 'a' }]);
    const after = doc([]);
    const changes = diffDocuments(before, after);
    expect(judgeChanges(before, after, changes)[0]!.change).toBe(changes[0]);
  });
});

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

describe('quality rules', () => {
  const withRule = (rule?: JsonObject) => ({ name: 'amount', logicalType: 'number', ...(rule ? { quality: [rule] } : {}) });
  const judgeRule = (before: JsonObject, after: JsonObject) => judgeProperty(withRule(before), withRule(after));

  it.each([
    [{ mustBeGreaterThan: 10 }, { mustBeGreaterThan: 20 }, 'quality-threshold-tightened'],
    [{ mustBeGreaterThan: 20 }, { mustBeGreaterThan: 10 }, 'quality-threshold-relaxed'],
    [{ mustBeLessThan: 10 }, { mustBeLessThan: 5 }, 'quality-threshold-tightened'],
    [{ mustBeLessThan: 5 }, { mustBeLessThan: 10 }, 'quality-threshold-relaxed'],
    [{ mustBeLessThan: 5 }, { mustBeLessOrEqualTo: 5 }, 'quality-threshold-relaxed'],
    [{ mustBeGreaterOrEqualTo: 5 }, { mustBeGreaterThan: 5 }, 'quality-threshold-tightened'],
    [{ mustBeBetween: [0, 100] }, { mustBeBetween: [10, 90] }, 'quality-threshold-tightened'],
    [{ mustBeBetween: [10, 90] }, { mustBeBetween: [0, 100] }, 'quality-threshold-relaxed'],
    [{ mustBeBetween: [0, 50] }, { mustBeBetween: [10, 60] }, 'quality-rule-changed'],
    [{ mustNotBeBetween: [10, 20] }, { mustNotBeBetween: [5, 25] }, 'quality-threshold-tightened'],
    [{ mustBe: 0 }, { mustBeLessOrEqualTo: 0 }, 'quality-threshold-relaxed'],
    [{ mustBeLessOrEqualTo: 5 }, { mustBe: 0 }, 'quality-threshold-tightened'],
    [{ mustNotBe: 0 }, { mustBeGreaterThan: 0 }, 'quality-threshold-tightened'],
    [{ mustBe: 'ok' }, { mustBe: 'fine' }, 'quality-rule-changed'],
  ] as const)('%j -> %j is %s', (before, after, rule) => {
    const judgements = judgeRule({ metric: 'rowCount', ...(before as JsonObject) }, { metric: 'rowCount', ...(after as JsonObject) });
    expect(ids(judgements)).toEqual([rule]);
    expect(judgements[0]!.readablePath).toBe('orders.amount.quality[0]');
  });

  it('renders the thresholds and groups the changes of one rule', () => {
    const [j, ...rest] = judgeRule({ metric: 'nullValues', mustBe: 0 }, { metric: 'nullValues', mustBeLessThan: 5 });
    expect(rest).toEqual([]);
    expect(j!.changes.map((c) => c.kind)).toEqual(['removed', 'added']);
    expect(j!.explanation).toBe('Quality rule orders.amount.quality[0] is looser (mustBe 0 -> mustBeLessThan 5); consumers get a weaker guarantee.');
  });

  it('quality-rule-changed when what is checked changes, whatever the threshold does', () => {
    const judgements = judgeRule({ metric: 'nullValues', mustBeLessThan: 5 }, { metric: 'missingValues', mustBeLessThan: 1 });
    expect(brief(judgements)).toEqual(['quality-rule-changed warning addition orders.amount.quality[0]']);
    expect(judgements[0]!.breaks).toEqual({ backward: true, forward: true });
    expect(ids(judgeRule({ type: 'sql', query: 'select 1', mustBe: 0 }, { type: 'sql', query: 'select 2', mustBe: 0 }))).toEqual(['quality-rule-changed']);
  });

  it('quality-rule-added and quality-rule-removed are warnings; severity is other, description is docs', () => {
    expect(judgeProperty(withRule(), withRule({ metric: 'nullValues', mustBe: 0 }))[0]).toMatchObject({ ruleId: 'quality-rule-added', level: 'warning', breaks: { backward: true, forward: false } });
    expect(judgeProperty(withRule({ metric: 'nullValues', mustBe: 0 }), withRule())[0]).toMatchObject({ ruleId: 'quality-rule-removed', level: 'warning', breaks: { backward: false, forward: true } });
    expect(ids(judgeRule({ metric: 'nullValues', mustBe: 0, severity: 'warning' }, { metric: 'nullValues', mustBe: 0, severity: 'error' }))).toEqual(['other-changed']);
    expect(ids(judgeRule({ metric: 'nullValues', mustBe: 0 }, { metric: 'nullValues', mustBe: 0, description: 'no nulls' }))).toEqual(['documentation-changed']);
  });

  it('judges schema-level quality rules', () => {
    const before: JsonObject = { ...doc([]), schema: [{ name: 'orders', quality: [{ metric: 'rowCount', mustBeGreaterThan: 100 }] }] };
    const after: JsonObject = { ...doc([]), schema: [{ name: 'orders', quality: [{ metric: 'rowCount', mustBeGreaterThan: 1000 }] }] };
    expect(brief(judgeChanges(before, after))).toEqual(['quality-threshold-tightened breaking breaking orders.quality[0]']);
  });
});

describe('SLAs', () => {
  const sla = (...items: JsonObject[]) => doc([], { slaProperties: items });
  const judgeSla = (before: JsonObject, after: JsonObject) => judgeChanges(sla(before), sla(after));

  it.each([
    [{ property: 'latency', value: 4, unit: 'd' }, { property: 'latency', value: 2, unit: 'd' }, 'sla-tightened'],
    [{ property: 'latency', value: 4, unit: 'd' }, { property: 'latency', value: 12, unit: 'h' }, 'sla-tightened'],
    [{ property: 'latency', value: 1, unit: 'h' }, { property: 'latency', value: 1, unit: 'd' }, 'sla-relaxed'],
    [{ property: 'frequency', value: 1, unit: 'd' }, { property: 'frequency', value: 1, unit: 'w' }, 'sla-relaxed'],
    [{ property: 'retention', value: 3, unit: 'y' }, { property: 'retention', value: 5, unit: 'years' }, 'sla-tightened'],
    [{ property: 'retention', value: 3, unit: 'y' }, { property: 'retention', value: 1, unit: 'y' }, 'sla-relaxed'],
    [{ property: 'availability', value: '99.9%' }, { property: 'availability', value: '99.99%' }, 'sla-tightened'],
    [{ property: 'endOfSupport', value: '2032-05-12T09:30:10-08:00' }, { property: 'endOfSupport', value: '2030-01-01T00:00:00Z' }, 'sla-relaxed'],
    [{ property: 'timeOfAvailability', value: '09:00-08:00' }, { property: 'timeOfAvailability', value: '08:00-08:00' }, 'sla-tightened'],
    [{ property: 'latency', value: 4, unit: 'd' }, { property: 'latency', value: 4, unit: 'rows' }, 'sla-changed'],
    [{ property: 'generalAvailability', value: '2022-05-12' }, { property: 'generalAvailability', value: '2023-05-12' }, 'sla-changed'],
    [{ property: 'latency', value: 4, unit: 'd', element: 'a.b' }, { property: 'latency', value: 4, unit: 'd', element: 'a.c' }, 'sla-changed'],
  ] as const)('%j -> %j is %s (a warning)', (before, after, rule) => {
    const judgements = judgeSla(before, after);
    expect(ids(judgements)).toEqual([rule]);
    expect(judgements[0]).toMatchObject({ level: 'warning', breaks: { backward: false, forward: false } });
  });

  it('does not judge an equal SLA in other units as stricter or looser', () => {
    expect(ids(judgeSla({ property: 'latency', value: 4, unit: 'd' }, { property: 'latency', value: 96, unit: 'h' }))).toEqual(['other-changed', 'other-changed']);
  });

  it('sla-added is info, sla-removed a warning', () => {
    expect(brief(judgeChanges(sla(), sla({ property: 'latency', value: 4, unit: 'd' })))).toEqual(['sla-added info addition slaProperties.latency']);
    expect(brief(judgeChanges(sla({ property: 'latency', value: 4, unit: 'd' }), sla()))).toEqual(['sla-removed warning addition slaProperties.latency']);
  });

  it('explains with values and units (official example database-table-sla)', () => {
    const before = example('database-table-sla.odcs.yaml');
    const after = clone(before);
    const items = after.slaProperties as JsonObject[];
    items.find((i) => i.property === 'latency')!.value = 1;
    items.find((i) => i.property === 'retention')!.value = 1;
    const judgements = judgeChanges(before, after);
    expect(brief(judgements)).toEqual(['sla-tightened warning addition slaProperties.latency', 'sla-relaxed warning addition slaProperties.retention']);
    expect(judgements[0]!.explanation).toBe('SLA slaProperties.latency is stricter (4 d -> 1 d); the producer must now meet it.');
  });
});

describe('classification', () => {
  const cls = (value?: string) => ({ name: 'email', ...(value ? { classification: value } : {}) });

  it.each([
    ['public', 'confidential', 'classification-more-sensitive'],
    ['internal', 'restricted', 'classification-more-sensitive'],
    ['restricted', 'PII', 'classification-more-sensitive'],
    ['tier-a', 'tier-b', 'classification-more-sensitive'],
    [undefined, 'restricted', 'classification-more-sensitive'],
    ['restricted', 'public', 'classification-less-sensitive'],
    ['Confidential', 'internal', 'classification-less-sensitive'],
    ['confidential', undefined, 'classification-less-sensitive'],
  ] as const)('%s -> %s is %s', (from, to, rule) => {
    const [j, ...rest] = judgeProperty(cls(from), cls(to));
    expect(rest).toEqual([]);
    expect(j).toMatchObject({ ruleId: rule, level: rule === 'classification-more-sensitive' ? 'warning' : 'info', readablePath: 'orders.email.classification' });
  });

  it('ranks public < internal < confidential < restricted < unknown', () => {
    const ranks = ['public', 'internal', 'confidential', 'restricted', 'pii'].map(classificationRank);
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    expect(classificationRank('Highly Confidential')).toBe(classificationRank('restricted'));
    expect(classificationRank(null)).toBe(0);
    expect(ids(judgeProperty(cls('Public'), cls('public')))).toEqual(['other-changed']);
  });
});

describe('servers', () => {
  const servers = (...items: JsonObject[]) => doc([], { servers: items });

  it('server-removed is breaking, server-added info, server-changed a warning with every changed field', () => {
    const prod = { server: 'prod-db', type: 'postgres', host: 'db1', database: 'sales' };
    const dev = { server: 'dev-db', type: 'postgres', host: 'dev' };
    expect(brief(judgeChanges(servers(prod, dev), servers(prod)))).toEqual(['server-removed breaking breaking servers.dev-db']);
    expect(brief(judgeChanges(servers(prod), servers(dev, prod)))).toEqual(['server-added info addition servers.dev-db']);
    const judgements = judgeChanges(servers(prod), servers({ ...prod, host: 'db2', database: 'sales2' }));
    expect(brief(judgements)).toEqual(['server-changed warning other servers.prod-db']);
    expect(judgements[0]!.explanation).toBe('Server servers.prod-db changed (host: "db1" -> "db2"; database: "sales" -> "sales2"); consumers that connect to it must update their configuration.');
    expect(ids(judgeChanges(servers(prod), servers({ ...prod, environment: 'prod' })))).toEqual(['other-changed']);
    expect(ids(judgeChanges(servers(prod), servers({ ...prod, description: 'Main database' })))).toEqual(['documentation-changed']);
  });

  it('reordering servers is not a change', () => {
    const a = { server: 'a', type: 'postgres' };
    const b = { server: 'b', type: 's3' };
    expect(judgeChanges(servers(a, b), servers(b, a))).toEqual([]);
  });
});

describe('documentation and other changes', () => {
  it.each([
    [{ description: 'old' }, { description: 'new' }],
    [{}, { businessName: 'Customer e-mail' }],
    [{ tags: ['pii'] }, { tags: ['pii', 'contact'] }],
    [{}, { authoritativeDefinitions: [{ url: 'https://x', type: 'businessDefinition' }] }],
    [{ customProperties: [{ property: 'owner', value: 'a' }] }, { customProperties: [{ property: 'owner', value: 'b' }] }],
    [{ examples: ['a@b.c'] }, { examples: ['x@y.z'] }],
    [{ transformDescription: 'copied' }, { transformDescription: 'copied from CRM' }],
  ] as const)('%j -> %j is documentation-changed (info, docs)', (before, after) => {
    const judgements = judgeProperty({ name: 'email', ...before } as JsonObject, { name: 'email', ...after } as JsonObject);
    expect(judgements.length).toBeGreaterThan(0);
    for (const j of judgements) expect(j).toMatchObject({ ruleId: 'documentation-changed', level: 'info', category: 'docs', breaks: { backward: false, forward: false } });
  });

  it('judges document-level documentation and metadata', () => {
    const before = doc([], { description: { purpose: 'Orders' }, tags: ['sales'] });
    const after = doc([], { description: { purpose: 'All orders', usage: 'Reporting' }, tags: ['sales'], status: 'deprecated', team: { name: 'sales' } });
    expect(brief(judgeChanges(before, after))).toEqual([
      'other-changed info other status',
      'documentation-changed info docs description.purpose',
      'documentation-changed info docs description.usage',
      'other-changed info other team.name',
    ]);
    expect(judgeChanges(before, after)[1]!.explanation).toBe('Documentation changed at description.purpose ("Orders" -> "All orders"). It does not change the data.');
  });

  it('partitioning changes are info', () => {
    expect(brief(judgeProperty({ name: 'year', partitioned: false }, { name: 'year', partitioned: true }))).toEqual(['partitioning-changed info other orders.year.partitioned']);
  });
});

describe('a realistic edit of an official example (kafka-schema)', () => {
  it('yields the expected judgements, in document order', () => {
    const before = example('kafka-schema.odcs.yaml');
    const after = clone(before);
    after.version = '1.0.0';
    const orders = (after.schema as JsonObject[])[0]!;
    orders.description = 'Orders placed on the web shop';
    const properties = orders.properties as JsonObject[];
    properties.splice(1, 1); // prod_id
    properties.find((p) => p.name === 'qty')!.logicalType = 'number';
    properties.find((p) => p.name === 'cust_id')!.classification = 'confidential';
    properties.push({ name: 'order_ts', logicalType: 'timestamp', required: true });
    properties.push({ name: 'coupon', logicalType: 'string' });
    properties.reverse();
    delete after.servers;

    const judgements = judgeChanges(before, after);
    expect(judgements.map((j) => [j.ruleId, j.level, j.category, j.readablePath])).toEqual([
      ['documentation-changed', 'info', 'docs', 'Orders.description'],
      ['property-added', 'info', 'addition', 'Orders.coupon'],
      ['required-property-added', 'breaking', 'breaking', 'Orders.order_ts'],
      ['logical-type-widened', 'warning', 'addition', 'Orders.qty.logicalType'],
      ['classification-more-sensitive', 'warning', 'other', 'Orders.cust_id.classification'],
      // removed after cust_id, the property that preceded it in the before document
      ['property-removed', 'breaking', 'breaking', 'Orders.prod_id'],
      ['server-removed', 'breaking', 'breaking', 'servers.my-kafka'],
    ]);
    expect(judgements.find((j) => j.ruleId === 'property-removed')!.explanation).toBe(
      'Property Orders.prod_id was removed (it was required); consumers that read it will break.',
    );
  });
});

describe('judgement values', () => {
  it('renders long values shortened', () => {
    const long = 'x'.repeat(200);
    const [j] = judgeProperty({ name: 'a', description: 'short' }, { name: 'a', description: long });
    expect(j!.explanation).toContain('...');
    expect(j!.explanation.length).toBeLessThan(200);
  });

  it('judges each rule id of the table somewhere in this file', () => {
    // keeps the table and the tests in step: a new rule needs a test that triggers it
    const triggered = new Set<RuleId>();
    const record = (before: JsonValue, after: JsonValue) => judgeChanges(before as JsonObject, after as JsonObject).forEach((j) => triggered.add(j.ruleId));
    record({ ...doc([]), schema: [{ name: 'a' }] }, { ...doc([]), schema: [{ name: 'b' }] });
    record({ ...doc([]), schema: [{ id: 's', name: 'a', physicalName: 'x' }] }, { ...doc([]), schema: [{ id: 's', name: 'b', physicalName: 'y' }] });
    record(doc([{ id: 'p', name: 'a', logicalType: 'integer', physicalType: 'int', required: true, unique: true, primaryKey: true, classification: 'public', partitioned: true }]), doc([{ id: 'p', name: 'b', logicalType: 'number', physicalType: 'bigint', required: false, unique: false, classification: 'restricted' }, { name: 'r', required: true }, { name: 'o' }]));
    record(doc([{ name: 'a', logicalType: 'number', required: false, classification: 'restricted' }, { name: 'r', logicalType: 'string' }, { name: 't', logicalType: 'date' }]), doc([{ name: 'a', logicalType: 'integer', required: true, unique: true, classification: 'public' }, { name: 'r' }, { name: 't', logicalType: 'string' }, { name: 'u', logicalType: 'string' }]));
    record(doc([{ name: 'x' }, { name: 'u' }]), doc([{ name: 'x', logicalType: 'string' }]));
    record(
      doc([{ name: 'e', logicalTypeOptions: { enum: ['a', 'b'], maxLength: 5, minLength: 1, pattern: 'x' }, quality: [{ metric: 'rowCount', mustBeGreaterThan: 1 }, { metric: 'nullValues', mustBe: 0 }, { type: 'sql', query: 'q', mustBe: 0 }] }]),
      doc([{ name: 'e', logicalTypeOptions: { enum: ['b', 'c'], maxLength: 3, minLength: 0, pattern: 'y' }, quality: [{ metric: 'rowCount', mustBeGreaterThan: 2 }, { metric: 'nullValues', mustBeLessThan: 5 }, { type: 'sql', query: 'q2', mustBe: 0 }, { metric: 'duplicateValues', mustBe: 0 }] }]),
    );
    record(doc([{ name: 'e', quality: [{ metric: 'rowCount', mustBe: 1 }] }]), doc([{ name: 'e' }]));
    record(
      doc([], { servers: [{ server: 'a', type: 'postgres' }, { server: 'b', type: 's3' }], slaProperties: [{ property: 'latency', value: 1, unit: 'd' }, { property: 'retention', value: 1, unit: 'y' }, { property: 'x', value: 1 }, { property: 'gone', value: 1 }], tags: ['a'] }),
      doc([], { servers: [{ server: 'a', type: 'mysql' }, { server: 'c', type: 's3' }], slaProperties: [{ property: 'latency', value: 2, unit: 'h' }, { property: 'retention', value: 1, unit: 'd' }, { property: 'x', value: 2 }, { property: 'new', value: 1 }], tags: ['b'], status: 'retired' }),
    );
    expect([...Object.keys(RULES)].filter((id) => !triggered.has(id as RuleId))).toEqual([]);
  });
});

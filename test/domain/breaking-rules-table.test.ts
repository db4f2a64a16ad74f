/**
 * The breaking-change rules (src/domain/breaking-rules/) as pure functions: the rule table, a realistic edit of an
 * official example, and how judgements render their values.
 */
import { describe, expect, it } from 'vitest';
import { type Judgement, RULES, type RuleId, judgeChanges } from '../../src/domain/breaking-rules/index.js';
import { diffDocuments } from '../../src/domain/diff/index.js';
import type { JsonObject, JsonValue } from '../../src/domain/odcs.js';
import { clone, officialExamples, ordersDocument } from '../support/fixtures.js';

const doc = ordersDocument;

/** The judgements between a document with property `before` and one with property `after` (plus others). */
function judgeProperty(before: JsonObject, after: JsonObject, others: JsonObject[] = []): Judgement[] {
  return judgeChanges(doc([before, ...others]), doc([after, ...others]));
}

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

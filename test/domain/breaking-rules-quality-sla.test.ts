/**
 * The breaking-change rules (src/domain/breaking-rules/) as pure functions: quality rules and SLAs (thresholds,
 * intervals, units).
 */
import { describe, expect, it } from 'vitest';
import { type Judgement, judgeChanges } from '../../src/domain/breaking-rules/index.js';
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

import { describe, expect, it } from 'vitest';
import { type Judgement, judgeChanges } from '../../src/domain/breaking-rules/index.js';
import {
  COMPATIBILITY_MODES,
  type CompatibilityMode,
  assessUpdate,
  checkCompatibility,
  checkDeclaredVersion,
  describeViolations,
  isCompatibilityMode,
  isTransitive,
  modeDirections,
  requiredBump,
} from '../../src/domain/compatibility.js';
import type { JsonObject } from '../../src/domain/odcs.js';
import { clone, officialExamples, ordersDocument } from '../support/fixtures.js';


const doc = ordersDocument;

const id = { name: 'order_id', logicalType: 'string', primaryKey: true, required: true };
const withProps = (...properties: JsonObject[]) => doc([id, ...properties]);

interface Case {
  name: string;
  before: JsonObject;
  after: JsonObject;
  /** Expected compatibility of `after` with `before` under BACKWARD, FORWARD and FULL. */
  backward: boolean;
  forward: boolean;
  /** A change of the data model, for which FORWARD(a -> b) must equal BACKWARD(b -> a). */
  dual: boolean;
}

const email = { name: 'email', logicalType: 'string' };
const rule = (threshold: JsonObject) => ({ name: 'amount', logicalType: 'number', quality: [{ metric: 'nullValues', ...threshold }] });

const CASES: Case[] = [
  { name: 'add an optional property', before: withProps(), after: withProps(email), backward: true, forward: true, dual: true },
  { name: 'add a required property', before: withProps(), after: withProps({ ...email, required: true }), backward: false, forward: true, dual: true },
  { name: 'remove an optional property', before: withProps(email), after: withProps(), backward: true, forward: true, dual: true },
  { name: 'remove a required property', before: withProps({ ...email, required: true }), after: withProps(), backward: true, forward: false, dual: true },
  { name: 'make a property required', before: withProps(email), after: withProps({ ...email, required: true }), backward: false, forward: true, dual: true },
  { name: 'make a property optional', before: withProps({ ...email, required: true }), after: withProps(email), backward: true, forward: false, dual: true },
  { name: 'widen integer to number', before: withProps({ name: 'qty', logicalType: 'integer' }), after: withProps({ name: 'qty', logicalType: 'number' }), backward: true, forward: false, dual: true },
  { name: 'narrow number to integer', before: withProps({ name: 'qty', logicalType: 'number' }), after: withProps({ name: 'qty', logicalType: 'integer' }), backward: false, forward: true, dual: true },
  { name: 'change string to integer', before: withProps({ name: 'qty', logicalType: 'string' }), after: withProps({ name: 'qty', logicalType: 'integer' }), backward: false, forward: false, dual: true },
  { name: 'rename a property (same id)', before: withProps({ id: 'e', ...email }), after: withProps({ id: 'e', ...email, name: 'mail' }), backward: false, forward: false, dual: true },
  { name: 'change a physical name', before: withProps({ ...email, physicalName: 'c1' }), after: withProps({ ...email, physicalName: 'c2' }), backward: false, forward: false, dual: true },
  { name: 'make a property unique', before: withProps(email), after: withProps({ ...email, unique: true }), backward: false, forward: true, dual: true },
  { name: 'remove an allowed value', before: withProps({ name: 's', logicalTypeOptions: { enum: ['a', 'b'] } }), after: withProps({ name: 's', logicalTypeOptions: { enum: ['a'] } }), backward: false, forward: true, dual: true },
  { name: 'add an allowed value', before: withProps({ name: 's', logicalTypeOptions: { enum: ['a'] } }), after: withProps({ name: 's', logicalTypeOptions: { enum: ['a', 'b'] } }), backward: true, forward: false, dual: true },
  { name: 'lower maxLength', before: withProps({ ...email, logicalTypeOptions: { maxLength: 100 } }), after: withProps({ ...email, logicalTypeOptions: { maxLength: 50 } }), backward: false, forward: true, dual: true },
  { name: 'change a pattern', before: withProps({ ...email, logicalTypeOptions: { pattern: 'a' } }), after: withProps({ ...email, logicalTypeOptions: { pattern: 'b' } }), backward: false, forward: false, dual: true },
  { name: 'tighten a quality threshold', before: withProps(rule({ mustBeLessThan: 10 })), after: withProps(rule({ mustBeLessThan: 5 })), backward: false, forward: true, dual: true },
  { name: 'relax a quality threshold', before: withProps(rule({ mustBeLessThan: 5 })), after: withProps(rule({ mustBeLessThan: 10 })), backward: true, forward: false, dual: true },
  { name: 'add a quality rule', before: withProps({ name: 'amount', logicalType: 'number' }), after: withProps(rule({ mustBe: 0 })), backward: false, forward: true, dual: true },
  { name: 'remove a quality rule', before: withProps(rule({ mustBe: 0 })), after: withProps({ name: 'amount', logicalType: 'number' }), backward: true, forward: false, dual: true },
  { name: 'change the primary key', before: withProps(email), after: withProps({ ...email, primaryKey: true, primaryKeyPosition: 2 }), backward: false, forward: false, dual: true },
  { name: 'change documentation', before: withProps({ ...email, description: 'a' }), after: withProps({ ...email, description: 'b', tags: ['pii'] }), backward: true, forward: true, dual: true },
  { name: 'classify as more sensitive', before: withProps({ ...email, classification: 'public' }), after: withProps({ ...email, classification: 'restricted' }), backward: true, forward: true, dual: true },
  { name: 'change the physical type', before: withProps({ ...email, physicalType: 'varchar(10)' }), after: withProps({ ...email, physicalType: 'varchar(20)' }), backward: true, forward: true, dual: true },
  { name: 'tighten an SLA', before: doc([id], { slaProperties: [{ property: 'latency', value: 4, unit: 'd' }] }), after: doc([id], { slaProperties: [{ property: 'latency', value: 1, unit: 'd' }] }), backward: true, forward: true, dual: false },
  { name: 'add a schema object', before: doc([id]), after: { ...doc([id]), schema: [...(doc([id]).schema as JsonObject[]), { name: 'lines' }] }, backward: true, forward: true, dual: false },
  { name: 'remove a schema object', before: { ...doc([id]), schema: [...(doc([id]).schema as JsonObject[]), { name: 'lines' }] }, after: doc([id]), backward: true, forward: false, dual: false },
  { name: 'remove a server', before: doc([id], { servers: [{ server: 'a', type: 'postgres' }, { server: 'b', type: 'postgres' }] }), after: doc([id], { servers: [{ server: 'a', type: 'postgres' }] }), backward: true, forward: false, dual: false },
  { name: 'change a server', before: doc([id], { servers: [{ server: 'a', type: 'postgres', host: 'x' }] }), after: doc([id], { servers: [{ server: 'a', type: 'postgres', host: 'y' }] }), backward: true, forward: true, dual: false },
  { name: 'change status and team', before: doc([id]), after: doc([id], { status: 'deprecated', team: { name: 'sales' } }), backward: true, forward: true, dual: true },
];

describe('compatibility modes', () => {
  it('knows the seven Confluent modes', () => {
    expect(COMPATIBILITY_MODES).toEqual(['BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE', 'NONE']);
    expect(isCompatibilityMode('FULL')).toBe(true);
    expect(isCompatibilityMode('full')).toBe(false);
    expect(COMPATIBILITY_MODES.filter(isTransitive)).toEqual(['BACKWARD_TRANSITIVE', 'FORWARD_TRANSITIVE', 'FULL_TRANSITIVE']);
    expect(modeDirections('FULL_TRANSITIVE')).toEqual({ backward: true, forward: true });
    expect(modeDirections('FORWARD')).toEqual({ backward: false, forward: true });
    expect(modeDirections('NONE')).toEqual({ backward: false, forward: false });
  });

  describe.each(CASES)('$name', ({ before, after, backward, forward }) => {
    const expected: Record<CompatibilityMode, boolean> = {
      BACKWARD: backward,
      BACKWARD_TRANSITIVE: backward,
      FORWARD: forward,
      FORWARD_TRANSITIVE: forward,
      FULL: backward && forward,
      FULL_TRANSITIVE: backward && forward,
      NONE: true,
    };
    it.each(COMPATIBILITY_MODES)('under %s', (mode) => {
      const result = checkCompatibility(mode, after, [before]);
      expect(result.compatible, `expected ${expected[mode]}; violations: ${JSON.stringify(result.violations.map((v) => v.judgement.ruleId))}`).toBe(expected[mode]);
      expect(result.mode).toBe(mode);
      expect(result.violations.length > 0).toBe(!expected[mode]);
      for (const v of result.violations) {
        expect(v.againstIndex).toBe(0);
        expect(v.directions.length).toBeGreaterThan(0);
      }
    });
  });

  it('FORWARD from a to b is BACKWARD from b to a for every change of the data model', () => {
    const breaks = (from: JsonObject, to: JsonObject, direction: 'backward' | 'forward') => judgeChanges(from, to).some((j) => j.breaks[direction]);
    for (const c of CASES.filter((x) => x.dual)) {
      expect(breaks(c.before, c.after, 'forward'), c.name).toBe(breaks(c.after, c.before, 'backward'));
      expect(breaks(c.before, c.after, 'backward'), c.name).toBe(breaks(c.after, c.before, 'forward'));
    }
  });

  it('reports the judgement and the broken directions of each violation', () => {
    const result = checkCompatibility('FULL', withProps({ name: 'qty', logicalType: 'integer' }), [withProps({ name: 'qty', logicalType: 'string' })]);
    expect(result.violations).toEqual([{ againstIndex: 0, judgement: expect.objectContaining({ ruleId: 'logical-type-changed', readablePath: 'orders.qty.logicalType' }), directions: ['backward', 'forward'] }]);
    const forwardOnly = checkCompatibility('FULL', withProps({ name: 'qty', logicalType: 'number' }), [withProps({ name: 'qty', logicalType: 'integer' })]);
    expect(forwardOnly.violations.map((v) => v.directions)).toEqual([['forward']]);
    expect(describeViolations(forwardOnly)).toEqual([
      'FORWARD incompatible with the latest version: orders.qty was widened from integer to number: every integer value is still valid, but consumers that expect integer may receive values they cannot handle.',
    ]);
    expect(describeViolations(forwardOnly, ['1.4.0'])[0]).toMatch(/^FORWARD incompatible with 1\.4\.0: /);
  });

  it('is compatible with no previous version, and NONE checks nothing', () => {
    for (const mode of COMPATIBILITY_MODES) expect(checkCompatibility(mode, withProps(), [])).toMatchObject({ compatible: true, violations: [], checked: 0 });
    expect(checkCompatibility('NONE', withProps(), [withProps(email)])).toEqual({ compatible: true, mode: 'NONE', violations: [], checked: 0 });
  });
});

describe('transitive modes', () => {
  // v1 has an optional string `note`, v2 drops it, v3 brings it back as an integer. Each step is compatible
  // (removing and adding optional properties), but v3 is not compatible with v1.
  const v1 = withProps({ name: 'note', logicalType: 'string' });
  const v2 = withProps();
  const v3 = withProps({ name: 'note', logicalType: 'integer' });
  const previous = [v2, v1]; // newest first

  it.each(['BACKWARD', 'FORWARD', 'FULL'] as const)('%s checks only the latest version', (mode) => {
    const result = checkCompatibility(mode, v3, previous);
    expect(result).toMatchObject({ compatible: true, checked: 1, violations: [] });
  });

  it.each(['BACKWARD_TRANSITIVE', 'FORWARD_TRANSITIVE', 'FULL_TRANSITIVE'] as const)('%s checks every earlier version', (mode) => {
    const result = checkCompatibility(mode, v3, previous);
    expect(result.compatible).toBe(false);
    expect(result.checked).toBe(2);
    expect(result.violations.map((v) => [v.againstIndex, v.judgement.ruleId])).toEqual([[1, 'logical-type-changed']]);
  });

  it('reports violations against each earlier version in order', () => {
    const v0 = withProps({ name: 'note', logicalType: 'string', required: true });
    const result = checkCompatibility('FULL_TRANSITIVE', v3, [v2, v1, v0]);
    expect(result.violations.map((v) => [v.againstIndex, v.judgement.ruleId, v.directions.join('+')])).toEqual([
      [1, 'logical-type-changed', 'backward+forward'],
      [2, 'logical-type-changed', 'backward+forward'],
      [2, 'property-became-optional', 'forward'],
    ]);
  });
});

function judgement(category: Judgement['category']): Judgement {
  return { category } as Judgement;
}

describe('requiredBump', () => {
  it.each([
    [[], 'none'],
    [['docs'], 'patch'],
    [['other', 'docs'], 'patch'],
    [['docs', 'addition', 'other'], 'minor'],
    [['addition', 'breaking', 'docs'], 'major'],
    [['breaking'], 'major'],
  ] as const)('%j -> %s', (categories, bump) => {
    expect(requiredBump(categories.map(judgement))).toBe(bump);
  });

  it('derives the bump of real edits', () => {
    const bumpOf = (before: JsonObject, after: JsonObject) => requiredBump(judgeChanges(before, after));
    expect(bumpOf(withProps(email), withProps(email))).toBe('none');
    expect(bumpOf(withProps(email), { ...withProps(email), version: '9.9.9' })).toBe('none');
    expect(bumpOf(withProps(email), withProps({ ...email, description: 'The e-mail' }))).toBe('patch');
    expect(bumpOf(withProps(email), doc([id, email], { status: 'deprecated' }))).toBe('patch');
    expect(bumpOf(withProps(), withProps(email))).toBe('minor');
    expect(bumpOf(withProps({ name: 'q', logicalType: 'integer' }), withProps({ name: 'q', logicalType: 'number' }))).toBe('minor');
    expect(bumpOf(withProps(email), withProps())).toBe('major');
  });
});

describe('checkDeclaredVersion', () => {
  const removal = judgeChanges(doc([{ name: 'customer_email' }]), doc([]));

  it('gives an update without a version the minimum bump', () => {
    expect(checkDeclaredVersion('1.2.3', null, 'major')).toEqual({ ok: true, version: '2.0.0' });
    expect(checkDeclaredVersion('1.2.3', null, 'minor')).toEqual({ ok: true, version: '1.3.0' });
    expect(checkDeclaredVersion('1.2.3', null, 'patch')).toEqual({ ok: true, version: '1.2.4' });
    expect(checkDeclaredVersion('1.2.3', null, 'none')).toEqual({ ok: true, version: '1.2.4' });
    expect(checkDeclaredVersion('1.3.0-rc.1', null, 'patch')).toEqual({ ok: true, version: '1.3.0' });
  });

  it('accepts a declared version at or above the minimum', () => {
    expect(checkDeclaredVersion('1.2.3', '2.0.0', 'major', removal)).toEqual({ ok: true, version: '2.0.0' });
    expect(checkDeclaredVersion('1.2.3', '3.1.0', 'major', removal)).toEqual({ ok: true, version: '3.1.0' });
    expect(checkDeclaredVersion('1.2.3', '2.0.0-rc.1', 'major', removal)).toEqual({ ok: true, version: '2.0.0-rc.1' });
    expect(checkDeclaredVersion('1.2.3', '2.0.0', 'patch')).toEqual({ ok: true, version: '2.0.0' });
    expect(checkDeclaredVersion('1.2.3', '1.2.4', 'none')).toEqual({ ok: true, version: '1.2.4' });
    expect(checkDeclaredVersion('2.0.0-rc.1', '2.0.0-rc.2', 'patch')).toEqual({ ok: true, version: '2.0.0-rc.2' });
  });

  it('refuses a declared version below the required bump, naming the change that requires it', () => {
    expect(checkDeclaredVersion('1.2.3', '1.3.0', 'major', removal)).toEqual({
      ok: false,
      minimum: '2.0.0',
      explanation: 'removing orders.customer_email is breaking: version must be at least 2.0.0 (declared 1.3.0)',
    });
    const two = judgeChanges(doc([{ name: 'a' }, { name: 'b' }]), doc([]));
    expect(checkDeclaredVersion('1.2.3', '1.2.4', 'major', two)).toMatchObject({
      ok: false,
      explanation: 'removing orders.a is breaking (and 1 more change like it): version must be at least 2.0.0 (declared 1.2.4)',
    });
    const addition = judgeChanges(doc([]), doc([{ name: 'coupon' }]));
    expect(checkDeclaredVersion('1.2.3', '1.2.4', requiredBump(addition), addition)).toEqual({
      ok: false,
      minimum: '1.3.0',
      explanation: 'adding property orders.coupon is an addition: version must be at least 1.3.0 (declared 1.2.4)',
    });
    expect(checkDeclaredVersion('1.2.3', '1.9.0', 'major')).toMatchObject({ ok: false, minimum: '2.0.0' });
    expect(checkDeclaredVersion('2.0.0-rc.1', '2.0.0-rc.2', 'major')).toMatchObject({ ok: false, minimum: '3.0.0' });
  });

  it('refuses a version that is not greater than the current one, or not a semantic version', () => {
    expect(checkDeclaredVersion('1.2.3', '1.2.3', 'none')).toEqual({
      ok: false,
      minimum: '1.2.4',
      explanation: 'every update needs a version greater than 1.2.3: version must be at least 1.2.4 (declared 1.2.3)',
    });
    expect(checkDeclaredVersion('1.2.3', '1.0.0', 'patch')).toMatchObject({ ok: false, minimum: '1.2.4' });
    expect(checkDeclaredVersion('2.0.0', '2.0.0-rc.1', 'patch')).toMatchObject({ ok: false });
    expect(checkDeclaredVersion('1.2.3', 'v2', 'major')).toEqual({ ok: false, minimum: '2.0.0', explanation: '"v2" is not a semantic version: version must be at least 2.0.0' });
  });
});

describe('assessUpdate on an official example', () => {
  it('diffs, judges, bumps and checks the declared version in one go', () => {
    const before = clone(officialExamples().find((e) => e.file === 'kafka-schema.odcs.yaml')!.document);
    const after = clone(before);
    const properties = (after.schema as JsonObject[])[0]!.properties as JsonObject[];
    properties.splice(properties.findIndex((p) => p.name === 'prod_id'), 1);
    properties.push({ name: 'coupon', logicalType: 'string' });

    const refused = assessUpdate(before, after, '0.0.1', '0.1.0');
    expect(refused.changes.map((c) => `${c.kind} ${c.readablePath}`)).toEqual(['removed Orders.prod_id', 'added Orders.coupon']);
    expect(refused.judgements.map((j) => j.ruleId)).toEqual(['property-removed', 'property-added']);
    expect(refused.bump).toBe('major');
    expect(refused.version).toEqual({ ok: false, minimum: '1.0.0', explanation: 'removing Orders.prod_id is breaking: version must be at least 1.0.0 (declared 0.1.0)' });

    expect(assessUpdate(before, after, '0.0.1', null).version).toEqual({ ok: true, version: '1.0.0' });
    expect(checkCompatibility('BACKWARD', after, [before]).compatible).toBe(true);
    expect(checkCompatibility('FORWARD', after, [before]).violations.map((v) => v.judgement.ruleId)).toEqual(['property-removed']);
  });
});

/** Rules for quality rules: added / removed, what they check, and their thresholds as value sets. */
import { type Change, valueAt } from '../diff/index.js';
import type { JsonObject, JsonValue } from '../odcs.js';
import { type Acceptance, EVERYTHING, type Interval, compareAcceptance, intersect, iv } from './intervals.js';
import { type Group, type JudgeState, isObject, showValue } from './state.js';

export const QUALITY_OPERATORS = [
  'mustBe',
  'mustNotBe',
  'mustBeGreaterThan',
  'mustBeGreaterOrEqualTo',
  'mustBeGreaterThanOrEqualTo',
  'mustBeLessThan',
  'mustBeLessOrEqualTo',
  'mustBeLessThanOrEqualTo',
  'mustBeBetween',
  'mustNotBeBetween',
] as const;
export const QUALITY_OPERATOR_SET: ReadonlySet<string> = new Set(QUALITY_OPERATORS);
/** Quality-rule keys that change neither what is checked nor the threshold. */
export const QUALITY_METADATA_KEYS: ReadonlySet<string> = new Set(['id', 'name', 'severity', 'schedule', 'scheduler', 'dimension', 'businessImpact']);

/** A change inside a quality rule: metadata is ignored, everything else is judged with the rule's other changes. */
export function qualityField(c: Change, s: JudgeState): void {
  if (!QUALITY_METADATA_KEYS.has(String(c.target.field[0]))) s.group('quality', c);
}

/** A quality rule added or removed. */
export function wholeQuality(c: Change, s: JudgeState, p: string, added: boolean, obj: JsonObject): void {
  if (added) {
    s.add('quality-rule-added', c, p, {
      summary: `adding quality rule ${p}`,
      explanation: `Quality rule ${p} was added (${describeQuality(obj)}); data that met the previous version may fail it.`,
      suggestion: 'Check the rule against the current data before activating this version; add it with severity warning first if unsure.',
    });
  } else {
    s.add('quality-rule-removed', c, p, {
      summary: `removing quality rule ${p}`,
      explanation: `Quality rule ${p} was removed (${describeQuality(obj)}); consumers lose that guarantee.`,
      suggestion: 'Tell consumers that relied on this check, or keep it with severity warning.',
    });
  }
}

export function qualityGroup(group: Group, s: JudgeState): void {
  const t = group.anchor.target;
  const p = t.readablePath;
  const before = valueAt(s.before, t.beforePath ?? []);
  const after = valueAt(s.after, t.afterPath ?? []);
  if (!isObject(before) || !isObject(after)) return;
  const semantic = group.changes.filter((c) => !QUALITY_OPERATOR_SET.has(String(c.target.field[0])));
  if (semantic.length) {
    s.add('quality-rule-changed', group.changes, p, {
      summary: `changing what quality rule ${p} checks`,
      explanation: `Quality rule ${p} now checks something else (${semantic.map((c) => c.target.field.join('.')).join(', ')} changed): was ${describeQuality(before)}, now ${describeQuality(after)}.`,
      suggestion: 'Check the new rule against existing data, or add it as a new rule and deprecate the old one.',
    });
    return;
  }
  const verdict = compareAcceptance(qualityAcceptance(before), qualityAcceptance(after));
  if (verdict === 'equal') return;
  const change = `${describeThreshold(before)} -> ${describeThreshold(after)}`;
  if (verdict === 'tighter') {
    s.add('quality-threshold-tightened', group.changes, p, {
      summary: `tightening quality rule ${p} (${change})`,
      explanation: `Quality rule ${p} is stricter (${change}); data that passed before may now fail.`,
      suggestion: 'Check current data against the new threshold first, or keep the previous threshold.',
    });
  } else if (verdict === 'looser') {
    s.add('quality-threshold-relaxed', group.changes, p, {
      summary: `relaxing quality rule ${p} (${change})`,
      explanation: `Quality rule ${p} is looser (${change}); consumers get a weaker guarantee.`,
      suggestion: 'Tell consumers that rely on the previous threshold.',
    });
  } else {
    s.add('quality-rule-changed', group.changes, p, {
      summary: `changing the threshold of quality rule ${p} (${change})`,
      explanation: `The threshold of quality rule ${p} changed (${change}) and is neither stricter nor looser.`,
      suggestion: 'Check current data against the new threshold.',
    });
  }
}

/** The values a quality rule's result may take, from its mustBe... operators (all of them must hold). */
export function qualityAcceptance(rule: JsonObject): Acceptance {
  let set = EVERYTHING;
  const nonNumeric: JsonValue[] = [];
  for (const op of QUALITY_OPERATORS) {
    const v = rule[op];
    if (v === undefined) continue;
    const part = operatorSet(op, v);
    if (part === null) nonNumeric.push(v);
    else set = intersect(set, part);
  }
  return nonNumeric.length ? 'incomparable' : set;
}

export function operatorSet(op: (typeof QUALITY_OPERATORS)[number], v: JsonValue): Interval[] | null {
  if (op === 'mustBeBetween' || op === 'mustNotBeBetween') {
    if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number' || typeof v[1] !== 'number') return null;
    const lo = Math.min(v[0], v[1]);
    const hi = Math.max(v[0], v[1]);
    return op === 'mustBeBetween' ? [iv(lo, false, hi, false)] : [iv(-Infinity, true, lo, true), iv(hi, true, Infinity, true)];
  }
  if (typeof v !== 'number') return null;
  switch (op) {
    case 'mustBe':
      return [iv(v, false, v, false)];
    case 'mustNotBe':
      return [iv(-Infinity, true, v, true), iv(v, true, Infinity, true)];
    case 'mustBeGreaterThan':
      return [iv(v, true, Infinity, true)];
    case 'mustBeGreaterOrEqualTo':
    case 'mustBeGreaterThanOrEqualTo':
      return [iv(v, false, Infinity, true)];
    case 'mustBeLessThan':
      return [iv(-Infinity, true, v, true)];
    case 'mustBeLessOrEqualTo':
    case 'mustBeLessThanOrEqualTo':
      return [iv(-Infinity, true, v, false)];
  }
}

export function describeThreshold(rule: JsonObject): string {
  const parts = QUALITY_OPERATORS.filter((op) => rule[op] !== undefined).map((op) => `${op} ${showValue(rule[op])}`);
  return parts.length ? parts.join(' and ') : 'no threshold';
}

export function describeQuality(rule: JsonObject): string {
  const what =
    typeof rule.metric === 'string'
      ? `metric ${rule.metric}`
      : typeof rule.rule === 'string'
        ? `rule ${rule.rule}`
        : typeof rule.query === 'string'
          ? `query ${showValue(rule.query)}`
          : typeof rule.type === 'string'
            ? `${rule.type} rule`
            : 'rule';
  const threshold = describeThreshold(rule);
  return threshold === 'no threshold' ? what : `${what}, ${threshold}`;
}

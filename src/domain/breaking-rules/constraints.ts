/**
 * Rules for the values a property allows: lists of allowed values, logicalTypeOptions constraints (lengths,
 * counts, multipleOf, format, pattern, nested required) and minimum / maximum ranges.
 */
import { type Change, type Path, valueAt } from '../diff/index.js';
import type { JsonValue } from '../odcs.js';
import { type Acceptance, EVERYTHING, type Verdict, boundValue, compareAcceptance, intersect, iv } from './intervals.js';
import { type Group, type JudgeState, isObject, shownAfter, shownBefore, showValue } from './state.js';

/** Keys that hold lists of allowed values (logicalTypeOptions.enum, quality arguments.validValues, ...). */
export const ALLOWED_VALUE_KEYS: ReadonlySet<string> = new Set(['enum', 'validValues', 'allowedValues']);

export const RANGE_KEYS: ReadonlySet<string> = new Set(['minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum']);
/** logicalTypeOptions bounds where a lower value is stricter, with the value an absent key means. */
export const UPPER_BOUNDS: Readonly<Record<string, number>> = { maxLength: Infinity, maxItems: Infinity, maxProperties: Infinity };
/** logicalTypeOptions bounds where a higher value is stricter. */
export const LOWER_BOUNDS: Readonly<Record<string, number>> = { minLength: 0, minItems: 0, minProperties: 0 };

export function allowedValues(c: Change, s: JudgeState): boolean {
  const path = c.path;
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  const element = typeof last === 'number' && typeof parent === 'string' && ALLOWED_VALUE_KEYS.has(parent);
  const whole = typeof last === 'string' && ALLOWED_VALUE_KEYS.has(last);
  if (!element && !whole) return false;
  const list = c.readablePath;
  if (element) {
    if (c.kind === 'removed') {
      s.add('allowed-values-removed', c, list, {
        summary: `removing the allowed value ${shownBefore(c)} from ${list}`,
        explanation: `${shownBefore(c)} is no longer an allowed value of ${list}; existing data may contain it.`,
        suggestion: `Keep ${shownBefore(c)} allowed until no data uses it, or publish a new major version.`,
      });
    } else {
      s.add('allowed-values-added', c, list, {
        summary: `allowing ${shownAfter(c)} in ${list}`,
        explanation: `${shownAfter(c)} is a new allowed value of ${list}; consumers that handle every value explicitly should add it.`,
        suggestion: 'Tell consumers that switch on these values.',
      });
    }
    return true;
  }
  const restricts = Array.isArray(c.after) && !Array.isArray(c.before);
  const lifts = Array.isArray(c.before) && !Array.isArray(c.after);
  if (restricts) {
    s.add('allowed-values-removed', c, list, {
      summary: `restricting ${list} to ${shownAfter(c)}`,
      explanation: `${list} now restricts the values to ${shownAfter(c)}; existing data may contain other values.`,
      suggestion: 'Check existing data against the list first, or publish a new major version.',
    });
  } else if (lifts) {
    s.add('allowed-values-added', c, list, {
      summary: `dropping the allowed values ${list}`,
      explanation: `${list} no longer restricts the values (was ${shownBefore(c)}); consumers may receive any value.`,
      suggestion: 'Tell consumers that switch on these values.',
    });
  } else {
    return false;
  }
  return true;
}

export function nestedRequired(c: Change, s: JudgeState, whole: boolean): void {
  const owner = c.target.readablePath;
  const names = (v: JsonValue): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
  let added: string[];
  let removed: string[];
  if (whole) {
    const b = names(c.before);
    const a = names(c.after);
    added = a.filter((n) => !b.includes(n));
    removed = b.filter((n) => !a.includes(n));
  } else {
    added = c.kind === 'added' ? names(c.after) : [];
    removed = c.kind === 'removed' ? names(c.before) : [];
  }
  if (added.length) {
    const what = added.map((n) => `${owner}.${n}`).join(', ');
    s.add('property-became-required', c, added.length === 1 ? `${owner}.${added[0]}` : owner, {
      summary: `making ${what} required`,
      explanation: `${what} became required in ${owner} (logicalTypeOptions.required); existing objects may lack ${added.length === 1 ? 'it' : 'them'}.`,
      suggestion: 'Check existing data first, or keep the properties optional.',
    });
  }
  if (removed.length) {
    const what = removed.map((n) => `${owner}.${n}`).join(', ');
    s.add('property-became-optional', c, removed.length === 1 ? `${owner}.${removed[0]}` : owner, {
      summary: `making ${what} optional`,
      explanation: `${what} is no longer required in ${owner}; consumers may receive objects without ${removed.length === 1 ? 'it' : 'them'}.`,
      suggestion: 'Tell consumers that rely on these properties.',
    });
  }
}

export function constraintChanged(c: Change, s: JudgeState, p: string): void {
  s.add('value-constraint-changed', c, p, {
    summary: `changing ${p}`,
    explanation: `${p} changed from ${shownBefore(c)} to ${shownAfter(c)}; the registry cannot tell whether existing data and consumers are still compatible.`,
    suggestion: 'Check existing data against the new constraint and tell consumers.',
  });
}


export function constraintOption(c: Change, s: JudgeState, option: string): void {
  const p = c.readablePath;
  const verdict = compareOption(option, c.before, c.after);
  if (verdict === 'equal') return;
  const change = `${shownBefore(c)} -> ${shownAfter(c)}`;
  if (verdict === 'tighter') {
    s.add('value-constraint-tightened', c, p, {
      summary: `tightening ${p} (${change})`,
      explanation: `${p} is stricter (${change}); existing data may not satisfy it.`,
      suggestion: 'Check existing data against the new constraint first, or keep the previous one.',
    });
  } else if (verdict === 'looser') {
    s.add('value-constraint-relaxed', c, p, {
      summary: `relaxing ${p} (${change})`,
      explanation: `${p} is looser (${change}); consumers may receive values the previous version excluded.`,
      suggestion: 'Tell consumers that validate these values.',
    });
  } else constraintChanged(c, s, p);
}

export function compareOption(option: string, before: JsonValue, after: JsonValue): Verdict {
  const num = (v: JsonValue, absent: number) => (typeof v === 'number' ? v : v === null ? absent : NaN);
  if (option in UPPER_BOUNDS) {
    const b = num(before, UPPER_BOUNDS[option]!);
    const a = num(after, UPPER_BOUNDS[option]!);
    if (Number.isNaN(a) || Number.isNaN(b)) return 'different';
    return a === b ? 'equal' : a < b ? 'tighter' : 'looser';
  }
  if (option in LOWER_BOUNDS) {
    const b = num(before, LOWER_BOUNDS[option]!);
    const a = num(after, LOWER_BOUNDS[option]!);
    if (Number.isNaN(a) || Number.isNaN(b)) return 'different';
    return a === b ? 'equal' : a > b ? 'tighter' : 'looser';
  }
  if (option === 'uniqueItems') {
    const b = before === true;
    const a = after === true;
    return a === b ? 'equal' : a ? 'tighter' : 'looser';
  }
  if (option === 'multipleOf') {
    if (before === null && after !== null) return 'tighter';
    if (after === null && before !== null) return 'looser';
    if (typeof before === 'number' && typeof after === 'number' && before > 0 && after > 0) {
      if (isMultiple(after, before)) return 'tighter';
      if (isMultiple(before, after)) return 'looser';
    }
    return 'different';
  }
  if (option === 'format') {
    const b = numericFormatRange(before);
    const a = numericFormatRange(after);
    if (a && b) return a[0] === b[0] && a[1] === b[1] ? 'equal' : a[0] >= b[0] && a[1] <= b[1] ? 'tighter' : a[0] <= b[0] && a[1] >= b[1] ? 'looser' : 'different';
  }
  if (option === 'format' || option === 'pattern') {
    if (before === null) return 'tighter';
    if (after === null) return 'looser';
  }
  return 'different';
}

export function isMultiple(value: number, of: number): boolean {
  const q = value / of;
  return Math.abs(q - Math.round(q)) < 1e-9;
}

/** Value range of a Rust-style numeric format (i8..i128, u8..u128, f32, f64). */
export function numericFormatRange(format: JsonValue): [number, number] | null {
  if (typeof format !== 'string') return null;
  const m = /^([iuf])(8|16|32|64|128)$/.exec(format);
  if (!m) return null;
  const bits = Number(m[2]);
  if (m[1] === 'i') return [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
  if (m[1] === 'u') return [0, 2 ** bits - 1];
  if (bits === 32) return [-3.4028234663852886e38, 3.4028234663852886e38];
  if (bits === 64) return [-Number.MAX_VALUE, Number.MAX_VALUE];
  return null;
}

export function rangeGroup(group: Group, s: JudgeState): void {
  const t = group.anchor.target;
  const path = (base: Path | null) => [...(base ?? []), ...group.prefix];
  const before = valueAt(s.before, path(t.beforePath));
  const after = valueAt(s.after, path(t.afterPath));
  const verdict = compareAcceptance(rangeAcceptance(before), rangeAcceptance(after));
  if (verdict === 'equal') return;
  const p = `${t.readablePath}${group.prefix.slice(0, -1).map((k) => `.${String(k)}`).join('')}`;
  const change = `${describeRange(before)} -> ${describeRange(after)}`;
  if (verdict === 'tighter') {
    s.add('value-constraint-tightened', group.changes, p, {
      summary: `narrowing the range of ${p} (${change})`,
      explanation: `The allowed range of ${p} is narrower (${change}); existing data may fall outside it.`,
      suggestion: 'Check existing data against the new range first, or keep the previous range.',
    });
  } else if (verdict === 'looser') {
    s.add('value-constraint-relaxed', group.changes, p, {
      summary: `widening the range of ${p} (${change})`,
      explanation: `The allowed range of ${p} is wider (${change}); consumers may receive values outside the previous range.`,
      suggestion: 'Tell consumers that validate the range.',
    });
  } else {
    s.add('value-constraint-changed', group.changes, p, {
      summary: `changing the range of ${p} (${change})`,
      explanation: `The allowed range of ${p} changed (${change}) and is neither narrower nor wider.`,
      suggestion: 'Check existing data against the new range and tell consumers.',
    });
  }
}

/** The values a property may take under logicalTypeOptions minimum / maximum (numbers, dates or times). */
export function rangeAcceptance(options: JsonValue | undefined): Acceptance {
  if (!isObject(options)) return EVERYTHING;
  let set = EVERYTHING;
  for (const key of RANGE_KEYS) {
    const raw = options[key];
    if (raw === undefined) continue;
    const v = boundValue(raw);
    if (v === null) return 'incomparable';
    const part =
      key === 'minimum'
        ? iv(v, false, Infinity, true)
        : key === 'exclusiveMinimum'
          ? iv(v, true, Infinity, true)
          : key === 'maximum'
            ? iv(-Infinity, true, v, false)
            : iv(-Infinity, true, v, true);
    set = intersect(set, [part]);
  }
  return set;
}

export function describeRange(options: JsonValue | undefined): string {
  if (!isObject(options)) return 'unbounded';
  const parts = [...RANGE_KEYS].filter((k) => options[k] !== undefined).map((k) => `${k} ${showValue(options[k])}`);
  return parts.length ? parts.join(', ') : 'unbounded';
}

/** Rules for SLA properties: added / removed, what they apply to, and stricter / looser values (units compared). */
import { type Change, jsonEqual, valueAt } from '../diff/index.js';
import type { JsonObject } from '../odcs.js';
import { type Verdict, timeOfDay } from './intervals.js';
import { type Group, type JudgeState, isObject, shownAfter, shownBefore, showValue } from './state.js';

/** SLA properties (lower-cased) where a lower value is a stricter promise, and where a higher one is. */
export const SLA_LOWER_IS_STRICTER: ReadonlySet<string> = new Set(['latency', 'frequency', 'timeofavailability', 'timetodetect', 'timetonotify', 'timetorepair', 'errorrate', 'rto', 'rpo']);
export const SLA_HIGHER_IS_STRICTER: ReadonlySet<string> = new Set(['retention', 'availability', 'throughput', 'endofsupport', 'endoflife']);

/** Time units as seconds ('m' is minutes; months are mo/month). */
export const TIME_UNITS: Readonly<Record<string, number>> = (() => {
  const table: Record<string, number> = {};
  const add = (seconds: number, ...names: string[]) => names.forEach((n) => (table[n] = seconds));
  add(0.001, 'ms', 'millisecond', 'milliseconds');
  add(1, 's', 'sec', 'secs', 'second', 'seconds');
  add(60, 'm', 'min', 'mins', 'minute', 'minutes');
  add(3600, 'h', 'hr', 'hrs', 'hour', 'hours');
  add(86400, 'd', 'day', 'days');
  add(7 * 86400, 'w', 'wk', 'week', 'weeks');
  add(30 * 86400, 'mo', 'mon', 'month', 'months');
  add(365 * 86400, 'y', 'yr', 'yrs', 'year', 'years');
  return table;
})();

/** A change inside an SLA property: its value is judged as a whole, a new element / property means a new target. */
export function slaField(c: Change, s: JudgeState): void {
  const t = c.target;
  if (['value', 'unit', 'valueExt'].includes(String(t.field[0]))) s.group('sla', c);
  else if (t.field[0] === 'element' || t.field[0] === 'property') {
    s.add('sla-changed', c, c.readablePath, {
      summary: `changing ${c.readablePath}`,
      explanation: `${c.readablePath} changed from ${shownBefore(c)} to ${shownAfter(c)}: the SLA now applies to something else.`,
      suggestion: 'Tell consumers that rely on this SLA, or add a new SLA property instead of repurposing this one.',
    });
  }
}

/** An SLA property added or removed. */
export function wholeSla(c: Change, s: JudgeState, p: string, added: boolean, obj: JsonObject): void {
  if (added) {
    s.add('sla-added', c, p, {
      summary: `adding SLA ${p}`,
      explanation: `SLA ${p} was added: ${describeSla(obj)}.`,
      suggestion: 'Make sure the producer can meet it.',
    });
  } else {
    s.add('sla-removed', c, p, {
      summary: `removing SLA ${p}`,
      explanation: `SLA ${p} was removed (was ${describeSla(obj)}); consumers lose that guarantee.`,
      suggestion: 'Tell consumers that relied on it.',
    });
  }
}

export function slaGroup(group: Group, s: JudgeState): void {
  const t = group.anchor.target;
  const p = t.readablePath;
  const before = valueAt(s.before, t.beforePath ?? []);
  const after = valueAt(s.after, t.afterPath ?? []);
  if (!isObject(before) || !isObject(after)) return;
  const verdict = compareSla(before, after);
  if (verdict === 'equal') return;
  const change = `${describeSla(before)} -> ${describeSla(after)}`;
  if (verdict === 'tighter') {
    s.add('sla-tightened', group.changes, p, {
      summary: `tightening SLA ${p} (${change})`,
      explanation: `SLA ${p} is stricter (${change}); the producer must now meet it.`,
      suggestion: 'Make sure the producer can meet the new SLA before activating this version.',
    });
  } else if (verdict === 'looser') {
    s.add('sla-relaxed', group.changes, p, {
      summary: `relaxing SLA ${p} (${change})`,
      explanation: `SLA ${p} is looser (${change}); consumers get a weaker guarantee.`,
      suggestion: 'Tell consumers that rely on the previous SLA.',
    });
  } else {
    s.add('sla-changed', group.changes, p, {
      summary: `changing SLA ${p} (${change})`,
      explanation: `SLA ${p} changed (${change}); the registry cannot tell whether it is stricter or looser.`,
      suggestion: 'Tell consumers that rely on this SLA.',
    });
  }
}

export function compareSla(before: JsonObject, after: JsonObject): Verdict {
  if (jsonEqual(before.value, after.value) && jsonEqual(before.unit, after.unit) && jsonEqual(before.valueExt, after.valueExt)) return 'equal';
  const property = String(after.property ?? before.property ?? '').toLowerCase();
  const lowerIsStricter = SLA_LOWER_IS_STRICTER.has(property);
  if (!lowerIsStricter && !SLA_HIGHER_IS_STRICTER.has(property)) return 'different';
  const b = slaMagnitude(before);
  const a = slaMagnitude(after);
  if (!b || !a || b.kind !== a.kind || (b.kind === 'number' && b.unit !== a.unit)) return 'different';
  if (a.value === b.value) return jsonEqual(before.valueExt, after.valueExt) ? 'equal' : 'different';
  return (a.value < b.value) === lowerIsStricter ? 'tighter' : 'looser';
}

/** An SLA value on a comparable scale: time units to seconds, dates to epoch ms, times of day to minutes. */
export function slaMagnitude(sla: JsonObject): { kind: 'duration' | 'number' | 'date' | 'time'; value: number; unit: string } | null {
  const unit = typeof sla.unit === 'string' ? sla.unit.trim().toLowerCase() : '';
  const raw = sla.value;
  const numeric = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+(\.\d+)?%?$/.test(raw.trim()) ? parseFloat(raw) : null;
  if (numeric !== null) {
    const seconds = TIME_UNITS[unit];
    if (seconds !== undefined) return { kind: 'duration', value: numeric * seconds, unit: 's' };
    return { kind: 'number', value: numeric, unit: unit || (typeof raw === 'string' && raw.trim().endsWith('%') ? '%' : '') };
  }
  if (typeof raw !== 'string') return null;
  const time = timeOfDay(raw);
  if (time !== null) return { kind: 'time', value: time, unit: '' };
  if (/^\d{4}-\d{2}-\d{2}/.test(raw)) {
    const ms = Date.parse(raw);
    if (!Number.isNaN(ms)) return { kind: 'date', value: ms, unit: '' };
  }
  return null;
}

export function describeSla(sla: JsonObject): string {
  const unit = typeof sla.unit === 'string' ? ` ${sla.unit}` : '';
  return `${showValue(sla.value)}${unit}`;
}

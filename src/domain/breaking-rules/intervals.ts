/** Interval arithmetic for value sets (quality thresholds, logicalTypeOptions ranges) and comparable scalar values (dates, times of day). */
import type { JsonValue } from '../odcs.js';

export type Verdict = 'equal' | 'tighter' | 'looser' | 'different';

export interface Interval {
  lo: number;
  loOpen: boolean;
  hi: number;
  hiOpen: boolean;
}
export type Acceptance = Interval[] | 'incomparable';

export const EVERYTHING: Interval[] = [{ lo: -Infinity, loOpen: true, hi: Infinity, hiOpen: true }];
export const iv = (lo: number, loOpen: boolean, hi: number, hiOpen: boolean): Interval => ({ lo, loOpen, hi, hiOpen });

export function isEmptyInterval(i: Interval): boolean {
  return i.lo > i.hi || (i.lo === i.hi && (i.loOpen || i.hiOpen));
}

export function intersect(a: Interval[], b: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const x of a) {
    for (const y of b) {
      const lo = Math.max(x.lo, y.lo);
      const hi = Math.min(x.hi, y.hi);
      const i = iv(lo, (x.lo === lo && x.loOpen) || (y.lo === lo && y.loOpen), hi, (x.hi === hi && x.hiOpen) || (y.hi === hi && y.hiOpen));
      if (!isEmptyInterval(i)) out.push(i);
    }
  }
  return out;
}

export function contains(outer: Interval, inner: Interval): boolean {
  const loOk = outer.lo < inner.lo || (outer.lo === inner.lo && (!outer.loOpen || inner.loOpen));
  const hiOk = outer.hi > inner.hi || (outer.hi === inner.hi && (!outer.hiOpen || inner.hiOpen));
  return loOk && hiOk;
}

export function subset(a: Interval[], b: Interval[]): boolean {
  return a.every((x) => b.some((y) => contains(y, x)));
}

export function compareAcceptance(before: Acceptance, after: Acceptance): Verdict {
  if (before === 'incomparable' || after === 'incomparable') return 'different';
  const narrower = subset(after, before);
  const wider = subset(before, after);
  if (narrower && wider) return 'equal';
  return narrower ? 'tighter' : wider ? 'looser' : 'different';
}

export function boundValue(v: JsonValue): number | null {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return null;
  const time = timeOfDay(v);
  if (time !== null) return time;
  if (/^\d{4}-\d{2}-\d{2}/.test(v)) {
    const ms = Date.parse(v.replace(' ', 'T'));
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

/** Minutes since midnight UTC of `HH:mm[:ss][Z|±HH:mm]`, or null. */
export function timeOfDay(v: string): number | null {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(v.trim());
  if (!m) return null;
  let minutes = Number(m[1]) * 60 + Number(m[2]) + Number(m[3] ?? 0) / 60;
  const tz = m[4];
  if (tz && tz !== 'Z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    minutes -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  }
  return minutes;
}

/** Items of arrays of objects: their identity, readable labels, and the document order of a two-sided list. */
import type { JsonObject, JsonValue } from '../odcs.js';
import { isPlainObject } from './tree.js';
import { IDENTITY_KEYS, LABEL_KEYS } from './types.js';

export function identityValue(item: JsonObject, key: string): string | number | undefined {
  const v = item[key];
  return typeof v === 'string' || typeof v === 'number' ? v : undefined;
}

export function commonKey(a: JsonObject, b: JsonObject): string | null {
  for (const key of IDENTITY_KEYS) if (identityValue(a, key) !== undefined && identityValue(b, key) !== undefined) return key;
  return null;
}

function rawLabel(item: JsonValue | undefined): string | null {
  if (!isPlainObject(item)) return null;
  for (const key of LABEL_KEYS) {
    const v = identityValue(item, key);
    if (v !== undefined && String(v) !== '') return String(v);
  }
  return null;
}

/** Labels of the items of an array: the identity value, `#n` for the n-th of duplicates, `[i]` without one. */
export function labels(items: readonly JsonValue[]): string[] {
  const raw = items.map(rawLabel);
  const counts = new Map<string, number>();
  for (const r of raw) if (r !== null) counts.set(r, (counts.get(r) ?? 0) + 1);
  const seen = new Map<string, number>();
  return raw.map((r, i) => {
    if (r === null) return `[${i}]`;
    if ((counts.get(r) ?? 0) < 2) return r;
    const n = (seen.get(r) ?? 0) + 1;
    seen.set(r, n);
    return `${r}#${n}`;
  });
}

/**
 * Document order for a two-sided list: every after index in order, each followed by the before indices that
 * were removed right after the before partner of that after index.
 */
export function mergeOrder(beforeLength: number, afterLength: number, afterToBefore: Map<number, number>): { b: number | null; a: number | null }[] {
  const beforeToAfter = new Map<number, number>();
  for (const [a, b] of afterToBefore) beforeToAfter.set(b, a);
  const removedAfter = new Map<number, number[]>(); // anchor after index (-1 = start) -> removed before indices
  let anchor = -1;
  for (let b = 0; b < beforeLength; b++) {
    const partner = beforeToAfter.get(b);
    if (partner !== undefined) anchor = partner;
    else {
      const list = removedAfter.get(anchor) ?? [];
      list.push(b);
      removedAfter.set(anchor, list);
    }
  }
  const out: { b: number | null; a: number | null }[] = [];
  for (const b of removedAfter.get(-1) ?? []) out.push({ b, a: null });
  for (let a = 0; a < afterLength; a++) {
    out.push({ b: afterToBefore.get(a) ?? null, a });
    for (const b of removedAfter.get(a) ?? []) out.push({ b, a: null });
  }
  return out;
}

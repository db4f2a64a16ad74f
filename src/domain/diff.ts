/**
 * A structural diff of two ODCS documents, aware of the standard's shape: items of arrays of objects are
 * matched by identity (so reordering is not a change), every change carries a JSON path, a readable path
 * (`orders.customer_email.logicalType`) and the element it is about (schema, property, quality rule, server,
 * SLA), which is what the breaking-change rules in breaking-rules/ judge. Pure: no I/O.
 *
 * Decisions:
 * - Granularity: the most specific path where the documents differ. Array items of arrays of objects
 *   (schemas, properties, quality rules, servers, SLAs, custom properties, ...) are atomic when added or
 *   removed: an added property is ONE `added` change whose `after` is the whole property.
 * - A key present on one side only, whose value on the other side is a non-empty object or a non-empty array
 *   of objects, is compared as if the missing side were empty: adding `quality: [r1, r2]` to a property
 *   reports two added quality rules, adding `logicalTypeOptions: {maxLength: 5}` reports one added
 *   `logicalTypeOptions.maxLength`. Adding an empty container (`tags: []`) or a scalar array
 *   (`enum: ['a', 'b']`) is one change of the whole value.
 * - Matching items of arrays of objects: first identical items (deep equality, so moved but unchanged items
 *   are never reported), then by the first identity key both items have, in the order `id`, `name`,
 *   `property` (customProperties, slaProperties), `server` (servers), `username` (team members), `role`
 *   (roles), `channel` (support), `url` (authoritativeDefinitions). Two items that both have the key but
 *   with different values are different items (a renamed property is removed + added, unless both carry the
 *   same `id`, in which case it is one change of `.name`). Items with no identity key in common are paired
 *   by position among the items left over.
 * - Arrays of scalars: set-like arrays (`tags`, `transformSourceObjects`, `examples`, allowed values `enum`,
 *   `validValues`, `allowedValues`, `missingValues`, and `logicalTypeOptions.required`) are compared as
 *   multisets: each added or removed element is its own change (`before`/`after` is the element) and order
 *   is ignored. Every other scalar array (`mustBeBetween`, relationship `from`/`to`, ...) is ordered and a
 *   difference is one `changed` of the whole array.
 * - Absent and `null` differ: absent -> null is an `added` change with `after: null`.
 * - Order of changes: document order — the after document's order, with removed things placed where they
 *   were: right after the nearest preceding thing both documents have (so before anything added there, as a
 *   unified diff shows a replacement).
 */
import type { JsonObject, JsonValue } from './odcs.js';

export type PathPart = string | number;
export type Path = PathPart[];

export type DiffKind = 'added' | 'removed' | 'changed';

/** The kinds of ODCS elements a change can be about. */
export type ElementKind = 'document' | 'schema' | 'property' | 'quality' | 'server' | 'slaProperty';

/** The element a change is on (when it adds or removes the element itself) or inside. */
export interface ChangeTarget {
  element: ElementKind;
  /** true when the change adds or removes the element itself (then `field` is []). */
  whole: boolean;
  /** Name of the schema object the change is in (null for changes outside `schema[]`). */
  schema: string | null;
  /** Dotted path of the property inside its schema (`address.street`), when the change is in a property. */
  property: string | null;
  /** Readable path of the element (`orders.address.street`, `servers.prod-db`, `` for the document). */
  readablePath: string;
  /** Path of the element in the before / after document; null on the side where it does not exist. */
  beforePath: Path | null;
  afterPath: Path | null;
  /** Path of the enclosing schema object in each document (null outside `schema[]`). */
  schemaBeforePath: Path | null;
  schemaAfterPath: Path | null;
  /** Keys from the element to the changed value, in the document `Change.path` refers to. */
  field: Path;
}

export interface Change {
  kind: DiffKind;
  /** Path in the AFTER document for added/changed, in the BEFORE document for removed. */
  path: Path;
  /** `path` rendered: `$.schema[0].properties[3].logicalType`. */
  jsonPath: string;
  /** `orders.customer_email.logicalType`, `servers.prod-db.type`, `slaProperties.latency.value`. */
  readablePath: string;
  /** The value before (null when absent). */
  before: JsonValue;
  /** The value after (null when absent). */
  after: JsonValue;
  /** Where the value is in each document; null on the side where it is absent. */
  beforePath: Path | null;
  afterPath: Path | null;
  target: ChangeTarget;
}

/** Arrays of scalars whose order carries no meaning; compared as multisets. */
export const SET_LIKE_ARRAY_KEYS: ReadonlySet<string> = new Set([
  'tags',
  'transformSourceObjects',
  'examples',
  'enum',
  'validValues',
  'allowedValues',
  'missingValues',
  'required',
]);

/** Identity keys of items of arrays of objects, strongest first. */
export const IDENTITY_KEYS = ['id', 'name', 'property', 'server', 'username', 'role', 'channel', 'url'] as const;
/** Identity keys that make a readable label (a URL does not). */
const LABEL_KEYS = ['name', 'property', 'server', 'username', 'role', 'channel', 'id'] as const;

export function diffDocuments(before: JsonObject, after: JsonObject): Change[] {
  const out: Change[] = [];
  if (before === after || JSON.stringify(before) === JSON.stringify(after)) return out;
  const previousCache = activeCache;
  activeCache = new WeakMap();
  try {
    diffRoot(before, after, out);
  } finally {
    activeCache = previousCache;
  }
  return out;
}

/** Canonical texts of the objects seen during one diff (documents are not mutated while diffed). */
let activeCache: WeakMap<object, string> | undefined;

function canon(value: JsonValue | undefined): string {
  return canonicalJson(value, activeCache);
}

function diffRoot(before: JsonObject, after: JsonObject, out: Change[]): void {
  const root: Node = {
    role: 'document',
    readable: '',
    entityReadable: '',
    propertyBase: null,
    target: {
      element: 'document',
      schema: null,
      property: null,
      readablePath: '',
      beforePath: [],
      afterPath: [],
      schemaBeforePath: null,
      schemaAfterPath: null,
    },
  };
  diffObject(before, after, [], [], root, out);
}

/** `$.schema[0].properties[3].logicalType`; keys that are not identifiers are bracketed: `$['a b']`. */
export function renderJsonPath(path: readonly PathPart[]): string {
  let out = '$';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) out += `.${part}`;
    else out += `['${part.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
  }
  return out;
}

/** The value at `path` in `root`, or undefined. */
export function valueAt(root: JsonValue | undefined, path: readonly PathPart[]): JsonValue | undefined {
  let value: JsonValue | undefined = root;
  for (const part of path) {
    if (value === null || typeof value !== 'object' || value === undefined) return undefined;
    value = Array.isArray(value) ? (typeof part === 'number' ? value[part] : undefined) : (value as JsonObject)[String(part)];
  }
  return value;
}

/** Deep equality of JSON values; object key order is ignored. */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => jsonEqual(v, b[i]));
  }
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
}

/** A canonical text for a JSON value (sorted keys), for multiset comparison; `cache` memoizes objects. */
export function canonicalJson(value: JsonValue | undefined, cache?: WeakMap<object, string>): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const cached = cache?.get(value);
  if (cached !== undefined) return cached;
  let text: string;
  if (Array.isArray(value)) text = `[${value.map((v) => canonicalJson(v, cache)).join(',')}]`;
  else {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    text = `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k], cache)}`).join(',')}}`;
  }
  cache?.set(value, text);
  return text;
}

// ---------------------------------------------------------------------------------------------------------

type Role =
  | 'document'
  | 'schemaList'
  | 'schema'
  | 'propertyList'
  | 'property'
  | 'items'
  | 'qualityList'
  | 'quality'
  | 'serverList'
  | 'server'
  | 'slaList'
  | 'sla'
  | 'other';

type TargetContext = Omit<ChangeTarget, 'whole' | 'field'>;

interface Node {
  role: Role;
  /** Readable path of this node. */
  readable: string;
  /** Readable path nested properties hang from (a schema's or a property's readable; `items` inherits it). */
  entityReadable: string;
  /** Dotted path of the property that owns this node (null at schema level). */
  propertyBase: string | null;
  /** The innermost element matched in both documents. */
  target: TargetContext;
}

const ENTITY_ROLES: Partial<Record<Role, ElementKind>> = {
  schema: 'schema',
  property: 'property',
  quality: 'quality',
  server: 'server',
  sla: 'slaProperty',
};

function isPlainObject(v: JsonValue | undefined): v is JsonObject {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

function childRole(parent: Role, key: string): Role {
  switch (parent) {
    case 'document':
      return key === 'schema' ? 'schemaList' : key === 'servers' ? 'serverList' : key === 'slaProperties' ? 'slaList' : 'other';
    case 'schema':
      return key === 'properties' ? 'propertyList' : key === 'quality' ? 'qualityList' : 'other';
    case 'property':
    case 'items':
      return key === 'properties' ? 'propertyList' : key === 'items' ? 'items' : key === 'quality' ? 'qualityList' : 'other';
    default:
      return 'other';
  }
}

function itemRole(list: Role): Role {
  switch (list) {
    case 'schemaList':
      return 'schema';
    case 'propertyList':
      return 'property';
    case 'qualityList':
      return 'quality';
    case 'serverList':
      return 'server';
    case 'slaList':
      return 'sla';
    default:
      return 'other';
  }
}

function keyChild(node: Node, key: string): Node {
  const role = childRole(node.role, key);
  const readable = node.readable ? `${node.readable}.${key}` : key;
  return {
    role,
    readable,
    // nested properties hang from the schema / property, skipping `properties` and `items`
    entityReadable: role === 'propertyList' || role === 'items' ? node.entityReadable : readable,
    propertyBase: node.role === 'property' || node.role === 'items' || node.role === 'propertyList' ? node.propertyBase : null,
    target: node.target,
  };
}

function itemChild(list: Node, label: string): { node: Node; role: Role; propertyPath: string | null } {
  const role = itemRole(list.role);
  let readable: string;
  let propertyPath: string | null = null;
  if (role === 'schema') readable = label.startsWith('[') ? `schema${label}` : label;
  else if (role === 'property') {
    readable = label.startsWith('[') ? `${list.readable}${label}` : `${list.entityReadable}.${label}`;
    propertyPath = list.propertyBase ? `${list.propertyBase}.${label}` : label;
  } else readable = label.startsWith('[') ? `${list.readable}${label}` : `${list.readable}.${label}`;
  return {
    role,
    propertyPath,
    node: { role, readable, entityReadable: readable, propertyBase: role === 'property' ? propertyPath : list.propertyBase, target: list.target },
  };
}

function identityValue(item: JsonObject, key: string): string | number | undefined {
  const v = item[key];
  return typeof v === 'string' || typeof v === 'number' ? v : undefined;
}

function commonKey(a: JsonObject, b: JsonObject): string | null {
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
function labels(items: readonly JsonValue[]): string[] {
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
function mergeOrder(beforeLength: number, afterLength: number, afterToBefore: Map<number, number>): { b: number | null; a: number | null }[] {
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

function emit(
  out: Change[],
  kind: DiffKind,
  beforePath: Path | null,
  afterPath: Path | null,
  before: JsonValue | undefined,
  after: JsonValue | undefined,
  readablePath: string,
  target: ChangeTarget,
): void {
  const path = (kind === 'removed' ? beforePath : afterPath) ?? [];
  out.push({
    kind,
    path,
    jsonPath: renderJsonPath(path),
    readablePath,
    before: before === undefined ? null : before,
    after: after === undefined ? null : after,
    beforePath,
    afterPath,
    target,
  });
}

/** The target for a change inside the node's element (not the element itself). */
function innerTarget(node: Node, kind: DiffKind, beforePath: Path | null, afterPath: Path | null): ChangeTarget {
  const t = node.target;
  const path = (kind === 'removed' ? beforePath : afterPath) ?? [];
  const base = (kind === 'removed' ? t.beforePath : t.afterPath) ?? [];
  return { ...t, whole: false, field: path.slice(base.length) };
}

function diffValue(
  b: JsonValue | undefined,
  a: JsonValue | undefined,
  bPath: Path,
  aPath: Path,
  node: Node,
  key: string | null,
  out: Change[],
): void {
  if (b === a || (typeof b === 'object' && typeof a === 'object' && b !== null && a !== null && canon(b) === canon(a))) return;
  if (b === undefined && a !== undefined && explodes(a, key)) {
    if (isPlainObject(a)) diffObject({}, a, bPath, aPath, node, out);
    else diffArray([], a as JsonValue[], bPath, aPath, node, key, out);
    return;
  }
  if (a === undefined && b !== undefined && explodes(b, key)) {
    if (isPlainObject(b)) diffObject(b, {}, bPath, aPath, node, out);
    else diffArray(b as JsonValue[], [], bPath, aPath, node, key, out);
    return;
  }
  if (isPlainObject(b) && isPlainObject(a)) {
    diffObject(b, a, bPath, aPath, node, out);
    return;
  }
  if (Array.isArray(b) && Array.isArray(a)) {
    diffArray(b, a, bPath, aPath, node, key, out);
    return;
  }
  const kind: DiffKind = b === undefined ? 'added' : a === undefined ? 'removed' : 'changed';
  const bp = b === undefined ? null : bPath;
  const ap = a === undefined ? null : aPath;
  emit(out, kind, bp, ap, b, a, node.readable, innerTarget(node, kind, bp, ap));
}

function explodes(value: JsonValue, key: string | null): boolean {
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return Array.isArray(value) && value.length > 0 && value.every(isPlainObject) && !(key !== null && SET_LIKE_ARRAY_KEYS.has(key));
}

function diffObject(b: JsonObject, a: JsonObject, bPath: Path, aPath: Path, node: Node, out: Change[]): void {
  const bKeys = Object.keys(b).filter((k) => b[k] !== undefined);
  const aKeys = Object.keys(a).filter((k) => a[k] !== undefined);
  const bIndex = new Map(bKeys.map((k, i) => [k, i]));
  const afterToBefore = new Map<number, number>();
  aKeys.forEach((k, i) => {
    const j = bIndex.get(k);
    if (j !== undefined) afterToBefore.set(i, j);
  });
  for (const { b: bi, a: ai } of mergeOrder(bKeys.length, aKeys.length, afterToBefore)) {
    const key = (ai !== null ? aKeys[ai] : bKeys[bi!])!;
    diffValue(b[key], a[key], [...bPath, key], [...aPath, key], keyChild(node, key), key, out);
  }
}

function diffArray(b: JsonValue[], a: JsonValue[], bPath: Path, aPath: Path, node: Node, key: string | null, out: Change[]): void {
  if (key !== null && SET_LIKE_ARRAY_KEYS.has(key)) {
    diffMultiset(b, a, bPath, aPath, node, out);
    return;
  }
  if (!(b.every(isPlainObject) && a.every(isPlainObject))) {
    emit(out, 'changed', bPath, aPath, b, a, node.readable, innerTarget(node, 'changed', bPath, aPath));
    return;
  }
  const bs = b as JsonObject[];
  const as = a as JsonObject[];
  const afterToBefore = matchItems(bs, as);
  const bLabels = labels(bs);
  const aLabels = labels(as);
  for (const { b: bi, a: ai } of mergeOrder(bs.length, as.length, afterToBefore)) {
    if (bi !== null && ai !== null) {
      const { node: child, role, propertyPath } = itemChild(node, aLabels[ai]!);
      const itemB = [...bPath, bi];
      const itemA = [...aPath, ai];
      const element = ENTITY_ROLES[role];
      if (element) child.target = entityTarget(node, element, child, propertyPath, itemB, itemA);
      diffValue(bs[bi], as[ai], itemB, itemA, child, null, out);
    } else if (ai !== null) {
      const { node: child, role, propertyPath } = itemChild(node, aLabels[ai]!);
      const itemA = [...aPath, ai];
      emit(out, 'added', null, itemA, undefined, as[ai], child.readable, wholeOrInner(node, role, child, propertyPath, 'added', null, itemA));
    } else {
      const { node: child, role, propertyPath } = itemChild(node, bLabels[bi!]!);
      const itemB = [...bPath, bi!];
      emit(out, 'removed', itemB, null, bs[bi!], undefined, child.readable, wholeOrInner(node, role, child, propertyPath, 'removed', itemB, null));
    }
  }
}

function entityTarget(list: Node, element: ElementKind, child: Node, propertyPath: string | null, beforePath: Path | null, afterPath: Path | null): TargetContext {
  const isSchema = element === 'schema';
  return {
    element,
    schema: isSchema ? child.readable : list.target.schema,
    property: element === 'property' ? propertyPath : list.target.property,
    readablePath: child.readable,
    beforePath,
    afterPath,
    schemaBeforePath: isSchema ? beforePath : list.target.schemaBeforePath,
    schemaAfterPath: isSchema ? afterPath : list.target.schemaAfterPath,
  };
}

function wholeOrInner(
  list: Node,
  role: Role,
  child: Node,
  propertyPath: string | null,
  kind: DiffKind,
  beforePath: Path | null,
  afterPath: Path | null,
): ChangeTarget {
  const element = ENTITY_ROLES[role];
  if (!element) return innerTarget(list, kind, beforePath, afterPath);
  return { ...entityTarget(list, element, child, propertyPath, beforePath, afterPath), whole: true, field: [] };
}

/** Pairs after indices with before indices; see the module comment for the order of the passes. */
function matchItems(b: JsonObject[], a: JsonObject[]): Map<number, number> {
  const afterToBefore = new Map<number, number>();
  const usedB = new Set<number>();
  const pair = (ai: number, bi: number) => {
    afterToBefore.set(ai, bi);
    usedB.add(bi);
  };
  // 1. identical items
  const byCanon = new Map<string, number[]>();
  b.forEach((other, i) => {
    const c = canon(other);
    const list = byCanon.get(c);
    if (list) list.push(i);
    else byCanon.set(c, [i]);
  });
  a.forEach((item, ai) => {
    const bi = byCanon.get(canon(item))?.find((i) => !usedB.has(i));
    if (bi !== undefined) pair(ai, bi);
  });
  // 2. identity keys: the strongest key both items have decides
  const index = new Map<string, number[]>();
  b.forEach((other, i) => {
    for (const key of IDENTITY_KEYS) {
      const v = identityValue(other, key);
      if (v === undefined) continue;
      const slot = `${key}\u0000${typeof v}\u0000${v}`;
      const list = index.get(slot);
      if (list) list.push(i);
      else index.set(slot, [i]);
    }
  });
  a.forEach((item, ai) => {
    if (afterToBefore.has(ai)) return;
    for (const key of IDENTITY_KEYS) {
      const v = identityValue(item, key);
      if (v === undefined) continue;
      const bi = (index.get(`${key}\u0000${typeof v}\u0000${v}`) ?? []).find((i) => !usedB.has(i) && commonKey(b[i]!, item) === key);
      if (bi !== undefined) {
        pair(ai, bi);
        return;
      }
    }
  });
  // 3. by position, among items with no identity key in common
  a.forEach((item, ai) => {
    if (afterToBefore.has(ai)) return;
    const bi = b.findIndex((other, i) => !usedB.has(i) && commonKey(other, item) === null);
    if (bi >= 0) pair(ai, bi);
  });
  return afterToBefore;
}

function diffMultiset(b: JsonValue[], a: JsonValue[], bPath: Path, aPath: Path, node: Node, out: Change[]): void {
  const bCanon = b.map((v) => canon(v));
  const used = new Set<number>();
  const afterToBefore = new Map<number, number>();
  a.forEach((v, ai) => {
    const c = canon(v);
    const bi = bCanon.findIndex((x, i) => !used.has(i) && x === c);
    if (bi >= 0) {
      used.add(bi);
      afterToBefore.set(ai, bi);
    }
  });
  for (const { b: bi, a: ai } of mergeOrder(b.length, a.length, afterToBefore)) {
    if (bi !== null && ai !== null) continue;
    if (ai !== null) {
      const ap = [...aPath, ai];
      emit(out, 'added', null, ap, undefined, a[ai], node.readable, innerTarget(node, 'added', null, ap));
    } else {
      const bp = [...bPath, bi!];
      emit(out, 'removed', bp, null, b[bi!], undefined, node.readable, innerTarget(node, 'removed', bp, null));
    }
  }
}

/** The walk over two documents that emits the changes, in document order (the decisions are in index.ts). */
import { stopPoint } from '../cancellation.js';
import type { JsonObject, JsonValue } from '../odcs.js';
import { canonicalJson, renderJsonPath } from './json.js';
import { commonKey, identityValue, labels, mergeOrder } from './labels.js';
import { ENTITY_ROLES, isPlainObject, itemChild, keyChild, type Node, type Role, type TargetContext } from './tree.js';
import { type Change, type ChangeTarget, type DiffKind, type ElementKind, IDENTITY_KEYS, type Path, SET_LIKE_ARRAY_KEYS } from './types.js';

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
    stopPoint(); // one check per schema, property or other list item: a diff whose request was stopped ends here
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

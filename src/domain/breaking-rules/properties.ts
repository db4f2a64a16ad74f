/**
 * Rules for schema objects and their properties: added / removed / renamed, physical names and types,
 * logical types, required / unique flags, classification and the primary key.
 */
import { type Change, canonicalJson, jsonEqual, valueAt } from '../diff/index.js';
import { type JsonObject, type JsonValue, type OdcsProperty, walkProperties } from '../odcs.js';
import { constraintChanged, constraintOption, nestedRequired, RANGE_KEYS } from './constraints.js';
import { type Group, type JudgeState, isObject, shownAfter, shownBefore, showValue } from './state.js';

/** Logical type widenings: every value of the key type is a value of each listed type. */
export const LOGICAL_TYPE_WIDENINGS: Readonly<Record<string, readonly string[]>> = {
  integer: ['number'],
  date: ['timestamp'],
};

/** Classification levels, least sensitive first; an unknown value ranks above all of them. */
export const CLASSIFICATION_RANKS: Readonly<Record<string, number>> = {
  unclassified: 0,
  public: 0,
  open: 0,
  internal: 1,
  private: 1,
  'internal-use': 1,
  confidential: 2,
  sensitive: 2,
  restricted: 3,
  'highly-confidential': 3,
  secret: 4,
  'top-secret': 5,
};

/** A schema object added or removed. */
export function wholeSchema(c: Change, s: JudgeState, p: string, added: boolean, _obj: JsonObject): void {
  if (added) {
    s.add('schema-added', c, p, {
      summary: `adding schema object ${p}`,
      explanation: `Schema object ${p} was added.`,
      suggestion: 'No action needed; consumers can start using it.',
    });
  } else {
    s.add('schema-removed', c, p, {
      summary: `removing schema object ${p}`,
      explanation: `Schema object ${p} was removed; consumers that read it will break.`,
      suggestion: `Keep ${p} (mark it deprecated in its description) until its consumers have migrated, then remove it in a new major version.`,
    });
  }
}

/** A property added or removed. */
export function wholeProperty(c: Change, s: JudgeState, p: string, added: boolean, obj: JsonObject): void {
  const required = obj.required === true;
  if (added && required) {
    s.add('required-property-added', c, p, {
      summary: `adding required property ${p}`,
      explanation: `Required property ${p} was added; data written under the previous version does not have it, and producers must now provide it.`,
      suggestion: `Add ${p} as optional (required: false) first, make it required in a later version once every producer fills it, or publish a new major version.`,
    });
  } else if (added) {
    s.add('property-added', c, p, {
      summary: `adding property ${p}`,
      explanation: `Optional property ${p} was added.`,
      suggestion: 'No action needed.',
    });
  } else {
    s.add(
      'property-removed',
      c,
      p,
      {
        summary: `removing ${p}`,
        explanation: `Property ${p} was removed${required ? ' (it was required)' : ''}; consumers that read it will break.`,
        suggestion: `Keep ${p} and mark it deprecated (e.g. in its description) until consumers have migrated, then remove it in a new major version.`,
      },
      { backward: false, forward: required },
    );
  }
  if (hasPrimaryKey(obj)) s.group('primaryKey', c);
}

export function schemaField(c: Change, s: JudgeState): void {
  const field = c.target.field;
  if (field.length !== 1) return;
  if (field[0] === 'name') {
    s.add('schema-renamed', c, c.target.readablePath, {
      summary: `renaming schema object ${shownBefore(c)} to ${shownAfter(c)}`,
      explanation: `Schema object ${shownBefore(c)} was renamed to ${shownAfter(c)}; consumers that use the old name will break.`,
      suggestion: 'Keep the old name (set physicalName or businessName for the new one), or publish a new major version.',
    });
  } else if (field[0] === 'physicalName') physicalName(c, s);
  else if (field[0] === 'physicalType') physicalType(c, s);
}

export function propertyField(c: Change, s: JudgeState): void {
  const t = c.target;
  let items = 0;
  while (t.field[items] === 'items') items++;
  const rel = t.field.slice(items);
  const first = rel[0];
  const p = c.readablePath;
  if (rel.length === 1 && items === 0 && first === 'name') {
    s.add('property-renamed', c, t.readablePath, {
      summary: `renaming ${shownBefore(c)} to ${t.readablePath}`,
      explanation: `Property ${shownBefore(c)} was renamed to ${shownAfter(c)} (${t.readablePath}); consumers that use the old name will break.`,
      suggestion: 'Keep the old property and add the new one beside it, or publish a new major version.',
    });
    if (hasPrimaryKey(valueAt(s.before, t.beforePath ?? [])) || hasPrimaryKey(valueAt(s.after, t.afterPath ?? []))) s.group('primaryKey', c);
    return;
  }
  if (rel.length === 1 && items === 0 && first === 'physicalName') return physicalName(c, s);
  if (rel.length === 1 && first === 'physicalType') return physicalType(c, s);
  if (rel.length === 1 && first === 'logicalType') return logicalType(c, s);
  if (rel.length === 1 && first === 'required') return requiredFlag(c, s, p.replace(/\.required$/, ''));
  if (rel.length === 1 && first === 'unique') return uniqueFlag(c, s, p.replace(/\.unique$/, ''));
  if (rel.length === 1 && items === 0 && (first === 'primaryKey' || first === 'primaryKeyPosition')) return s.group('primaryKey', c);
  if (rel.length === 1 && first === 'classification') return classification(c, s);
  if (rel.length === 1 && (first === 'partitioned' || first === 'partitionKeyPosition')) {
    return s.add('partitioning-changed', c, p, {
      summary: `changing ${p}`,
      explanation: `${p} changed from ${shownBefore(c)} to ${shownAfter(c)}; queries that prune by partition may slow down.`,
      suggestion: 'Tell consumers that filter on partitions.',
    });
  }
  if (first === 'logicalTypeOptions') {
    const option = rel[1];
    const prefix = t.field.slice(0, items + 1);
    if (rel.length === 1 || option === undefined) return constraintChanged(c, s, p);
    if (option === 'required') return nestedRequired(c, s, rel.length === 2);
    if (rel.length === 2 && RANGE_KEYS.has(String(option))) return s.group('range', c, prefix);
    if (rel.length === 2) return constraintOption(c, s, String(option));
    return constraintChanged(c, s, p);
  }
}

export function physicalName(c: Change, s: JudgeState): void {
  const t = c.target;
  const before = valueAt(s.before, t.beforePath ?? []);
  const after = valueAt(s.after, t.afterPath ?? []);
  const effective = (o: JsonValue | undefined, explicit: JsonValue) => (typeof explicit === 'string' ? explicit : isObject(o) ? o.name : undefined);
  const from = effective(before, c.before);
  const to = effective(after, c.after);
  if (jsonEqual(from, to)) return; // e.g. physicalName added equal to the name: other-changed
  s.add('physical-name-changed', c, c.readablePath, {
    summary: `changing the physical name of ${t.readablePath}`,
    explanation: `The physical name of ${t.readablePath} changed from ${showValue(from)} to ${showValue(to)}; queries and pipelines that use the physical name will break.`,
    suggestion: 'Keep the physical name (rename only the logical name or businessName), or provide a view with the old name and publish a new major version.',
  });
}

export function physicalType(c: Change, s: JudgeState): void {
  const owner = c.target.readablePath;
  s.add('physical-type-changed', c, c.readablePath, {
    summary: `changing the physical type of ${owner}`,
    explanation: `The physical type at ${c.readablePath} changed from ${shownBefore(c)} to ${shownAfter(c)}; consumers that read the storage type directly may need to adapt.`,
    suggestion: 'Check that the logical type still describes the data and tell consumers that read the physical type.',
  });
}

export function logicalType(c: Change, s: JudgeState): void {
  const p = c.readablePath;
  const from = typeof c.before === 'string' ? c.before : null;
  const to = typeof c.after === 'string' ? c.after : null;
  const owner = p.replace(/\.logicalType$/, '');
  if (from === null && to !== null) {
    s.add('logical-type-added', c, p, {
      summary: `declaring ${owner} as ${to}`,
      explanation: `${owner} had no logical type and is now ${to}; existing data that is not ${to} no longer conforms.`,
      suggestion: 'Check that existing data conforms to the new type.',
    });
  } else if (from !== null && to === null) {
    s.add('logical-type-removed', c, p, {
      summary: `removing the logical type of ${owner}`,
      explanation: `${owner} was ${from} and now has no logical type; consumers may receive values of any type.`,
      suggestion: `Keep the logical type ${from} unless the values really can be of any type.`,
    });
  } else if (from !== null && to !== null) {
    if (LOGICAL_TYPE_WIDENINGS[from]?.includes(to)) {
      s.add('logical-type-widened', c, p, {
        summary: `widening ${owner} from ${from} to ${to}`,
        explanation: `${owner} was widened from ${from} to ${to}: every ${from} value is still valid, but consumers that expect ${from} may receive values they cannot handle.`,
        suggestion: `Tell consumers that parse ${owner} as ${from}.`,
      });
    } else if (LOGICAL_TYPE_WIDENINGS[to]?.includes(from)) {
      s.add('logical-type-narrowed', c, p, {
        summary: `narrowing ${owner} from ${from} to ${to}`,
        explanation: `${owner} was narrowed from ${from} to ${to}; existing ${from} values may not be valid ${to} values.`,
        suggestion: `Keep ${from}, or add a new property of type ${to} and deprecate ${owner}.`,
      });
    } else {
      s.add('logical-type-changed', c, p, {
        summary: `changing the type of ${owner} from ${from} to ${to}`,
        explanation: `The logical type of ${owner} changed from ${from} to ${to}; consumers and existing data are incompatible with the new type.`,
        suggestion: `Keep ${owner} as ${from} and add a new property of type ${to}, then deprecate the old one; or publish a new major version.`,
      });
    }
  } else {
    s.add('logical-type-changed', c, p, {
      summary: `changing the type of ${owner}`,
      explanation: `The logical type of ${owner} changed from ${shownBefore(c)} to ${shownAfter(c)}.`,
      suggestion: 'Use one of the ODCS logical types.',
    });
  }
}

export function requiredFlag(c: Change, s: JudgeState, owner: string): void {
  const from = c.before === true;
  const to = c.after === true;
  if (!from && to) {
    s.add('property-became-required', c, c.readablePath, {
      summary: `making ${owner} required`,
      explanation: `${owner} became required (non-nullable); existing data may contain nulls and every producer must now fill it.`,
      suggestion: `Check that no existing data has nulls in ${owner} and that every producer fills it, or keep it optional.`,
    });
  } else if (from && !to) {
    s.add('property-became-optional', c, c.readablePath, {
      summary: `making ${owner} optional`,
      explanation: `${owner} is no longer required: consumers may now receive nulls.`,
      suggestion: `Tell consumers that assume ${owner} is never null.`,
    });
  }
}

export function uniqueFlag(c: Change, s: JudgeState, owner: string): void {
  const from = c.before === true;
  const to = c.after === true;
  if (!from && to) {
    s.add('unique-added', c, c.readablePath, {
      summary: `making ${owner} unique`,
      explanation: `${owner} became unique; existing data may contain duplicates and producers must now prevent them.`,
      suggestion: `Check existing data for duplicates in ${owner} first, or express it as a quality rule with severity warning.`,
    });
  } else if (from && !to) {
    s.add('unique-removed', c, c.readablePath, {
      summary: `dropping uniqueness of ${owner}`,
      explanation: `${owner} is no longer unique: consumers that use it as a key may now see duplicates.`,
      suggestion: `Tell consumers that join or deduplicate on ${owner}.`,
    });
  }
}

export function classification(c: Change, s: JudgeState): void {
  const owner = c.readablePath.replace(/\.classification$/, '');
  const from = classificationRank(c.before);
  const to = classificationRank(c.after);
  if (to > from || (to === from && from === Infinity)) {
    s.add('classification-more-sensitive', c, c.readablePath, {
      summary: `classifying ${owner} as more sensitive`,
      explanation: `${owner} is now classified ${shownAfter(c)} (was ${shownBefore(c)}); consumers may lose access or need new approvals.`,
      suggestion: 'Check that current consumers are entitled to the new classification and update access roles.',
    });
  } else if (to < from) {
    s.add('classification-less-sensitive', c, c.readablePath, {
      summary: `classifying ${owner} as less sensitive`,
      explanation: `${owner} is now classified ${shownAfter(c)} (was ${shownBefore(c)}).`,
      suggestion: 'Make sure the data owner approved the declassification.',
    });
  }
}

/** Rank of a classification; absent = unclassified (0); unknown values (PayPal-style 1..5 included) = Infinity. */
export function classificationRank(value: JsonValue | undefined): number {
  if (value === undefined || value === null) return 0;
  const key = String(value).trim().toLowerCase().replace(/[\s_]+/g, '-');
  return CLASSIFICATION_RANKS[key] ?? Infinity;
}

export function hasPrimaryKey(value: JsonValue | undefined): boolean {
  if (!isObject(value)) return false;
  for (const { property } of walkProperties([value as unknown as OdcsProperty])) if (property.primaryKey === true) return true;
  return false;
}

/** The primary key of a schema object: its key properties (dotted paths) ordered by primaryKeyPosition. */
export function primaryKeyOf(schemaObject: JsonValue | undefined): { property: string; position: number }[] {
  if (!isObject(schemaObject) || !Array.isArray(schemaObject.properties)) return [];
  const key: { property: string; position: number }[] = [];
  for (const { path, property } of walkProperties(schemaObject.properties as unknown as OdcsProperty[])) {
    if (property.primaryKey !== true) continue;
    key.push({ property: path, position: typeof property.primaryKeyPosition === 'number' ? property.primaryKeyPosition : -1 });
  }
  return key.sort((a, b) => a.position - b.position || (a.property < b.property ? -1 : a.property > b.property ? 1 : 0));
}

export function primaryKeyGroup(group: Group, s: JudgeState): void {
  const t = group.anchor.target;
  if (!t.schemaBeforePath || !t.schemaAfterPath) return;
  const before = primaryKeyOf(valueAt(s.before, t.schemaBeforePath));
  const after = primaryKeyOf(valueAt(s.after, t.schemaAfterPath));
  if (canonicalJson(before) === canonicalJson(after)) return;
  const schema = t.schema ?? '';
  const show = (key: { property: string }[]) => (key.length ? `(${key.map((k) => k.property).join(', ')})` : 'none');
  const members = (key: { property: string }[]) => key.map((k) => k.property).sort().join('\u0000');
  const same = members(before) === members(after);
  s.add('primary-key-changed', group.changes, schema, {
    summary: `changing the primary key of ${schema}`,
    explanation: same
      ? `The primary key of ${schema} ${show(after)} has new key positions; consumers that rely on the key order will break.`
      : `The primary key of ${schema} changed from ${show(before)} to ${show(after)}; consumers that join, deduplicate or upsert on it will break.`,
    suggestion: 'Keep the primary key, or publish the new key as a new major version.',
  });
}

/**
 * Judges the changes between two versions of an ODCS contract: every change (from diff.ts) is judged by
 * rules, each with a kebab-case id, a level (`breaking` | `warning` | `info`), a category that drives the
 * version bump (`breaking` -> major, `addition` -> minor, `docs` / `other` -> patch), a rendered explanation
 * and a suggested fix, and the compatibility directions it breaks (used by compatibility.ts). Pure: no I/O.
 *
 * The model behind the directions: a contract is a promise about data. A change
 * - breaks BACKWARD when data produced under the previous contract may not satisfy the new one (the new
 *   contract is stricter somewhere: a property became required, a required property was added, a type
 *   narrowed, allowed values removed, a bound or quality threshold tightened, a quality rule added);
 * - breaks FORWARD when data produced under the new contract may not satisfy the previous one (the new
 *   contract is looser, or something consumers of the previous one rely on is gone: a required property or a
 *   schema object removed, a property became optional, a type widened, allowed values added, a bound or a
 *   threshold relaxed, a quality rule removed);
 * - breaks both when the two cannot be compared (a type changed to an unrelated one, a rename, a different
 *   physical name, a different primary key, a changed pattern or quality query).
 * Operational and governance sections (servers except a removal, SLAs, classification, team, roles,
 * support, price) and documentation never break a direction: they are graded by level only.
 *
 * The level is the registry's default policy for an update (independent of the compatibility mode):
 * removals of things consumers read, renames, incompatible type changes and tightened data constraints are
 * `breaking`; relaxations and operational changes worth a look are `warning`; the rest is `info`.
 */
import {
  type Change,
  type Path,
  canonicalJson,
  diffDocuments,
  jsonEqual,
  valueAt,
} from './diff.js';
import { type JsonObject, type JsonValue, type OdcsProperty, walkProperties } from './odcs.js';

export type RuleLevel = 'breaking' | 'warning' | 'info';
export type RuleCategory = 'breaking' | 'addition' | 'docs' | 'other';

/** The compatibility directions a change is incompatible in (see the module comment). */
export interface Breaks {
  /** Data produced under the previous contract may not satisfy the new one. */
  backward: boolean;
  /** Data produced under the new contract may not satisfy the previous one. */
  forward: boolean;
}

export interface RuleDefinition {
  id: RuleId;
  level: RuleLevel;
  category: RuleCategory;
  /** The directions the rule breaks (property-removed breaks FORWARD only when the property was required). */
  breaks: Breaks;
  description: string;
}

type Directions = '-' | 'B' | 'F' | 'BF';

const RULE_TABLE = [
  ['schema-added', 'info', 'addition', '-', 'A schema object was added.'],
  ['schema-removed', 'breaking', 'breaking', 'F', 'A schema object was removed.'],
  ['schema-renamed', 'breaking', 'breaking', 'BF', 'A schema object (matched by id) has a new name.'],
  ['property-added', 'info', 'addition', '-', 'An optional property was added.'],
  ['required-property-added', 'breaking', 'breaking', 'B', 'A required property was added: data written under the previous contract lacks it.'],
  ['property-removed', 'breaking', 'breaking', 'F', 'A property was removed (breaks FORWARD only when it was required).'],
  ['property-renamed', 'breaking', 'breaking', 'BF', 'A property (matched by id) has a new name.'],
  ['physical-name-changed', 'breaking', 'breaking', 'BF', 'The physical name (physicalName, else name) of a schema object or property changed.'],
  ['physical-type-changed', 'warning', 'other', '-', 'The physical type changed; the logical type is what compatibility is judged on.'],
  ['logical-type-changed', 'breaking', 'breaking', 'BF', 'The logical type changed to an unrelated type.'],
  ['logical-type-narrowed', 'breaking', 'breaking', 'B', 'The logical type was narrowed (number -> integer, timestamp -> date).'],
  ['logical-type-widened', 'warning', 'addition', 'F', 'The logical type was widened (integer -> number, date -> timestamp).'],
  ['logical-type-added', 'warning', 'addition', 'B', 'A property without a logical type got one.'],
  ['logical-type-removed', 'warning', 'addition', 'F', 'A property lost its logical type.'],
  ['property-became-required', 'breaking', 'breaking', 'B', 'A property became required (non-nullable).'],
  ['property-became-optional', 'warning', 'addition', 'F', 'A property became optional (nullable).'],
  ['unique-added', 'breaking', 'breaking', 'B', 'A property became unique.'],
  ['unique-removed', 'warning', 'addition', 'F', 'A property is no longer unique.'],
  ['primary-key-changed', 'breaking', 'breaking', 'BF', 'The primary key of a schema object (its properties or their positions) changed.'],
  ['allowed-values-removed', 'breaking', 'breaking', 'B', 'Allowed values were removed, or a list of allowed values was introduced.'],
  ['allowed-values-added', 'info', 'addition', 'F', 'Allowed values were added, or the list of allowed values was dropped.'],
  ['value-constraint-tightened', 'breaking', 'breaking', 'B', 'A logicalTypeOptions constraint is stricter (maxLength lowered, minimum raised, pattern added...).'],
  ['value-constraint-relaxed', 'info', 'addition', 'F', 'A logicalTypeOptions constraint is looser.'],
  ['value-constraint-changed', 'warning', 'addition', 'BF', 'A logicalTypeOptions constraint changed in a way that cannot be compared (pattern, format, timezone).'],
  ['quality-rule-added', 'warning', 'addition', 'B', 'A quality rule was added.'],
  ['quality-rule-removed', 'warning', 'addition', 'F', 'A quality rule was removed.'],
  ['quality-threshold-tightened', 'breaking', 'breaking', 'B', 'A quality threshold is stricter (mustBeGreaterThan raised, mustBeLessThan lowered, mustBeBetween narrowed...).'],
  ['quality-threshold-relaxed', 'info', 'addition', 'F', 'A quality threshold is looser.'],
  ['quality-rule-changed', 'warning', 'addition', 'BF', 'What a quality rule checks changed (metric, query, type, arguments, unit...).'],
  ['sla-added', 'info', 'addition', '-', 'An SLA property was added.'],
  ['sla-removed', 'warning', 'addition', '-', 'An SLA property was removed.'],
  ['sla-tightened', 'warning', 'addition', '-', 'An SLA is stricter (lower latency or frequency, longer retention, higher availability...).'],
  ['sla-relaxed', 'warning', 'addition', '-', 'An SLA is looser.'],
  ['sla-changed', 'warning', 'addition', '-', 'An SLA changed in a way that cannot be compared.'],
  ['classification-more-sensitive', 'warning', 'other', '-', 'A property is classified as more sensitive (public < internal < confidential < restricted < unknown).'],
  ['classification-less-sensitive', 'info', 'other', '-', 'A property is classified as less sensitive.'],
  ['server-added', 'info', 'addition', '-', 'A server was added.'],
  ['server-removed', 'breaking', 'breaking', 'F', 'A server was removed.'],
  ['server-changed', 'warning', 'other', '-', 'A server changed (type, host, location, format...).'],
  ['partitioning-changed', 'info', 'other', '-', 'Partitioning of a property changed.'],
  ['documentation-changed', 'info', 'docs', '-', 'Documentation only: description, businessName, tags, authoritativeDefinitions, customProperties, examples...'],
  ['other-changed', 'info', 'other', '-', 'Any other change (status, team, roles, support, price, quality severity, ...).'],
] as const satisfies readonly (readonly [string, RuleLevel, RuleCategory, Directions, string])[];

export type RuleId = (typeof RULE_TABLE)[number][0];

/** Every rule, by id, in table order. */
export const RULES: Readonly<Record<RuleId, RuleDefinition>> = Object.fromEntries(
  RULE_TABLE.map(([id, level, category, directions, description]) => [
    id,
    { id, level, category, breaks: { backward: directions.includes('B'), forward: directions.includes('F') }, description },
  ]),
) as Record<RuleId, RuleDefinition>;

export interface Judgement {
  ruleId: RuleId;
  level: RuleLevel;
  category: RuleCategory;
  /** The first of `changes`. */
  change: Change;
  /** The changes the judgement is about (one, or several for a primary key / a quality rule / an SLA), in document order. */
  changes: Change[];
  readablePath: string;
  /** A short phrase for messages: `removing property orders.customer_email`. */
  summary: string;
  explanation: string;
  suggestion: string;
  breaks: Breaks;
}

/** Keys whose values are documentation only. */
export const DOCUMENTATION_KEYS: ReadonlySet<string> = new Set([
  'description',
  'businessName',
  'tags',
  'authoritativeDefinitions',
  'customProperties',
  'examples',
  'transformDescription',
  'transformLogic',
  'transformSourceObjects',
  'dataGranularityDescription',
]);

/** Keys that hold lists of allowed values (logicalTypeOptions.enum, quality arguments.validValues, ...). */
export const ALLOWED_VALUE_KEYS: ReadonlySet<string> = new Set(['enum', 'validValues', 'allowedValues']);

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

const QUALITY_OPERATORS = [
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
const QUALITY_OPERATOR_SET: ReadonlySet<string> = new Set(QUALITY_OPERATORS);
/** Quality-rule keys that change neither what is checked nor the threshold. */
const QUALITY_METADATA_KEYS: ReadonlySet<string> = new Set(['id', 'name', 'severity', 'schedule', 'scheduler', 'dimension', 'businessImpact']);

const RANGE_KEYS: ReadonlySet<string> = new Set(['minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum']);
/** logicalTypeOptions bounds where a lower value is stricter, with the value an absent key means. */
const UPPER_BOUNDS: Readonly<Record<string, number>> = { maxLength: Infinity, maxItems: Infinity, maxProperties: Infinity };
/** logicalTypeOptions bounds where a higher value is stricter. */
const LOWER_BOUNDS: Readonly<Record<string, number>> = { minLength: 0, minItems: 0, minProperties: 0 };

/** SLA properties (lower-cased) where a lower value is a stricter promise, and where a higher one is. */
const SLA_LOWER_IS_STRICTER: ReadonlySet<string> = new Set(['latency', 'frequency', 'timeofavailability', 'timetodetect', 'timetonotify', 'timetorepair', 'errorrate', 'rto', 'rpo']);
const SLA_HIGHER_IS_STRICTER: ReadonlySet<string> = new Set(['retention', 'availability', 'throughput', 'endofsupport', 'endoflife']);

/** Time units as seconds ('m' is minutes; months are mo/month). */
const TIME_UNITS: Readonly<Record<string, number>> = (() => {
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

// ---------------------------------------------------------------------------------------------------------

/**
 * Judges every change between two versions of a contract (`changes` defaults to `diffDocuments(before,
 * after)`). Every change is covered by at least one judgement, except the document's own `version` field;
 * a change can have several (removing a primary-key property: property-removed and primary-key-changed).
 * Judgements come in document order of their first change.
 */
export function judgeChanges(before: JsonObject, after: JsonObject, changes: Change[] = diffDocuments(before, after)): Judgement[] {
  const state = new JudgeState(before, after, changes);
  changes.forEach((change) => judgeOne(change, state));
  return state.finish();
}

/** A plain rendering of a value for explanations: strings quoted, long values shortened; absent is `nothing`. */
export function showValue(value: JsonValue | undefined): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The before / after value of a change as text, `nothing` on the side where the value is absent. */
function shownBefore(c: Change): string {
  return c.beforePath === null ? 'nothing' : showValue(c.before);
}
function shownAfter(c: Change): string {
  return c.afterPath === null ? 'nothing' : showValue(c.after);
}

type GroupKind = 'primaryKey' | 'quality' | 'range' | 'sla' | 'server';

interface Group {
  kind: GroupKind;
  changes: Change[];
  /** A change of the group (for its target paths). */
  anchor: Change;
  /** For range groups: the keys from the property to logicalTypeOptions (items...). */
  prefix: Path;
}

interface Texts {
  summary: string;
  explanation: string;
  suggestion: string;
}

class JudgeState {
  private readonly order = new Map<Change, number>();
  private readonly judgements: Judgement[] = [];
  private readonly claimed = new Set<Change>();
  private readonly groups = new Map<string, Group>();

  constructor(
    readonly before: JsonObject,
    readonly after: JsonObject,
    readonly changes: Change[],
  ) {
    changes.forEach((c, i) => this.order.set(c, i));
  }

  add(ruleId: RuleId, changes: Change | Change[], readablePath: string, texts: Texts, breaks?: Breaks): void {
    const list = (Array.isArray(changes) ? changes : [changes]).slice().sort((a, b) => this.indexOf(a) - this.indexOf(b));
    const rule = RULES[ruleId];
    for (const c of list) this.claimed.add(c);
    this.judgements.push({
      ruleId,
      level: rule.level,
      category: rule.category,
      change: list[0]!,
      changes: list,
      readablePath,
      summary: texts.summary,
      explanation: texts.explanation,
      suggestion: texts.suggestion,
      breaks: breaks ?? { ...rule.breaks },
    });
  }

  /** Covered without a judgement. */
  claim(change: Change): void {
    this.claimed.add(change);
  }

  group(kind: GroupKind, change: Change, prefix: Path = []): void {
    const t = change.target;
    const key = `${kind}|${JSON.stringify(kind === 'primaryKey' ? [t.schemaBeforePath, t.schemaAfterPath] : [t.beforePath, t.afterPath, prefix])}`;
    const group = this.groups.get(key);
    if (group) group.changes.push(change);
    else this.groups.set(key, { kind, changes: [change], anchor: change, prefix });
  }

  finish(): Judgement[] {
    for (const group of this.groups.values()) judgeGroup(group, this);
    for (const c of this.changes) if (!this.claimed.has(c)) otherChanged(c, this);
    const seq = new Map(this.judgements.map((j, i) => [j, i]));
    return this.judgements.sort((a, b) => this.indexOf(a.change) - this.indexOf(b.change) || seq.get(a)! - seq.get(b)!);
  }

  private indexOf(c: Change): number {
    return this.order.get(c) ?? Number.MAX_SAFE_INTEGER;
  }
}

// ---------------------------------------------------------------------------------------------------------

function judgeOne(c: Change, s: JudgeState): void {
  const t = c.target;
  if (t.element === 'document' && t.field.length === 1 && t.field[0] === 'version') {
    s.claim(c); // the version is what the caller checks against the judgements, not a change to judge
    return;
  }
  if (t.whole) {
    wholeElement(c, s);
    return;
  }
  if (isDocumentation(c)) {
    documentation(c, s);
    return;
  }
  if (allowedValues(c, s)) return;
  switch (t.element) {
    case 'schema':
      schemaField(c, s);
      return;
    case 'property':
      propertyField(c, s);
      return;
    case 'quality':
      if (!QUALITY_METADATA_KEYS.has(String(t.field[0]))) s.group('quality', c);
      return;
    case 'slaProperty':
      if (['value', 'unit', 'valueExt'].includes(String(t.field[0]))) s.group('sla', c);
      else if (t.field[0] === 'element' || t.field[0] === 'property') {
        s.add('sla-changed', c, c.readablePath, {
          summary: `changing ${c.readablePath}`,
          explanation: `${c.readablePath} changed from ${shownBefore(c)} to ${shownAfter(c)}: the SLA now applies to something else.`,
          suggestion: 'Tell consumers that rely on this SLA, or add a new SLA property instead of repurposing this one.',
        });
      }
      return;
    case 'server':
      if (t.field[0] !== 'environment' && t.field[0] !== 'roles') s.group('server', c);
      return;
    default:
      return;
  }
}

function isDocumentation(c: Change): boolean {
  const field = c.target.field;
  if (c.target.element === 'quality' && field[0] === 'name') return true;
  return field.some((k) => typeof k === 'string' && DOCUMENTATION_KEYS.has(k));
}

function documentation(c: Change, s: JudgeState): void {
  const what = c.kind === 'added' ? 'added' : c.kind === 'removed' ? 'removed' : 'changed';
  s.add('documentation-changed', c, c.readablePath, {
    summary: `changing the documentation ${c.readablePath}`,
    explanation: `Documentation ${what} at ${c.readablePath}${c.kind === 'changed' ? ` (${shownBefore(c)} -> ${shownAfter(c)})` : c.kind === 'added' ? `: ${shownAfter(c)}` : ` (was ${shownBefore(c)})`}. It does not change the data.`,
    suggestion: 'No action needed; a patch version is enough.',
  });
}

function otherChanged(c: Change, s: JudgeState): void {
  s.add('other-changed', c, c.readablePath, {
    summary: `changing ${c.readablePath}`,
    explanation:
      c.kind === 'added'
        ? `${c.readablePath} was added: ${shownAfter(c)}.`
        : c.kind === 'removed'
          ? `${c.readablePath} was removed (was ${shownBefore(c)}).`
          : `${c.readablePath} changed from ${shownBefore(c)} to ${shownAfter(c)}.`,
    suggestion: 'No action needed unless consumers depend on this metadata.',
  });
}

function wholeElement(c: Change, s: JudgeState): void {
  const t = c.target;
  const p = c.readablePath;
  if (c.kind === 'changed') return; // an element replaced by a non-object value: other-changed
  const added = c.kind === 'added';
  const value = added ? c.after : c.before;
  const obj = isObject(value) ? value : {};
  switch (t.element) {
    case 'schema':
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
      return;
    case 'property': {
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
      return;
    }
    case 'quality':
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
      return;
    case 'server':
      if (added) {
        s.add('server-added', c, p, { summary: `adding server ${p}`, explanation: `Server ${p} was added.`, suggestion: 'No action needed.' });
      } else {
        s.add('server-removed', c, p, {
          summary: `removing server ${p}`,
          explanation: `Server ${p} was removed; consumers that read from it will break.`,
          suggestion: `Keep ${p} until its consumers have moved to another server, then remove it in a new major version.`,
        });
      }
      return;
    case 'slaProperty':
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
      return;
    default:
      return;
  }
}

function schemaField(c: Change, s: JudgeState): void {
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

function propertyField(c: Change, s: JudgeState): void {
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

function physicalName(c: Change, s: JudgeState): void {
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

function physicalType(c: Change, s: JudgeState): void {
  const owner = c.target.readablePath;
  s.add('physical-type-changed', c, c.readablePath, {
    summary: `changing the physical type of ${owner}`,
    explanation: `The physical type at ${c.readablePath} changed from ${shownBefore(c)} to ${shownAfter(c)}; consumers that read the storage type directly may need to adapt.`,
    suggestion: 'Check that the logical type still describes the data and tell consumers that read the physical type.',
  });
}

function logicalType(c: Change, s: JudgeState): void {
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

function requiredFlag(c: Change, s: JudgeState, owner: string): void {
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

function uniqueFlag(c: Change, s: JudgeState, owner: string): void {
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

function classification(c: Change, s: JudgeState): void {
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

function allowedValues(c: Change, s: JudgeState): boolean {
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

function nestedRequired(c: Change, s: JudgeState, whole: boolean): void {
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

function constraintChanged(c: Change, s: JudgeState, p: string): void {
  s.add('value-constraint-changed', c, p, {
    summary: `changing ${p}`,
    explanation: `${p} changed from ${shownBefore(c)} to ${shownAfter(c)}; the registry cannot tell whether existing data and consumers are still compatible.`,
    suggestion: 'Check existing data against the new constraint and tell consumers.',
  });
}

type Verdict = 'equal' | 'tighter' | 'looser' | 'different';

function constraintOption(c: Change, s: JudgeState, option: string): void {
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

function compareOption(option: string, before: JsonValue, after: JsonValue): Verdict {
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

function isMultiple(value: number, of: number): boolean {
  const q = value / of;
  return Math.abs(q - Math.round(q)) < 1e-9;
}

/** Value range of a Rust-style numeric format (i8..i128, u8..u128, f32, f64). */
function numericFormatRange(format: JsonValue): [number, number] | null {
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

// --- groups ----------------------------------------------------------------------------------------------

function judgeGroup(group: Group, s: JudgeState): void {
  switch (group.kind) {
    case 'primaryKey':
      return primaryKeyGroup(group, s);
    case 'quality':
      return qualityGroup(group, s);
    case 'range':
      return rangeGroup(group, s);
    case 'sla':
      return slaGroup(group, s);
    case 'server':
      return serverGroup(group, s);
  }
}

function hasPrimaryKey(value: JsonValue | undefined): boolean {
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

function primaryKeyGroup(group: Group, s: JudgeState): void {
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

function qualityGroup(group: Group, s: JudgeState): void {
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

function rangeGroup(group: Group, s: JudgeState): void {
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

function slaGroup(group: Group, s: JudgeState): void {
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

function serverGroup(group: Group, s: JudgeState): void {
  const p = group.anchor.target.readablePath;
  const fields = group.changes.map((c) => `${c.target.field.join('.')}: ${shownBefore(c)} -> ${shownAfter(c)}`);
  s.add('server-changed', group.changes, p, {
    summary: `changing server ${p}`,
    explanation: `Server ${p} changed (${fields.join('; ')}); consumers that connect to it must update their configuration.`,
    suggestion: 'Announce the change to consumers, or add the new server beside the old one and remove the old one later.',
  });
}

// --- value sets ------------------------------------------------------------------------------------------

interface Interval {
  lo: number;
  loOpen: boolean;
  hi: number;
  hiOpen: boolean;
}
type Acceptance = Interval[] | 'incomparable';

const EVERYTHING: Interval[] = [{ lo: -Infinity, loOpen: true, hi: Infinity, hiOpen: true }];
const iv = (lo: number, loOpen: boolean, hi: number, hiOpen: boolean): Interval => ({ lo, loOpen, hi, hiOpen });

function isEmptyInterval(i: Interval): boolean {
  return i.lo > i.hi || (i.lo === i.hi && (i.loOpen || i.hiOpen));
}

function intersect(a: Interval[], b: Interval[]): Interval[] {
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

function contains(outer: Interval, inner: Interval): boolean {
  const loOk = outer.lo < inner.lo || (outer.lo === inner.lo && (!outer.loOpen || inner.loOpen));
  const hiOk = outer.hi > inner.hi || (outer.hi === inner.hi && (!outer.hiOpen || inner.hiOpen));
  return loOk && hiOk;
}

function subset(a: Interval[], b: Interval[]): boolean {
  return a.every((x) => b.some((y) => contains(y, x)));
}

function compareAcceptance(before: Acceptance, after: Acceptance): Verdict {
  if (before === 'incomparable' || after === 'incomparable') return 'different';
  const narrower = subset(after, before);
  const wider = subset(before, after);
  if (narrower && wider) return 'equal';
  return narrower ? 'tighter' : wider ? 'looser' : 'different';
}

/** The values a quality rule's result may take, from its mustBe... operators (all of them must hold). */
function qualityAcceptance(rule: JsonObject): Acceptance {
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

function operatorSet(op: (typeof QUALITY_OPERATORS)[number], v: JsonValue): Interval[] | null {
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

/** The values a property may take under logicalTypeOptions minimum / maximum (numbers, dates or times). */
function rangeAcceptance(options: JsonValue | undefined): Acceptance {
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

function boundValue(v: JsonValue): number | null {
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
function timeOfDay(v: string): number | null {
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

function compareSla(before: JsonObject, after: JsonObject): Verdict {
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
function slaMagnitude(sla: JsonObject): { kind: 'duration' | 'number' | 'date' | 'time'; value: number; unit: string } | null {
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

// --- rendering -------------------------------------------------------------------------------------------

function isObject(v: JsonValue | undefined): v is JsonObject {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

function describeThreshold(rule: JsonObject): string {
  const parts = QUALITY_OPERATORS.filter((op) => rule[op] !== undefined).map((op) => `${op} ${showValue(rule[op])}`);
  return parts.length ? parts.join(' and ') : 'no threshold';
}

function describeQuality(rule: JsonObject): string {
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

function describeRange(options: JsonValue | undefined): string {
  if (!isObject(options)) return 'unbounded';
  const parts = [...RANGE_KEYS].filter((k) => options[k] !== undefined).map((k) => `${k} ${showValue(options[k])}`);
  return parts.length ? parts.join(', ') : 'unbounded';
}

function describeSla(sla: JsonObject): string {
  const unit = typeof sla.unit === 'string' ? ` ${sla.unit}` : '';
  return `${showValue(sla.value)}${unit}`;
}

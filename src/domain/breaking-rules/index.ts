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
import { type Change, diffDocuments } from '../diff/index.js';
import type { JsonObject } from '../odcs.js';
import { allowedValues, rangeGroup } from './constraints.js';
import { primaryKeyGroup, propertyField, schemaField, wholeProperty, wholeSchema } from './properties.js';
import { qualityField, qualityGroup, wholeQuality } from './quality.js';
import { documentation, isDocumentation, otherChanged, serverField, serverGroup, wholeServer } from './servers.js';
import { slaField, slaGroup, wholeSla } from './sla.js';
import { type Group, JudgeState, isObject } from './state.js';
import type { Judgement } from './table.js';

export { ALLOWED_VALUE_KEYS } from './constraints.js';
export { CLASSIFICATION_RANKS, LOGICAL_TYPE_WIDENINGS, classificationRank, primaryKeyOf } from './properties.js';
export { DOCUMENTATION_KEYS } from './servers.js';
export { showValue } from './state.js';
export { type Breaks, type Judgement, RULES, type RuleCategory, type RuleDefinition, type RuleId, type RuleLevel } from './table.js';

/**
 * Judges every change between two versions of a contract (`changes` defaults to `diffDocuments(before,
 * after)`). Every change is covered by at least one judgement, except the document's own `version` field;
 * a change can have several (removing a primary-key property: property-removed and primary-key-changed).
 * Judgements come in document order of their first change.
 */
export function judgeChanges(before: JsonObject, after: JsonObject, changes: Change[] = diffDocuments(before, after)): Judgement[] {
  const state = new JudgeState(before, after, changes);
  changes.forEach((change) => judgeOne(change, state));
  return state.finish(judgeGroup, otherChanged);
}

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
      qualityField(c, s);
      return;
    case 'slaProperty':
      slaField(c, s);
      return;
    case 'server':
      serverField(c, s);
      return;
    default:
      return;
  }
}

/** An element added or removed as a whole; an element replaced by a non-object value is other-changed. */
function wholeElement(c: Change, s: JudgeState): void {
  const p = c.readablePath;
  if (c.kind === 'changed') return; // an element replaced by a non-object value: other-changed
  const added = c.kind === 'added';
  const value = added ? c.after : c.before;
  const obj = isObject(value) ? value : {};
  switch (c.target.element) {
    case 'schema':
      return wholeSchema(c, s, p, added, obj);
    case 'property':
      return wholeProperty(c, s, p, added, obj);
    case 'quality':
      return wholeQuality(c, s, p, added, obj);
    case 'server':
      return wholeServer(c, s, p, added, obj);
    case 'slaProperty':
      return wholeSla(c, s, p, added, obj);
    default:
      return;
  }
}

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

/** The rule table: every rule id with its level, category, broken directions and description; the Judgement shape. */

import type { Change } from '../diff/index.js';

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

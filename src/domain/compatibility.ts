/**
 * Compatibility modes, as in Confluent Schema Registry, applied to data contracts; the version bump a set of
 * judgements requires; and the check of a declared version against it. Pure: no I/O.
 *
 * What the modes mean here (a contract is a promise about data; see breaking-rules/ for which change
 * breaks which direction):
 * - BACKWARD: consumers using the NEW contract can read data produced under the PREVIOUS one — the new
 *   contract accepts everything the previous one did. As in Confluent: removing a property is allowed,
 *   adding an optional property is allowed, adding a required property is not; nor is making a property
 *   required or unique, narrowing a type, removing allowed values, tightening a bound or a quality threshold,
 *   adding a quality rule. Upgrade consumers first.
 * - FORWARD: consumers still using the PREVIOUS contract can read data produced under the NEW one — the new
 *   contract accepts nothing the previous one did not. As in Confluent: adding properties (optional or
 *   required) is allowed, removing an optional property is allowed, removing a required property is not; nor
 *   is making a property optional, widening a type, adding allowed values, relaxing a bound or a threshold,
 *   removing a quality rule, removing a schema object or a server. Upgrade producers first.
 *   Equivalently, FORWARD(previous -> new) is BACKWARD(new -> previous) for the data model: the rules are
 *   written so that a change breaks FORWARD exactly when its reverse breaks BACKWARD (tested). The two
 *   exceptions are schema objects and servers: adding one breaks nothing (consumers of old data simply do
 *   not find it yet), removing one breaks FORWARD (consumers of the previous contract read it).
 * - FULL: both. Only optional properties may be added or removed, plus anything that breaks neither
 *   direction (documentation, metadata, SLAs, schema objects and servers added, servers changed,
 *   physical types, classification).
 * - *_TRANSITIVE: the same, checked against every earlier version passed in, not only the latest.
 * - NONE: no check.
 * Renames, incompatible type changes, a different physical name or primary key break both directions.
 * The compatibility mode and the default level policy are independent: a FORWARD-compatible update can still
 * contain `breaking`-level judgements (e.g. removing an optional property) that require a major version.
 */
import { type Judgement, type RuleCategory, judgeChanges } from './breaking-rules/index.js';
import { type Change, diffDocuments } from './diff/index.js';
import type { JsonObject } from './odcs.js';
import { type VersionBump, bumpVersion, compareSemVer, parseSemVer } from './versions.js';
import { boundInput, quoteInput } from './echo.js';

export const COMPATIBILITY_MODES = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
] as const;
export type CompatibilityMode = (typeof COMPATIBILITY_MODES)[number];

export const COMPATIBILITY_MODE_DESCRIPTIONS: Readonly<Record<CompatibilityMode, string>> = {
  BACKWARD: 'Consumers using the new version can read data produced under the latest previous version.',
  BACKWARD_TRANSITIVE: 'Consumers using the new version can read data produced under every previous version.',
  FORWARD: 'Consumers using the latest previous version can read data produced under the new version.',
  FORWARD_TRANSITIVE: 'Consumers using any previous version can read data produced under the new version.',
  FULL: 'Both BACKWARD and FORWARD against the latest previous version.',
  FULL_TRANSITIVE: 'Both BACKWARD and FORWARD against every previous version.',
  NONE: 'No compatibility check.',
};

export function isCompatibilityMode(value: unknown): value is CompatibilityMode {
  return typeof value === 'string' && (COMPATIBILITY_MODES as readonly string[]).includes(value);
}

/** Whether the mode checks every earlier version (the caller passes all earlier active versions) or only the latest. */
export function isTransitive(mode: CompatibilityMode): boolean {
  return mode.endsWith('_TRANSITIVE');
}

/** The directions a mode checks. */
export function modeDirections(mode: CompatibilityMode): { backward: boolean; forward: boolean } {
  const base = mode.replace('_TRANSITIVE', '');
  return { backward: base === 'BACKWARD' || base === 'FULL', forward: base === 'FORWARD' || base === 'FULL' };
}

export type CompatibilityDirection = 'backward' | 'forward';

export interface CompatibilityViolation {
  /** Index in `previousVersions` of the version the candidate is incompatible with (0 = newest). */
  againstIndex: number;
  /** The judgement of the change from that version to the candidate. */
  judgement: Judgement;
  /** The checked directions the judgement breaks. */
  directions: CompatibilityDirection[];
}

export interface CompatibilityResult {
  compatible: boolean;
  mode: CompatibilityMode;
  violations: CompatibilityViolation[];
  /** How many of `previousVersions` were checked (1 for a non-transitive mode, all for a transitive one, 0 for NONE). */
  checked: number;
}

/**
 * Checks a candidate document against earlier versions under a mode. `previousVersions` is newest first:
 * the latest version for a non-transitive mode (only index 0 is used if more are passed), every earlier
 * active version for a transitive one. No previous version: compatible.
 */
export function checkCompatibility(mode: CompatibilityMode, candidate: JsonObject, previousVersions: readonly JsonObject[]): CompatibilityResult {
  if (mode === 'NONE') return { compatible: true, mode, violations: [], checked: 0 };
  const directions = modeDirections(mode);
  const against = isTransitive(mode) ? previousVersions : previousVersions.slice(0, 1);
  const violations: CompatibilityViolation[] = [];
  against.forEach((previous, againstIndex) => {
    for (const judgement of judgeChanges(previous, candidate)) {
      const broken: CompatibilityDirection[] = [];
      if (directions.backward && judgement.breaks.backward) broken.push('backward');
      if (directions.forward && judgement.breaks.forward) broken.push('forward');
      if (broken.length) violations.push({ againstIndex, judgement, directions: broken });
    }
  });
  return { compatible: violations.length === 0, mode, violations, checked: against.length };
}

/** One line per violation, for error messages: `BACKWARD against the latest version: making orders.x required ...`. */
export function describeViolations(result: CompatibilityResult, versionLabels?: readonly string[]): string[] {
  return result.violations.map((v) => {
    const against = versionLabels?.[v.againstIndex] ?? (v.againstIndex === 0 ? 'the latest version' : `previous version #${v.againstIndex + 1}`);
    const dirs = v.directions.map((d) => d.toUpperCase()).join(' and ');
    return `${dirs} incompatible with ${against}: ${v.judgement.explanation}`;
  });
}

export type RequiredBump = VersionBump | 'none';

const BUMP_OF_CATEGORY: Readonly<Record<RuleCategory, VersionBump>> = {
  breaking: 'major',
  addition: 'minor',
  docs: 'patch',
  other: 'patch',
};
const BUMP_RANK: Readonly<Record<RequiredBump, number>> = { none: 0, patch: 1, minor: 2, major: 3 };

/** major for any breaking-category judgement, minor for any addition, patch for docs / other, none for no judgement. */
export function requiredBump(judgements: readonly Judgement[]): RequiredBump {
  let bump: RequiredBump = 'none';
  for (const j of judgements) {
    const b = BUMP_OF_CATEGORY[j.category];
    if (BUMP_RANK[b] > BUMP_RANK[bump]) bump = b;
  }
  return bump;
}

/** The judgements that make the bump what it is (the breaking ones for major, ...), in order. */
export function judgementsRequiring(bump: RequiredBump, judgements: readonly Judgement[]): Judgement[] {
  if (bump === 'none') return [];
  return judgements.filter((j) => BUMP_OF_CATEGORY[j.category] === bump);
}

export type DeclaredVersionCheck = { version: string; ok: true } | { ok: false; minimum: string; explanation: string };

const BUMP_WORDING: Readonly<Record<VersionBump, string>> = {
  major: 'is breaking',
  minor: 'is an addition',
  patch: 'is a change',
};

/**
 * The version of an update. No declared version: the minimum bump of `current` (a patch when nothing
 * changed, as every update is a new version). A declared version must be a semantic version greater than
 * `current` whose MAJOR.MINOR.PATCH is at least the minimum (so 2.0.0-rc.1 satisfies a required 2.0.0);
 * otherwise it is refused with an explanation naming the change that requires the bump, e.g.
 * "removing orders.customer_email is breaking: version must be at least 2.0.0 (declared 1.1.0)".
 * Accepting a breaking change anyway is the caller's decision (it can call again with the bump it allows).
 */
export function checkDeclaredVersion(
  current: string,
  declared: string | null,
  bump: RequiredBump,
  judgements: readonly Judgement[] = [],
): DeclaredVersionCheck {
  const effective: VersionBump = bump === 'none' ? 'patch' : bump;
  const minimum = bumpVersion(current, effective);
  if (declared === null) return { ok: true, version: minimum };
  const parsed = parseSemVer(declared);
  if (!parsed) {
    return { ok: false, minimum, explanation: `${quoteInput(declared)} is not a semantic version: version must be at least ${minimum}` };
  }
  const core = `${parsed.major}.${parsed.minor}.${parsed.patch}`;
  if (compareSemVer(declared, current) > 0 && compareSemVer(core, minimum) >= 0) return { ok: true, version: declared };
  const reasons = judgementsRequiring(bump, judgements);
  let because: string;
  if (bump === 'none' || !reasons.length) {
    because = `every update needs a version greater than ${current}`;
  } else {
    const first = reasons[0]!;
    const more = reasons.length - 1;
    because = `${first.summary} ${BUMP_WORDING[effective]}${more ? ` (and ${more} more ${more === 1 ? 'change' : 'changes'} like it)` : ''}`;
  }
  return { ok: false, minimum, explanation: `${because}: version must be at least ${minimum} (declared ${boundInput(declared)})` };
}

export interface UpdateAssessment {
  changes: Change[];
  judgements: Judgement[];
  bump: RequiredBump;
  version: DeclaredVersionCheck;
}

/** Everything the caller of an update needs: the diff, its judgements, the bump, and the version check. */
export function assessUpdate(previous: JsonObject, candidate: JsonObject, currentVersion: string, declaredVersion: string | null): UpdateAssessment {
  const changes = diffDocuments(previous, candidate);
  const judgements = judgeChanges(previous, candidate, changes);
  const bump = requiredBump(judgements);
  return { changes, judgements, bump, version: checkDeclaredVersion(currentVersion, declaredVersion, bump, judgements) };
}

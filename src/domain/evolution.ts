/**
 * How a new document of a contract is judged against its history: the changes, the version bump they require,
 * the compatibility verdict, and whether the write may go ahead. Pure; used by every write that makes a version.
 */
import type { Judgement } from './breaking-rules/index.js';
import { assessUpdate, type CompatibilityMode, checkCompatibility, judgementsRequiring, type RequiredBump } from './compatibility.js';
import { IncompatibleChangeError, ValidationError } from './errors.js';
import type { JsonObject, JsonValue } from './odcs.js';

/** Registry-wide rules, from config. */
export interface RegistryPolicy {
  /** The compatibility mode of contracts that have none of their own. */
  defaultCompatibility: CompatibilityMode;
  /** `reject`: an invalid ODCS document is refused; `warn`: it is stored with its problems attached as warnings. */
  invalidDocuments: 'reject' | 'warn';
}

export const DEFAULT_POLICY: RegistryPolicy = { defaultCompatibility: 'BACKWARD', invalidDocuments: 'reject' };

/** One judged change, as kept on the version it produced. */
export interface VersionChange {
  ruleId: string;
  level: 'breaking' | 'warning' | 'info';
  category: 'breaking' | 'addition' | 'docs' | 'other';
  kind: 'added' | 'removed' | 'changed';
  /** JSON path in the document, e.g. `$.schema[0].properties[3].logicalType`. */
  path: string;
  /** e.g. `orders.customer_email.logicalType` */
  readablePath: string;
  before: JsonValue;
  after: JsonValue;
  explanation: string;
  suggestion: string;
}

export interface CompatibilityVerdict {
  mode: CompatibilityMode;
  compatible: boolean;
  /** How many earlier versions the candidate was checked against. */
  checkedAgainst: number;
  violations: VersionChange[];
}

export interface Evolution {
  version: string;
  changes: VersionChange[];
  requiredBump: RequiredBump;
  /** The minimum version the changes allow. */
  minimumVersion: string;
  compatibility: CompatibilityVerdict;
  /** True when breaking or incompatible changes were written because the caller accepted them. */
  breakingChangesAccepted: boolean;
}

export function toVersionChange(j: Judgement): VersionChange {
  return {
    ruleId: j.ruleId,
    level: j.level,
    category: j.category,
    kind: j.change.kind,
    path: j.change.jsonPath,
    readablePath: j.readablePath,
    before: j.change.before,
    after: j.change.after,
    explanation: j.explanation,
    suggestion: j.suggestion,
  };
}

export interface EvolutionInput {
  currentDocument: JsonObject;
  currentVersion: string;
  candidate: JsonObject;
  declaredVersion: string | null;
  /** The input path the declared version came from (for errors). */
  versionPath: string;
  mode: CompatibilityMode;
  /** Earlier documents, newest first (the current one first); transitive modes check all, others the first. */
  history: readonly JsonObject[];
  acceptBreakingChanges: boolean;
}

/** Judges a candidate without deciding anything: what `previewContractUpdate` shows. */
export function assessEvolution(input: Omit<EvolutionInput, 'acceptBreakingChanges' | 'versionPath'>) {
  const assessment = assessUpdate(input.currentDocument, input.candidate, input.currentVersion, input.declaredVersion);
  const compat = checkCompatibility(input.mode, input.candidate, input.history.length ? input.history : [input.currentDocument]);
  const minimumVersion = assessUpdate(input.currentDocument, input.candidate, input.currentVersion, null).version;
  return {
    assessment,
    minimumVersion: minimumVersion.ok ? minimumVersion.version : input.currentVersion,
    compatibility: {
      mode: input.mode,
      compatible: compat.compatible,
      checkedAgainst: compat.checked,
      // Transitive modes can meet the same violation in several earlier versions: list each once.
      violations: compat.violations
        .map((v) => toVersionChange(v.judgement))
        .filter((v, i, all) => all.findIndex((o) => o.ruleId === v.ruleId && o.path === v.path) === i),
    } satisfies CompatibilityVerdict,
  };
}

/** The evolution of a write, or the error that refuses it (nothing is written then). */
export function planEvolution(input: EvolutionInput): Evolution {
  const { assessment, minimumVersion, compatibility } = assessEvolution(input);
  if (!assessment.version.ok) {
    throw ValidationError.single(input.versionPath, assessment.version.explanation, 'version_too_low');
  }
  const breaking = judgementsRequiring('major', assessment.judgements).map(toVersionChange);
  const offending = [...breaking, ...compatibility.violations.filter((v) => !breaking.some((b) => b.path === v.path && b.ruleId === v.ruleId))];
  if (offending.length && !input.acceptBreakingChanges) {
    throw new IncompatibleChangeError(input.mode, assessment.bump, offending);
  }
  return {
    version: assessment.version.version,
    changes: assessment.judgements.map(toVersionChange),
    requiredBump: assessment.bump,
    minimumVersion,
    compatibility,
    breakingChangesAccepted: offending.length > 0,
  };
}

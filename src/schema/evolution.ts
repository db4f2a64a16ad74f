/**
 * Contract evolution in the API: the judged changes of each version, diffs between versions, a preview of an update
 * that writes nothing, compatibility settings, and ODCS import/export as YAML or JSON.
 */
import { isTransitive, type RequiredBump, requiredBump } from '../domain/compatibility.js';
import { assertAcceptsNewVersion, effectiveCompatibility, versionId } from '../domain/contracts.js';
import { servedVersionNumber, servesNewestVersion, transitiveBaseline } from '../domain/lifecycle.js';
import { AlreadyExistsError, ConflictError, IncompatibleChangeError, InvalidStateError, NotFoundError, ValidationError, type ValidationIssue } from '../domain/errors.js';
import { assessEvolution, type CompatibilityVerdict, toVersionChange, type VersionChange } from '../domain/evolution.js';
import { judgeChanges } from '../domain/breaking-rules/index.js';
import type { ContractFormat } from '../domain/odcs-format.js';
import { servedDocument, versionedDocument } from '../domain/odcs-served.js';
import { exportText } from '../domain/odcs-text.js';
import type { JsonObject, OdcsDocument } from '../domain/odcs.js';
import { validateContractDocument } from '../domain/odcs.js';
import { versionKey, type Context } from '../context.js';
import { importContract, type ImportResult } from '../services/import.js';
import type { Contract } from '../storage/types.js';
import { builder } from './builder.js';
import { CompatibilityModeEnum, ContractRef, ContractVersionRef } from './contracts.js';
import { IncompatibleChangeRef, ValidationIssueRef } from './errors.js';
import { localId } from './ids.js';
import { boundInput } from '../domain/echo.js';

const VersionBumpEnum = builder.enumType('VersionBump', {
  description: 'Which part of the semantic version (MAJOR.MINOR.PATCH) a set of changes requires to grow, at least.',
  values: { MAJOR: { value: 'major' }, MINOR: { value: 'minor' }, PATCH: { value: 'patch' }, NONE: { value: 'none' } } as const,
});

const ChangeLevelEnum = builder.enumType('ChangeLevel', {
  description: 'How much a change matters to the consumers and producers of the data.',
  values: { BREAKING: { value: 'breaking' }, WARNING: { value: 'warning' }, INFO: { value: 'info' } } as const,
});

const ChangeCategoryEnum = builder.enumType('ChangeCategory', {
  description: 'BREAKING needs a major version, ADDITION a minor one, DOCS and OTHER a patch.',
  values: { BREAKING: { value: 'breaking' }, ADDITION: { value: 'addition' }, DOCS: { value: 'docs' }, OTHER: { value: 'other' } } as const,
});

const ChangeKindEnum = builder.enumType('ChangeKind', {
  description: 'Whether a changed element was added, removed or changed between the older and the newer document.',
  values: { ADDED: { value: 'added' }, REMOVED: { value: 'removed' }, CHANGED: { value: 'changed' } } as const,
});

const ContractFormatEnum = builder.enumType('ContractFormat', {
  description: 'The text format of an ODCS document, for import and export.',
  values: { YAML: { value: 'yaml' }, JSON: { value: 'json' } } as const,
});

// The refusal's closed sets as enums (the String fields of errors.ts are deprecated in their favour).
builder.objectFields(IncompatibleChangeError, (t) => ({
  compatibilityMode: t.field({ type: CompatibilityModeEnum, description: 'The compatibility mode the update was checked with.', resolve: (e) => e.compatibility }),
  versionBump: t.field({ type: VersionBumpEnum, description: 'The version bump all the changes require (NONE when they need none).', resolve: (e) => e.requiredBump }),
}));

builder.objectFields(IncompatibleChangeRef, (t) => ({
  changeLevel: t.field({
    type: ChangeLevelEnum,
    description: "The rule's level: BREAKING, WARNING or INFO (a WARNING can still break the compatibility mode).",
    resolve: (c) => c.level,
  }),
}));

const ContractChangeRef = builder.objectRef<VersionChange>('ContractChange').implement({
  description: 'One change between two documents, judged by a rule.',
  fields: (t) => ({
    ruleId: t.exposeString('ruleId', { description: 'e.g. property-removed, logical-type-widened, documentation-changed.' }),
    level: t.field({ type: ChangeLevelEnum, description: 'How much it matters: BREAKING changes are refused without acceptBreakingChanges.', resolve: (c) => c.level }),
    category: t.field({ type: ChangeCategoryEnum, description: 'Which version bump it needs (BREAKING: major, ADDITION: minor, DOCS and OTHER: patch).', resolve: (c) => c.category }),
    kind: t.field({ type: ChangeKindEnum, description: 'Added, removed or changed.', resolve: (c) => c.kind }),
    path: t.exposeString('path', { description: 'JSON path, e.g. `$.schema[0].properties[3].logicalType`.' }),
    readablePath: t.exposeString('readablePath', { description: 'e.g. `orders.customer_email.logicalType`.' }),
    before: t.field({ type: 'JSON', nullable: true, description: 'The value in the older document; null when added.', resolve: (c) => c.before }),
    after: t.field({ type: 'JSON', nullable: true, description: 'The value in the newer document; null when removed.', resolve: (c) => c.after }),
    explanation: t.exposeString('explanation', { description: 'What changed and what it means to consumers, in English.' }),
    suggestion: t.exposeString('suggestion', { description: 'What to do about it (e.g. how to make it non-breaking), in English.' }),
  }),
});

const CompatibilityVerdictRef = builder.objectRef<CompatibilityVerdict>('CompatibilityVerdict').implement({
  description: 'Whether a document is compatible with earlier versions under the contract\'s compatibility mode.',
  fields: (t) => ({
    mode: t.field({ type: CompatibilityModeEnum, description: 'The mode it was checked with (the contract\'s own, or the registry default).', resolve: (v) => v.mode }),
    compatible: t.exposeBoolean('compatible', { description: 'No violations (always true in mode NONE).' }),
    checkedAgainst: t.exposeInt('checkedAgainst', { description: 'How many earlier versions were checked.' }),
    violations: t.field({ type: [ContractChangeRef], description: 'The changes the mode forbids, each listed once; empty when compatible.', resolve: (v) => v.violations }),
  }),
});

const formatArg = builder.args((t) => ({
  format: t.field({ type: ContractFormatEnum, required: false, defaultValue: 'yaml', description: 'The text format; YAML unless given.' }),
}));

builder.objectFields(ContractVersionRef, (t) => ({
  changes: t.field({ type: [ContractChangeRef], description: 'The judged changes from the previous version.', resolve: (v) => v.changes }),
  requiredBump: t.field({ type: VersionBumpEnum, description: 'The bump the changes from the previous version require (NONE for the first version).', resolve: (v) => v.requiredBump }),
  compatibility: t.field({
    type: CompatibilityVerdictRef,
    nullable: true,
    description: 'The compatibility verdict recorded when this version was written; null for a first version (nothing to compare with).',
    resolve: (v) => v.compatibility,
  }),
  breakingChangesAccepted: t.exposeBoolean('breakingChangesAccepted', { description: 'Breaking or incompatible changes were accepted explicitly.' }),
  warnings: t.field({
    type: [ValidationIssueRef],
    description: 'ODCS problems of the document, when the registry stores invalid documents with warnings.',
    resolve: (v) => v.warnings,
  }),
  export: t.string({
    description:
      'This version as YAML or JSON text, with its registry version in `version`. A version imported as text in that format gives back that text, byte for byte, except for values the registry changed.',
    args: formatArg,
    resolve: (v, args) => exportText(versionedDocument(v), (args.format ?? 'yaml') as ContractFormat, v.source),
  }),
  statedVersion: t.exposeString('statedVersion', { nullable: true, description: 'The `version` the document stated when it came in.' }),
  versionSetByRegistry: t.boolean({
    description: 'The registry chose this version (the document stated another, or none) and wrote it into the stored document’s `version`.',
    resolve: (v) => v.statedVersion !== v.version,
  }),
}));

interface DiffResult {
  from: string;
  to: string;
  changes: VersionChange[];
  requiredBump: RequiredBump;
}

const ContractDiffRef = builder.objectRef<DiffResult>('ContractDiff').implement({
  description: 'The judged changes between two versions of one contract, as `diff(from:, to:)` computed them.',
  fields: (t) => ({
    from: t.exposeString('from', { description: 'The older side, as given in `from`.' }),
    to: t.exposeString('to', { description: 'The newer side, as given in `to`.' }),
    changes: t.field({ type: [ContractChangeRef], description: 'Every change going from `from` to `to`, in document order; empty when the documents are equal.', resolve: (d) => d.changes }),
    requiredBump: t.field({ type: VersionBumpEnum, description: 'The bump these changes require going from → to.', resolve: (d) => d.requiredBump }),
  }),
});

async function versionDocument(ctx: Context, contract: Contract, version: string, path: string): Promise<JsonObject> {
  const found = await ctx.loaders.versionByVersion.load(versionKey(contract.id, version));
  if (!found) throw ValidationError.single(path, `${contract.name} has no version ${boundInput(version)}`, 'not_found');
  return found.document;
}

builder.objectFields(ContractRef, (t) => ({
  compatibility: t.field({
    type: CompatibilityModeEnum,
    description: 'The compatibility mode updates are checked with (its own, or the registry default).',
    resolve: (c, _args, ctx) => effectiveCompatibility(c, ctx.policy),
  }),
  compatibilityOverride: t.field({ type: CompatibilityModeEnum, nullable: true, description: 'The contract’s own mode; null follows the registry default.', resolve: (c) => c.compatibility }),
  diff: t.field({
    type: ContractDiffRef,
    description: 'What changed between two versions.',
    args: {
      from: t.arg.string({ required: true, description: 'The semantic version to compare from (e.g. "1.0.0"); a ValidationError when the contract has none such.' }),
      to: t.arg.string({ required: true, description: 'The semantic version to compare to (e.g. "2.0.0"); may be older than `from`.' }),
    },
    resolve: async (c, args, ctx) => {
      const [before, after] = await Promise.all([versionDocument(ctx, c, args.from, 'from'), versionDocument(ctx, c, args.to, 'to')]);
      const judgements = judgeChanges(before, after);
      return { from: args.from, to: args.to, changes: judgements.map(toVersionChange), requiredBump: requiredBump(judgements) };
    },
  }),
  export: t.string({
    description:
      'The served document (or `version`) as YAML or JSON text, agreeing with the registry: its version in `version`, and for an active, deprecated or retired contract that `status`. A version imported as text in that format gives back that text, byte for byte, except for those values.',
    args: { ...formatArg, version: t.arg.string({ required: false, description: 'The semantic version to export; the served version when omitted.' }) },
    resolve: async (c, args, ctx) => {
      const format = (args.format ?? 'yaml') as ContractFormat;
      const servedId = versionId(c.id, servedVersionNumber(c));
      const version = args.version
        ? await ctx.loaders.versionByVersion.load(versionKey(c.id, args.version))
        : await ContractVersionRef.getDataloader(ctx).load(servedId);
      if (!version) throw ValidationError.single('version', `${c.name} has no version ${boundInput(args.version ?? "")}`, 'not_found');
      const document = version.id === servedId ? servedDocument(c) : versionedDocument(version);
      return exportText(document, format, version.source);
    },
  }),
}));

// ---------------------------------------------------------------------------------------------------------------
// Preview

interface Preview {
  contract: Contract;
  currentVersion: string;
  refusedBecause: string | null;
  declaredVersion: string | null;
  version: string | null;
  versionError: string | null;
  minimumVersion: string;
  requiredBump: 'major' | 'minor' | 'patch' | 'none';
  changes: VersionChange[];
  compatibility: CompatibilityVerdict;
  documentIssues: ValidationIssue[];
  needsAcceptBreakingChanges: boolean;
}

const PreviewRef = builder.objectRef<Preview>('ContractUpdatePreview').implement({
  description: 'What an update would do, computed without writing anything.',
  fields: (t) => ({
    contract: t.field({ type: ContractRef, description: 'The contract the proposal is judged against.', resolve: (p) => p.contract }),
    currentVersion: t.exposeString('currentVersion', { description: 'The version the proposal is judged against: the newest (a draft revision when there is one).' }),
    refusedBecause: t.exposeString('refusedBecause', {
      nullable: true,
      description: 'Why updateContract would refuse any new version right now (an open approval request, deprecated, retired); null when it would not.',
    }),
    declaredVersion: t.exposeString('declaredVersion', {
      nullable: true,
      description: 'The version the proposal asks for: the `version` argument, else the document\'s `version` when it differs from the current one; null when neither.',
    }),
    version: t.exposeString('version', { nullable: true, description: 'The version the update would get; null when the declared one is refused.' }),
    versionError: t.exposeString('versionError', { nullable: true, description: 'Why the declared version would be refused.' }),
    minimumVersion: t.exposeString('minimumVersion', { description: 'The lowest version the changes allow (the current version with `requiredBump` applied).' }),
    requiredBump: t.field({ type: VersionBumpEnum, description: 'The bump the changes require.', resolve: (p) => p.requiredBump }),
    changes: t.field({ type: [ContractChangeRef], description: 'Every change from `currentVersion` to the proposal, in document order.', resolve: (p) => p.changes }),
    compatibility: t.field({ type: CompatibilityVerdictRef, description: 'The compatibility verdict under the contract\'s mode.', resolve: (p) => p.compatibility }),
    documentIssues: t.field({
      type: [ValidationIssueRef],
      description: 'ODCS validation problems of the proposed document.',
      resolve: (p) => p.documentIssues,
    }),
    needsAcceptBreakingChanges: t.exposeBoolean('needsAcceptBreakingChanges', { description: 'The update would be refused without acceptBreakingChanges.' }),
  }),
});

/**
 * What an update of `contract` is judged against, as updateContract does it: the newest version (a draft revision
 * when there is one) and, for transitive modes, every version that was ever active. One read at most.
 */
async function updateBaseline(ctx: Context, contract: Contract, transitive: boolean): Promise<{ head: { document: JsonObject; version: string }; history: JsonObject[] }> {
  const headIsServed = servesNewestVersion(contract);
  const numbers = [...(headIsServed ? [] : [contract.versionCount]), ...(transitive ? transitiveBaseline(contract) : [])];
  const loaded = numbers.length ? await ctx.storage.contracts.getVersionsByIds(numbers.map((n) => versionId(contract.id, n))) : [];
  const byNumber = new Map(loaded.filter((v) => v !== null).map((v) => [v.number, v]));
  const newest = headIsServed ? null : byNumber.get(contract.versionCount);
  const head = newest ? { document: newest.document, version: newest.version } : { document: contract.document, version: contract.version };
  const earlier = transitive ? transitiveBaseline(contract).flatMap((n): JsonObject[] => (byNumber.has(n) ? [byNumber.get(n)!.document] : [])) : [];
  return { head, history: [head.document, ...earlier] };
}

/** Why updateContract would refuse any new version right now, or null. */
function refusal(contract: Contract): string | null {
  try {
    assertAcceptsNewVersion(contract);
    return null;
  } catch (error) {
    if (error instanceof InvalidStateError) return error.reason;
    throw error;
  }
}

builder.queryFields((t) => ({
  previewContractUpdate: t.field({
    type: PreviewRef,
    description: 'The changes, required version bump and compatibility verdict of a proposed document, without writing anything.',
    args: {
      id: t.arg.id({ required: true }),
      document: t.arg({ type: 'JSON', required: true, description: 'The proposed ODCS document as JSON, as it would be passed to updateContract.' }),
      version: t.arg.string({ required: false, description: 'The version the update would declare (as updateContract\'s `version`); by default the document\'s own when changed.' }),
    },
    resolve: async (_root, args, ctx) => {
      const contract = await ctx.storage.contracts.getById(localId(args.id, 'Contract', 'id'));
      if (!contract) throw new NotFoundError('Contract', args.id);
      const documentIssues = validateContractDocument(args.document, 'document');
      if (documentIssues.some((i) => i.path === 'document')) throw new ValidationError(documentIssues);
      const candidate = args.document as JsonObject;
      const mode = effectiveCompatibility(contract, ctx.policy);
      const { head, history } = await updateBaseline(ctx, contract, isTransitive(mode));
      const docVersion = (candidate as OdcsDocument).version;
      const declared = args.version ?? (docVersion !== (head.document as OdcsDocument).version && typeof docVersion === 'string' ? docVersion : null);
      const { assessment, minimumVersion, compatibility } = assessEvolution({
        currentDocument: head.document,
        currentVersion: head.version,
        candidate,
        declaredVersion: declared,
        mode,
        history,
      });
      return {
        contract,
        currentVersion: head.version,
        refusedBecause: refusal(contract),
        declaredVersion: declared,
        version: assessment.version.ok ? assessment.version.version : null,
        versionError: assessment.version.ok ? null : assessment.version.explanation,
        minimumVersion,
        requiredBump: requiredBump(assessment.judgements),
        changes: assessment.judgements.map(toVersionChange),
        compatibility,
        documentIssues,
        needsAcceptBreakingChanges: assessment.bump === 'major' || !compatibility.compatible,
      };
    },
  }),
}));

// ---------------------------------------------------------------------------------------------------------------
// Import

const ImportOutcomeEnum = builder.enumType('ImportOutcome', {
  description: 'What `importContract` did with the document.',
  values: { CREATED: { value: 'created' }, UPDATED: { value: 'updated' }, UNCHANGED: { value: 'unchanged' } } as const,
});

const ImportContractInput = builder.inputType('ImportContractInput', {
  fields: (t) => ({
    text: t.string({ required: true, description: 'An ODCS document as YAML or JSON text.' }),
    format: t.field({ type: ContractFormatEnum, required: false, description: 'Detected when left out.' }),
    name: t.string({ required: false, description: "For a new contract; defaults to the document's name, else its ODCS id." }),
    note: t.string({ required: false }),
    acceptBreakingChanges: t.boolean({ required: false, description: 'Write a new version even when it is breaking or incompatible (false by default: IncompatibleChangeError).' }),
  }),
});

const ImportResultRef = builder.objectRef<ImportResult>('ImportedContract').implement({
  description: 'The result of `importContract`: the contract and what was done to it.',
  fields: (t) => ({
    contract: t.field({ type: ContractRef, description: 'The contract created, updated or left unchanged, as it is now.', resolve: (r) => r.contract }),
    outcome: t.field({ type: ImportOutcomeEnum, description: 'Created, updated, or unchanged (nothing written).', resolve: (r) => r.outcome }),
    matchedContract: t.field({
      type: ContractRef,
      nullable: true,
      description: 'The contract that held the document’s ODCS id, which the document was compared with; null when a new contract was created.',
      resolve: (r) => r.matched?.contract ?? null,
    }),
    version: t.field({ type: ContractVersionRef, description: 'The version the import wrote, or (unchanged) the newest one it equals.', resolve: (r) => r.version }),
    versionSetByRegistry: t.boolean({
      description: 'The registry chose the version (the document stated another, or none) and wrote it into the stored document’s `version`.',
      resolve: (r) => r.version.statedVersion !== r.version.version,
    }),
    comparedVersion: t.string({
      nullable: true,
      description: 'The version of `matchedContract` the document was compared with (its newest); null when created.',
      resolve: (r) => r.matched?.comparedVersion ?? null,
    }),
  }),
});

builder.mutationFields((t) => ({
  importContract: t.field({
    type: ImportResultRef,
    description: 'Creates a contract from ODCS text, or writes a new version of the contract with the same ODCS id.',
    errors: { types: [ValidationError, AlreadyExistsError, ConflictError, IncompatibleChangeError, NotFoundError, InvalidStateError], dataField: { name: 'result' } },
    args: { input: t.arg({ type: ImportContractInput, required: true }) },
    resolve: (_root, { input }, ctx) => importContract(ctx.storage, { ...input, format: input.format as ContractFormat | null | undefined }, ctx.caller.name, ctx.documentLimits),
  }),
}));

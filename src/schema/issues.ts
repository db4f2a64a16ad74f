/** Data-quality issues: the Issue node with its activity, queries with summary counts, and the workflow mutations. */
import { nfcOrAsIs, textKey } from '../domain/names.js';
import type { Context } from '../context.js';
import { ConflictError, InvalidTransitionError, NotFoundError, ValidationError } from '../domain/errors.js';
import { IDEMPOTENCY_KEY_DESCRIPTION, idempotencyErrors } from './errors.js';
import * as writes from '../services/idempotent-writes.js';
import {
  type ActivityEntry,
  type FieldChange,
  ISSUE_CATEGORIES,
  ISSUE_CHANGE_FIELDS,
  ISSUE_RESOLUTIONS,
  ISSUE_SEVERITIES,
  ISSUE_STATUSES,
  type Issue,
  type IssueCategory,
  type IssueResolution,
  type IssueSeverity,
  type IssueStatus,
} from '../domain/issues.js';
import type { IssueFilter, IssueSummary } from '../storage/types.js';
import { builder } from './builder.js';
import { closedValue, IssueFieldEnum } from './closed-sets.js';
import { ContractRef, OrderDirectionEnum } from './contracts.js';
import { localId } from './ids.js';
import { loadAll } from './loading.js';
import { connection, pageArgs, pageRequest, toResult } from './pagination.js';
import { RunRef } from './runs.js';
import { CheckResultRef, ValidationRecordRef } from './validations.js';

function enumOf<V extends string>(name: string, values: readonly V[], description?: string) {
  return builder.enumType(name, {
    ...(description ? { description } : {}),
    values: Object.fromEntries(values.map((v) => [v.toUpperCase(), { value: v }])) as Record<Uppercase<V>, { value: V }>,
  });
}

const IssueSeverityEnum = enumOf<IssueSeverity>('IssueSeverity', ISSUE_SEVERITIES, 'How badly an issue affects consumers, from CRITICAL (worst) to INFO; sorting by severity ascending puts CRITICAL first.');
const IssueCategoryEnum = enumOf<IssueCategory>('IssueCategory', ISSUE_CATEGORIES, 'What kind of problem an issue is about.');
const IssueStatusEnum = enumOf<IssueStatus>(
  'IssueStatus',
  ISSUE_STATUSES,
  'OPEN → ACKNOWLEDGED → IN_PROGRESS → RESOLVED | IGNORED; OPEN and ACKNOWLEDGED may go straight to RESOLVED or IGNORED; RESOLVED and IGNORED can be reopened.',
);
const IssueResolutionEnum = enumOf<IssueResolution>('IssueResolution', ISSUE_RESOLUTIONS, 'How a RESOLVED issue was settled.');

const IssueActivityActionEnum = builder.enumType('IssueActivityAction', {
  description: 'What kind of change an IssueActivity entry records.',
  values: { CREATED: { value: 'created' }, UPDATED: { value: 'updated' }, STATUS_CHANGED: { value: 'status_changed' }, OCCURRED: { value: 'occurred' } } as const,
});

const FieldChangeRef = builder.objectRef<FieldChange>('FieldChange').implement({
  description: 'One field of an issue changed by an activity entry.',
  fields: (t) => ({
    issueField: t.field({ type: IssueFieldEnum, description: 'The Issue field that changed.', resolve: (c) => closedValue(ISSUE_CHANGE_FIELDS, c.field, 'issue field') }),
    field: t.exposeString('field', { description: 'The Issue field\'s name, e.g. `severity`, `status`, `assignee`.', deprecationReason: 'Use issueField, the same field as an IssueField enum value.' }),
    from: t.field({ type: 'JSON', nullable: true, description: 'The value before (enum values lower case, as stored); null when it had none.', resolve: (c) => c.from }),
    to: t.field({ type: 'JSON', nullable: true, description: 'The value after (enum values lower case, as stored); null when cleared.', resolve: (c) => c.to }),
  }),
});

const IssueActivityRef = builder.objectRef<ActivityEntry>('IssueActivity').implement({
  description: 'One change to an issue: who, when, what.',
  fields: (t) => ({
    at: t.field({ type: 'DateTime', description: 'When it happened (UTC).', resolve: (a) => a.at }),
    actor: t.exposeString('actor', { nullable: true, description: 'Who did it: the API key name or JWT subject; null for an anonymous caller or the registry itself (e.g. a run seeing the failure again).' }),
    action: t.field({ type: IssueActivityActionEnum, description: 'What kind of change.', resolve: (a) => a.action }),
    changes: t.field({ type: [FieldChangeRef], description: 'The fields it changed, with before and after; empty when it changed none (e.g. OCCURRED).', resolve: (a) => a.changes }),
    note: t.exposeString('note', { nullable: true }),
  }),
});

export const IssueRef = builder.loadableNodeRef('Issue', {
  id: { resolve: (i: Issue) => i.id },
  load: (ids: string[], ctx: Context) => loadAll(ctx.storage.issues.getByIds(ids)),
});

IssueRef.implement({
  description: 'A data-quality problem with a contract, worked through a workflow.',
  fields: (t) => ({
    title: t.exposeString('title', { description: 'A one-line summary (1 to 300 characters).' }),
    description: t.exposeString('description', { nullable: true }),
    severity: t.field({ type: IssueSeverityEnum, description: 'How badly it affects consumers.', resolve: (i) => i.severity }),
    category: t.field({ type: IssueCategoryEnum, description: 'What kind of problem it is.', resolve: (i) => i.category }),
    status: t.field({ type: IssueStatusEnum, description: 'Where it is in its workflow; change it with transitionIssue.', resolve: (i) => i.status }),
    resolution: t.field({ type: IssueResolutionEnum, nullable: true, description: 'How it was resolved; null unless RESOLVED.', resolve: (i) => i.resolution }),
    resolvedBy: t.exposeString('resolvedBy', { nullable: true, description: 'Who resolved or ignored it (API key name or JWT subject); null while active.' }),
    resolvedAt: t.field({ type: 'DateTime', nullable: true, description: 'When it was resolved or ignored (UTC); null while active.', resolve: (i) => i.resolvedAt }),
    assignee: t.exposeString('assignee', { nullable: true, description: 'Who should act on it, free text (e.g. a person or team); null when unassigned.' }),
    tags: t.exposeStringList('tags'),
    schemaName: t.exposeString('schemaName', { nullable: true }),
    propertyPath: t.exposeString('propertyPath', { nullable: true }),
    checkId: t.exposeString('checkId', { nullable: true }),
    detectedAt: t.field({ type: 'DateTime', description: 'When the problem was first seen (UTC): the issue\'s creation, or the failing record\'s time.', resolve: (i) => i.detectedAt }),
    lastSeenAt: t.field({ type: 'DateTime', description: 'When the problem was last seen (UTC); equals detectedAt until it recurs.', resolve: (i) => i.lastSeenAt }),
    occurrences: t.exposeInt('occurrences', { description: 'Times the failure was seen while the issue was active.' }),
    updatedAt: t.field({ type: 'DateTime', resolve: (i) => i.updatedAt }),
    createdBy: t.exposeString('createdBy', { nullable: true }),
    updatedBy: t.exposeString('updatedBy', { nullable: true }),
    revision: t.exposeInt('revision', { description: 'Pass it as expectedRevision when changing the issue.' }),
    contract: t.field({ type: ContractRef, nullable: true, description: 'The contract it is about; null if that contract was deleted.', resolve: (i) => i.contractId }),
    run: t.field({ type: RunRef, nullable: true, description: 'The pipeline run that opened it; null when none did.', resolve: (i) => i.runId }),
    validationRecord: t.field({ type: ValidationRecordRef, nullable: true, description: 'The validation record that opened it; null when none did.', resolve: (i) => i.validationRecordId }),
    activity: t.field({ type: [IssueActivityRef], description: 'Every change, oldest first.', resolve: (i) => i.activity }),
  }),
});

const StatusCountRef = builder.objectRef<{ status: IssueStatus; count: number }>('IssueStatusCount').implement({
  description: 'How many matching issues have one status.',
  fields: (t) => ({
    status: t.field({ type: IssueStatusEnum, description: 'The status counted.', resolve: (c) => c.status }),
    count: t.exposeInt('count', { description: 'Matching issues with this status (0 or more).' }),
  }),
});
const SeverityCountRef = builder.objectRef<{ severity: IssueSeverity; count: number }>('IssueSeverityCount').implement({
  description: 'How many matching issues have one severity.',
  fields: (t) => ({
    severity: t.field({ type: IssueSeverityEnum, description: 'The severity counted.', resolve: (c) => c.severity }),
    count: t.exposeInt('count', { description: 'Matching issues with this severity (0 or more).' }),
  }),
});
const IssueSummaryRef = builder.objectRef<IssueSummary>('IssueSummary').implement({
  description: 'Counts over every issue matching the filter, not just one page.',
  fields: (t) => ({
    byStatus: t.field({ type: [StatusCountRef], description: 'One count per status, every status listed (zeros too), in workflow order.', resolve: (s) => ISSUE_STATUSES.map((status) => ({ status, count: s.byStatus[status] })) }),
    bySeverity: t.field({ type: [SeverityCountRef], description: 'One count per severity, every severity listed (zeros too), CRITICAL first.', resolve: (s) => ISSUE_SEVERITIES.map((severity) => ({ severity, count: s.bySeverity[severity] })) }),
  }),
});

const IssueConnection = connection<Issue, { summary: () => Promise<IssueSummary> }>('Issue', IssueRef);
builder.objectField(IssueConnection, 'summary', (t) =>
  t.field({ type: IssueSummaryRef, description: 'Counts by status and severity over every issue matching the filter (all pages).', resolve: (p) => p.summary() }),
);

const IssueFilterInput = builder.inputType('IssueFilter', {
  description: 'Which issues to list: those matching every criterion given (a list matches any of its values).',
  fields: (t) => ({
    contractId: t.id({ required: false }),
    runId: t.id({ required: false }),
    validationRecordId: t.id({ required: false, description: 'Only issues opened by this validation record (its global ID).' }),
    status: t.field({ type: [IssueStatusEnum], required: false, description: 'Any of these statuses.' }),
    severity: t.field({ type: [IssueSeverityEnum], required: false, description: 'Any of these severities.' }),
    category: t.field({ type: [IssueCategoryEnum], required: false, description: 'Any of these categories.' }),
    assignee: t.string({ required: false, description: 'Only issues assigned to exactly this assignee.' }),
    from: t.field({ type: 'DateTime', required: false, description: 'Detected at or after.' }),
    to: t.field({ type: 'DateTime', required: false, description: 'Detected before.' }),
    text: t.string({ required: false, description: 'Every word must appear in the title or description.' }),
  }),
});

const IssueOrderFieldEnum = builder.enumType('IssueOrderField', {
  description: 'What issue lists sort by; ties are broken by id.',
  values: { DETECTED_AT: { value: 'detectedAt' }, SEVERITY: { value: 'severity' } } as const,
});

const IssueOrderInput = builder.inputType('IssueOrder', {
  description: 'The order of an issue list; when omitted, newest detected first.',
  fields: (t) => ({
    field: t.field({ type: IssueOrderFieldEnum, required: true, description: 'What to sort by.' }),
    direction: t.field({ type: OrderDirectionEnum, required: false, description: 'Default: DESC for DETECTED_AT (newest first), ASC for SEVERITY (critical first).' }),
  }),
});

type IssueFilterArg = {
  contractId?: string | null; runId?: string | null; validationRecordId?: string | null; status?: IssueStatus[] | null; severity?: IssueSeverity[] | null;
  category?: IssueCategory[] | null; assignee?: string | null; from?: Date | null; to?: Date | null; text?: string | null;
};

function issueFilter(f: IssueFilterArg | null | undefined, contractId?: string): IssueFilter {
  return {
    contractId: contractId ?? (f?.contractId ? localId(f.contractId, 'Contract', 'filter.contractId') : null),
    runId: f?.runId ? localId(f.runId, 'Run', 'filter.runId') : null,
    validationRecordId: f?.validationRecordId ? localId(f.validationRecordId, 'ValidationRecord', 'filter.validationRecordId') : null,
    status: f?.status ?? null,
    severity: f?.severity ?? null,
    category: f?.category ?? null,
    assignee: textKey(f?.assignee),
    from: f?.from ?? null,
    to: f?.to ?? null,
    text: f?.text ?? null,
  };
}

function listIssues(ctx: Context, filter: IssueFilter, orderBy: { field: 'detectedAt' | 'severity'; direction?: 'asc' | 'desc' | null } | null | undefined, args: { first?: number | null; after?: string | null }) {
  const field = orderBy?.field ?? 'detectedAt';
  const direction = orderBy?.direction ?? (field === 'detectedAt' ? 'desc' : 'asc');
  return toResult(ctx.storage.issues.list(filter, { field, direction }, pageRequest(args)), args, { summary: () => ctx.storage.issues.summary(filter) });
}

const issuesArgs = builder.args((t) => ({
  filter: t.field({ type: IssueFilterInput, required: false }),
  orderBy: t.field({ type: IssueOrderInput, required: false }),
}));

builder.queryFields((t) => ({
  issue: t.field({
    type: IssueRef,
    nullable: true,
    description: 'The issue with this global ID; null when there is none. Any role that may read (viewer, editor, approver, admin; anonymous callers when anonymous read is on).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args) => localId(args.id, 'Issue', 'id'),
  }),
  issues: t.field({
    type: IssueConnection,
    description: 'Issues of every contract, newest first (by detection time) unless ordered otherwise. Any role that may read (viewer, editor, approver, admin; anonymous callers when anonymous read is on).',
    args: { ...issuesArgs, ...pageArgs },
    resolve: (_root, args, ctx) => listIssues(ctx, issueFilter(args.filter), args.orderBy, args),
  }),
}));

builder.objectFields(ContractRef, (t) => ({
  issues: t.field({
    type: IssueConnection,
    description: 'Issues of this contract, newest first (by detection time) unless ordered otherwise.',
    args: { ...issuesArgs, ...pageArgs },
    resolve: (c, args, ctx) => listIssues(ctx, issueFilter(args.filter, c.id), args.orderBy, args),
  }),
  openIssueCount: t.int({
    description: 'Issues not yet resolved or ignored (open, acknowledged, in progress).',
    resolve: (c, _args, ctx) => ctx.loaders.activeIssueCountByContract.load(c.id),
  }),
}));

builder.objectFields(RunRef, (t) => ({
  issues: t.field({ type: [IssueRef], description: 'Issues opened by this run.', resolve: (r, _args, ctx) => ctx.loaders.issuesByRun.load(r.id) }),
}));

builder.objectFields(ValidationRecordRef, (t) => ({
  issues: t.field({ type: [IssueRef], description: 'Issues this record opened.', resolve: (r, _args, ctx) => ctx.loaders.issuesByRecord.load(r.id) }),
}));

builder.objectField(CheckResultRef, 'issue', (t) =>
  t.field({ type: IssueRef, nullable: true, description: 'The issue this failing check opened or added an occurrence to.', resolve: (c) => c.issueId }),
);

const CreateIssueInput = builder.inputType('CreateIssueInput', {
  fields: (t) => ({
    contractId: t.id({ required: true }),
    runId: t.id({ required: false }),
    validationRecordId: t.id({ required: false, description: 'The validation record the issue comes from (its global ID, of the same contract); none when omitted.' }),
    schemaName: t.string({ required: false }),
    propertyPath: t.string({ required: false }),
    checkId: t.string({ required: false }),
    title: t.string({ required: true, description: 'A one-line summary, 1 to 300 characters (trimmed).' }),
    description: t.string({ required: false, description: 'Details for people, at most 20,000 characters.' }),
    severity: t.field({ type: IssueSeverityEnum, required: true, description: 'How badly it affects consumers.' }),
    category: t.field({ type: IssueCategoryEnum, required: true, description: 'What kind of problem it is.' }),
    assignee: t.string({ required: false, description: 'Who should act on it, free text; unassigned when omitted.' }),
    tags: t.stringList({ required: false, description: 'Labels, at most 30 of 1 to 100 characters each (duplicates dropped).' }),
    idempotencyKey: t.string({ required: false, description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const UpdateIssueInput = builder.inputType('UpdateIssueInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    expectedRevision: t.int({ required: true }),
    title: t.string({ required: false, description: 'A new title (1 to 300 characters); leave it out to keep it.' }),
    description: t.string({ required: false, description: 'A new description (at most 20,000 characters); leave it out to keep it.' }),
    severity: t.field({ type: IssueSeverityEnum, required: false, description: 'A new severity; leave it out to keep it.' }),
    category: t.field({ type: IssueCategoryEnum, required: false, description: 'A new category; leave it out to keep it.' }),
    assignee: t.string({ required: false, description: 'null unassigns; leave it out to keep the assignee.' }),
    tags: t.stringList({ required: false }),
  }),
});

const TransitionIssueInput = builder.inputType('TransitionIssueInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    expectedRevision: t.int({ required: true }),
    status: t.field({ type: IssueStatusEnum, required: true, description: 'The status to move to; it must be allowed from the current one (see IssueStatus), else InvalidTransitionError.' }),
    resolution: t.field({ type: IssueResolutionEnum, required: false, description: 'Required when resolving.' }),
    note: t.string({ required: false }),
  }),
});

const issueErrors = [ValidationError, NotFoundError, ConflictError];

builder.mutationFields((t) => ({
  createIssue: t.field({
    type: IssueRef,
    description: 'Opens an issue on a contract by hand (runs and validation records open theirs automatically). Editors and admins.',
    errors: { types: [ValidationError, NotFoundError, ...idempotencyErrors], dataField: { name: 'issue' } },
    args: { input: t.arg({ type: CreateIssueInput, required: true }) },
    resolve: (_root, { input: { idempotencyKey, ...input } }, ctx) =>
      writes.createIssue(
        ctx.storage,
        {
          ...input,
          contractId: localId(input.contractId, 'Contract', 'input.contractId'),
          assignee: nfcOrAsIs(input.assignee),
          runId: input.runId ? localId(input.runId, 'Run', 'input.runId') : null,
          validationRecordId: input.validationRecordId ? localId(input.validationRecordId, 'ValidationRecord', 'input.validationRecordId') : null,
        },
        ctx.caller.name,
        idempotencyKey,
      ),
  }),
  updateIssue: t.field({
    type: IssueRef,
    description: 'Edits an issue; every change is appended to its activity.',
    errors: { types: issueErrors, dataField: { name: 'issue' } },
    args: { input: t.arg({ type: UpdateIssueInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.storage.issues.update({ ...input, assignee: nfcOrAsIs(input.assignee), id: localId(input.id, 'Issue', 'input.id') }, ctx.caller.name),
  }),
  transitionIssue: t.field({
    type: IssueRef,
    description: 'Moves an issue through its workflow. Resolving needs a resolution.',
    errors: { types: [...issueErrors, InvalidTransitionError], dataField: { name: 'issue' } },
    args: { input: t.arg({ type: TransitionIssueInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.storage.issues.transition({ ...input, id: localId(input.id, 'Issue', 'input.id') }, ctx.caller.name),
  }),
}));

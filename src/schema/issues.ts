/** Data-quality issues: the Issue node with its activity, queries with summary counts, and the workflow mutations. */
import type { Context } from '../context.js';
import { ConflictError, InvalidTransitionError, NotFoundError, ValidationError } from '../domain/errors.js';
import {
  type ActivityEntry,
  type FieldChange,
  ISSUE_CATEGORIES,
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

const IssueSeverityEnum = enumOf<IssueSeverity>('IssueSeverity', ISSUE_SEVERITIES);
const IssueCategoryEnum = enumOf<IssueCategory>('IssueCategory', ISSUE_CATEGORIES);
const IssueStatusEnum = enumOf<IssueStatus>(
  'IssueStatus',
  ISSUE_STATUSES,
  'OPEN → ACKNOWLEDGED → IN_PROGRESS → RESOLVED | IGNORED; OPEN and ACKNOWLEDGED may go straight to RESOLVED or IGNORED; RESOLVED and IGNORED can be reopened.',
);
const IssueResolutionEnum = enumOf<IssueResolution>('IssueResolution', ISSUE_RESOLUTIONS);

const IssueActivityActionEnum = builder.enumType('IssueActivityAction', {
  values: { CREATED: { value: 'created' }, UPDATED: { value: 'updated' }, STATUS_CHANGED: { value: 'status_changed' }, OCCURRED: { value: 'occurred' } } as const,
});

const FieldChangeRef = builder.objectRef<FieldChange>('FieldChange').implement({
  fields: (t) => ({
    field: t.exposeString('field'),
    from: t.field({ type: 'JSON', nullable: true, resolve: (c) => c.from }),
    to: t.field({ type: 'JSON', nullable: true, resolve: (c) => c.to }),
  }),
});

const IssueActivityRef = builder.objectRef<ActivityEntry>('IssueActivity').implement({
  description: 'One change to an issue: who, when, what.',
  fields: (t) => ({
    at: t.field({ type: 'DateTime', resolve: (a) => a.at }),
    actor: t.exposeString('actor', { nullable: true }),
    action: t.field({ type: IssueActivityActionEnum, resolve: (a) => a.action }),
    changes: t.field({ type: [FieldChangeRef], resolve: (a) => a.changes }),
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
    title: t.exposeString('title'),
    description: t.exposeString('description', { nullable: true }),
    severity: t.field({ type: IssueSeverityEnum, resolve: (i) => i.severity }),
    category: t.field({ type: IssueCategoryEnum, resolve: (i) => i.category }),
    status: t.field({ type: IssueStatusEnum, resolve: (i) => i.status }),
    resolution: t.field({ type: IssueResolutionEnum, nullable: true, resolve: (i) => i.resolution }),
    resolvedBy: t.exposeString('resolvedBy', { nullable: true }),
    resolvedAt: t.field({ type: 'DateTime', nullable: true, resolve: (i) => i.resolvedAt }),
    assignee: t.exposeString('assignee', { nullable: true }),
    tags: t.exposeStringList('tags'),
    schemaName: t.exposeString('schemaName', { nullable: true }),
    propertyPath: t.exposeString('propertyPath', { nullable: true }),
    checkId: t.exposeString('checkId', { nullable: true }),
    detectedAt: t.field({ type: 'DateTime', resolve: (i) => i.detectedAt }),
    lastSeenAt: t.field({ type: 'DateTime', resolve: (i) => i.lastSeenAt }),
    occurrences: t.exposeInt('occurrences', { description: 'Times the failure was seen while the issue was active.' }),
    updatedAt: t.field({ type: 'DateTime', resolve: (i) => i.updatedAt }),
    createdBy: t.exposeString('createdBy', { nullable: true }),
    updatedBy: t.exposeString('updatedBy', { nullable: true }),
    revision: t.exposeInt('revision', { description: 'Pass it as expectedRevision when changing the issue.' }),
    contract: t.field({ type: ContractRef, nullable: true, resolve: (i) => i.contractId }),
    run: t.field({ type: RunRef, nullable: true, resolve: (i) => i.runId }),
    validationRecord: t.field({ type: ValidationRecordRef, nullable: true, resolve: (i) => i.validationRecordId }),
    activity: t.field({ type: [IssueActivityRef], description: 'Every change, oldest first.', resolve: (i) => i.activity }),
  }),
});

const StatusCountRef = builder.objectRef<{ status: IssueStatus; count: number }>('IssueStatusCount').implement({
  fields: (t) => ({ status: t.field({ type: IssueStatusEnum, resolve: (c) => c.status }), count: t.exposeInt('count') }),
});
const SeverityCountRef = builder.objectRef<{ severity: IssueSeverity; count: number }>('IssueSeverityCount').implement({
  fields: (t) => ({ severity: t.field({ type: IssueSeverityEnum, resolve: (c) => c.severity }), count: t.exposeInt('count') }),
});
const IssueSummaryRef = builder.objectRef<IssueSummary>('IssueSummary').implement({
  description: 'Counts over every issue matching the filter, not just one page.',
  fields: (t) => ({
    byStatus: t.field({ type: [StatusCountRef], resolve: (s) => ISSUE_STATUSES.map((status) => ({ status, count: s.byStatus[status] })) }),
    bySeverity: t.field({ type: [SeverityCountRef], resolve: (s) => ISSUE_SEVERITIES.map((severity) => ({ severity, count: s.bySeverity[severity] })) }),
  }),
});

const IssueConnection = connection<Issue, { summary: () => Promise<IssueSummary> }>('Issue', IssueRef);
builder.objectField(IssueConnection, 'summary', (t) => t.field({ type: IssueSummaryRef, resolve: (p) => p.summary() }));

const IssueFilterInput = builder.inputType('IssueFilter', {
  fields: (t) => ({
    contractId: t.id({ required: false }),
    runId: t.id({ required: false }),
    validationRecordId: t.id({ required: false }),
    status: t.field({ type: [IssueStatusEnum], required: false }),
    severity: t.field({ type: [IssueSeverityEnum], required: false }),
    category: t.field({ type: [IssueCategoryEnum], required: false }),
    assignee: t.string({ required: false }),
    from: t.field({ type: 'DateTime', required: false, description: 'Detected at or after.' }),
    to: t.field({ type: 'DateTime', required: false, description: 'Detected before.' }),
    text: t.string({ required: false, description: 'Every word must appear in the title or description.' }),
  }),
});

const IssueOrderFieldEnum = builder.enumType('IssueOrderField', {
  values: { DETECTED_AT: { value: 'detectedAt' }, SEVERITY: { value: 'severity' } } as const,
});

const IssueOrderInput = builder.inputType('IssueOrder', {
  fields: (t) => ({
    field: t.field({ type: IssueOrderFieldEnum, required: true }),
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
    assignee: f?.assignee ?? null,
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
    validationRecordId: t.id({ required: false }),
    schemaName: t.string({ required: false }),
    propertyPath: t.string({ required: false }),
    checkId: t.string({ required: false }),
    title: t.string({ required: true }),
    description: t.string({ required: false }),
    severity: t.field({ type: IssueSeverityEnum, required: true }),
    category: t.field({ type: IssueCategoryEnum, required: true }),
    assignee: t.string({ required: false }),
    tags: t.stringList({ required: false }),
  }),
});

const UpdateIssueInput = builder.inputType('UpdateIssueInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    expectedRevision: t.int({ required: true }),
    title: t.string({ required: false }),
    description: t.string({ required: false }),
    severity: t.field({ type: IssueSeverityEnum, required: false }),
    category: t.field({ type: IssueCategoryEnum, required: false }),
    assignee: t.string({ required: false, description: 'null unassigns; leave it out to keep the assignee.' }),
    tags: t.stringList({ required: false }),
  }),
});

const TransitionIssueInput = builder.inputType('TransitionIssueInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    expectedRevision: t.int({ required: true }),
    status: t.field({ type: IssueStatusEnum, required: true }),
    resolution: t.field({ type: IssueResolutionEnum, required: false, description: 'Required when resolving.' }),
    note: t.string({ required: false }),
  }),
});

const issueErrors = [ValidationError, NotFoundError, ConflictError];

builder.mutationFields((t) => ({
  createIssue: t.field({
    type: IssueRef,
    description: 'Opens an issue on a contract by hand (runs and validation records open theirs automatically). Editors and admins.',
    errors: { types: [ValidationError, NotFoundError], dataField: { name: 'issue' } },
    args: { input: t.arg({ type: CreateIssueInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.storage.issues.create(
        {
          ...input,
          contractId: localId(input.contractId, 'Contract', 'input.contractId'),
          runId: input.runId ? localId(input.runId, 'Run', 'input.runId') : null,
          validationRecordId: input.validationRecordId ? localId(input.validationRecordId, 'ValidationRecord', 'input.validationRecordId') : null,
        },
        ctx.caller.name,
      ),
  }),
  updateIssue: t.field({
    type: IssueRef,
    description: 'Edits an issue; every change is appended to its activity.',
    errors: { types: issueErrors, dataField: { name: 'issue' } },
    args: { input: t.arg({ type: UpdateIssueInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.storage.issues.update({ ...input, id: localId(input.id, 'Issue', 'input.id') }, ctx.caller.name),
  }),
  transitionIssue: t.field({
    type: IssueRef,
    description: 'Moves an issue through its workflow. Resolving needs a resolution.',
    errors: { types: [...issueErrors, InvalidTransitionError], dataField: { name: 'issue' } },
    args: { input: t.arg({ type: TransitionIssueInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.storage.issues.transition({ ...input, id: localId(input.id, 'Issue', 'input.id') }, ctx.caller.name),
  }),
}));

/** Validation records pushed by pipelines, their statistics, and the contract/run fields that reach them. */
import { nfcOrAsIs, textKey } from '../domain/names.js';
import { z } from 'zod';
import { checkInput } from './input.js';
import type { Context } from '../context.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import type { JsonValue } from '../domain/odcs.js';
import type { DayStats, ValidationStats } from '../domain/stats.js';
import { CHECK_STATUSES, type CheckResult, type CheckStatus, LIMITS, type ValidationRecord } from '../domain/validations.js';
import { builder } from './builder.js';
import { ContractRef } from './contracts.js';
import { localId } from './ids.js';
import { loadAll } from './loading.js';
import { connection, pageArgs, pageRequest, toResult } from './pagination.js';
import { RunRef } from './runs.js';
import { lastDays, MAX_STATS_DAYS } from './time.js';

const CheckStatusEnum = builder.enumType('CheckStatus', {
  description: 'The outcome of one check; FAILED and ERROR count as failures (and may open an issue).',
  values: Object.fromEntries(CHECK_STATUSES.map((s) => [s.toUpperCase(), { value: s }])) as Record<Uppercase<CheckStatus>, { value: CheckStatus }>,
});

export const CheckResultRef = builder.objectRef<CheckResult>('CheckResult').implement({
  description: 'The outcome of one check (or ODCS quality rule) in a validation record.',
  fields: (t) => ({
    checkId: t.exposeString('checkId'),
    propertyPath: t.exposeString('propertyPath', { nullable: true }),
    status: t.field({ type: CheckStatusEnum, description: 'How the check came out.', resolve: (c) => c.status }),
    observedValue: t.field({ type: 'JSON', nullable: true, description: 'What the pipeline measured (any JSON, e.g. a null count), as reported; null when not given.', resolve: (c) => c.observedValue }),
    threshold: t.field({ type: 'JSON', nullable: true, description: 'The limit the value was checked against (any JSON), as reported; null when not given.', resolve: (c) => c.threshold }),
    message: t.exposeString('message', { nullable: true }),
  }),
});

export const ValidationRecordRef = builder.loadableNodeRef('ValidationRecord', {
  id: { resolve: (r: ValidationRecord) => r.id },
  load: (ids: string[], ctx: Context) => loadAll(ctx.storage.validations.getByIds(ids)),
});

ValidationRecordRef.implement({
  description: 'What a pipeline found when it checked data against a contract version.',
  fields: (t) => ({
    contract: t.field({ type: ContractRef, nullable: true, description: 'The contract checked; null if it was deleted meanwhile.', resolve: (r) => r.contractId }),
    contractVersion: t.exposeString('contractVersion', { description: 'The semantic version the data was checked against.' }),
    run: t.field({ type: RunRef, nullable: true, description: 'The run that pushed it; null when pushed outside a run.', resolve: (r) => r.runId }),
    schemaName: t.exposeString('schemaName', { nullable: true }),
    passed: t.exposeBoolean('passed', { description: 'The pipeline\'s overall verdict, as pushed.' }),
    rowCount: t.expose('rowCount', { type: 'SafeInt', description: 'Rows checked, as pushed.' }),
    errorCount: t.expose('errorCount', { type: 'SafeInt', description: 'Rows that failed, as pushed.' }),
    errorRate: t.exposeFloat('errorRate', { description: 'errorCount / rowCount, computed by the registry.' }),
    durationMs: t.exposeInt('durationMs', { nullable: true, description: 'How long the check took, in milliseconds, as the pipeline reported; null when not given.' }),
    environment: t.exposeString('environment', { nullable: true, description: 'Where the data was checked, as the pipeline said (e.g. `prod`); null when not given.' }),
    checks: t.field({ type: [CheckResultRef], description: 'The individual checks, in the order pushed (at most 500).', resolve: (r) => r.checks }),
    sampleErrors: t.field({ type: ['JSON'], description: 'Example failing rows or messages, as pushed (at most 20).', resolve: (r) => r.sampleErrors }),
    idempotencyKey: t.exposeString('idempotencyKey', { nullable: true, description: 'The key it was pushed with; null when none.' }),
    recordedAt: t.field({ type: 'DateTime', description: 'When the registry stored it (UTC); lists and statistics use this time.', resolve: (r) => r.recordedAt }),
    createdBy: t.exposeString('createdBy', { nullable: true }),
  }),
});

const ValidationRecordConnection = connection<ValidationRecord>('ValidationRecord', ValidationRecordRef);

const DayStatsRef = builder.objectRef<DayStats>('ValidationDayStats').implement({
  description: 'The validation records of one UTC day.',
  fields: (t) => ({
    day: t.exposeString('day', { description: 'UTC day, YYYY-MM-DD.' }),
    total: t.exposeInt('total', { description: 'Records that day.' }),
    passed: t.exposeInt('passed', { description: 'Records that passed.' }),
    failed: t.exposeInt('failed', { description: 'Records that did not pass.' }),
    rows: t.exposeInt('rows', { description: 'Rows checked, summed over the records.' }),
    errors: t.exposeInt('errors', { description: 'Failing rows, summed over the records.' }),
  }),
});

type StatsResult = ValidationStats & { from: Date; to: Date };

const ValidationStatsRef = builder.objectRef<StatsResult>('ValidationStats').implement({
  description: 'Validation results of a contract over a window of whole UTC days, computed by the database.',
  fields: (t) => ({
    from: t.field({ type: 'DateTime', description: 'Start of the window: midnight UTC of its first day (inclusive).', resolve: (s) => s.from }),
    to: t.field({ type: 'DateTime', description: 'Exclusive.', resolve: (s) => s.to }),
    total: t.exposeInt('total', { description: 'Records in the window.' }),
    passed: t.exposeInt('passed', { description: 'Records that passed.' }),
    failed: t.exposeInt('failed', { description: 'Records that did not pass.' }),
    passRate: t.exposeFloat('passRate', { nullable: true, description: 'passed / total; null when there were no records.' }),
    rows: t.exposeFloat('rows', { description: 'Rows checked (a Float: it can exceed 2^31).' }),
    errors: t.exposeFloat('errors', { description: 'Failing rows, summed (a Float: it can exceed 2^31).' }),
    avgDurationMs: t.exposeFloat('avgDurationMs', { nullable: true, description: 'Mean `durationMs` of the records that reported one, in milliseconds; null when none did.' }),
    p95DurationMs: t.exposeFloat('p95DurationMs', { nullable: true, description: '95th percentile of `durationMs` (nearest rank), in milliseconds; null when no record reported one.' }),
    timeline: t.field({ type: [DayStatsRef], description: 'One entry per day that has records, oldest first.', resolve: (s) => s.timeline }),
  }),
});

const ValidationFilterInput = builder.inputType('ValidationRecordFilter', {
  description: 'Which validation records to list: those matching every criterion given.',
  fields: (t) => ({
    contractId: t.id({ required: false }),
    contractVersion: t.string({ required: false, description: 'Only records checked against this semantic version (e.g. "1.2.0").' }),
    runId: t.id({ required: false }),
    environment: t.string({ required: false, description: 'Only records of this environment (exact, e.g. `prod`).' }),
    passed: t.boolean({ required: false, description: 'true: only passing records; false: only failing ones.' }),
    from: t.field({ type: 'DateTime', required: false, description: 'Recorded at or after.' }),
    to: t.field({ type: 'DateTime', required: false, description: 'Recorded before.' }),
  }),
});

type ValidationFilterArg = { contractId?: string | null; contractVersion?: string | null; runId?: string | null; environment?: string | null; passed?: boolean | null; from?: Date | null; to?: Date | null };

function validationFilter(f: ValidationFilterArg | null | undefined, contractId?: string) {
  return {
    contractId: contractId ?? (f?.contractId ? localId(f.contractId, 'Contract', 'filter.contractId') : null),
    contractVersion: f?.contractVersion ?? null,
    runId: f?.runId ? localId(f.runId, 'Run', 'filter.runId') : null,
    environment: textKey(f?.environment),
    passed: f?.passed ?? null,
    from: f?.from ?? null,
    to: f?.to ?? null,
  };
}

const statsArgs = builder.args((t) => ({
  days: t.int({ required: false, defaultValue: 30, description: `Whole UTC days up to and including today (1 to ${MAX_STATS_DAYS}).` }),
  version: t.string({ required: false, description: 'Only this contract version.' }),
  environment: t.string({ required: false }),
}));

async function stats(ctx: Context, contractId: string, args: { days?: number | null; version?: string | null; environment?: string | null }): Promise<StatsResult> {
  const window = lastDays(args.days ?? 30);
  const result = await ctx.storage.validations.stats({ contractId, contractVersion: args.version ?? null, environment: textKey(args.environment), ...window });
  return { ...result, ...window };
}

builder.queryFields((t) => ({
  validationRecord: t.field({
    type: ValidationRecordRef,
    nullable: true,
    description: 'The validation record with this global ID; null when there is none. Any role that may read (viewer, editor, approver, admin; anonymous callers when anonymous read is on).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args) => localId(args.id, 'ValidationRecord', 'id'),
  }),
  validationRecords: t.field({
    type: ValidationRecordConnection,
    description: 'Validation records, newest first.',
    args: { filter: t.arg({ type: ValidationFilterInput, required: false }), ...pageArgs },
    resolve: (_root, args, ctx) => toResult(ctx.storage.validations.list(validationFilter(args.filter), 'desc', pageRequest(args)), args),
  }),
  validationStats: t.field({
    type: ValidationStatsRef,
    description: 'Pass and fail counts of the validation records of one contract, in total and per UTC day. Any role that may read (viewer, editor, approver, admin; anonymous callers when anonymous read is on).',
    args: { contractId: t.arg.id({ required: true }), ...statsArgs },
    resolve: (_root, args, ctx) => stats(ctx, localId(args.contractId, 'Contract', 'contractId'), args),
  }),
}));

builder.objectFields(ContractRef, (t) => ({
  validationRecords: t.field({
    type: ValidationRecordConnection,
    description: 'Validation records of this contract, newest first.',
    args: { filter: t.arg({ type: ValidationFilterInput, required: false }), ...pageArgs },
    resolve: (c, args, ctx) => toResult(ctx.storage.validations.list(validationFilter(args.filter, c.id), 'desc', pageRequest(args)), args),
  }),
  validationStats: t.field({ type: ValidationStatsRef, description: 'Pass and fail counts of the validation records of this contract, in total and per UTC day.', args: statsArgs, resolve: (c, args, ctx) => stats(ctx, c.id, args) }),
}));

builder.objectFields(RunRef, (t) => ({
  validationRecords: t.field({
    type: [ValidationRecordRef],
    description: 'The records this run pushed, oldest first.',
    resolve: (r, _args, ctx) => ctx.loaders.recordsByRun.load(r.id),
  }),
}));

const CheckInput = builder.inputType('CheckResultInput', {
  description: 'One check\'s outcome, as the pipeline reports it.',
  fields: (t) => ({
    checkId: t.string({ required: true, description: 'The check or ODCS quality-rule id.' }),
    propertyPath: t.string({ required: false, description: 'e.g. `orders.customer_email`' }),
    status: t.field({ type: CheckStatusEnum, required: true, description: 'How the check came out; FAILED and ERROR may open an issue.' }),
    observedValue: t.field({ type: 'JSON', required: false, description: 'What was measured, any JSON (at most 4 KiB; kept as given).' }),
    threshold: t.field({ type: 'JSON', required: false, description: 'The limit it was checked against, any JSON (at most 4 KiB; kept as given).' }),
    message: t.string({ required: false }),
  }),
});

const RecordValidationInput = builder.inputType('RecordValidationInput', {
  fields: (t) => ({
    contractId: t.id({ required: true }),
    contractVersion: t.string({ required: false, description: "Defaults to the run's version, else the contract's current version." }),
    runId: t.id({ required: false }),
    schemaName: t.string({ required: false }),
    passed: t.boolean({ required: true, description: 'The overall verdict of the check of this data.' }),
    rowCount: t.field({ type: 'SafeInt', required: true, description: 'Whole number of rows checked (0 to 2^53 − 1).' }),
    errorCount: t.field({ type: 'SafeInt', required: true, description: 'Whole number of rows that failed (0 to 2^53 − 1).' }),
    durationMs: t.int({ required: false, description: 'How long the check took, in whole milliseconds (0 or more).' }),
    environment: t.string({ required: false, description: 'Where the data was checked, free text (e.g. `prod`); none when omitted.' }),
    checks: t.field({ type: [CheckInput], required: false, description: `The individual checks, at most ${LIMITS.checks}.` }),
    sampleErrors: t.field({ type: ['JSON'], required: false, description: `At most ${LIMITS.sampleErrors}, each at most ${LIMITS.sampleErrorBytes} bytes as JSON.` }),
    idempotencyKey: t.string({ required: false, description: 'Pushing the same key again stores nothing and returns the first record.' }),
  }),
});

const RecordValidationPayload = builder.objectRef<{ record: ValidationRecord; created: boolean }>('RecordValidationPayload').implement({
  description: 'The result of `recordValidation`.',
  fields: (t) => ({
    record: t.field({ type: ValidationRecordRef, description: 'The stored record (the earlier one when its idempotency key was pushed before).', resolve: (p) => p.record }),
    created: t.exposeBoolean('created', { description: 'False when the idempotency key had been pushed before.' }),
  }),
});

const checksLimit = z.array(z.unknown()).max(LIMITS.checks, `must have at most ${LIMITS.checks} items`).nullish();

builder.mutationFields((t) => ({
  recordValidation: t.field({
    type: RecordValidationPayload,
    description: 'Pushes what a pipeline found. Failing checks open data-quality issues when the contract auto-opens them.',
    errors: { types: [ValidationError, NotFoundError], dataField: { name: 'result' } },
    args: { input: t.arg({ type: RecordValidationInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      checkInput([['input.checks', checksLimit, input.checks]]);
      return ctx.storage.validations.record(
        {
          ...input,
          contractId: localId(input.contractId, 'Contract', 'input.contractId'),
          runId: input.runId ? localId(input.runId, 'Run', 'input.runId') : null,
          environment: nfcOrAsIs(input.environment),
          checks: input.checks?.map((c) => ({ ...c, observedValue: (c.observedValue ?? null) as JsonValue, threshold: (c.threshold ?? null) as JsonValue })) ?? null,
          sampleErrors: (input.sampleErrors ?? null) as JsonValue[] | null,
        },
        ctx.caller.name,
      );
    },
  }),
}));

/** Pipeline runs: the Run node, its queries and mutations, and Contract.runs / Contract.latestRun. */
import { nfcOrAsIs, textKey } from '../domain/names.js';
import { checkInput, jsonObject } from './input.js';
import { type Context, versionKey } from '../context.js';
import { ConflictError, InvalidTransitionError, NotFoundError, ValidationError } from '../domain/errors.js';
import { IDEMPOTENCY_KEY_DESCRIPTION, idempotencyErrors } from './errors.js';
import * as writes from '../services/idempotent-writes.js';
import type { JsonObject } from '../domain/odcs.js';
import { checkRunFilterText, RUN_STATUSES, type Run, type RunStatus } from '../domain/runs.js';
import { builder } from './builder.js';
import { ContractRef, ContractVersionRef, OrderDirectionEnum } from './contracts.js';
import { localId } from './ids.js';
import { loadAll } from './loading.js';
import { connection, pageArgs, pageRequest, toResult } from './pagination.js';

export const RunStatusEnum = builder.enumType('RunStatus', {
  description: 'PENDING → RUNNING → SUCCEEDED | FAILED | CANCELLED, and PENDING → CANCELLED.',
  values: Object.fromEntries(RUN_STATUSES.map((s) => [s.toUpperCase(), { value: s }])) as Record<Uppercase<RunStatus>, { value: RunStatus }>,
});

export const RunRef = builder.loadableNodeRef('Run', {
  id: { resolve: (r: Run) => r.id },
  load: (ids: string[], ctx: Context) => loadAll(ctx.storage.runs.getByIds(ids)),
});

RunRef.implement({
  description: 'One execution of a pipeline that checks data against a contract version.',
  fields: (t) => ({
    pipelineId: t.exposeString('pipelineId', { description: 'The pipeline that runs, as it names itself (1 to 200 characters, e.g. `orders-nightly`).' }),
    environment: t.exposeString('environment', { nullable: true, description: 'Where it runs, as the pipeline said (e.g. `prod`); null when not given.' }),
    trigger: t.exposeString('trigger', { nullable: true, description: 'What started it: schedule, manual, a commit…' }),
    metadata: t.field({ type: 'JSON', nullable: true, description: 'A JSON object the pipeline attached (at most 64 KiB; updates merge into it); null when none.', resolve: (r) => r.metadata }),
    result: t.field({ type: 'JSON', nullable: true, description: 'A JSON object the pipeline reported as its result (at most 64 KiB); null until reported.', resolve: (r) => r.result }),
    status: t.field({ type: RunStatusEnum, description: 'Where the run is in its lifecycle; SUCCEEDED, FAILED and CANCELLED are final.', resolve: (r) => r.status }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    startedAt: t.field({ type: 'DateTime', nullable: true, description: 'When it became RUNNING (UTC); null while PENDING or when cancelled before starting.', resolve: (r) => r.startedAt }),
    endedAt: t.field({ type: 'DateTime', nullable: true, description: 'When it reached a final status (UTC); null until then.', resolve: (r) => r.endedAt }),
    durationMs: t.exposeInt('durationMs', { nullable: true, description: 'Milliseconds from start (or creation, if it never started) to end, measured by the registry; null until it ends.' }),
    createdBy: t.exposeString('createdBy', { nullable: true }),
    updatedAt: t.field({ type: 'DateTime', resolve: (r) => r.updatedAt }),
    contract: t.field({ type: ContractRef, nullable: true, description: 'The contract checked; null if it was deleted meanwhile.', resolve: (r) => r.contractId }),
    contractVersion: t.field({
      type: ContractVersionRef,
      nullable: true,
      description: 'The contract version the run checks.',
      resolve: (r, _args, ctx) => ctx.loaders.versionByVersion.load(versionKey(r.contractId, r.contractVersion)),
    }),
    version: t.exposeString('contractVersion', { description: 'The semantic version the run checks.' }),
  }),
});

const RunConnection = connection<Run>('Run', RunRef);

const RunFilterInput = builder.inputType('RunFilter', {
  description: 'Which runs to list: those matching every criterion given.',
  fields: (t) => ({
    contractId: t.id({ required: false }),
    contractVersion: t.string({ required: false, description: 'Only runs checking this semantic version (e.g. "1.2.0").' }),
    status: t.field({ type: [RunStatusEnum], required: false, description: 'Any of these statuses.' }),
    pipelineId: t.string({ required: false, description: 'Only runs of this pipeline (exact). Control or invisible formatting characters are refused (VALIDATION_FAILED naming `filter.pipelineId`): no run has them.' }),
    environment: t.string({ required: false, description: 'Only runs in this environment (exact, e.g. `prod`). Control or invisible formatting characters are refused (VALIDATION_FAILED naming `filter.environment`): no run has them.' }),
    from: t.field({ type: 'DateTime', required: false, description: 'Created at or after.' }),
    to: t.field({ type: 'DateTime', required: false, description: 'Created before.' }),
  }),
});

const RunOrderInput = builder.inputType('RunOrder', {
  description: 'The order of `runs`: by creation time (then id), newest first unless given.',
  fields: (t) => ({ direction: t.field({ type: OrderDirectionEnum, required: false, defaultValue: 'desc', description: 'By creation time.' }) }),
});

type RunFilterArg = { contractId?: string | null; contractVersion?: string | null; status?: RunStatus[] | null; pipelineId?: string | null; environment?: string | null; from?: Date | null; to?: Date | null };

function runFilter(f: RunFilterArg | null | undefined, contractId?: string) {
  checkRunFilterText([
    ['filter.pipelineId', f?.pipelineId],
    ['filter.environment', f?.environment],
  ]);
  return {
    contractId: contractId ?? (f?.contractId ? localId(f.contractId, 'Contract', 'filter.contractId') : null),
    contractVersion: f?.contractVersion ?? null,
    status: f?.status ?? null,
    pipelineId: textKey(f?.pipelineId),
    environment: textKey(f?.environment),
    from: f?.from ?? null,
    to: f?.to ?? null,
  };
}

builder.queryFields((t) => ({
  run: t.field({
    type: RunRef,
    nullable: true,
    description: 'The pipeline run with this global ID; null when there is none. Any role that may read (viewer, editor, approver, admin; anonymous callers when anonymous read is on).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args) => localId(args.id, 'Run', 'id'),
  }),
  runs: t.field({
    type: RunConnection,
    description: 'Runs, newest first unless ordered otherwise.',
    args: { filter: t.arg({ type: RunFilterInput, required: false }), orderBy: t.arg({ type: RunOrderInput, required: false }), ...pageArgs },
    resolve: (_root, args, ctx) => toResult(ctx.storage.runs.list(runFilter(args.filter), args.orderBy?.direction ?? 'desc', pageRequest(args)), args),
  }),
}));

builder.objectFields(ContractRef, (t) => ({
  runs: t.field({
    type: RunConnection,
    description: 'Runs against this contract, newest first.',
    args: { filter: t.arg({ type: RunFilterInput, required: false }), ...pageArgs },
    resolve: (c, args, ctx) => toResult(ctx.storage.runs.list(runFilter(args.filter, c.id), 'desc', pageRequest(args)), args),
  }),
  latestRun: t.field({
    type: RunRef,
    nullable: true,
    description: 'The newest run against this contract.',
    resolve: (c, _args, ctx) => ctx.loaders.latestRunByContract.load(c.id),
  }),
}));


const StartRunInput = builder.inputType('StartRunInput', {
  fields: (t) => ({
    contractId: t.id({ required: true }),
    contractVersion: t.string({ required: false, description: "Defaults to the contract's current version." }),
    pipelineId: t.string({ required: true, description: 'The pipeline\'s own name for itself, 1 to 200 characters (trimmed), without control or invisible formatting characters.' }),
    environment: t.string({ required: false, description: 'Where it runs (e.g. `prod`), at most 200 characters, without control or invisible formatting characters.' }),
    trigger: t.string({ required: false, description: 'What started it (e.g. `schedule`, `manual`, a commit), at most 200 characters, without control or invisible formatting characters.' }),
    metadata: t.field({ type: 'JSON', required: false, description: 'Any JSON object to keep with the run (at most 64 KiB as JSON).' }),
    status: t.field({ type: RunStatusEnum, required: false, description: 'RUNNING (default) or PENDING.' }),
    idempotencyKey: t.string({ required: false, description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const UpdateRunInput = builder.inputType('UpdateRunInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    status: t.field({ type: RunStatusEnum, required: false, description: 'The status to move to (see RunStatus); a final run no longer changes. Leave it out to keep the status.' }),
    result: t.field({ type: 'JSON', required: false, description: 'A JSON object to record as the result (at most 64 KiB), replacing any earlier one.' }),
    metadata: t.field({ type: 'JSON', required: false, description: 'Merged over the existing metadata (top-level keys); the merged object must stay within 64 KiB as JSON.' }),
  }),
});

builder.mutationFields((t) => ({
  startRun: t.field({
    type: RunRef,
    description: 'Records that a pipeline started (or queued) a check of a contract version.',
    errors: { types: [ValidationError, NotFoundError, ...idempotencyErrors], dataField: { name: 'run' } },
    args: { input: t.arg({ type: StartRunInput, required: true }) },
    resolve: (_root, { input: { idempotencyKey, ...input } }, ctx) => {
      checkInput([['input.metadata', jsonObject, input.metadata]]);
      if (input.status && input.status !== 'pending' && input.status !== 'running') {
        throw ValidationError.single('input.status', 'a run starts as PENDING or RUNNING', 'invalid_value');
      }
      return writes.startRun(
        ctx.storage,
        {
          ...input,
          contractId: localId(input.contractId, 'Contract', 'input.contractId'),
          pipelineId: textKey(input.pipelineId),
          environment: nfcOrAsIs(input.environment),
          metadata: (input.metadata as JsonObject | null | undefined) ?? null,
          status: input.status as 'pending' | 'running' | null | undefined,
        },
        ctx.caller.name,
        idempotencyKey,
      );
    },
  }),
  updateRun: t.field({
    type: RunRef,
    description: 'Moves a run through its lifecycle and records its result.',
    errors: { types: [ValidationError, NotFoundError, ConflictError, InvalidTransitionError], dataField: { name: 'run' } },
    args: { input: t.arg({ type: UpdateRunInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      checkInput([
        ['input.result', jsonObject, input.result],
        ['input.metadata', jsonObject, input.metadata],
      ]);
      return ctx.storage.runs.update(
        {
          id: localId(input.id, 'Run', 'input.id'),
          status: input.status ?? null,
          result: (input.result as JsonObject | null | undefined) ?? null,
          metadata: (input.metadata as JsonObject | null | undefined) ?? null,
        },
        ctx.caller.name,
      );
    },
  }),
}));

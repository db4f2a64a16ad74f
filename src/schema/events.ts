/** The change log as a query (issue 14.2): the RegistryEvent node and `events`, a connection in position order. */
import { textKey } from '../domain/names.js';
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Context } from '../context.js';
import { EVENT_TYPES, type EventFilter, type EventType, type RegistryEvent } from '../domain/events.js';
import { encodeEventCursor, eventPage } from '../services/events-feed.js';
import { builder } from './builder.js';
import { EventSubjectTypeEnum } from './closed-sets.js';
import { ContractRef } from './contracts.js';
import { localId } from './ids.js';
import { loadAll } from './loading.js';
import { connection, pageArgs, pageRequest, toResult } from './pagination.js';

const EVENT_TYPE_DESCRIPTIONS: Record<EventType, string> = {
  CONTRACT_CREATED: 'A contract was created (with its version 1, as a draft).',
  CONTRACT_VERSION_PUBLISHED: 'A new version of a contract was written (an update or a rollback); `summary` has its `requiredBump` and whether it is `breaking`.',
  CONTRACT_STATUS_CHANGED: 'A contract moved in its lifecycle (submitted for review, back to draft, activated, deprecated, retired); `summary` has `from` and `to`.',
  CONTRACT_SETTINGS_CHANGED: 'A contract’s registry settings changed (autoOpenIssues, compatibility, approvalRequired); `summary` has the new values.',
  CONTRACT_DELETED: 'A contract was deleted with its versions.',
  RUN_CHANGED: 'A pipeline run was started or changed (status, result, metadata); `summary` has its `status`.',
  VALIDATION_RECORDED: 'A validation record was pushed; `summary` has `passed`, `errorCount` and `failingChecks`.',
  ISSUE_OPENED: 'A data-quality issue was opened (by hand, or by a failing check).',
  ISSUE_CHANGED: 'A data-quality issue changed: edited, moved in its workflow, or seen again (`summary.action`).',
  COMMENT_ADDED: 'A comment was added; `audience` holds the principals it mentions.',
  COMMENT_CHANGED: 'A comment was edited or deleted (`summary.action`).',
  COMMENT_REACTION_CHANGED: 'A principal added or removed a reaction to a comment; `summary` has the `action` (added, removed), the reaction `kind` and its `count` after the change.',
  APPROVAL_REQUESTED: 'A contract version was submitted for review; `audience` holds its approvers.',
  APPROVAL_DECIDED: 'An approver approved or rejected a request (`summary.verdict`); `audience` holds the requester.',
  APPROVAL_WITHDRAWN: 'An open approval request was withdrawn; `audience` holds the approvers who had not decided.',
};

export const EventTypeEnum = builder.enumType('EventType', {
  description: 'What kind of change an event records.',
  values: Object.fromEntries(EVENT_TYPES.map((t) => [t, { value: t, description: EVENT_TYPE_DESCRIPTIONS[t] }])) as Record<EventType, { value: EventType; description: string }>,
});

export const RegistryEventRef = builder.loadableNodeRef('RegistryEvent', {
  id: { resolve: (e: RegistryEvent) => String(e.position) },
  load: (ids: string[], ctx: Context) => loadAll(ctx.storage.events.getByPositions(ids.map((id) => (/^[1-9][0-9]{0,15}$/.test(id) ? Number(id) : -1)))),
});

RegistryEventRef.implement({
  description: 'One committed change of the registry, from the durable change log. Events are kept for the retention period (GRIOT_EVENT_RETENTION_SECONDS).',
  fields: (t) => ({
    position: t.exposeInt('position', { description: 'Its place in the log: 1, 2, 3, … in the order events were appended, never reused and without gaps.' }),
    cursor: t.string({ description: 'The cursor of this event: pass it as `events(after:)` to get the events that follow it.', resolve: (e) => encodeEventCursor(e.position) }),
    key: t.exposeString('key', { description: 'Unique per change (e.g. `contract:<id>:version:3`): the same change never has two events.' }),
    type: t.field({ type: EventTypeEnum, description: 'What kind of change it is.', resolve: (e) => e.type }),
    subjectKind: t.field({ type: EventSubjectTypeEnum, description: 'The kind of thing that changed (the GraphQL type of `subjectId`).', resolve: (e) => e.subjectType }),
    subjectType: t.exposeString('subjectType', {
      description: 'The GraphQL type of the thing that changed (Contract, Run, ValidationRecord, Issue, Comment, ApprovalRequest).',
      deprecationReason: 'Use subjectKind, the same type as an EventSubjectType enum value.',
    }),
    subjectId: t.id({ description: 'The global ID of the thing that changed (resolve it with `node(id:)`; null there once it is deleted).', resolve: (e) => encodeGlobalID(e.subjectType, e.subjectId) }),
    contractId: t.id({ nullable: true, description: 'The global ID of the contract concerned.', resolve: (e) => (e.contractId ? encodeGlobalID('Contract', e.contractId) : null) }),
    contract: t.field({ type: ContractRef, nullable: true, description: 'The contract concerned; null once it is deleted.', resolve: (e) => e.contractId }),
    actor: t.exposeString('actor', { nullable: true, description: 'The principal who made the change; null when no principal did.' }),
    at: t.field({ type: 'DateTime', description: 'When the change was made.', resolve: (e) => e.at }),
    loggedAt: t.field({ type: 'DateTime', description: 'When the event was appended to the log (retention counts from it).', resolve: (e) => e.loggedAt }),
    revision: t.exposeInt('revision', { nullable: true, description: 'The subject’s revision after the change, where it has one.' }),
    version: t.exposeString('version', { nullable: true, description: 'The contract version (semantic) the change concerns, where there is one.' }),
    summary: t.field({ type: 'JSON', description: 'A small summary of the change; its fields depend on `type` (see EventType).', resolve: (e) => e.summary }),
    audience: t.stringList({ description: 'The principals the event is addressed to (approvers of a request, the requester of a decision, those a comment mentions).', resolve: (e) => e.audience }),
  }),
});

const RegistryEventConnection = connection<RegistryEvent>('RegistryEvent', RegistryEventRef, 'A page of the change log, in position order (oldest first).');

export const EventFilterInput = builder.inputType('EventFilter', {
  description: 'Which events to list; the conditions given must all hold.',
  fields: (t) => ({
    types: t.field({ type: [EventTypeEnum], required: false, description: 'Events of any of these types (all types when absent or empty).' }),
    contractId: t.id({ required: false, description: 'Events about this contract (its global ID) or anything of it.' }),
    actor: t.string({ required: false, description: 'Events of changes made by this principal.' }),
  }),
});

builder.queryFields((t) => ({
  events: t.field({
    type: RegistryEventConnection,
    description:
      'The change log: every committed change, oldest first. Keep the `endCursor` and ask again with `after:` it to get exactly the events since, none twice. A cursor whose next event has expired (retention) is the error CURSOR_EXPIRED. Any role that may read.',
    args: { filter: t.arg({ type: EventFilterInput, required: false, description: 'Which events (all without it).' }), ...pageArgs },
    resolve: (_root, args, ctx) => {
      const f = args.filter;
      const filter: EventFilter = {
        types: f?.types ?? null,
        contractId: f?.contractId ? localId(f.contractId, 'Contract', 'filter.contractId') : null,
        actor: textKey(f?.actor),
      };
      return toResult(eventPage(ctx.storage, filter, pageRequest(args)), args);
    },
  }),
}));

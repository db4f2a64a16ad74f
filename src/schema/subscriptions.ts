/**
 * Subscriptions (issue 14.3): live views of the change log, served over Server-Sent Events (src/live/transport.ts).
 * Each field replays the log after `after` (a cursor of the `events` connection or of an earlier delivered event),
 * then follows it live with no gap and no duplicate (src/live/hub.ts). The same scopes as queries: `read`,
 * checked when the subscription starts and again, with the credentials verified afresh, before each event.
 */
import { ForbiddenError, UnauthenticatedError } from '../auth/errors.js';
import type { Context } from '../context.js';
import { type EventFilter, type EventType, type RegistryEvent } from '../domain/events.js';
import { ValidationError } from '../domain/errors.js';
import { textKey } from '../domain/names.js';
import type { FollowItem } from '../live/hub.js';
import { denialFor } from '../live/visibility.js';
import { builder } from './builder.js';
import { decodeEventCursor } from '../services/events-feed.js';
import { EventFilterInput, RegistryEventRef } from './events.js';
import { decodeGlobalID } from '@pothos/plugin-relay';
import { localId } from './ids.js';

const CONTRACT_EVENTS: EventType[] = ['CONTRACT_CREATED', 'CONTRACT_VERSION_PUBLISHED', 'CONTRACT_STATUS_CHANGED', 'CONTRACT_SETTINGS_CHANGED', 'CONTRACT_DELETED'];
const ISSUE_EVENTS: EventType[] = ['ISSUE_OPENED', 'ISSUE_CHANGED'];
const APPROVAL_EVENTS: EventType[] = ['APPROVAL_REQUESTED', 'APPROVAL_DECIDED', 'APPROVAL_WITHDRAWN'];

const AFTER_DESCRIPTION =
  'Replay the events after this cursor first (an `events` edge cursor or the `cursor` of a delivered event), then go live. Without it, only events from now on.';

/** Opens the stream: checks the cursor (an expired one is CURSOR_EXPIRED now, not later) and the caps. */
async function open(
  ctx: Context,
  after: string | null | undefined,
  filter: EventFilter,
  keep: (event: RegistryEvent) => boolean = () => true,
): Promise<AsyncIterable<FollowItem>> {
  const live = ctx.live;
  if (!live) throw new Error('subscriptions need the HTTP server (src/server.ts)');
  const start = after == null ? null : decodeEventCursor(after, 'after');
  const head = await ctx.storage.events.latest();
  if (start !== null) await ctx.storage.events.list({ after: start, first: 1, filter });
  return live.hub.follow({
    after: start ?? head,
    head,
    filter,
    keep,
    signal: live.signal,
    principal: ctx.caller.name ?? '(anonymous)',
    allowed: async (event) => {
      const denial = denialFor(event, await live.recheck());
      if (!denial) return null;
      return denial.code === 'UNAUTHENTICATED' ? new UnauthenticatedError(denial.message) : new ForbiddenError(denial.message);
    },
  });
}

/** An event goes out as the field's value; an ending item (credentials no longer valid, cursor expired) as its error. */
function delivered(item: FollowItem): RegistryEvent {
  if ('end' in item) throw item.end;
  return item.event;
}

builder.subscriptionType({
  description: 'Live updates over Server-Sent Events (`/graphql/stream`, graphql-sse protocol; or `/graphql` with `accept: text/event-stream`). Any role that may read; the credentials are checked again before each event.',
  authScopes: { read: true },
});

builder.subscriptionFields((t) => ({
  registryEvents: t.field({
    type: RegistryEventRef,
    description: 'Every event of the change log that matches the filter, in position order.',
    args: {
      filter: t.arg({ type: EventFilterInput, required: false, description: 'Only events matching all given criteria.' }),
      after: t.arg.string({ required: false, description: AFTER_DESCRIPTION }),
    },
    subscribe: (_root, args, ctx) => {
      const f = args.filter;
      return open(ctx, args.after, {
        types: f?.types ?? null,
        contractId: f?.contractId ? localId(f.contractId, 'Contract', 'filter.contractId') : null,
        actor: textKey(f?.actor),
      });
    },
    resolve: delivered,
  }),
  contractChanged: t.field({
    type: RegistryEventRef,
    description: 'The events of one contract itself: created, version published, status or settings changed, deleted.',
    args: {
      id: t.arg.id({ required: true, description: 'The contract.' }),
      after: t.arg.string({ required: false, description: AFTER_DESCRIPTION }),
    },
    subscribe: (_root, args, ctx) => open(ctx, args.after, { types: CONTRACT_EVENTS, contractId: localId(args.id, 'Contract', 'id') }),
    resolve: delivered,
  }),
  validationRecorded: t.field({
    type: RegistryEventRef,
    description: 'Each validation result recorded (VALIDATION_RECORDED), for one contract or for all.',
    args: {
      contractId: t.arg.id({ required: false, description: 'Only this contract; all contracts without it.' }),
      after: t.arg.string({ required: false, description: AFTER_DESCRIPTION }),
    },
    subscribe: (_root, args, ctx) =>
      open(ctx, args.after, { types: ['VALIDATION_RECORDED'], contractId: args.contractId == null ? null : localId(args.contractId, 'Contract', 'contractId') }),
    resolve: delivered,
  }),
  issueChanged: t.field({
    type: RegistryEventRef,
    description: 'Each data-quality issue opened or changed (ISSUE_OPENED, ISSUE_CHANGED), for one contract or for all.',
    args: {
      contractId: t.arg.id({ required: false, description: 'Only this contract; all contracts without it.' }),
      after: t.arg.string({ required: false, description: AFTER_DESCRIPTION }),
    },
    subscribe: (_root, args, ctx) =>
      open(ctx, args.after, { types: ISSUE_EVENTS, contractId: args.contractId == null ? null : localId(args.contractId, 'Contract', 'contractId') }),
    resolve: delivered,
  }),
  myApprovalRequests: t.field({
    type: RegistryEventRef,
    description:
      'The approval events addressed to the caller: each request that names them as an approver (and its withdrawal), and each decision on a request they made. Needs a named principal.',
    args: { after: t.arg.string({ required: false, description: AFTER_DESCRIPTION }) },
    subscribe: (_root, args, ctx) => {
      if (ctx.caller.name === null) throw new UnauthenticatedError('Authentication required to subscribe to myApprovalRequests: it lists the requests addressed to you');
      return open(ctx, args.after, { types: APPROVAL_EVENTS, audience: ctx.caller.name });
    },
    resolve: delivered,
  }),
  commentAdded: t.field({
    type: RegistryEventRef,
    description: 'Each comment (or reply) added on one contract or one issue (COMMENT_ADDED).',
    args: {
      target: t.arg.id({ required: true, description: 'The Contract or Issue commented on.' }),
      after: t.arg.string({ required: false, description: AFTER_DESCRIPTION }),
    },
    subscribe: (_root, args, ctx) => openComments(ctx, args.target, args.after, ['COMMENT_ADDED']),
    resolve: delivered,
  }),
  commentChanged: t.field({
    type: RegistryEventRef,
    description: 'Each comment edited or deleted (COMMENT_CHANGED) and each reaction added or removed (COMMENT_REACTION_CHANGED) on one contract or one issue.',
    args: {
      target: t.arg.id({ required: true, description: 'The Contract or Issue commented on.' }),
      after: t.arg.string({ required: false, description: AFTER_DESCRIPTION }),
    },
    subscribe: (_root, args, ctx) => openComments(ctx, args.target, args.after, ['COMMENT_CHANGED', 'COMMENT_REACTION_CHANGED']),
    resolve: delivered,
  }),
}));

/** The comment events of `types` on one target (a Contract or Issue global id). */
async function openComments(ctx: Context, targetId: string, after: string | null | undefined, types: EventType[]) {
  const target = commentTarget(targetId);
  const contractId = target.type === 'contract' ? target.id : (await ctx.storage.issues.getByIds([target.id]))[0]?.contractId;
  if (!contractId) throw ValidationError.single('target', `no issue ${target.id}`, 'not_found');
  const keep = (event: RegistryEvent) => event.summary.targetType === target.type && event.summary.targetId === target.id;
  return open(ctx, after, { types, contractId }, keep);
}

function commentTarget(globalId: string): { type: 'contract' | 'issue'; id: string } {
  let typename = '';
  try {
    typename = decodeGlobalID(globalId).typename;
  } catch {
    // localId below names the argument.
  }
  return typename === 'Issue' ? { type: 'issue', id: localId(globalId, 'Issue', 'target') } : { type: 'contract', id: localId(globalId, 'Contract', 'target') };
}

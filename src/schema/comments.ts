/** Comments: threads on contracts and issues, with replies, mentions and reactions, and their mutations. */
import type { Context } from '../context.js';
import { type Comment, type CommentTarget, REACTION_KINDS, type ReactionGroup, type ReactionKind } from '../domain/comments.js';
import { ConflictError, NotAllowedError, NotFoundError, ValidationError } from '../domain/errors.js';
import { IDEMPOTENCY_KEY_DESCRIPTION, idempotencyErrors } from './errors.js';
import * as writes from '../services/idempotent-writes.js';
import { builder } from './builder.js';
import { ContractRef } from './contracts.js';
import { localId } from './ids.js';
import { checkInput, revisionNumber } from './input.js';
import { IssueRef } from './issues.js';
import { loadAll } from './loading.js';
import { connection, pageArgs, pageRequest, toResult } from './pagination.js';

const ReactionKindEnum = builder.enumType('ReactionKind', {
  description: 'The emoji reactions a comment can get (as on GitHub).',
  values: Object.fromEntries(REACTION_KINDS.map((k) => [k.toUpperCase(), { value: k }])) as Record<Uppercase<ReactionKind>, { value: ReactionKind }>,
});

const ReactionRef = builder.objectRef<ReactionGroup>('Reaction').implement({
  description: 'The reactions of one kind to a comment.',
  fields: (t) => ({
    kind: t.field({ type: ReactionKindEnum, description: 'Which reaction.', resolve: (r) => r.kind }),
    count: t.int({ description: 'How many principals reacted this way (at least 1; a kind nobody chose is not listed).', resolve: (r) => r.by.length }),
    users: t.stringList({ description: 'Who reacted, in the order they did.', resolve: (r) => r.by }),
    reactedByViewer: t.boolean({ description: 'The caller is among `users` (false for an anonymous caller).', resolve: (r, _args, ctx) => ctx.caller.name !== null && r.by.includes(ctx.caller.name) }),
  }),
});

export const CommentRef = builder.loadableNodeRef('Comment', {
  id: { resolve: (c: Comment) => c.id },
  load: (ids: string[], ctx: Context) => loadAll(ctx.storage.comments.getByIds(ids)),
});

CommentRef.implement({
  description: 'A comment on a contract (optionally anchored to a version, section and property) or on an issue.',
  fields: (t) => ({
    body: t.exposeString('body', { nullable: true, description: 'Null once deleted.' }),
    mentions: t.exposeStringList('mentions', { description: 'The `@name`s of the body, in order.' }),
    author: t.exposeString('author', { description: 'Who wrote it: the API key name or JWT subject (anonymous callers cannot comment).' }),
    createdAt: t.field({ type: 'DateTime', resolve: (c) => c.createdAt }),
    editedAt: t.field({ type: 'DateTime', nullable: true, description: 'When the body was last edited (UTC); null when never edited.', resolve: (c) => c.editedAt }),
    deleted: t.boolean({ description: 'Deleted: only a tombstone is left (no body), so the thread stays readable.', resolve: (c) => c.deletedAt !== null }),
    deletedAt: t.field({ type: 'DateTime', nullable: true, description: 'When it was deleted (UTC); null unless deleted.', resolve: (c) => c.deletedAt }),
    deletedBy: t.exposeString('deletedBy', { nullable: true, description: 'Who deleted it (its author or an admin); null unless deleted.' }),
    revision: t.exposeInt('revision', { description: 'Pass it as expectedRevision when editing the comment.' }),
    version: t.exposeString('contractVersion', { nullable: true, description: 'The contract version the thread is about.' }),
    section: t.exposeString('section', { nullable: true, description: 'The part of the contract the thread is about, free text as given (e.g. `schema`, `quality`, `sla`); null when not anchored.' }),
    propertyPath: t.exposeString('propertyPath', { nullable: true }),
    contract: t.field({ type: ContractRef, nullable: true, description: 'The contract commented on; null for a comment on an issue (or once the contract is deleted).', resolve: (c) => (c.targetType === 'contract' ? c.targetId : null) }),
    issue: t.field({ type: IssueRef, nullable: true, description: 'The issue commented on; null for a comment on a contract.', resolve: (c) => (c.targetType === 'issue' ? c.targetId : null) }),
    root: t.field({ type: CommentRef, nullable: true, description: "The thread's root comment; null for a root.", resolve: (c) => c.parentId }),
    inReplyTo: t.field({ type: CommentRef, nullable: true, description: 'The comment this one answers.', resolve: (c) => c.inReplyToId }),
    replies: t.field({
      type: [CommentRef],
      description: 'The replies of a root comment, oldest first (empty for a reply).',
      resolve: (c, _args, ctx) => (c.parentId === null ? ctx.loaders.repliesByRoot.load(c.id) : []),
    }),
    reactions: t.field({ type: [ReactionRef], description: 'One entry per reaction kind given, in ReactionKind order (kinds nobody chose are left out).', resolve: (c) => c.reactions }),
  }),
});

const CommentConnection = connection<Comment>('Comment', CommentRef, 'Threads: root comments, newest first; each with its replies.');

function listThreads(ctx: Context, target: CommentTarget, args: { first?: number | null; after?: string | null }) {
  return toResult(ctx.storage.comments.listThreads(target, pageRequest(args)), args);
}

builder.objectFields(ContractRef, (t) => ({
  comments: t.field({
    type: CommentConnection,
    description: 'The comment threads on this contract: root comments, newest first, each with its replies.',
    args: pageArgs,
    resolve: (c, args, ctx) => listThreads(ctx, { type: 'contract', id: c.id }, args),
  }),
}));

builder.objectFields(IssueRef, (t) => ({
  comments: t.field({
    type: CommentConnection,
    description: 'The comment threads on this issue: root comments, newest first, each with its replies.',
    args: pageArgs,
    resolve: (i, args, ctx) => listThreads(ctx, { type: 'issue', id: i.id }, args),
  }),
}));

const AddCommentInput = builder.inputType('AddCommentInput', {
  fields: (t) => ({
    contractId: t.id({ required: false, description: 'Exactly one of contractId and issueId.' }),
    issueId: t.id({ required: false, description: 'The issue to comment on (its global ID); exactly one of contractId and issueId.' }),
    version: t.string({ required: false, description: 'A version of the contract (contract comments only).' }),
    section: t.string({ required: false, description: 'The part of the contract the comment is about, free text (1 to 300 characters; contract comments only, not on replies).' }),
    propertyPath: t.string({ required: false, description: 'e.g. `orders.customer_email`.' }),
    parentId: t.id({ required: false, description: 'Reply to this comment (its thread, on the same target).' }),
    body: t.string({ required: true, description: '1 to 10000 characters; `@name` mentions are recorded.' }),
    idempotencyKey: t.string({ required: false, description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const EditCommentInput = builder.inputType('EditCommentInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    expectedRevision: t.int({ required: true }),
    body: t.string({ required: true, description: 'The new body, 1 to 10000 characters; its `@name` mentions replace the old ones.' }),
  }),
});

const DeleteCommentInput = builder.inputType('DeleteCommentInput', {
  fields: (t) => ({ id: t.id({ required: true }) }),
});

const ReactionInput = builder.inputType('ReactionInput', {
  fields: (t) => ({
    commentId: t.id({ required: true, description: 'The global ID of the comment.' }),
    kind: t.field({ type: ReactionKindEnum, required: true, description: 'Which reaction to add or remove.' }),
  }),
});

function target(input: { contractId?: string | null; issueId?: string | null }): CommentTarget {
  if ((input.contractId == null) === (input.issueId == null)) {
    throw ValidationError.single('input', 'give exactly one of contractId and issueId', input.contractId == null ? 'required' : 'invalid_value');
  }
  return input.contractId != null
    ? { type: 'contract', id: localId(input.contractId, 'Contract', 'input.contractId') }
    : { type: 'issue', id: localId(input.issueId!, 'Issue', 'input.issueId') };
}

builder.mutationFields((t) => ({
  addComment: t.field({
    type: CommentRef,
    description: 'Comments on a contract or an issue, or replies to a comment (parentId).',
    errors: { types: [ValidationError, NotFoundError, NotAllowedError, ...idempotencyErrors], dataField: { name: 'comment' } },
    args: { input: t.arg({ type: AddCommentInput, required: true }) },
    resolve: (_root, { input: { idempotencyKey, ...input } }, ctx) =>
      writes.addComment(
        ctx.storage,
        {
          target: target(input),
          contractVersion: input.version ?? null,
          section: input.section ?? null,
          propertyPath: input.propertyPath ?? null,
          parentId: input.parentId ? localId(input.parentId, 'Comment', 'input.parentId') : null,
          body: input.body,
        },
        ctx.caller.name,
        idempotencyKey,
      ),
  }),
  editComment: t.field({
    type: CommentRef,
    description: 'Changes the body of a comment (its author only).',
    errors: { types: [ValidationError, NotFoundError, ConflictError, NotAllowedError], dataField: { name: 'comment' } },
    args: { input: t.arg({ type: EditCommentInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      checkInput([['input.expectedRevision', revisionNumber, input.expectedRevision]]);
      return ctx.storage.comments.edit({ ...input, id: localId(input.id, 'Comment', 'input.id') }, ctx.caller.name);
    },
  }),
  deleteComment: t.field({
    type: CommentRef,
    description: 'Deletes a comment (its author or an admin), leaving a tombstone; deleting it again changes nothing.',
    errors: { types: [ValidationError, NotFoundError, NotAllowedError], dataField: { name: 'comment' } },
    args: { input: t.arg({ type: DeleteCommentInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.storage.comments.delete(localId(input.id, 'Comment', 'input.id'), { name: ctx.caller.name, admin: ctx.auth.scopes.admin }),
  }),
  addReaction: t.field({
    type: CommentRef,
    description: 'Reacts to a comment; one reaction of each kind per principal (adding it again keeps one).',
    errors: { types: [ValidationError, NotFoundError, NotAllowedError], dataField: { name: 'comment' } },
    args: { input: t.arg({ type: ReactionInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.storage.comments.addReaction(localId(input.commentId, 'Comment', 'input.commentId'), input.kind, ctx.caller.name),
  }),
  removeReaction: t.field({
    type: CommentRef,
    description: "Removes the caller's reaction of this kind (a no-op when there is none).",
    errors: { types: [ValidationError, NotFoundError, NotAllowedError], dataField: { name: 'comment' } },
    args: { input: t.arg({ type: ReactionInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.storage.comments.removeReaction(localId(input.commentId, 'Comment', 'input.commentId'), input.kind, ctx.caller.name),
  }),
}));

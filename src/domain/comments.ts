/**
 * Comments on contracts (optionally anchored to a version, a section and a property path) and on data-quality
 * issues: threads of a root comment and its replies, author-only edits, tombstones, mentions and reactions. Pure.
 */
import { NotAllowedError, type ResourceType, ValidationError, type ValidationIssue } from './errors.js';

export const REACTION_KINDS = ['thumbs_up', 'thumbs_down', 'heart', 'eyes', 'rocket', 'laugh', 'confused'] as const;
export type ReactionKind = (typeof REACTION_KINDS)[number];

export const COMMENT_TARGET_TYPES = ['contract', 'issue'] as const;
export type CommentTargetType = (typeof COMMENT_TARGET_TYPES)[number];

export interface CommentTarget {
  type: CommentTargetType;
  id: string;
}

/** The principals who reacted with one kind, in the order they reacted. */
export interface ReactionGroup {
  kind: ReactionKind;
  by: string[];
}

/** One principal's reaction of one kind (at most one per comment, kind and principal). */
export interface Reaction {
  commentId: string;
  kind: ReactionKind;
  by: string;
  at: Date;
}

export interface Comment {
  id: string;
  targetType: CommentTargetType;
  targetId: string;
  /** Anchors (contract comments only; a reply has its thread's). */
  contractVersion: string | null;
  section: string | null;
  propertyPath: string | null;
  /** The thread's root comment; null for a root. A reply to a reply has the same root. */
  parentId: string | null;
  /** The comment this one answers directly (the root, or a reply in the thread); null for a root. */
  inReplyToId: string | null;
  /** Null once deleted (a tombstone). */
  body: string | null;
  /** The `@name`s of the body, deduplicated, in order of first appearance. */
  mentions: string[];
  author: string;
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
  deletedBy: string | null;
  updatedAt: Date;
  revision: number;
  /** Per kind (in REACTION_KINDS order), only kinds with at least one reaction. */
  reactions: ReactionGroup[];
}

export interface AddCommentInput {
  /** The id to create it under (an idempotent retry reuses the id chosen for its key); a new UUID when absent. */
  id?: string | null;
  target: CommentTarget;
  contractVersion?: string | null;
  section?: string | null;
  propertyPath?: string | null;
  /** Any comment of the thread: the reply attaches to its root. */
  parentId?: string | null;
  body: string;
}

export interface EditCommentInput {
  id: string;
  expectedRevision: number;
  body: string;
}

/** Who deletes: the author, or an admin. */
export interface CommentActor {
  name: string | null;
  admin: boolean;
}

export const MAX_COMMENT_BODY = 10_000;
const MAX_ANCHOR = 300;

const MENTION = /(?<![A-Za-z0-9._-])@([A-Za-z0-9._-]+)/g;

/** `@name`s in `body` (names of [A-Za-z0-9._-]+, trailing dots dropped), deduplicated, in order. */
export function parseMentions(body: string): string[] {
  const names: string[] = [];
  for (const match of body.matchAll(MENTION)) {
    const name = match[1]!.replace(/\.+$/, '');
    if (name && !names.includes(name)) names.push(name);
  }
  return names;
}

function checkBody(body: string, problems: ValidationIssue[]): void {
  if (!body.trim()) problems.push({ path: 'input.body', message: 'is required', code: 'required' });
  else if (body.length > MAX_COMMENT_BODY) problems.push({ path: 'input.body', message: `must be at most ${MAX_COMMENT_BODY} characters`, code: 'too_big' });
}

/** Input checks that need no reads (run before any I/O so that bad input writes nothing). */
export function checkAddComment(input: AddCommentInput): void {
  const problems: ValidationIssue[] = [];
  checkBody(input.body, problems);
  const anchors = [
    ['input.version', input.contractVersion],
    ['input.section', input.section],
    ['input.propertyPath', input.propertyPath],
  ] as const;
  for (const [path, value] of anchors) {
    if (value == null) continue;
    if (input.target.type !== 'contract') problems.push({ path, message: 'only comments on a contract are anchored', code: 'invalid_value' });
    else if (input.parentId != null) problems.push({ path, message: "a reply takes its thread's anchor", code: 'invalid_value' });
    else if (!value.trim() || value.length > MAX_ANCHOR) problems.push({ path, message: `must be 1 to ${MAX_ANCHOR} characters`, code: 'invalid_value' });
  }
  if (problems.length) throw new ValidationError(problems);
}

/**
 * The new comment. `parent` is the comment named by parentId (already loaded; NotFound is the caller's): it must be
 * on the same target; the reply joins its thread's root and takes the root's anchors.
 */
export function planCommentAdd(input: AddCommentInput, parent: Comment | null, id: string, now: Date, actor: string | null): Comment {
  checkAddComment(input);
  const author = requireActor(actor, 'Comment', id, 'comment');
  if (parent && (parent.targetType !== input.target.type || parent.targetId !== input.target.id)) {
    throw ValidationError.single('input.parentId', `comment ${parent.id} is on another ${parent.targetType}`, 'invalid_value');
  }
  return {
    id,
    targetType: input.target.type,
    targetId: input.target.id,
    contractVersion: parent ? parent.contractVersion : (input.contractVersion?.trim() ?? null),
    section: parent ? parent.section : (input.section?.trim() ?? null),
    propertyPath: parent ? parent.propertyPath : (input.propertyPath?.trim() ?? null),
    parentId: parent ? (parent.parentId ?? parent.id) : null,
    inReplyToId: parent ? parent.id : null,
    body: input.body,
    mentions: parseMentions(input.body),
    author,
    createdAt: now,
    editedAt: null,
    deletedAt: null,
    deletedBy: null,
    updatedAt: now,
    revision: 1,
    reactions: [],
  };
}

/** Only the author edits; a deleted comment cannot be edited (NotFound is the caller's: pass it as is). */
export function planCommentEdit(current: Comment, input: EditCommentInput, now: Date, actor: string | null): Comment {
  const problems: ValidationIssue[] = [];
  checkBody(input.body, problems);
  if (problems.length) throw new ValidationError(problems);
  if (actor === null || actor !== current.author) {
    throw new NotAllowedError('Comment', current.id, 'edit', 'only its author may edit a comment');
  }
  return { ...current, body: input.body, mentions: parseMentions(input.body), editedAt: now, updatedAt: now, revision: current.revision + 1 };
}

/**
 * A tombstone: body and mentions cleared, who and when recorded; replies and reactions stay. Deleting a deleted
 * comment returns it unchanged (idempotent; still only for its author or an admin).
 */
export function planCommentDelete(current: Comment, now: Date, actor: CommentActor): Comment {
  if (!actor.admin && (actor.name === null || actor.name !== current.author)) {
    throw new NotAllowedError('Comment', current.id, 'delete', 'only its author or an admin may delete a comment');
  }
  if (current.deletedAt) return current;
  return { ...current, body: null, mentions: [], deletedAt: now, deletedBy: actor.name, updatedAt: now, revision: current.revision + 1 };
}

export function requireActor(actor: string | null, resource: ResourceType, id: string, action: string): string {
  if (actor === null) throw new NotAllowedError(resource, id, action, 'an anonymous caller may not');
  return actor;
}

/** Groups reactions (any order) per kind in REACTION_KINDS order, principals by reaction time then name. */
export function groupReactions(reactions: readonly Reaction[]): ReactionGroup[] {
  const sorted = [...reactions].sort((a, b) => a.at.getTime() - b.at.getTime() || (a.by < b.by ? -1 : a.by > b.by ? 1 : 0));
  return REACTION_KINDS.map((kind) => ({ kind, by: sorted.filter((r) => r.kind === kind).map((r) => r.by) })).filter((g) => g.by.length > 0);
}

/** The key of one principal's reaction of one kind to one comment (unique: one of each kind per principal). */
export function reactionKey(commentId: string, kind: ReactionKind, by: string): string {
  return `${commentId}\u0000${kind}\u0000${by}`;
}

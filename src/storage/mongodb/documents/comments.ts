/** How comments and reactions are stored (collections `comments`, `comment_reactions`) and the mapping. */
import type { Comment, CommentTargetType, Reaction, ReactionKind } from '../../../domain/comments.js';
import { dateOrNull, strings, toDate } from './values.js';

export interface StoredComment {
  _id: string;
  targetType: CommentTargetType;
  targetId: string;
  contractVersion: string | null;
  section: string | null;
  propertyPath: string | null;
  parentId: string | null;
  inReplyToId: string | null;
  body: string | null;
  mentions: string[];
  author: string;
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
  deletedBy: string | null;
  updatedAt: Date;
  revision: number;
  // derived, for queries
  /** `${targetType}:${targetId}`: the threads of a target. */
  targetKey: string;
}

/** One principal's reaction of one kind: `_id` is domain reactionKey, so a repeat insert is a duplicate key on every server. */
export interface StoredReaction {
  _id: string;
  commentId: string;
  kind: ReactionKind;
  by: string;
  at: Date;
}

export function commentTargetKey(type: CommentTargetType, id: string): string {
  return `${type}:${id}`;
}

export function toStoredComment(comment: Comment): StoredComment {
  return {
    _id: comment.id,
    targetType: comment.targetType,
    targetId: comment.targetId,
    contractVersion: comment.contractVersion,
    section: comment.section,
    propertyPath: comment.propertyPath,
    parentId: comment.parentId,
    inReplyToId: comment.inReplyToId,
    body: comment.body,
    mentions: comment.mentions,
    author: comment.author,
    createdAt: comment.createdAt,
    editedAt: comment.editedAt,
    deletedAt: comment.deletedAt,
    deletedBy: comment.deletedBy,
    updatedAt: comment.updatedAt,
    revision: comment.revision,
    targetKey: commentTargetKey(comment.targetType, comment.targetId),
  };
}

/** The comment without its reactions (the repository adds them). */
export function fromStoredComment(doc: StoredComment): Comment {
  return {
    id: doc._id,
    targetType: doc.targetType,
    targetId: doc.targetId,
    contractVersion: doc.contractVersion ?? null,
    section: doc.section ?? null,
    propertyPath: doc.propertyPath ?? null,
    parentId: doc.parentId ?? null,
    inReplyToId: doc.inReplyToId ?? null,
    body: doc.body ?? null,
    mentions: strings(doc.mentions),
    author: doc.author,
    createdAt: toDate(doc.createdAt),
    editedAt: dateOrNull(doc.editedAt),
    deletedAt: dateOrNull(doc.deletedAt),
    deletedBy: doc.deletedBy ?? null,
    updatedAt: toDate(doc.updatedAt),
    revision: doc.revision,
    reactions: [],
  };
}

export function fromStoredReaction(doc: StoredReaction): Reaction {
  return { commentId: doc.commentId, kind: doc.kind, by: doc.by, at: toDate(doc.at) };
}

/** The CommentRepository: comment threads and reactions. */
import type { AddCommentInput, Comment, CommentActor, CommentTarget, EditCommentInput, ReactionKind } from '../../domain/comments.js';
import type { PageRequest, Page } from './paging.js';

/**
 * Comments (domain/comments). Writes record the acting principal; reactions live beside the comment (one per
 * comment, kind and principal), so concurrent reactions never conflict with each other or with edits.
 */
export interface CommentRepository {
  /** NotFoundError for an unknown contract, issue, version (ContractVersion) or parent (Comment); ValidationError for bad input. */
  add(input: AddCommentInput, actor: string | null): Promise<Comment>;
  /** Author only (NotAllowedError); ConflictError on a stale expectedRevision; NotFoundError for an unknown or deleted comment. */
  edit(input: EditCommentInput, actor: string | null): Promise<Comment>;
  /** Author or admin; leaves a tombstone. Deleting a deleted comment returns it unchanged. */
  delete(id: string, actor: CommentActor): Promise<Comment>;
  /** Adding a reaction the principal already made keeps one. NotFoundError for an unknown or deleted comment. */
  addReaction(id: string, kind: ReactionKind, actor: string | null): Promise<Comment>;
  /** Removing a reaction the principal has not made is a no-op. */
  removeReaction(id: string, kind: ReactionKind, actor: string | null): Promise<Comment>;
  getByIds(ids: readonly string[]): Promise<(Comment | null)[]>;
  /** The root comments of a target, newest first (createdAt desc, then id desc). */
  listThreads(target: CommentTarget, page: PageRequest): Promise<Page<Comment>>;
  /** The replies of each root, oldest first (createdAt asc, then id), in the order of `rootIds`. */
  listReplies(rootIds: readonly string[]): Promise<Comment[][]>;
}

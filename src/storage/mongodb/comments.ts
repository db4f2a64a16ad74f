/**
 * Comments on MongoDB. Every rule is in domain/comments; this only does the I/O.
 *
 *  - Edits and deletes are a compare-and-set on the comment's revision (claims.ts): FerretDB's conditional writes
 *    are not atomic. A stale expectedRevision of an edit is a ConflictError; a delete re-reads and retries.
 *  - Reactions are documents of their own in `comment_reactions`, `_id` = domain reactionKey(comment, kind,
 *    principal): adding is an insert (a duplicate key means the principal already reacted: kept once), removing a
 *    delete by `_id`. Both are single-document operations checked by the unique `_id` index on every server, so
 *    concurrent reactions by different principals are all kept and never conflict with edits.
 */
import { randomUUID } from 'node:crypto';
import {
  type AddCommentInput,
  checkAddComment,
  type Comment,
  type CommentActor,
  type CommentTarget,
  type EditCommentInput,
  groupReactions,
  planCommentAdd,
  planCommentDelete,
  planCommentEdit,
  type ReactionKind,
  reactionKey,
  requireActor,
} from '../../domain/comments.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { CommentRepository, Page, PageRequest } from '../types.js';
import { backoff } from './claims.js';
import { casReplace } from './revision-writes.js';
import { commentTargetKey, fromStoredComment, fromStoredReaction, type MongoCollections, type StoredComment, toStoredComment } from './documents/index.js';
import { isDuplicateKeyError } from './errors.js';
import type { KeyCollection } from './keys.js';
import { checkVersion, findContract } from './lookups.js';
import { nulFree } from './nul-free.js';
import { type BatchReads, readByIds } from './point-reads.js';
import { keysetPage } from './paging.js';
import { groupBy, unique, withoutId } from './util.js';

/** How often a delete is retried when the comment changes between its read and its write. */
const DELETE_ATTEMPTS = 20;

export class MongoCommentRepository implements CommentRepository {
  constructor(
    private readonly collections: MongoCollections,
    private readonly keys: KeyCollection,
    private readonly batchReads: BatchReads = 'points',
  ) {}

  // -------------------------------------------------------------------------------------------------------------
  // Writes

  async add(input: AddCommentInput, actor: string | null): Promise<Comment> {
    checkAddComment(input);
    const [, parentDoc] = await Promise.all([
      this.checkTarget(input),
      input.parentId == null ? null : this.collections.comments.findOne({ _id: input.parentId }),
    ]);
    if (input.parentId != null && !parentDoc) throw new NotFoundError('Comment', input.parentId);
    const comment = planCommentAdd(input, parentDoc ? fromStoredComment(parentDoc) : null, input.id ?? randomUUID(), new Date(), actor);
    await this.collections.comments.insertOne(toStoredComment(comment));
    return comment;
  }

  async edit(input: EditCommentInput, actor: string | null): Promise<Comment> {
    const current = await this.live(input.id);
    if (current.revision !== input.expectedRevision) throw new ConflictError('Comment', input.id, input.expectedRevision, current.revision);
    const next = planCommentEdit(current, input, new Date(), actor);
    if (!(await this.cas(current, next))) {
      const doc = await this.collections.comments.findOne({ _id: current.id }, { projection: { revision: 1 } });
      if (!doc) throw new NotFoundError('Comment', current.id);
      throw new ConflictError('Comment', current.id, current.revision, doc.revision === current.revision ? null : doc.revision);
    }
    return this.withReactions(next);
  }

  async delete(id: string, actor: CommentActor): Promise<Comment> {
    for (let attempt = 0; attempt < DELETE_ATTEMPTS; attempt++) {
      const doc = await this.collections.comments.findOne({ _id: id });
      if (!doc) throw new NotFoundError('Comment', id);
      const current = fromStoredComment(doc);
      const next = planCommentDelete(current, new Date(), actor);
      if (next === current || (await this.cas(current, next))) return this.withReactions(next);
      await backoff(attempt); // a concurrent edit won: read it again
    }
    throw new ConflictError('Comment', id, 0, null);
  }

  async addReaction(id: string, kind: ReactionKind, actor: string | null): Promise<Comment> {
    const comment = await this.live(id);
    const by = requireActor(actor, 'Comment', id, 'react to');
    try {
      await this.collections.commentReactions.insertOne({ _id: nulFree(reactionKey(id, kind, by)), commentId: id, kind, by, at: new Date() });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error; // already reacted: keep the one
    }
    return this.withReactions(comment);
  }

  async removeReaction(id: string, kind: ReactionKind, actor: string | null): Promise<Comment> {
    const comment = await this.live(id);
    const by = requireActor(actor, 'Comment', id, 'react to');
    await this.collections.commentReactions.deleteOne({ _id: nulFree(reactionKey(id, kind, by)) });
    return this.withReactions(comment);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Reads

  async getByIds(ids: readonly string[]): Promise<(Comment | null)[]> {
    if (ids.length === 0) return [];
    const docs = [...(await readByIds(this.collections.comments, ids, this.batchReads)).values()];
    const comments = await this.attachReactions(docs.map(fromStoredComment));
    const byId = new Map(comments.map((c) => [c.id, c]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async listThreads(target: CommentTarget, page: PageRequest): Promise<Page<Comment>> {
    const result = await keysetPage<StoredComment, Comment>({
      collection: this.collections.comments,
      filter: { targetKey: commentTargetKey(target.type, target.id), parentId: null },
      key: 'createdAt',
      direction: 'desc',
      page,
      valueOf: (doc) => doc.createdAt,
      map: fromStoredComment,
    });
    return { ...result, items: await this.attachReactions(result.items) };
  }

  async listReplies(rootIds: readonly string[]): Promise<Comment[][]> {
    if (rootIds.length === 0) return [];
    const docs = await this.collections.comments.find({ parentId: { $in: unique(rootIds) } }).sort({ createdAt: 1, _id: 1 }).toArray();
    const comments = await this.attachReactions(docs.map(fromStoredComment));
    return groupBy(rootIds, comments, (c) => c.parentId, (c) => c);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Internals

  private async checkTarget(input: AddCommentInput): Promise<void> {
    const { type, id } = input.target;
    if (type === 'issue') {
      const issue = await this.collections.issues.findOne({ _id: id }, { projection: { _id: 1 } });
      if (!issue) throw new NotFoundError('Issue', id);
      return;
    }
    const contract = await findContract(this.collections, id);
    if (input.contractVersion != null && input.parentId == null) await checkVersion(this.collections, this.keys, contract, input.contractVersion.trim());
  }

  /** A comment that exists and is not deleted. */
  private async live(id: string): Promise<Comment> {
    const doc = await this.collections.comments.findOne({ _id: id });
    if (!doc || doc.deletedAt) throw new NotFoundError('Comment', id);
    return fromStoredComment(doc);
  }

  private cas(current: Comment, next: Comment): Promise<boolean> {
    return casReplace(this.collections.claims, this.collections.comments, current.id, current.revision, withoutId(toStoredComment(next)));
  }

  private async withReactions(comment: Comment): Promise<Comment> {
    return (await this.attachReactions([comment]))[0]!;
  }

  /** One query for the reactions of all `comments`. */
  private async attachReactions(comments: Comment[]): Promise<Comment[]> {
    if (comments.length === 0) return comments;
    const docs = await this.collections.commentReactions.find({ commentId: { $in: comments.map((c) => c.id) } }).toArray();
    const reactions = docs.map(fromStoredReaction);
    return comments.map((c) => ({ ...c, reactions: groupReactions(reactions.filter((r) => r.commentId === c.id)) }));
  }
}

/** Comments in memory. Every rule is in domain/comments; this only stores. Reactions are kept beside the comments. */
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
import { keysetPage } from './paging.js';
import { copy, type MemoryState } from './state.js';

export class MemoryCommentRepository implements CommentRepository {
  constructor(private readonly state: MemoryState) {}

  async add(input: AddCommentInput, actor: string | null): Promise<Comment> {
    checkAddComment(input);
    this.checkTarget(input);
    let parent: Comment | null = null;
    if (input.parentId != null) {
      parent = this.state.comments.get(input.parentId) ?? null;
      if (!parent) throw new NotFoundError('Comment', input.parentId);
    }
    const comment = planCommentAdd(input, parent, input.id ?? randomUUID(), new Date(), actor);
    this.state.comments.set(comment.id, copy(comment));
    return this.withReactions(comment);
  }

  async edit(input: EditCommentInput, actor: string | null): Promise<Comment> {
    const current = this.live(input.id);
    if (current.revision !== input.expectedRevision) throw new ConflictError('Comment', input.id, input.expectedRevision, current.revision);
    const next = planCommentEdit(current, input, new Date(), actor);
    this.state.comments.set(next.id, copy(next));
    return this.withReactions(next);
  }

  async delete(id: string, actor: CommentActor): Promise<Comment> {
    const current = this.state.comments.get(id);
    if (!current) throw new NotFoundError('Comment', id);
    const next = planCommentDelete(copy(current), new Date(), actor);
    if (next !== current) this.state.comments.set(next.id, copy(next));
    return this.withReactions(next);
  }

  async addReaction(id: string, kind: ReactionKind, actor: string | null): Promise<Comment> {
    const comment = this.live(id);
    const by = requireActor(actor, 'Comment', id, 'react to');
    const key = reactionKey(id, kind, by);
    if (!this.state.reactions.has(key)) this.state.reactions.set(key, { commentId: id, kind, by, at: new Date() });
    return this.withReactions(comment);
  }

  async removeReaction(id: string, kind: ReactionKind, actor: string | null): Promise<Comment> {
    const comment = this.live(id);
    const by = requireActor(actor, 'Comment', id, 'react to');
    this.state.reactions.delete(reactionKey(id, kind, by));
    return this.withReactions(comment);
  }

  async getByIds(ids: readonly string[]): Promise<(Comment | null)[]> {
    return ids.map((id) => {
      const comment = this.state.comments.get(id);
      return comment ? this.withReactions(comment) : null;
    });
  }

  async listThreads(target: CommentTarget, page: PageRequest): Promise<Page<Comment>> {
    const roots = [...this.state.comments.values()].filter((c) => c.parentId === null && c.targetType === target.type && c.targetId === target.id);
    const result = keysetPage(roots, (c) => c.createdAt, 'desc', page, 'createdAt');
    return { ...result, items: result.items.map((c) => this.withReactions(c)) };
  }

  async listReplies(rootIds: readonly string[]): Promise<Comment[][]> {
    const sorted = [...this.state.comments.values()]
      .filter((c) => c.parentId !== null)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return rootIds.map((root) => sorted.filter((c) => c.parentId === root).map((c) => this.withReactions(c)));
  }

  private checkTarget(input: AddCommentInput): void {
    const { type, id } = input.target;
    if (type === 'issue') {
      if (!this.state.issues.has(id)) throw new NotFoundError('Issue', id);
      return;
    }
    const contract = this.state.contracts.get(id);
    if (!contract) throw new NotFoundError('Contract', id);
    if (input.contractVersion != null && input.parentId == null && !this.state.hasVersion(id, input.contractVersion.trim())) {
      throw new NotFoundError('ContractVersion', `${contract.name}@${input.contractVersion.trim()}`);
    }
  }

  /** A comment that exists and is not deleted. */
  private live(id: string): Comment {
    const current = this.state.comments.get(id);
    if (!current || current.deletedAt) throw new NotFoundError('Comment', id);
    return copy(current);
  }

  private withReactions(comment: Comment): Comment {
    const reactions = [...this.state.reactions.values()].filter((r) => r.commentId === comment.id);
    return { ...copy(comment), reactions: groupReactions(reactions) };
  }
}

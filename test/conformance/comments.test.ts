/**
 * Conformance: the CommentRepository of every backend — threads (newest first, keyset paging), replies (oldest
 * first, reply-to-reply joins the root), anchors, author-only edits with optimistic concurrency, deletes by the
 * author or an admin leaving tombstones, mentions, reactions (idempotent, concurrent), and bad input writing nothing.
 */
import { describe, expect, it } from 'vitest';
import type { AddCommentInput, Comment } from '../../src/domain/comments.js';
import { parseMentions } from '../../src/domain/comments.js';
import type { Contract } from '../../src/domain/contracts.js';
import { ConflictError, NotAllowedError, NotFoundError, ValidationError } from '../../src/domain/errors.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { all, at, collectPages, ids, rejection, useBackend } from './helpers.js';

const T = (day: number) => new Date(Date.UTC(2030, 4, day, 10));

async function contract(storage: StorageBackend, name = 'orders'): Promise<Contract> {
  return storage.contracts.create({ document: contractDocument({ name }) }, 'alice');
}

function on(c: Contract, body: string, extra: Partial<AddCommentInput> = {}): AddCommentInput {
  return { target: { type: 'contract', id: c.id }, body, ...extra };
}

async function count(storage: StorageBackend, c: Contract): Promise<number> {
  const roots = await all((p) => storage.comments.listThreads({ type: 'contract', id: c.id }, p));
  const replies = (await storage.comments.listReplies(roots.map((r) => r.id))).flat();
  return roots.length + replies.length;
}

describe('mentions', () => {
  it('parses @names, deduplicated, in order, not inside e-mail addresses', () => {
    expect(parseMentions('@bob and @ana.b, again @bob. mail x@y.com @t-e_st! @')).toEqual(['bob', 'ana.b', 't-e_st']);
  });
});

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);
  const repo = () => storage().comments;
  const get = async (id: string): Promise<Comment | null> => (await repo().getByIds([id]))[0] ?? null;

  describe('add', () => {
    it('stores a root comment anchored to a version, section and property, with mentions', async () => {
      const c = await contract(storage());
      const added = await at(T(1), () =>
        repo().add(on(c, 'Is @bob sure about @ana? cc @bob', { contractVersion: '1.0.0', section: 'schema', propertyPath: 'orders.customer_email' }), 'carol'),
      );
      expect(added).toMatchObject({
        targetType: 'contract', targetId: c.id, contractVersion: '1.0.0', section: 'schema', propertyPath: 'orders.customer_email',
        parentId: null, inReplyToId: null, body: 'Is @bob sure about @ana? cc @bob', mentions: ['bob', 'ana'], author: 'carol',
        createdAt: T(1), editedAt: null, deletedAt: null, deletedBy: null, revision: 1, reactions: [],
      });
      expect(await get(added.id)).toEqual(added);
    });

    it('comments on an issue', async () => {
      const c = await contract(storage());
      const issue = await storage().issues.create({ contractId: c.id, title: 'nulls', severity: 'high', category: 'other' }, 'alice');
      const added = await repo().add({ target: { type: 'issue', id: issue.id }, body: 'looking' }, 'bob');
      expect(ids(await all((p) => repo().listThreads({ type: 'issue', id: issue.id }, p)))).toEqual([added.id]);
      expect(await all((p) => repo().listThreads({ type: 'contract', id: c.id }, p))).toEqual([]);
    });

    it('unknown contract, issue, version or parent: NotFoundError, nothing written', async () => {
      const c = await contract(storage());
      await rejection(repo().add({ target: { type: 'contract', id: 'nope' }, body: 'x' }, 'bob'), NotFoundError);
      await rejection(repo().add({ target: { type: 'issue', id: 'nope' }, body: 'x' }, 'bob'), NotFoundError);
      const v = await rejection(repo().add(on(c, 'x', { contractVersion: '9.9.9' }), 'bob'), NotFoundError);
      expect(v.resource).toBe('ContractVersion');
      const p = await rejection(repo().add(on(c, 'x', { parentId: 'nope' }), 'bob'), NotFoundError);
      expect(p.resource).toBe('Comment');
      expect(await count(storage(), c)).toBe(0);
    });

    it('bad input: ValidationError at its path, nothing written', async () => {
      const c = await contract(storage());
      for (const body of ['', '   ', 'x'.repeat(10_001)]) {
        const e = await rejection(repo().add(on(c, body), 'bob'), ValidationError);
        expect(e.issues[0]?.path).toBe('input.body');
      }
      expect((await repo().add(on(c, 'x'.repeat(10_000)), 'bob')).body).toHaveLength(10_000);
      const issue = await storage().issues.create({ contractId: c.id, title: 'nulls', severity: 'high', category: 'other' }, 'alice');
      const anchored = await rejection(repo().add({ target: { type: 'issue', id: issue.id }, body: 'x', section: 's' }, 'bob'), ValidationError);
      expect(anchored.issues[0]?.path).toBe('input.section');
      expect(await count(storage(), c)).toBe(1);
    });
  });

  describe('threads', () => {
    it('roots newest first with keyset paging and totalCount; replies oldest first; reply-to-reply joins the root', async () => {
      const c = await contract(storage());
      const roots: Comment[] = [];
      for (let day = 1; day <= 5; day++) roots.push(await at(T(day), () => repo().add(on(c, `root ${day}`), 'ana')));
      const r1 = await at(T(6), () => repo().add(on(c, 'reply 1', { parentId: roots[0]!.id }), 'bob'));
      const r2 = await at(T(7), () => repo().add(on(c, 'reply to reply', { parentId: r1.id }), 'carol'));
      const r3 = await at(T(8), () => repo().add(on(c, 'reply 3', { parentId: roots[0]!.id }), 'ana'));
      expect(r2.parentId).toBe(roots[0]!.id);
      expect(r2.inReplyToId).toBe(r1.id);

      const { items, pages, totalCounts } = await collectPages((p) => repo().listThreads({ type: 'contract', id: c.id }, p), 2);
      expect(ids(items)).toEqual(ids([...roots].reverse()));
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      expect(totalCounts).toEqual([5, 5, 5]);

      const replies = await repo().listReplies([roots[0]!.id, roots[1]!.id, 'unknown']);
      expect(replies.map(ids)).toEqual([[r1.id, r2.id, r3.id], [], []]);
    });

    it('a reply takes the thread anchor; the parent must be on the same target', async () => {
      const c = await contract(storage());
      const other = await contract(storage(), 'other');
      const root = await repo().add(on(c, 'root', { section: 'schema' }), 'ana');
      const reply = await repo().add(on(c, 'reply', { parentId: root.id }), 'bob');
      expect(reply.section).toBe('schema');
      const e = await rejection(repo().add(on(other, 'x', { parentId: root.id }), 'bob'), ValidationError);
      expect(e.issues[0]?.path).toBe('input.parentId');
      expect(await count(storage(), other)).toBe(0);
    });
  });

  describe('edit', () => {
    it('by the author: new body and mentions, editedAt, revision + 1', async () => {
      const c = await contract(storage());
      const added = await at(T(1), () => repo().add(on(c, 'hi @ana'), 'bob'));
      const edited = await at(T(2), () => repo().edit({ id: added.id, expectedRevision: 1, body: 'hi @carol and @dan' }, 'bob'));
      expect(edited).toMatchObject({ body: 'hi @carol and @dan', mentions: ['carol', 'dan'], editedAt: T(2), revision: 2, createdAt: T(1) });
      expect(await get(added.id)).toEqual(edited);
    });

    it('by someone else (even an admin name), stale, unknown or invalid: typed errors, nothing written', async () => {
      const c = await contract(storage());
      const added = await repo().add(on(c, 'hi'), 'bob');
      await rejection(repo().edit({ id: added.id, expectedRevision: 1, body: 'mine' }, 'eve'), NotAllowedError);
      await rejection(repo().edit({ id: added.id, expectedRevision: 1, body: 'mine' }, null), NotAllowedError);
      const stale = await rejection(repo().edit({ id: added.id, expectedRevision: 7, body: 'late' }, 'bob'), ConflictError);
      expect(stale.actualRevision).toBe(1);
      await rejection(repo().edit({ id: 'nope', expectedRevision: 1, body: 'x' }, 'bob'), NotFoundError);
      const bad = await rejection(repo().edit({ id: added.id, expectedRevision: 1, body: ' ' }, 'bob'), ValidationError);
      expect(bad.issues[0]?.path).toBe('input.body');
      expect(await get(added.id)).toEqual(added);
    });

    it('concurrent edits at the same revision: exactly one wins', async () => {
      const c = await contract(storage());
      const added = await repo().add(on(c, 'hi'), 'bob');
      const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => repo().edit({ id: added.id, expectedRevision: 1, body: `v${i}` }, 'bob')));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
      expect((await get(added.id))?.revision).toBe(2);
    });
  });

  describe('delete', () => {
    it('by the author leaves a tombstone; replies stay readable; deleting again changes nothing', async () => {
      const c = await contract(storage());
      const root = await at(T(1), () => repo().add(on(c, 'root @ana'), 'bob'));
      const reply = await at(T(2), () => repo().add(on(c, 'reply', { parentId: root.id }), 'carol'));
      const deleted = await at(T(3), () => repo().delete(root.id, { name: 'bob', admin: false }));
      expect(deleted).toMatchObject({ body: null, mentions: [], deletedAt: T(3), deletedBy: 'bob', revision: 2, author: 'bob' });
      expect(await get(root.id)).toEqual(deleted);
      expect(ids(await all((p) => repo().listThreads({ type: 'contract', id: c.id }, p)))).toEqual([root.id]);
      expect((await repo().listReplies([root.id]))[0]).toEqual([reply]);
      const again = await at(T(4), () => repo().delete(root.id, { name: 'bob', admin: false }));
      expect(again).toEqual(deleted);
      await rejection(repo().edit({ id: root.id, expectedRevision: 2, body: 'back' }, 'bob'), NotFoundError);
      await rejection(repo().addReaction(root.id, 'heart', 'bob'), NotFoundError);
    });

    it('by an admin; not by another principal; unknown: NotFoundError', async () => {
      const c = await contract(storage());
      const added = await repo().add(on(c, 'hi'), 'bob');
      await rejection(repo().delete(added.id, { name: 'eve', admin: false }), NotAllowedError);
      await rejection(repo().delete(added.id, { name: null, admin: false }), NotAllowedError);
      expect(await get(added.id)).toEqual(added);
      const deleted = await repo().delete(added.id, { name: 'root', admin: true });
      expect(deleted.deletedBy).toBe('root');
      await rejection(repo().delete('nope', { name: 'root', admin: true }), NotFoundError);
    });
  });

  describe('reactions', () => {
    it('one of each kind per principal: adding twice keeps one, removing a missing one is a no-op', async () => {
      const c = await contract(storage());
      const added = await repo().add(on(c, 'hi'), 'bob');
      await at(T(1), () => repo().addReaction(added.id, 'heart', 'ana'));
      await at(T(2), () => repo().addReaction(added.id, 'heart', 'ana'));
      await at(T(3), () => repo().addReaction(added.id, 'thumbs_up', 'ana'));
      const after = await at(T(4), () => repo().addReaction(added.id, 'heart', 'bob'));
      expect(after.reactions).toEqual([
        { kind: 'thumbs_up', by: ['ana'] },
        { kind: 'heart', by: ['ana', 'bob'] },
      ]);
      expect(after.revision).toBe(1);
      expect((await repo().removeReaction(added.id, 'rocket', 'ana')).reactions).toEqual(after.reactions);
      const removed = await repo().removeReaction(added.id, 'heart', 'ana');
      expect(removed.reactions).toEqual([{ kind: 'thumbs_up', by: ['ana'] }, { kind: 'heart', by: ['bob'] }]);
      expect(await get(added.id)).toEqual(removed);
      await rejection(repo().addReaction('nope', 'heart', 'ana'), NotFoundError);
      await rejection(repo().addReaction(added.id, 'heart', null), NotAllowedError);
    });

    it('concurrent reactions by different principals are all kept, and do not conflict with an edit', async () => {
      const c = await contract(storage());
      const added = await repo().add(on(c, 'hi'), 'bob');
      const people = Array.from({ length: 12 }, (_, i) => `user${i}`);
      const [edited] = await Promise.all([
        repo().edit({ id: added.id, expectedRevision: 1, body: 'edited' }, 'bob'),
        ...people.map((p) => repo().addReaction(added.id, 'rocket', p)),
        ...people.map((p) => repo().addReaction(added.id, 'rocket', p)),
        ...people.map((p) => repo().addReaction(added.id, 'eyes', p)),
      ]);
      expect(edited.body).toBe('edited');
      const now = (await get(added.id))!;
      expect(now.body).toBe('edited');
      expect(now.reactions.map((r) => [r.kind, [...r.by].sort()])).toEqual([
        ['eyes', [...people].sort()],
        ['rocket', [...people].sort()],
      ]);
      await Promise.all(people.map((p) => repo().removeReaction(added.id, 'rocket', p)));
      expect((await get(added.id))!.reactions.map((r) => r.kind)).toEqual(['eyes']);
    });
  });
});

/** Comments through GraphQL: threads with replies, author-only edits (two different editors), admin deletes, reactions, typed errors. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { StorageBackend } from '../../src/storage/types.js';
import {
  AccessCreateContractDocument,
  AccessCreateIssueDocument,
  AccessStateDocument,
  AddCommentDocument,
  AddReactionDocument,
  ContractCommentsDocument,
  DeleteCommentDocument,
  EditCommentDocument,
  IssueCommentsDocument,
  RemoveReactionDocument,
  type AddCommentInput,
} from '../gql/graphql.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

function fail(e: unknown): never {
  throw e;
}

/** A client acting as a named editor (its own API key). */
function editor(storage: StorageBackend, name: string): TestClient {
  const key = randomBytes(24).toString('base64url');
  return createTestClient(storage, fail, { as: { headers: { 'x-api-key': key } }, auth: { apiKeys: [{ name, roles: ['editor'], sha256: hashApiKey(key) }] } });
}

async function setup() {
  const storage = createMemoryStorage();
  const admin = createTestClient(storage, fail, { as: 'admin' });
  await admin.run(AccessCreateContractDocument, { input: { document: contractDocument({ name: 'orders' }) } });
  const contractId = (await admin.run(AccessStateDocument, {})).contracts.nodes[0]!.id;
  return { storage, admin, contractId, ana: editor(storage, 'ana'), bob: editor(storage, 'bob') };
}

async function add(client: TestClient, input: AddCommentInput) {
  const r = await client.run(AddCommentDocument, { input });
  if (r.addComment.__typename !== 'AddCommentSuccess') throw new Error(JSON.stringify(r.addComment));
  return r.addComment.comment;
}

describe('comments API', () => {
  it('threads newest first with replies oldest first (reply-to-reply joins the root), mentions and anchors', async () => {
    const { contractId, ana, bob, admin } = await setup();
    const first = await add(ana, { contractId, body: 'first @bob', version: '1.0.0', section: 'schema', propertyPath: 'orders.customer_email' });
    const second = await add(bob, { contractId, body: 'second' });
    const reply = await add(bob, { contractId, parentId: first.id, body: 'reply @ana @ana' });
    const nested = await add(ana, { contractId, parentId: reply.id, body: 'nested' });
    expect(first).toMatchObject({ author: 'ana', mentions: ['bob'], version: '1.0.0', section: 'schema', propertyPath: 'orders.customer_email', revision: 1 });
    expect(reply.mentions).toEqual(['ana']);

    const page1 = await admin.run(ContractCommentsDocument, { id: contractId, first: 1 });
    const conn1 = page1.node?.__typename === 'Contract' ? page1.node.comments : fail(new Error('not a contract'));
    expect(conn1.totalCount).toBe(2);
    expect(conn1.nodes.map((c) => c.id)).toEqual([second.id]);
    const page2 = await admin.run(ContractCommentsDocument, { id: contractId, first: 1, after: conn1.pageInfo.endCursor });
    const conn2 = page2.node?.__typename === 'Contract' ? page2.node.comments : fail(new Error('not a contract'));
    expect(conn2.nodes.map((c) => c.id)).toEqual([first.id]);
    expect(conn2.pageInfo.hasNextPage).toBe(false);
    const replies = conn2.nodes[0]!.replies;
    expect(replies.map((r) => [r.id, r.root?.id, r.inReplyTo?.id])).toEqual([
      [reply.id, first.id, first.id],
      [nested.id, first.id, reply.id],
    ]);
  });

  it('comments on an issue', async () => {
    const { admin, contractId, ana } = await setup();
    await admin.run(AccessCreateIssueDocument, { input: { contractId, title: 'nulls', severity: 'HIGH', category: 'OTHER' } });
    const issueId = (await admin.run(AccessStateDocument, {})).issues.nodes[0]!.id;
    const c = await add(ana, { issueId, body: 'on it' });
    const r = await admin.run(IssueCommentsDocument, { id: issueId });
    expect(r.issue?.comments.nodes.map((n) => [n.id, n.issue?.id])).toEqual([[c.id, issueId]]);
  });

  it('only the author edits; a stale revision is a ConflictError; only the author or an admin deletes', async () => {
    const { contractId, ana, bob, admin } = await setup();
    const c = await add(ana, { contractId, body: 'draft' });
    const byBob = await bob.run(EditCommentDocument, { input: { id: c.id, expectedRevision: 1, body: 'mine now' } });
    expect(byBob.editComment).toMatchObject({ __typename: 'NotAllowedError', code: 'FORBIDDEN', action: 'edit' });
    const edited = await ana.run(EditCommentDocument, { input: { id: c.id, expectedRevision: 1, body: 'final @bob' } });
    expect(edited.editComment.__typename).toBe('EditCommentSuccess');
    if (edited.editComment.__typename === 'EditCommentSuccess') {
      expect(edited.editComment.comment).toMatchObject({ body: 'final @bob', mentions: ['bob'], revision: 2 });
      expect(edited.editComment.comment.editedAt).not.toBeNull();
    }
    const stale = await ana.run(EditCommentDocument, { input: { id: c.id, expectedRevision: 1, body: 'again' } });
    expect(stale.editComment).toMatchObject({ __typename: 'ConflictError', expectedRevision: 1, actualRevision: 2 });

    const delByBob = await bob.run(DeleteCommentDocument, { input: { id: c.id } });
    expect(delByBob.deleteComment).toMatchObject({ __typename: 'NotAllowedError', code: 'FORBIDDEN' });
    const del = await admin.run(DeleteCommentDocument, { input: { id: c.id } });
    expect(del.deleteComment.__typename).toBe('DeleteCommentSuccess');
    if (del.deleteComment.__typename === 'DeleteCommentSuccess') {
      expect(del.deleteComment.comment).toMatchObject({ body: null, mentions: [], deleted: true, deletedBy: 'test-admin', author: 'ana' });
    }
    const own = await add(bob, { contractId, body: 'mine' });
    const delOwn = await bob.run(DeleteCommentDocument, { input: { id: own.id } });
    expect(delOwn.deleteComment.__typename).toBe('DeleteCommentSuccess');
  });

  it('reactions: per principal, idempotent, reactedByViewer', async () => {
    const { contractId, ana, bob } = await setup();
    const c = await add(ana, { contractId, body: 'ship it' });
    await ana.run(AddReactionDocument, { input: { commentId: c.id, kind: 'ROCKET' } });
    await ana.run(AddReactionDocument, { input: { commentId: c.id, kind: 'ROCKET' } });
    const r = await bob.run(AddReactionDocument, { input: { commentId: c.id, kind: 'ROCKET' } });
    if (r.addReaction.__typename !== 'AddReactionSuccess') throw new Error(r.addReaction.__typename);
    expect(r.addReaction.comment.reactions).toEqual([{ kind: 'ROCKET', count: 2, users: ['ana', 'bob'], reactedByViewer: true }]);
    const removed = await ana.run(RemoveReactionDocument, { input: { commentId: c.id, kind: 'ROCKET' } });
    if (removed.removeReaction.__typename !== 'RemoveReactionSuccess') throw new Error(removed.removeReaction.__typename);
    expect(removed.removeReaction.comment.reactions).toEqual([{ kind: 'ROCKET', count: 1, users: ['bob'], reactedByViewer: false }]);
    const noop = await ana.run(RemoveReactionDocument, { input: { commentId: c.id, kind: 'HEART' } });
    expect(noop.removeReaction.__typename).toBe('RemoveReactionSuccess');
  });

  it('bad input comes back as typed errors, nothing written', async () => {
    const { contractId, ana, admin } = await setup();
    const empty = await ana.run(AddCommentDocument, { input: { contractId, body: '' } });
    expect(empty.addComment).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.body' }] });
    const long = await ana.run(AddCommentDocument, { input: { contractId, body: 'x'.repeat(10_001) } });
    expect(long.addComment).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.body', code: 'too_big' }] });
    const neither = await ana.run(AddCommentDocument, { input: { body: 'hi' } });
    expect(neither.addComment.__typename).toBe('ValidationError');
    const version = await ana.run(AddCommentDocument, { input: { contractId, body: 'hi', version: '7.0.0' } });
    expect(version.addComment).toMatchObject({ __typename: 'NotFoundError', resourceType: 'CONTRACT_VERSION' });
    const wrongId = await ana.run(AddCommentDocument, { input: { issueId: contractId, body: 'hi' } });
    expect(wrongId.addComment).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.issueId' }] });
    const r = await admin.run(ContractCommentsDocument, { id: contractId, first: 10 });
    expect(r.node?.__typename === 'Contract' && r.node.comments.totalCount).toBe(0);
  });
});

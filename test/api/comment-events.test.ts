/**
 * Every committed comment write has its event (issue 14.1): adding and removing a reaction appends
 * COMMENT_REACTION_CHANGED (reactions wrote none before), edits and deletions COMMENT_CHANGED; `commentChanged`
 * delivers them live for the target, on memory and FerretDB.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { createLive, type Live } from '../../src/live/index.js';
import type { StorageBackend } from '../../src/storage/types.js';
import {
  AddCommentDocument,
  AddReactionDocument,
  CommentEventsLogDocument,
  CreateContractDocument,
  DeleteCommentDocument,
  EditCommentDocument,
  LiveCommentChangedDocument,
  RemoveReactionDocument,
} from '../gql/graphql.js';
import { backends } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';
import { subscribe } from '../support/sse.js';

const KEY = 'comment-events-key-0123456789';

describe.each(backends)('comment events on $name', (backend) => {
  let storage: StorageBackend;
  let dispose: () => Promise<void>;
  let live: Live;
  let client: TestClient;

  beforeEach(async () => {
    ({ storage, dispose } = await backend.create());
    live = createLive(storage, { heartbeatMs: 60_000, pollMs: 600_000 }, { announce: false });
    client = createTestClient(
      storage,
      (e) => {
        throw e;
      },
      { as: { headers: { 'x-api-key': KEY } }, auth: { apiKeys: [{ name: 'commenter', roles: ['admin'], sha256: hashApiKey(KEY) }] }, server: { live } },
    );
  });
  afterEach(async () => {
    await live.close();
    await dispose();
  });

  it('reactions, edits and deletions each append their event and reach commentChanged', async () => {
    const created = await client.run(CreateContractDocument, { input: { document: contractDocument({ name: 'comment_events' }) } });
    if (created.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(created));
    const contractId = created.createContract.contract.id;
    const added = await client.run(AddCommentDocument, { input: { contractId, body: 'first' } });
    if (added.addComment.__typename !== 'AddCommentSuccess') throw new Error(JSON.stringify(added));
    const commentId = added.addComment.comment.id;

    const changed = subscribe(client.yoga, { 'x-api-key': KEY }, LiveCommentChangedDocument, { target: contractId });
    await changed.started(); // live (its starting point read) before the first reaction: a fixed pause raced load

    expect((await client.run(AddReactionDocument, { input: { commentId, kind: 'HEART' } })).addReaction.__typename).toBe('AddReactionSuccess');
    expect((await client.run(AddReactionDocument, { input: { commentId, kind: 'ROCKET' } })).addReaction.__typename).toBe('AddReactionSuccess');
    expect((await client.run(RemoveReactionDocument, { input: { commentId, kind: 'HEART' } })).removeReaction.__typename).toBe('RemoveReactionSuccess');
    await client.run(EditCommentDocument, { input: { id: commentId, body: 'first, edited', expectedRevision: 1 } });
    await client.run(DeleteCommentDocument, { input: { id: commentId } });

    const expected = [
      { type: 'COMMENT_REACTION_CHANGED', action: 'added', kind: 'heart', count: 1 },
      { type: 'COMMENT_REACTION_CHANGED', action: 'added', kind: 'rocket', count: 1 },
      { type: 'COMMENT_REACTION_CHANGED', action: 'removed', kind: 'heart', count: 0 },
      { type: 'COMMENT_CHANGED', action: 'edited' },
      { type: 'COMMENT_CHANGED', action: 'deleted' },
    ];
    const shape = (e: { type: string; summary: unknown }) => {
      const summary = e.summary as Record<string, unknown>;
      return { type: e.type, action: summary.action, ...(e.type === 'COMMENT_REACTION_CHANGED' ? { kind: String(summary.kind).toLowerCase(), count: summary.count } : {}) };
    };

    const log = await client.run(CommentEventsLogDocument, { filter: { types: ['COMMENT_CHANGED', 'COMMENT_REACTION_CHANGED'] } });
    expect(log.events.nodes.map(shape)).toEqual(expected);
    expect(new Set(log.events.nodes.map((e) => e.subjectId))).toEqual(new Set([commentId]));

    const got = [];
    for (let i = 0; i < expected.length; i++) {
      const r = await changed.next(10_000);
      expect(r.errors).toBeUndefined();
      got.push(r.data!.commentChanged);
    }
    expect(got.map(shape)).toEqual(expected);
    expect(got.map((e) => e.position)).toEqual(log.events.nodes.map((e) => e.position));
    await changed.end();
  });
});

/**
 * Idempotent writes through GraphQL (issue 10.8), on both backends: createContract, updateContract, startRun,
 * createIssue and addComment replay their first result for a retried idempotencyKey and write nothing; the same key
 * with another input is an IdempotencyKeyReusedError naming input.idempotencyKey; keys are per caller.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import type { StorageBackend } from '../../src/storage/types.js';
import {
  IdemAddCommentDocument,
  IdemCountsDocument,
  IdemCreateContractDocument,
  IdemCreateIssueDocument,
  IdemStartRunDocument,
  IdemUpdateContractDocument,
} from '../gql/graphql.js';
import { backends } from '../support/backends.js';
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

describe.each(backends)('idempotency API ($name)', (backend) => {
  let current: { storage: StorageBackend; dispose(): Promise<void> };
  let ana: TestClient;
  beforeEach(async () => {
    current = await backend.create();
    ana = editor(current.storage, 'ana');
  });
  afterEach(() => current.dispose());

  async function created(client: TestClient, key: string | null, name = 'orders') {
    const r = await client.run(IdemCreateContractDocument, { input: { document: contractDocument({ name, version: '1.0.0' }), idempotencyKey: key } });
    if (r.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(r.createContract));
    return r.createContract.contract;
  }

  async function counts(id: string) {
    const r = await ana.run(IdemCountsDocument, { id });
    if (r.node?.__typename !== 'Contract') throw new Error('not a contract');
    return {
      contracts: r.contracts.totalCount,
      revision: r.node.revision,
      versions: r.node.versions.totalCount,
      runs: r.node.runs.totalCount,
      issues: r.node.issues.totalCount,
      comments: r.node.comments.totalCount,
    };
  }

  it('createContract: a retry returns the same contract (same id, same createdAt) and writes nothing', async () => {
    const first = await created(ana, 'create-1');
    const again = await created(ana, 'create-1');
    expect(again).toEqual(first);
    expect(await counts(first.id)).toMatchObject({ contracts: 1, versions: 1 });
  });

  it('the same key with another input is IdempotencyKeyReusedError naming input.idempotencyKey; nothing written', async () => {
    const first = await created(ana, 'create-1');
    const r = await ana.run(IdemCreateContractDocument, { input: { document: contractDocument({ name: 'payments', version: '1.0.0' }), idempotencyKey: 'create-1' } });
    expect(r.createContract).toMatchObject({
      __typename: 'IdempotencyKeyReusedError',
      code: 'IDEMPOTENCY_KEY_REUSED',
      field: 'input.idempotencyKey',
      key: 'create-1',
      mutation: 'createContract',
    });
    expect(await counts(first.id)).toMatchObject({ contracts: 1 });
  });

  it('an empty key is a ValidationError at input.idempotencyKey', async () => {
    const r = await ana.run(IdemCreateContractDocument, { input: { document: contractDocument({ name: 'orders', version: '1.0.0' }), idempotencyKey: '' } });
    expect(r.createContract).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.idempotencyKey' }] });
  });

  it('updateContract: a retry returns the contract at the revision the first update wrote; no second version', async () => {
    const c = await created(ana, null);
    const input = { id: c.id, expectedRevision: 1, document: contractDocument({ name: 'orders', version: '1.1.0' }), idempotencyKey: 'update-1' };
    const first = await ana.run(IdemUpdateContractDocument, { input });
    const again = await ana.run(IdemUpdateContractDocument, { input });
    expect(first.updateContract).toMatchObject({ __typename: 'UpdateContractSuccess', contract: { id: c.id, revision: 2, versionCount: 2 } });
    expect(again).toEqual(first);
    const other = await ana.run(IdemUpdateContractDocument, { input: { ...input, note: 'another note' } });
    expect(other.updateContract).toMatchObject({ __typename: 'IdempotencyKeyReusedError', field: 'input.idempotencyKey' });
    expect(await counts(c.id)).toMatchObject({ revision: 2, versions: 2 });
  });

  it('startRun, createIssue, addComment: retries return the same ids and write nothing', async () => {
    const c = await created(ana, null);
    const run = { contractId: c.id, pipelineId: 'nightly', metadata: { commit: 'abc', branch: 'main' }, idempotencyKey: 'run-1' };
    const r1 = await ana.run(IdemStartRunDocument, { input: run });
    // the same metadata with its keys in another order is the same input
    const r2 = await ana.run(IdemStartRunDocument, { input: { ...run, metadata: { branch: 'main', commit: 'abc' } } });
    expect(r1.startRun.__typename).toBe('StartRunSuccess');
    expect(r2).toEqual(r1);

    const issue = { contractId: c.id, title: 'late data', severity: 'HIGH' as const, category: 'SLA_BREACH' as const, idempotencyKey: 'issue-1' };
    const i1 = await ana.run(IdemCreateIssueDocument, { input: issue });
    expect(i1.createIssue.__typename).toBe('CreateIssueSuccess');
    expect(await ana.run(IdemCreateIssueDocument, { input: issue })).toEqual(i1);

    const comment = { contractId: c.id, body: 'looks good', idempotencyKey: 'comment-1' };
    const c1 = await ana.run(IdemAddCommentDocument, { input: comment });
    expect(c1.addComment.__typename).toBe('AddCommentSuccess');
    expect(await ana.run(IdemAddCommentDocument, { input: comment })).toEqual(c1);
    const changed = await ana.run(IdemAddCommentDocument, { input: { ...comment, body: 'changed' } });
    expect(changed.addComment).toMatchObject({ __typename: 'IdempotencyKeyReusedError', mutation: 'addComment' });

    expect(await counts(c.id)).toMatchObject({ runs: 1, issues: 1, comments: 1 });
  });

  it('keys are per caller: two editors with the same key each write their own comment', async () => {
    const c = await created(ana, null);
    const bob = editor(current.storage, 'bob');
    const input = { contractId: c.id, body: 'same words', idempotencyKey: 'shared-key' };
    const a = await ana.run(IdemAddCommentDocument, { input });
    const b = await bob.run(IdemAddCommentDocument, { input });
    if (a.addComment.__typename !== 'AddCommentSuccess' || b.addComment.__typename !== 'AddCommentSuccess') throw new Error('not written');
    expect(a.addComment.comment.id).not.toBe(b.addComment.comment.id);
    expect(await counts(c.id)).toMatchObject({ comments: 2 });
  });

  it('concurrent identical requests write one run and all answer it', async () => {
    const c = await created(ana, null);
    const input = { contractId: c.id, pipelineId: 'nightly', idempotencyKey: 'run-burst' };
    const answers = await Promise.all(Array.from({ length: 6 }, () => ana.run(IdemStartRunDocument, { input })));
    const ids = answers.map((a) => (a.startRun.__typename === 'StartRunSuccess' ? a.startRun.run.id : a.startRun.__typename));
    expect(new Set(ids).size).toBe(1);
    expect(await counts(c.id)).toMatchObject({ runs: 1 });
  });
});

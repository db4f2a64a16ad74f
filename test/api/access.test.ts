/**
 * Who may do what, through the API: every mutation × every role against ONE table, and the ways a caller
 * identifies itself (API key, HS256 JWT, anonymous read).
 */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import type { AuthOptions } from '../../src/auth/authenticate.js';
import type { Role } from '../../src/auth/principal.js';
import { schema } from '../../src/schema/index.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { StorageBackend } from '../../src/storage/types.js';
import {
  AccessAddCommentDocument,
  AccessAddReactionDocument,
  AccessDeleteCommentDocument,
  AccessEditCommentDocument,
  AccessRemoveReactionDocument,
  AccessCreateContractDocument,
  AccessCreateIssueDocument,
  AccessDeleteContractDocument,
  AccessImportContractDocument,
  AccessNodeDocument,
  AccessRebuildSchemaCatalogDocument,
  AccessRecordValidationDocument,
  AccessRollbackContractDocument,
  AccessSetContractSettingsDocument,
  AccessActivateContractDocument,
  AccessApproveDocument,
  AccessDeprecateContractDocument,
  AccessRejectDocument,
  AccessRetireContractDocument,
  AccessSetContractApprovalPolicyDocument,
  AccessSubmitForReviewDocument,
  AccessWithdrawApprovalRequestDocument,
  AccessStartRunDocument,
  AccessStateDocument,
  AccessTransitionIssueDocument,
  AccessUpdateContractDocument,
  AccessUpdateIssueDocument,
  AccessUpdateRunDocument,
  type AccessStateQuery,
  MyPendingApprovalsDocument,
  ViewerDocument,
} from '../gql/graphql.js';
import { createTestClient, type GraphQLResponse, type TestClient, type TestClientOptions } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

type Caller = Role | 'anonymous';
const CALLERS: Caller[] = ['anonymous', 'viewer', 'editor', 'approver', 'admin'];

/** Which callers hold a minimum role: admin implies every role, editor and approver imply viewer. */
const HOLDERS: Record<Role, Caller[]> = {
  viewer: ['viewer', 'editor', 'approver', 'admin'],
  editor: ['editor', 'admin'],
  approver: ['approver', 'admin'],
  admin: ['admin'],
};

interface Seed {
  contractId: string;
  contractRevision: number;
  runId: string;
  issueId: string;
  issueRevision: number;
  commentId: string;
  commentRevision: number;
  /** An open request on a second contract, for test-approver to decide. */
  approvalRequestId: string;
}

/** THE table: every mutation of the schema, the minimum role it needs, and a call of it against seeded data. */
const MUTATIONS: Record<string, { minimum: Role; call: (client: TestClient, seed: Seed) => Promise<GraphQLResponse<unknown>> }> = {
  createContract: {
    minimum: 'editor',
    call: (c) => c.request(AccessCreateContractDocument, { input: { document: contractDocument({ name: 'fresh' }) } }),
  },
  updateContract: {
    minimum: 'editor',
    call: (c, s) =>
      c.request(AccessUpdateContractDocument, {
        input: { id: s.contractId, expectedRevision: s.contractRevision, document: contractDocument({ name: 'orders', version: '1.1.0', purpose: 'more' }) },
      }),
  },
  rollbackContract: {
    minimum: 'editor',
    call: (c, s) => c.request(AccessRollbackContractDocument, { input: { id: s.contractId, expectedRevision: s.contractRevision, toVersion: '1.0.0' } }),
  },
  submitForReview: {
    minimum: 'editor',
    call: (c, s) => c.request(AccessSubmitForReviewDocument, { input: { contractId: s.contractId, expectedRevision: s.contractRevision, approvers: ['test-approver'] } }),
  },
  approve: {
    minimum: 'approver',
    call: (c, s) => c.request(AccessApproveDocument, { input: { requestId: s.approvalRequestId } }),
  },
  reject: {
    minimum: 'approver',
    call: (c, s) => c.request(AccessRejectDocument, { input: { requestId: s.approvalRequestId, reason: 'not yet' } }),
  },
  withdrawApprovalRequest: {
    minimum: 'editor',
    call: (c, s) => c.request(AccessWithdrawApprovalRequestDocument, { input: { requestId: s.approvalRequestId } }),
  },
  activateContract: {
    minimum: 'editor',
    call: (c, s) => c.request(AccessActivateContractDocument, { input: { id: s.contractId, expectedRevision: s.contractRevision } }),
  },
  deprecateContract: {
    minimum: 'editor',
    call: (c, s) => c.request(AccessDeprecateContractDocument, { input: { id: s.contractId, expectedRevision: s.contractRevision, reason: 'replaced' } }),
  },
  retireContract: {
    minimum: 'editor',
    call: (c, s) => c.request(AccessRetireContractDocument, { input: { id: s.contractId, expectedRevision: s.contractRevision } }),
  },
  setContractApprovalPolicy: {
    minimum: 'admin',
    call: (c, s) => c.request(AccessSetContractApprovalPolicyDocument, { input: { id: s.contractId, expectedRevision: s.contractRevision, approvalRequired: false } }),
  },
  setContractSettings: {
    minimum: 'editor',
    call: (c, s) => c.request(AccessSetContractSettingsDocument, { input: { id: s.contractId, expectedRevision: s.contractRevision, autoOpenIssues: false } }),
  },
  deleteContract: {
    minimum: 'admin',
    call: (c, s) => c.request(AccessDeleteContractDocument, { input: { id: s.contractId, expectedRevision: s.contractRevision } }),
  },
  importContract: {
    minimum: 'editor',
    call: (c) => c.request(AccessImportContractDocument, { input: { text: JSON.stringify(contractDocument({ name: 'imported' })) } }),
  },
  rebuildSchemaCatalog: {
    minimum: 'admin',
    call: (c) => c.request(AccessRebuildSchemaCatalogDocument, {}),
  },
  startRun: {
    minimum: 'editor',
    call: (c, s) => c.request(AccessStartRunDocument, { input: { contractId: s.contractId, pipelineId: 'nightly-2' } }),
  },
  updateRun: {
    minimum: 'editor',
    call: (c, s) => c.request(AccessUpdateRunDocument, { input: { id: s.runId, status: 'SUCCEEDED' } }),
  },
  recordValidation: {
    minimum: 'editor',
    call: (c, s) => c.request(AccessRecordValidationDocument, { input: { contractId: s.contractId, passed: true, rowCount: 10, errorCount: 0 } }),
  },
  createIssue: {
    minimum: 'editor',
    call: (c, s) => c.request(AccessCreateIssueDocument, { input: { contractId: s.contractId, title: 'late rows', severity: 'LOW', category: 'OTHER' } }),
  },
  updateIssue: {
    minimum: 'editor',
    call: (c, s) => c.request(AccessUpdateIssueDocument, { input: { id: s.issueId, expectedRevision: s.issueRevision, title: 'later rows' } }),
  },
  transitionIssue: {
    minimum: 'editor',
    call: (c, s) => c.request(AccessTransitionIssueDocument, { input: { id: s.issueId, expectedRevision: s.issueRevision, status: 'ACKNOWLEDGED' } }),
  },
  addComment: {
    minimum: 'editor',
    call: (c, s) => c.request(AccessAddCommentDocument, { input: { contractId: s.contractId, body: 'looks good' } }),
  },
  editComment: {
    minimum: 'editor',
    call: (c, s) => c.request(AccessEditCommentDocument, { input: { id: s.commentId, expectedRevision: s.commentRevision, body: 'edited' } }),
  },
  deleteComment: {
    minimum: 'editor',
    call: (c, s) => c.request(AccessDeleteCommentDocument, { input: { id: s.commentId } }),
  },
  addReaction: {
    minimum: 'editor',
    call: (c, s) => c.request(AccessAddReactionDocument, { input: { commentId: s.commentId, kind: 'HEART' } }),
  },
  removeReaction: {
    minimum: 'editor',
    call: (c, s) => c.request(AccessRemoveReactionDocument, { input: { commentId: s.commentId, kind: 'HEART' } }),
  },
};

const SCHEMA_MUTATIONS = Object.keys(schema.getMutationType()?.getFields() ?? {}).sort();

function client(storage: StorageBackend, as: TestClientOptions['as'], auth?: AuthOptions): TestClient {
  return createTestClient(storage, (e) => {
    throw e;
  }, { as, auth });
}

function as(caller: Caller): Role | null {
  return caller === 'anonymous' ? null : caller;
}

async function state(storage: StorageBackend): Promise<AccessStateQuery> {
  return client(storage, 'admin').run(AccessStateDocument, {});
}

async function seeded(): Promise<{ storage: StorageBackend; seed: Seed }> {
  const storage = createMemoryStorage();
  const admin = client(storage, 'admin');
  await admin.run(AccessCreateContractDocument, { input: { document: contractDocument({ name: 'orders' }) } });
  const contractId = (await state(storage)).contracts.nodes[0]!.id;
  await admin.run(AccessStartRunDocument, { input: { contractId, pipelineId: 'nightly' } });
  await admin.run(AccessCreateIssueDocument, { input: { contractId, title: 'nulls', severity: 'HIGH', category: 'QUALITY_FAILURE' } });
  const added = await admin.run(AccessAddCommentDocument, { input: { contractId, body: 'first' } });
  if (added.addComment.__typename !== 'AddCommentSuccess') throw new Error('seed comment not added');
  await admin.run(AccessCreateContractDocument, { input: { document: contractDocument({ name: 'reviewed' }) } });
  const reviewedId = (await state(storage)).contracts.nodes.find((c) => c.name === 'reviewed')!.id;
  const submitted = await admin.run(AccessSubmitForReviewDocument, { input: { contractId: reviewedId, expectedRevision: 1, approvers: ['test-approver'] } });
  if (submitted.submitForReview.__typename !== 'SubmitForReviewSuccess') throw new Error('seed approval request not opened');
  const s = await state(storage);
  return {
    storage,
    seed: {
      contractId,
      contractRevision: s.contracts.nodes.find((c) => c.id === contractId)!.revision,
      runId: s.runs.nodes[0]!.id,
      issueId: s.issues.nodes[0]!.id,
      issueRevision: s.issues.nodes[0]!.revision,
      commentId: added.addComment.comment.id,
      commentRevision: added.addComment.comment.revision,
      approvalRequestId: submitted.submitForReview.approvalRequest.id,
    },
  };
}

function codes(response: GraphQLResponse<unknown>): unknown[] {
  return (response.errors ?? []).map((e) => e.extensions?.code);
}

describe('access: every mutation × every role', () => {
  it('the table lists exactly the mutations of the schema', () => {
    expect(Object.keys(MUTATIONS).sort()).toEqual(SCHEMA_MUTATIONS);
  });

  describe.each(SCHEMA_MUTATIONS)('%s', (mutation) => {
    it.each(CALLERS)('as %s', async (caller) => {
      const entry = MUTATIONS[mutation];
      expect(entry, `${mutation} is missing from the access table`).toBeDefined();
      const { storage, seed } = await seeded();
      const before = await state(storage);
      const response = await entry!.call(client(storage, as(caller)), seed);
      const allowed = HOLDERS[entry!.minimum].includes(caller);
      if (allowed) {
        expect(codes(response)).not.toContain('UNAUTHENTICATED');
        expect(codes(response)).not.toContain('FORBIDDEN');
        expect(response.errors ?? []).toEqual([]);
        expect((response.data as Record<string, { __typename: string }>)[mutation]?.__typename).toMatch(/Success$|Error$|Payload$|Result$/);
      } else {
        expect(codes(response)).toEqual([caller === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN']);
        const error = response.errors![0]!;
        expect(error.path).toEqual([mutation]);
        expect(error.message).toContain(caller === 'anonymous' ? 'Authentication required' : `may not call ${mutation}`);
        expect(JSON.stringify(error)).not.toMatch(/\.ts:|stack/);
        expect(response.data ?? null).toBeNull();
        expect(await state(storage)).toEqual(before);
      }
    });
  });
});

describe('access: authorization comes before input checks', () => {
  it('a viewer with invalid input gets FORBIDDEN, not the validation details', async () => {
    const { storage, seed } = await seeded();
    const response = await client(storage, 'viewer').request(AccessUpdateContractDocument, {
      input: { id: seed.contractId, expectedRevision: 0, document: contractDocument({ name: 'orders' }) },
    });
    expect(codes(response)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(response)).not.toContain('revision number');
  });

  it('an editor with the same input gets the typed ValidationError result', async () => {
    const { storage, seed } = await seeded();
    const response = await client(storage, 'editor').request(AccessUpdateContractDocument, {
      input: { id: seed.contractId, expectedRevision: 0, document: contractDocument({ name: 'orders' }) },
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?.updateContract.__typename).toBe('ValidationError');
  });

  it('an anonymous caller with an invalid page size gets UNAUTHENTICATED, not the validation details', async () => {
    const storage = createMemoryStorage();
    const response = await client(storage, null).fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ contracts(first: 1000) { totalCount } }' }),
    });
    const body = (await response.json()) as GraphQLResponse<unknown>;
    expect(codes(body)).toEqual(['UNAUTHENTICATED']);
    expect(JSON.stringify(body)).not.toContain('at most');
  });
});

describe('access: identity', () => {
  const secret = 'an-hs256-test-secret-of-at-least-32-bytes';
  const jwtAuth: AuthOptions = { jwt: { secret, rolesClaim: 'roles', issuer: 'https://idp.test/', audience: 'griot' } };
  const sign = (claims: Record<string, unknown>, options: { sub?: string; exp?: string | number; key?: string; iss?: string; aud?: string } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(options.sub ?? 'alice')
      .setIssuer(options.iss ?? 'https://idp.test/')
      .setAudience(options.aud ?? 'griot')
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '5m')
      .sign(new TextEncoder().encode(options.key ?? secret));
  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  it('an API key identifies its principal and roles', async () => {
    const viewer = await client(createMemoryStorage(), 'editor').run(ViewerDocument, {});
    expect(viewer).toEqual({ viewer: { name: 'test-editor', roles: ['EDITOR'], authenticatedBy: 'API_KEY' } });
  });

  it('an invalid API key is UNAUTHENTICATED, even for reads and viewer', async () => {
    const { storage, seed } = await seeded();
    const before = await state(storage);
    const stranger = client(storage, { headers: { 'x-api-key': 'not-a-configured-key' } });
    for (const response of [
      await stranger.request(AccessStateDocument, {}),
      await stranger.request(ViewerDocument, {}),
      await stranger.request(AccessNodeDocument, { id: seed.contractId }),
      await MUTATIONS.createContract!.call(stranger, seed),
    ]) {
      expect(codes(response).length).toBeGreaterThan(0);
      expect(new Set(codes(response))).toEqual(new Set(['UNAUTHENTICATED']));
      expect(response.errors![0]!.message).toContain('API key is not valid');
    }
    expect(await state(storage)).toEqual(before);
  });

  it('a malformed Authorization header is UNAUTHENTICATED, not anonymous', async () => {
    const response = await client(createMemoryStorage(), { headers: { authorization: 'Basic dXNlcjpwdw==' } }, { anonymousRead: true }).request(ViewerDocument, {});
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('an HS256 JWT identifies its subject and the roles claim', async () => {
    const storage = createMemoryStorage();
    const alice = client(storage, bearer(await sign({ roles: ['editor'] })), jwtAuth);
    expect(await alice.run(ViewerDocument, {})).toEqual({ viewer: { name: 'alice', roles: ['EDITOR'], authenticatedBy: 'JWT' } });
    const created = await alice.run(AccessCreateContractDocument, { input: { document: contractDocument({ name: 'orders' }) } });
    expect(created.createContract.__typename).toBe('CreateContractSuccess');
    // A token without roles authenticates but may do nothing.
    const nobody = client(storage, bearer(await sign({}, { sub: 'nobody' })), jwtAuth);
    expect(codes(await nobody.request(AccessStateDocument, {}))).toContain('FORBIDDEN');
    expect((await nobody.run(ViewerDocument, {})).viewer).toEqual({ name: 'nobody', roles: [], authenticatedBy: 'JWT' });
  });

  it.each([
    ['expired', () => sign({ roles: ['admin'] }, { exp: Math.floor(Date.now() / 1000) - 60 })],
    ['signed with another secret', () => sign({ roles: ['admin'] }, { key: 'another-secret-that-is-also-32-bytes-long' })],
    ['from another issuer', () => sign({ roles: ['admin'] }, { iss: 'https://evil.test/' })],
    ['for another audience', () => sign({ roles: ['admin'] }, { aud: 'someone-else' })],
    ['not a JWT', async () => 'garbage.token.value'],
  ])('a JWT %s is UNAUTHENTICATED', async (_what, token) => {
    const storage = createMemoryStorage();
    const caller = client(storage, bearer(await token()), jwtAuth);
    for (const response of [await caller.request(ViewerDocument, {}), await caller.request(AccessStateDocument, {}), await MUTATIONS.rebuildSchemaCatalog!.call(caller, null as never)]) {
      expect(new Set(codes(response))).toEqual(new Set(['UNAUTHENTICATED']));
      expect(response.errors![0]!.message).toContain('bearer token is not valid');
    }
  });

  it('bearer tokens are refused when no JWT verification is configured', async () => {
    const response = await client(createMemoryStorage(), bearer(await sign({ roles: ['admin'] }))).request(ViewerDocument, {});
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('anonymous read is off by default: reads are UNAUTHENTICATED, viewer answers', async () => {
    const { storage, seed } = await seeded();
    const anonymous = client(storage, null);
    expect(new Set(codes(await anonymous.request(AccessStateDocument, {})))).toEqual(new Set(['UNAUTHENTICATED']));
    expect(new Set(codes(await anonymous.request(AccessNodeDocument, { id: seed.contractId })))).toEqual(new Set(['UNAUTHENTICATED']));
    expect(await anonymous.run(ViewerDocument, {})).toEqual({ viewer: { name: null, roles: [], authenticatedBy: 'ANONYMOUS' } });
  });

  it('anonymous read on: reads work, writes stay UNAUTHENTICATED', async () => {
    const { storage, seed } = await seeded();
    const anonymous = client(storage, null, { anonymousRead: true });
    const read = await anonymous.run(AccessStateDocument, {});
    expect(read.contracts.totalCount).toBe(2);
    expect(read.approvalRequests.totalCount).toBe(1);
    expect((await anonymous.run(MyPendingApprovalsDocument, {})).myPendingApprovals.totalCount).toBe(0);
    expect((await anonymous.run(AccessNodeDocument, { id: seed.contractId })).node?.id).toBe(seed.contractId);
    expect(await anonymous.run(ViewerDocument, {})).toEqual({ viewer: { name: null, roles: ['VIEWER'], authenticatedBy: 'ANONYMOUS' } });
    expect(codes(await MUTATIONS.createContract!.call(anonymous, seed))).toEqual(['UNAUTHENTICATED']);
    expect((await state(storage)).contracts.totalCount).toBe(2);
  });

  it('createdBy and updatedBy record the acting principal', async () => {
    const storage = createMemoryStorage();
    const carolKey = 'carols-own-api-key';
    const alice = client(storage, bearer(await sign({ roles: ['editor'] })), jwtAuth);
    const carol = client(storage, { headers: { 'x-api-key': carolKey } }, { apiKeys: [{ name: 'carol', roles: ['editor'], sha256: hashApiKey(carolKey) }] });
    await alice.run(AccessCreateContractDocument, { input: { document: contractDocument({ name: 'orders' }) } });
    const [created] = (await state(storage)).contracts.nodes;
    expect(created).toMatchObject({ createdBy: 'alice', updatedBy: 'alice' });
    const updated = await carol.run(AccessSetContractSettingsDocument, { input: { id: created!.id, expectedRevision: created!.revision, autoOpenIssues: false } });
    expect(updated.setContractSettings.__typename).toBe('SetContractSettingsSuccess');
    expect((await state(storage)).contracts.nodes[0]).toMatchObject({ createdBy: 'alice', updatedBy: 'carol' });
  });
});

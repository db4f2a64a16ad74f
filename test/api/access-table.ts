/**
 * The access table shared by the access tests: every mutation of the schema with the minimum role it needs and a
 * call of it against seeded data, the callers, and the helpers that seed a registry and read error codes.
 */
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
} from '../gql/graphql.js';
import { createTestClient, type GraphQLResponse, type TestClient, type TestClientOptions } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

export type Caller = Role | 'anonymous';
export const CALLERS: Caller[] = ['anonymous', 'viewer', 'editor', 'approver', 'admin'];

/** Which callers hold a minimum role: admin implies every role, editor and approver imply viewer. */
export const HOLDERS: Record<Role, Caller[]> = {
  viewer: ['viewer', 'editor', 'approver', 'admin'],
  editor: ['editor', 'admin'],
  approver: ['approver', 'admin'],
  admin: ['admin'],
};

export interface Seed {
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
export const MUTATIONS: Record<string, { minimum: Role; call: (client: TestClient, seed: Seed) => Promise<GraphQLResponse<unknown>> }> = {
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

export const SCHEMA_MUTATIONS = Object.keys(schema.getMutationType()?.getFields() ?? {}).sort();

export function client(storage: StorageBackend, as: TestClientOptions['as'], auth?: AuthOptions): TestClient {
  return createTestClient(storage, (e) => {
    throw e;
  }, { as, auth });
}

export function as(caller: Caller): Role | null {
  return caller === 'anonymous' ? null : caller;
}

export async function state(storage: StorageBackend): Promise<AccessStateQuery> {
  return client(storage, 'admin').run(AccessStateDocument, {});
}

export async function seeded(): Promise<{ storage: StorageBackend; seed: Seed }> {
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

export function codes(response: GraphQLResponse<unknown>): unknown[] {
  return (response.errors ?? []).map((e) => e.extensions?.code);
}

/**
 * Closed sets as enums (issue 13): the kind of thing an error or event is about (`resourceType`, `subjectKind`), the
 * unique field an AlreadyExistsError names (`uniqueField`), the storage backend (`backendKind`) and the Issue field
 * an activity entry changed (`issueField`) are enums generated clients can switch on; the deprecated String fields
 * they replace still answer the same, in their old spelling. Each enum holds exactly the domain's list.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { type GraphQLEnumType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCE_TYPES, UNIQUE_FIELDS } from '../../src/domain/errors.js';
import { EVENT_SUBJECT_TYPES } from '../../src/domain/events.js';
import { ISSUE_CHANGE_FIELDS } from '../../src/domain/issues.js';
import { enumName, STORAGE_BACKENDS } from '../../src/schema/closed-sets.js';
import { schema } from '../../src/schema/index.js';
import {
  ClosedSetCreateContractDocument,
  ClosedSetEventsDocument,
  ClosedSetStorageDocument,
  ClosedSetTransitionIssueDocument,
  ClosedSetUpdateContractDocument,
  ClosedSetUpdateIssueDocument,
  CreateIssueDocument,
} from '../gql/graphql.js';
import { memoryBackend } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

let client: TestClient;
let dispose: () => Promise<void>;
let contractId: string;

beforeAll(async () => {
  const backend = await memoryBackend.create();
  dispose = backend.dispose;
  client = createTestClient(backend.storage);
  const created = await client.run(ClosedSetCreateContractDocument, { input: { document: contractDocument({ name: 'closed_sets' }) } });
  if (created.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(created));
  contractId = created.createContract.contract.id;
});
afterAll(() => dispose());

describe('closed sets as enums, next to their deprecated String fields', () => {
  it('each enum holds exactly the domain list, its values the old strings in UPPER_SNAKE_CASE', () => {
    const values = (name: string) => (schema.getType(name) as GraphQLEnumType).getValues().map((v) => [v.name, v.value]);
    const expected = (list: readonly string[]) => list.map((v) => [enumName(v), v]);
    expect(values('ResourceType')).toEqual(expected(RESOURCE_TYPES));
    expect(values('EventSubjectType')).toEqual(expected(EVENT_SUBJECT_TYPES));
    expect(values('UniqueField')).toEqual(expected(UNIQUE_FIELDS));
    expect(values('StorageBackendKind')).toEqual(expected(STORAGE_BACKENDS));
    expect(values('IssueField')).toEqual(expected(ISSUE_CHANGE_FIELDS));
    expect(enumName('ContractVersion')).toBe('CONTRACT_VERSION');
    expect(enumName('odcsId')).toBe('ODCS_ID');
  });

  it('errors: resourceType and uniqueField, with resource and field as before', async () => {
    const taken = await client.run(ClosedSetCreateContractDocument, { input: { document: contractDocument({ name: 'closed_sets', id: 'urn:test:other' }) } });
    expect(taken.createContract).toEqual({
      __typename: 'AlreadyExistsError',
      code: 'ALREADY_EXISTS',
      resourceType: 'CONTRACT',
      resource: 'Contract',
      uniqueField: 'NAME',
      field: 'name',
    });
    const document = contractDocument({ name: 'closed_sets', version: '1.0.1' });
    const missing = await client.run(ClosedSetUpdateContractDocument, { input: { id: encodeGlobalID('Contract', 'no-such-contract'), expectedRevision: 1, document } });
    expect(missing.updateContract).toMatchObject({ __typename: 'NotFoundError', resourceType: 'CONTRACT', resource: 'Contract' });
    const stale = await client.run(ClosedSetUpdateContractDocument, { input: { id: contractId, expectedRevision: 7, document } });
    expect(stale.updateContract).toEqual({ __typename: 'ConflictError', code: 'CONFLICT', resourceType: 'CONTRACT', resource: 'Contract' });
  });

  it('issues: InvalidTransitionError.resourceType, and each activity change\'s issueField next to field', async () => {
    const created = await client.run(CreateIssueDocument, { input: { contractId, title: 'Late', severity: 'HIGH', category: 'SLA_BREACH' } });
    if (created.createIssue.__typename !== 'CreateIssueSuccess') throw new Error(JSON.stringify(created));
    const id = created.createIssue.issue.id;
    const edited = await client.run(ClosedSetUpdateIssueDocument, { input: { id, expectedRevision: 1, severity: 'CRITICAL', assignee: 'ana' } });
    if (edited.updateIssue.__typename !== 'UpdateIssueSuccess') throw new Error(JSON.stringify(edited));
    expect(edited.updateIssue.issue.activity.flatMap((a) => a.changes)).toEqual([
      { issueField: 'SEVERITY', field: 'severity' },
      { issueField: 'ASSIGNEE', field: 'assignee' },
    ]);
    const resolved = await client.run(ClosedSetTransitionIssueDocument, { input: { id, expectedRevision: 2, status: 'RESOLVED', resolution: 'FIXED' } });
    expect(resolved.transitionIssue.__typename, JSON.stringify(resolved)).toBe('TransitionIssueSuccess');
    const refused = await client.run(ClosedSetTransitionIssueDocument, { input: { id, expectedRevision: 3, status: 'IN_PROGRESS' } });
    expect(refused.transitionIssue).toEqual({ __typename: 'InvalidTransitionError', code: 'INVALID_TRANSITION', resourceType: 'ISSUE', resource: 'Issue' });
  });

  it('events: subjectKind next to subjectType; storage: backendKind next to backend', async () => {
    const events = await client.run(ClosedSetEventsDocument);
    const kinds = new Set(events.events.nodes.map((e) => `${e.subjectKind} ${e.subjectType}`));
    expect([...kinds].sort()).toEqual(['CONTRACT Contract', 'ISSUE Issue']);
    expect(await client.run(ClosedSetStorageDocument)).toEqual({ storage: { backendKind: 'MEMORY', backend: 'memory' } });
  });
});

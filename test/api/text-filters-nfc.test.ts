/**
 * Text filters compare canonically equivalent text as equal (issue 10.6): names, owners and every other text a
 * filter compares are NFC on both sides, so a filter written in decomposed form (`Cafe\u0301`) finds what was
 * stored composed (`Café`) and the other way round. One case per text filter of the API, on memory and FerretDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import type { StorageBackend } from '../../src/storage/types.js';
import {
  CreateContractDocument,
  CreateIssueDocument,
  NfcApprovalsDocument,
  NfcCatalogDocument,
  NfcContractsDocument,
  NfcEventsDocument,
  NfcIssuesDocument,
  NfcRunsDocument,
  NfcSearchDocument,
  NfcValidationsDocument,
  RecordValidationDocument,
  StartRunDocument,
  SubmitForReviewDocument,
} from '../gql/graphql.js';
import { backends } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

/** The same words composed (NFC) and decomposed (NFD). */
const composed = (text: string) => text.normalize('NFC');
const decomposed = (text: string) => text.normalize('NFD');
const ZOE = 'Zoë Müller';
const KEY = 'nfc-test-key-0123456789abcdef';

describe.each(backends)('text filters in NFC on $name', (backend) => {
  let storage: StorageBackend;
  let dispose: () => Promise<void>;
  let client: TestClient;

  beforeAll(async () => {
    ({ storage, dispose } = await backend.create());
    // The caller's principal name is configured decomposed: what it writes is found by the composed name.
    client = createTestClient(storage, undefined, {
      as: { headers: { 'x-api-key': KEY } },
      auth: { apiKeys: [{ name: decomposed(ZOE), roles: ['admin'], sha256: hashApiKey(KEY) }] },
    });
    const document = contractDocument({
      name: 'café-orders',
      team: decomposed('Équipe Crème'),
      schemas: { [decomposed('crème_brûlée')]: [{ name: decomposed('prénom'), logicalType: 'string' }] },
      extra: { domain: decomposed('Pâtisserie'), tags: [decomposed('Crème')] },
    });
    const created = await client.run(CreateContractDocument, { input: { document } });
    if (created.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(created));
    const { id, revision } = created.createContract.contract;
    await client.run(CreateIssueDocument, {
      input: { contractId: id, title: decomposed('Crème missing'), category: 'OTHER', severity: 'LOW', assignee: decomposed(ZOE) },
    });
    await client.run(StartRunDocument, { input: { contractId: id, pipelineId: decomposed('pipeline-été'), environment: decomposed('préprod') } });
    await client.run(RecordValidationDocument, { input: { contractId: id, passed: true, rowCount: 1, errorCount: 0, environment: decomposed('préprod') } });
    await client.run(SubmitForReviewDocument, { input: { contractId: id, expectedRevision: revision, approvers: [decomposed('Renée')] } });
  }, 60_000);
  afterAll(() => dispose());

  it.each([composed, decomposed])('finds each stored value by the %o form', async (form) => {
    const counts = {
      owner: (await client.run(NfcContractsDocument, { filter: { owner: form('Équipe Crème') } })).contracts.totalCount,
      schemaName: (await client.run(NfcContractsDocument, { filter: { schemaName: form('CRÈME_BRÛLÉE') } })).contracts.totalCount,
      searchQuery: (await client.run(NfcSearchDocument, { query: form('brûlée') })).searchContracts.totalCount,
      searchOwner: (await client.run(NfcSearchDocument, { query: 'orders', filter: { owner: form('Équipe Crème') } })).searchContracts.totalCount,
      searchDomain: (await client.run(NfcSearchDocument, { query: 'orders', filter: { domain: form('pâtisserie') } })).searchContracts.totalCount,
      searchTag: (await client.run(NfcSearchDocument, { query: 'orders', filter: { tag: form('crème') } })).searchContracts.totalCount,
      catalogPrefix: (await client.run(NfcCatalogDocument, { filter: { schemaNamePrefix: form('Crème') } })).schemaCatalog.totalCount,
      catalogProperty: (await client.run(NfcCatalogDocument, { filter: { propertyName: form('Prénom') } })).schemaCatalog.totalCount,
      catalogWord: (await client.run(NfcCatalogDocument, { filter: { propertyWord: form('prén') } })).schemaCatalog.totalCount,
      issueText: (await client.run(NfcIssuesDocument, { filter: { text: form('crème') } })).issues.totalCount,
      issueAssignee: (await client.run(NfcIssuesDocument, { filter: { assignee: form(ZOE) } })).issues.totalCount,
      runPipeline: (await client.run(NfcRunsDocument, { filter: { pipelineId: form('pipeline-été') } })).runs.totalCount,
      runEnvironment: (await client.run(NfcRunsDocument, { filter: { environment: form('préprod') } })).runs.totalCount,
      validationEnvironment: (await client.run(NfcValidationsDocument, { filter: { environment: form('préprod') } })).validationRecords.totalCount,
      approvalsRequestedBy: (await client.run(NfcApprovalsDocument, { filter: { requestedBy: form(ZOE) } })).approvalRequests.totalCount,
      approvalsApprover: (await client.run(NfcApprovalsDocument, { filter: { approver: form('Renée') } })).approvalRequests.totalCount,
      approvalsAwaiting: (await client.run(NfcApprovalsDocument, { filter: { awaiting: form('Renée') } })).approvalRequests.totalCount,
      eventsActor: (await client.run(NfcEventsDocument, { filter: { actor: form(ZOE) } })).events.totalCount > 0 ? 1 : 0,
    };
    expect(counts).toEqual(Object.fromEntries(Object.keys(counts).map((k) => [k, 1])));
  });
});

/**
 * Text filters compare canonically equivalent text as equal (issue 10.6): owners are stored trimmed and
 * NFC-normalized, and names, owners and every other text a filter compares are NFC on both sides (the
 * case-insensitive ones NFC lower case), so a filter written in decomposed form (`Cafe\u0301`, `E\u0301`) finds
 * what was stored composed (`Café`, `É`) and the other way round. One case per text filter of the API, on memory
 * and FerretDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import type { StorageBackend } from '../../src/storage/types.js';
import {
  ContractsDocument,
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
  SchemaCatalogDocument,
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
    // Two contracts of one owner: the team name and the schema name arrive decomposed; the second's owner
    // arrives composed with spaces.
    const first = await client.run(CreateContractDocument, {
      input: { document: contractDocument({ name: 'nfc_first', team: decomposed('Équipe Données'), schemas: { [decomposed('Clés')]: [{ name: decomposed('numéro'), primaryKey: true }] } }) },
    });
    const second = await client.run(CreateContractDocument, { input: { owner: `  ${composed('Équipe Données')} `, document: contractDocument({ name: 'nfc_second' }) } });
    for (const r of [first, second]) if (r.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(r.createContract));
  }, 60_000);
  afterAll(() => dispose());

  it('stores the owner trimmed and NFC-normalized, whichever form it came in', async () => {
    const page = await client.run(ContractsDocument, { first: 10 });
    const owners = Object.fromEntries(page.contracts.edges.map((e) => [e.node.name, e.node.owner]));
    expect(owners).toEqual({ 'café-orders': composed('Équipe Crème'), nfc_first: composed('Équipe Données'), nfc_second: composed('Équipe Données') });
  });

  it('finds by owner in either form, and only exact owners', async () => {
    for (const owner of [composed('Équipe Données'), decomposed('Équipe Données'), ` ${decomposed('Équipe Données')}  `]) {
      const page = await client.run(ContractsDocument, { filter: { owner }, first: 10 });
      expect(page.contracts.edges.map((e) => e.node.name).sort()).toEqual(['nfc_first', 'nfc_second']);
      expect(page.contracts.totalCount).toBe(2);
    }
    const none = await client.run(ContractsDocument, { filter: { owner: composed('équipe données') }, first: 10 });
    expect(none.contracts.totalCount).toBe(0);
  });

  it('finds by schema name, schema-name prefix and property name in either form, ignoring case, naming the contract', async () => {
    for (const schemaName of [composed('CLÉS'), decomposed('clés')]) {
      const page = await client.run(ContractsDocument, { filter: { schemaName }, first: 10 });
      expect(page.contracts.edges.map((e) => e.node.name)).toEqual(['nfc_first']);
    }
    for (const filter of [{ schemaNamePrefix: decomposed('Clé') }, { schemaNamePrefix: composed('clé') }, { propertyName: composed('NUMÉRO') }, { propertyName: decomposed('numéro') }]) {
      const page = await client.run(SchemaCatalogDocument, { filter, first: 10 });
      expect(page.schemaCatalog.nodes.map((n) => n.contractName), JSON.stringify(filter)).toEqual(['nfc_first']);
    }
  });

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

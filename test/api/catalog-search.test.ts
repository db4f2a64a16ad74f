/** The schema catalog and search through the GraphQL API. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateContractDocument,
  DeleteContractDocument,
  RebuildSchemaCatalogDocument,
  SchemaCatalogDocument,
  SearchContractsDocument,
  SearchContractsFilteredDocument,
  SubmitForReviewDocument,
  UpdateContractEvolutionDocument,
  WithdrawApprovalRequestDocument,
} from '../gql/graphql.js';
import { mongoBackend } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

let client: TestClient;
let dispose: () => Promise<void>;
const ids: Record<string, string> = {};

beforeAll(async () => {
  const backend = await mongoBackend.create();
  dispose = backend.dispose;
  client = createTestClient(backend.storage);
  const contracts = {
    customers: contractDocument({
      name: 'customers',
      purpose: 'Everyone who bought something',
      schemas: {
        Customers: [
          { name: 'customer_id', primaryKey: true, primaryKeyPosition: 1 },
          { name: 'email', classification: 'restricted', description: 'Contact address' },
          { name: 'address', logicalType: 'object', properties: [{ name: 'street' }, { name: 'city' }] },
        ],
        customer_segments: [{ name: 'segment', classification: 'public' }],
      },
    }),
    newsletter: contractDocument({
      name: 'newsletter',
      schemas: { subscribers: [{ name: 'email', customProperties: [{ property: 'pii', value: true }] }, { name: 'topic' }] },
    }),
    shipments: contractDocument({ name: 'shipments', schemas: { shipments: [{ name: 'tracking_code', description: 'carrier email reference' }] } }),
  };
  for (const [name, document] of Object.entries(contracts)) {
    const r = await client.run(CreateContractDocument, { input: { document } });
    if (r.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(r));
    ids[name] = r.createContract.contract.id;
  }
});
afterAll(() => dispose());

describe('schemaCatalog', () => {
  it('answers "where is a PII email field defined?"', async () => {
    const r = await client.run(SchemaCatalogDocument, { filter: { propertyName: 'EMAIL', hasPii: true } });
    expect(r.schemaCatalog.totalCount).toBe(2);
    expect(r.schemaCatalog.nodes.map((n) => [n.contractName, n.schemaName])).toEqual([
      ['customers', 'Customers'],
      ['newsletter', 'subscribers'],
    ]);
    const customers = r.schemaCatalog.nodes[0]!;
    expect(customers).toMatchObject({ propertyCount: 5, hasPii: true, primaryKey: ['customer_id'], contractVersion: '1.0.0', contractStatus: 'DRAFT' });
    expect(customers.properties.map((p) => p.path)).toEqual(['customer_id', 'email', 'address', 'address.street', 'address.city']);
  });

  it('filters by case-insensitive schema-name prefix and nested property path, and pages', async () => {
    const prefix = await client.run(SchemaCatalogDocument, { filter: { schemaNamePrefix: 'CUSTOMER' }, first: 1 });
    expect(prefix.schemaCatalog.totalCount).toBe(2);
    // Ordered by the lower-cased name: 'customer_segments' < 'customers' ('_' sorts before 's').
    expect(prefix.schemaCatalog.nodes.map((n) => [n.schemaName, n.hasPii])).toEqual([['customer_segments', false]]);
    const rest = await client.run(SchemaCatalogDocument, { filter: { schemaNamePrefix: 'customer' }, first: 1, after: prefix.schemaCatalog.pageInfo.endCursor });
    expect(rest.schemaCatalog.nodes.map((n) => n.schemaName)).toEqual(['Customers']);
    expect(rest.schemaCatalog.pageInfo.hasNextPage).toBe(false);
    const nested = await client.run(SchemaCatalogDocument, { filter: { propertyName: 'address.street' } });
    expect(nested.schemaCatalog.nodes.map((n) => n.schemaName)).toEqual(['Customers']);
  });

  it('follows status changes, updates and deletes, and rebuilds to the same entries', async () => {
    const submitted = await client.run(SubmitForReviewDocument, { input: { contractId: ids.shipments!, expectedRevision: 1, approvers: ['reviewer'] } });
    if (submitted.submitForReview.__typename !== 'SubmitForReviewSuccess') throw new Error(JSON.stringify(submitted));
    const afterStatus = await client.run(SchemaCatalogDocument, { filter: { contractStatus: ['IN_REVIEW'] } });
    expect(afterStatus.schemaCatalog.nodes.map((n) => n.schemaName)).toEqual(['shipments']);
    await client.run(WithdrawApprovalRequestDocument, { input: { requestId: submitted.submitForReview.approvalRequest.id } });
    const backToDraft = await client.run(SchemaCatalogDocument, { filter: { contractStatus: ['IN_REVIEW'] } });
    expect(backToDraft.schemaCatalog.totalCount).toBe(0);

    const renamed = contractDocument({ name: 'shipments', schemas: { deliveries: [{ name: 'tracking_code' }] } });
    // Replacing the shipments schema object by deliveries removes a schema object: breaking, so refused without
    // acceptBreakingChanges (the catalog keeps the old entry)...
    const refused = await client.run(UpdateContractEvolutionDocument, { input: { id: ids.shipments!, expectedRevision: 3, document: renamed } });
    expect(refused.updateContract).toMatchObject({
      __typename: 'IncompatibleChangeError',
      code: 'INCOMPATIBLE_CHANGE',
      requiredBump: 'major',
      changes: [{ ruleId: 'schema-removed', readablePath: 'shipments' }],
    });
    const unchanged = await client.run(SchemaCatalogDocument, { filter: { contractId: ids.shipments! } });
    expect(unchanged.schemaCatalog.nodes.map((n) => [n.schemaName, n.contractVersion])).toEqual([['shipments', '1.0.0']]);
    // ...and written with it, at the major bump 2.0.0 (it used to be the patch 1.0.1), the acceptance recorded.
    const updated = await client.run(UpdateContractEvolutionDocument, { input: { id: ids.shipments!, expectedRevision: 3, document: renamed, acceptBreakingChanges: true } });
    expect(updated.updateContract.__typename).toBe('UpdateContractSuccess');
    expect(updated.updateContract).toMatchObject({ contract: { currentVersion: '2.0.0', current: { version: '2.0.0', requiredBump: 'MAJOR', breakingChangesAccepted: true } } });
    const entries = await client.run(SchemaCatalogDocument, { filter: { contractId: ids.shipments! } });
    expect(entries.schemaCatalog.nodes.map((n) => [n.schemaName, n.contractVersion])).toEqual([['deliveries', '2.0.0']]);

    const before = await client.run(SchemaCatalogDocument, { first: 100 });
    const rebuilt = await client.run(RebuildSchemaCatalogDocument, {});
    expect(rebuilt.rebuildSchemaCatalog).toMatchObject({ __typename: 'RebuildSchemaCatalogSuccess', rebuild: { contracts: 3, entries: 4 } });
    const after = await client.run(SchemaCatalogDocument, { first: 100 });
    expect(after).toEqual(before);

    await client.run(DeleteContractDocument, { input: { id: ids.shipments! } });
    const gone = await client.run(SchemaCatalogDocument, { filter: { contractId: ids.shipments! } });
    expect(gone.schemaCatalog.totalCount).toBe(0);
  });
});

describe('searchContracts', () => {
  it('ranks hits and says which fields matched', async () => {
    const r = await client.run(SearchContractsDocument, { query: 'email' });
    // Both define `email`: equal scores, so the more recently written contract comes first.
    expect(r.searchContracts.nodes.map((h) => h.contract.name)).toEqual(['newsletter', 'customers']);
    expect(r.searchContracts.nodes.map((h) => h.matchedFields)).toEqual([['PROPERTY_NAMES'], ['PROPERTY_NAMES']]);
    expect(r.searchContracts.nodes[0]!.score).toBeGreaterThan(0);
  });

  it('finds by name above property matches, pages with cursors, and finds nothing for an empty query', async () => {
    const r = await client.run(SearchContractsDocument, { query: 'newsletter topic', first: 1 });
    expect(r.searchContracts.totalCount).toBe(1);
    expect(r.searchContracts.nodes[0]).toMatchObject({ contract: { name: 'newsletter' }, matchedFields: ['NAME', 'ODCS_ID', 'PROPERTY_NAMES'] });
    const empty = await client.run(SearchContractsDocument, { query: '   ' });
    expect(empty.searchContracts.totalCount).toBe(0);
    const tooLong = await client.request(SearchContractsDocument, { query: 'x'.repeat(501) });
    expect(tooLong.errors?.[0]?.message).toMatch(/query.*500/);
  });
});

describe('searchContracts filters and facets, catalog property words', () => {
  it('finds `customer_email` by "customer email", narrows by filter and counts facets', async () => {
    const created = await client.run(CreateContractDocument, {
      input: {
        document: {
          ...contractDocument({ name: 'web-orders', team: 'sales-data', schemas: { orders: [{ name: 'customer_email', classification: 'restricted' }] } }),
          domain: 'sales',
          tags: ['web-shop'],
        },
      },
    });
    expect(created.createContract.__typename).toBe('CreateContractSuccess');
    const r = await client.run(SearchContractsFilteredDocument, { query: 'customer email', filter: { domain: 'Sales', hasPii: true, tag: 'WEB-SHOP', owner: 'sales-data', status: ['DRAFT'] } });
    expect(r.searchContracts.nodes.map((n) => n.contract.name)).toEqual(['web-orders']);
    expect(r.searchContracts.facets.domain).toEqual([{ value: 'sales', count: 1 }]);
    expect(r.searchContracts.facets.status).toEqual([{ value: 'DRAFT', count: 1 }]);
    const none = await client.run(SearchContractsFilteredDocument, { query: 'customer email', filter: { hasPii: false, domain: 'sales' } });
    expect(none.searchContracts.totalCount).toBe(0);
    expect(none.searchContracts.facets.hasPii).toEqual([{ value: true, count: 1 }]);
  });

  it('lists schemas by a word of a property name, or its start', async () => {
    for (const word of ['email', 'EMA', 'customer_e', 'cust']) {
      const r = await client.run(SchemaCatalogDocument, { filter: { propertyWord: word, hasPii: true } });
      expect(r.schemaCatalog.nodes.map((n) => n.contractName), word).toContain('web-orders');
    }
    const whole = await client.run(SchemaCatalogDocument, { filter: { propertyName: 'email', hasPii: true } });
    expect(whole.schemaCatalog.nodes.map((n) => n.contractName)).not.toContain('web-orders');
    const bad = await client.request(SchemaCatalogDocument, { filter: { propertyWord: 'two words' } });
    expect(bad.errors?.[0]?.message).toMatch(/propertyWord.*one word/);
    expect(bad.data ?? null).toBeNull();
  });
});

/**
 * Every official ODCS example can be created through GraphQL, read back equal to what was sent (as JSON, key order
 * included), found by searching for one of its property names, and appears in the schema catalog.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkProperties, type OdcsDocument } from '../../src/domain/odcs.js';
import { ContractCatalogEntriesDocument, CreateContractDocument, GetContractDocument, SchemaCatalogDocument, SearchContractsDocument } from '../gql/graphql.js';
import { backends } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { officialExamples } from '../support/fixtures.js';

const examples = officialExamples();

describe.each(backends)('official ODCS examples on the $name backend', (backend) => {
  let client: TestClient;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const created = await backend.create();
    dispose = created.dispose;
    client = createTestClient(created.storage);
  });
  afterAll(() => dispose());

  it('has the examples to test with', () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
  });

  it.each(examples)('$file: create, read back, search, catalog', async ({ file, document }) => {
    const name = file.replace('.odcs.yaml', '');
    const created = await client.run(CreateContractDocument, { input: { document, name } });
    if (created.createContract.__typename !== 'CreateContractSuccess') {
      throw new Error(`${file} was refused: ${JSON.stringify(created.createContract)}`);
    }
    const id = created.createContract.contract.id;

    const read = await client.run(GetContractDocument, { id });
    expect(JSON.stringify(read.contract?.document)).toBe(JSON.stringify(document));

    const schemas = (document as unknown as OdcsDocument).schema ?? [];
    const property = schemas.flatMap((s) => [...walkProperties(s.properties)]).map((p) => p.property.name)[0];
    if (property) {
      const hits = await client.run(SearchContractsDocument, { query: property, first: 100 });
      const hit = hits.searchContracts.nodes.find((h) => h.contract.id === id);
      expect(hit, `search for ${property}`).toBeDefined();
      expect(hit!.matchedFields).toContain('PROPERTY_NAMES');
      expect(hit!.score).toBeGreaterThan(0);
    }

    const entries = await client.run(ContractCatalogEntriesDocument, { id });
    expect(entries.contract?.catalogEntries.map((e) => e.schemaName).sort()).toEqual(schemas.map((s) => s.name).sort());
    for (const schema of schemas) {
      const found = await client.run(SchemaCatalogDocument, { filter: { schemaNamePrefix: schema.name, contractId: id } });
      const entry = found.schemaCatalog.nodes.find((n) => n.schemaName === schema.name);
      expect(entry, `${file} catalog entry for ${schema.name}`).toBeDefined();
      expect(entry!.propertyCount).toBe([...walkProperties(schema.properties)].length);
      expect(entry!.contract?.id).toBe(id);
    }
  });
});

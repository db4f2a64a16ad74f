/**
 * Every official ODCS example imports as-is through GraphQL, one by one on an empty database (as its text, with no
 * name given: four have none), is reachable by its ODCS id and by its handle, reads back equal to the file (as JSON,
 * key order included), is found by searching for one of its property names, and appears in the schema catalog.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkProperties, type OdcsDocument } from '../../src/domain/odcs.js';
import { ContractCatalogEntriesDocument, GetContractDocument, OdcsDeleteDocument, OdcsImportDocument, OdcsLookupDocument, SchemaCatalogDocument, SearchContractsDocument } from '../gql/graphql.js';
import { backends } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { odcsDir, officialExamples } from '../support/fixtures.js';

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

  it.each(examples)('$file: import as-is, reach by id and handle, read back, search, catalog', async ({ file, document }) => {
    const text = readFileSync(join(odcsDir, 'examples', file), 'utf8');
    const imported = await client.run(OdcsImportDocument, { input: { text } });
    if (imported.importContract.__typename !== 'ImportContractSuccess') {
      throw new Error(`${file} was refused: ${JSON.stringify(imported.importContract)}`);
    }
    const { outcome, contract, matchedContract } = imported.importContract.result;
    expect(outcome).toBe('CREATED');
    expect(matchedContract).toBeNull();
    const id = contract.id;
    const handle = typeof document.name === 'string' ? document.name : String(document.id);
    expect(contract.name).toBe(handle);
    const found = await client.run(OdcsLookupDocument, { odcsId: String(document.id), name: handle });
    expect(found.byOdcsId?.id).toBe(id);
    expect(found.byName?.id).toBe(id);

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
    // The next example starts on an empty database again (several share an ODCS id and a name).
    await client.run(OdcsDeleteDocument, { input: { id } });
  });
});

/**
 * Text filters compare text as it is stored (issue 10.6): owners are stored trimmed and NFC-normalized, and the
 * case-insensitive schema and property filters compare NFC lower case on both sides. So a decomposed `E\u0301`
 * (E + combining acute) and a composed `É` find the same contracts and catalog entries, on both backends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractsDocument, CreateContractDocument, SchemaCatalogDocument } from '../gql/graphql.js';
import { backends } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

const composed = (text: string) => text.normalize('NFC');
const decomposed = (text: string) => text.normalize('NFD');

describe.each(backends)('NFC text filters on the $name backend', (backend) => {
  let client: TestClient;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    const created = await backend.create();
    dispose = created.dispose;
    client = createTestClient(created.storage);
    // The team name and the schema name arrive decomposed; a second contract's owner arrives composed with spaces.
    const first = await client.run(CreateContractDocument, {
      input: { document: contractDocument({ name: 'nfc_first', team: decomposed('Équipe Données'), schemas: { [decomposed('Clés')]: [{ name: decomposed('numéro'), primaryKey: true }] } }) },
    });
    const second = await client.run(CreateContractDocument, { input: { owner: `  ${composed('Équipe Données')} `, document: contractDocument({ name: 'nfc_second' }) } });
    for (const r of [first, second]) if (r.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(r.createContract));
  });
  afterAll(() => dispose());

  it('stores the owner trimmed and NFC-normalized, whichever form it came in', async () => {
    const page = await client.run(ContractsDocument, { first: 10 });
    const owners = page.contracts.edges.map((e) => e.node.owner);
    expect(owners).toEqual([composed('Équipe Données'), composed('Équipe Données')]);
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

  it('finds by schema name, schema-name prefix and property name in either form, ignoring case', async () => {
    for (const schemaName of [composed('CLÉS'), decomposed('clés')]) {
      const page = await client.run(ContractsDocument, { filter: { schemaName }, first: 10 });
      expect(page.contracts.edges.map((e) => e.node.name)).toEqual(['nfc_first']);
    }
    for (const filter of [{ schemaNamePrefix: decomposed('Clé') }, { schemaNamePrefix: composed('clé') }, { propertyName: composed('NUMÉRO') }, { propertyName: decomposed('numéro') }]) {
      const page = await client.run(SchemaCatalogDocument, { filter, first: 10 });
      expect(page.schemaCatalog.nodes.map((n) => n.contractName), JSON.stringify(filter)).toEqual(['nfc_first']);
    }
  });
});

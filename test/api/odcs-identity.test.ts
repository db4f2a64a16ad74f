/**
 * The ODCS id as identity through GraphQL, on both backends: a second create with a taken id is an
 * AlreadyExistsError naming the holder; every import and preview answer names the contract it compared with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OdcsCreateDocument, OdcsImportDocument, OdcsLookupDocument, OdcsPreviewDocument } from '../gql/graphql.js';
import { backends } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

describe.each(backends)('ODCS identity on the $name backend', (backend) => {
  let client: TestClient;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    const created = await backend.create();
    dispose = created.dispose;
    client = createTestClient(created.storage);
  });
  afterAll(() => dispose());

  async function create(id: string, name: string) {
    const created = await client.run(OdcsCreateDocument, { input: { document: contractDocument({ id, name }) } });
    if (created.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(created.createContract));
    return created.createContract.contract;
  }

  it('refuses a second contract with a taken ODCS id, naming the contract that has it; nothing is written', async () => {
    const first = await create('urn:api:id', 'api_id_first');
    const again = await client.run(OdcsCreateDocument, { input: { document: contractDocument({ id: 'urn:api:id', name: 'api_id_second' }) } });
    expect(again.createContract).toMatchObject({ __typename: 'AlreadyExistsError', uniqueField: 'ODCS_ID', value: 'urn:api:id', code: 'ALREADY_EXISTS' });
    expect(again.createContract.__typename === 'AlreadyExistsError' && again.createContract.message).toContain('contract "api_id_first" (id ');
    // Import with a name for a new contract cannot create a second holder either: it matches the first.
    const imported = await client.run(OdcsImportDocument, { input: { text: JSON.stringify(contractDocument({ id: 'urn:api:id', name: 'api_id_first' })), name: 'api_id_third' } });
    expect(imported.importContract).toMatchObject({
      __typename: 'ImportContractSuccess',
      result: { outcome: 'UNCHANGED', matchedContract: { id: first.id, name: 'api_id_first' }, comparedVersion: '1.0.0' },
    });
    const found = await client.run(OdcsLookupDocument, { odcsId: 'urn:api:id', name: 'api_id_second' });
    expect(found).toEqual({ byOdcsId: { id: first.id, name: 'api_id_first' }, byName: null });
  });

  it('names the contract an import matched in its result and in its errors', async () => {
    const c = await create('urn:api:import', 'api_import');
    const updated = await client.run(OdcsImportDocument, { input: { text: JSON.stringify(contractDocument({ id: 'urn:api:import', name: 'api_import', purpose: 'Documented' })) } });
    expect(updated.importContract).toMatchObject({ result: { outcome: 'UPDATED', matchedContract: { id: c.id }, comparedVersion: '1.0.0', contract: { currentVersion: '1.0.1' } } });
    const breaking = contractDocument({ id: 'urn:api:import', name: 'api_import', schemas: { other: [{ name: 'x' }] } });
    const refused = await client.run(OdcsImportDocument, { input: { text: JSON.stringify(breaking) } });
    expect(refused.importContract.__typename).toBe('IncompatibleChangeError');
    expect(refused.importContract.__typename === 'IncompatibleChangeError' && refused.importContract.message).toMatch(
      new RegExp(`^compared with contract "api_import" \\(id [^,]+, ODCS id "urn:api:import", version 1\\.0\\.1\\): `),
    );
    const created = await client.run(OdcsImportDocument, { input: { text: JSON.stringify(contractDocument({ id: 'urn:api:new', name: 'api_new' })) } });
    expect(created.importContract).toMatchObject({ result: { outcome: 'CREATED', matchedContract: null, comparedVersion: null } });
  });

  it('names the contract a preview judged the proposal against', async () => {
    const c = await create('urn:api:preview', 'api_preview');
    const preview = await client.run(OdcsPreviewDocument, { id: c.id, document: contractDocument({ id: 'urn:api:preview', name: 'api_preview', schemas: { other: [{ name: 'x' }] } }) });
    expect(preview.previewContractUpdate).toEqual({ contract: { id: c.id, name: 'api_preview' }, currentVersion: '1.0.0', needsAcceptBreakingChanges: true });
  });
});

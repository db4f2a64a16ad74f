/**
 * IncompatibleChangeError speaks enums (issue 13.3): `compatibilityMode`, `versionBump` and each change's
 * `changeLevel` are the CompatibilityMode, VersionBump and ChangeLevel values generated clients can switch on; the
 * deprecated String fields (`compatibility`, `requiredBump`, `level`) still answer the same, in their old spelling.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateContractDocument, SetContractSettingsDocument, UpdateContractRefusalDocument } from '../gql/graphql.js';
import { memoryBackend } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

let client: TestClient;
let dispose: () => Promise<void>;

beforeAll(async () => {
  const backend = await memoryBackend.create();
  dispose = backend.dispose;
  client = createTestClient(backend.storage);
});
afterAll(() => dispose());

const orders = (name: string, properties: { name: string; required?: boolean }[]) => contractDocument({ name, schemas: { orders: properties } });

async function create(name: string): Promise<string> {
  const r = await client.run(CreateContractDocument, { input: { document: orders(name, [{ name: 'order_id' }, { name: 'customer_email', required: true }]) } });
  if (r.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(r));
  return r.createContract.contract.id;
}

describe('IncompatibleChangeError as enums', () => {
  it('a breaking change under the default mode: BACKWARD, MAJOR, a BREAKING change', async () => {
    const id = await create('enum_breaking');
    const refused = await client.run(UpdateContractRefusalDocument, { input: { id, expectedRevision: 1, document: orders('enum_breaking', [{ name: 'order_id' }]) } });
    expect(refused.updateContract).toEqual({
      __typename: 'IncompatibleChangeError',
      code: 'INCOMPATIBLE_CHANGE',
      compatibilityMode: 'BACKWARD',
      versionBump: 'MAJOR',
      compatibility: 'BACKWARD',
      requiredBump: 'major',
      changes: [{ ruleId: 'property-removed', changeLevel: 'BREAKING', level: 'breaking' }],
    });
  });

  it('a change only the contract mode forbids: FORWARD, a WARNING (a required property becomes optional)', async () => {
    const id = await create('enum_forward');
    const set = await client.run(SetContractSettingsDocument, { input: { id, expectedRevision: 1, compatibility: 'FORWARD' } });
    expect(set.setContractSettings.__typename).toBe('SetContractSettingsSuccess');
    const document = orders('enum_forward', [{ name: 'order_id' }, { name: 'customer_email', required: false }]);
    const refused = await client.run(UpdateContractRefusalDocument, { input: { id, expectedRevision: 2, document } });
    expect(refused.updateContract.__typename).toBe('IncompatibleChangeError');
    if (refused.updateContract.__typename !== 'IncompatibleChangeError') return;
    expect(refused.updateContract).toMatchObject({ compatibilityMode: 'FORWARD', compatibility: 'FORWARD', changes: [{ changeLevel: 'WARNING', level: 'warning' }] });
    expect(refused.updateContract.versionBump.toLowerCase()).toBe(refused.updateContract.requiredBump);
    for (const change of refused.updateContract.changes) expect(change.changeLevel.toLowerCase()).toBe(change.level);
  });
});

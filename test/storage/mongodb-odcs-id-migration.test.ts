/**
 * Contracts stored before ODCS ids were unique read the same afterwards. The database is put in the state an older
 * registry left (no id keys, no migration record, two contracts sharing an ODCS id, as that registry allowed);
 * starting the backend gives every contract its key, the oldest holding a shared id, and changes nothing a reader sees.
 */
import { expect, inject, it } from 'vitest';
import { importContract } from '../../src/services/import.js';
import { createMongoStorage } from '../../src/storage/mongodb/index.js';
import { KEYS_COLLECTION } from '../../src/storage/mongodb/keys.js';
import { AlreadyExistsError } from '../../src/domain/errors.js';
import { GetContractDocument, OdcsCreateDocument } from '../gql/graphql.js';
import { createTestClient } from '../support/client.js';
import { testDatabaseName } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';

it('gives contracts stored before the change their ODCS id keys at start-up; they read the same', async () => {
  const options = { uri: inject('mongodbUri'), database: testDatabaseName() };
  const old = await createMongoStorage(options);
  const a = await old.contracts.create({ document: contractDocument({ id: 'urn:legacy:shared', name: 'legacy_a' }) }, 'old');
  const b = await old.contracts.create({ document: contractDocument({ id: 'urn:legacy:b', name: 'legacy_b' }) }, 'old');
  // The state an older registry left: a younger contract with the same ODCS id (with its version), and no keys.
  const storedA = await old.db.collection('contracts').findOne({ _id: a.id as never });
  const storedVersion = await old.db.collection('contract_versions').findOne({ contractId: a.id });
  const twinId = '00000000-0000-4000-8000-000000000001';
  const later = new Date(a.createdAt.getTime() + 1000);
  await old.db.collection('contract_versions').insertOne({ ...storedVersion, _id: `${twinId}@1` as never, contractId: twinId });
  await old.db.collection('contracts').insertOne({ ...storedA, _id: twinId as never, name: 'legacy_twin', createdAt: later, updatedAt: later });
  // No key documents at all (neither ODCS id keys nor the name and version keys of an older registry).
  await old.db.collection(KEYS_COLLECTION).drop();
  const before = createTestClient(old);
  const read = async (client: typeof before, id: string) => (await client.run(GetContractDocument, { id: globalId(id) })).contract;
  const readBefore = { a: await read(before, a.id), b: await read(before, b.id), twin: await read(before, twinId) };
  expect(readBefore.twin?.name).toBe('legacy_twin');
  await old.close();

  const started = await createMongoStorage(options);
  try {
    const client = createTestClient(started);
    expect({ a: await read(client, a.id), b: await read(client, b.id), twin: await read(client, twinId) }).toEqual(readBefore);
    const keys = await started.db.collection(KEYS_COLLECTION).find({ _id: { $regex: '^(odcs/|migration/odcs-ids)' } as never }).sort({ _id: 1 }).toArray();
    expect(keys.map((k) => [k._id, k.contractId])).toEqual([
      ['migration/odcs-ids-v1', ''],
      ['odcs/=urn:legacy:b', b.id],
      ['odcs/=urn:legacy:shared', a.id],
    ]);

    // The oldest holds the shared id: import matches it, as it always did; a new contract with it is refused.
    expect((await started.contracts.getByOdcsId('urn:legacy:shared'))?.id).toBe(a.id);
    const refused = await client.run(OdcsCreateDocument, { input: { document: contractDocument({ id: 'urn:legacy:shared', name: 'legacy_c' }) } });
    expect(refused.createContract).toMatchObject({ __typename: 'AlreadyExistsError', uniqueField: 'ODCS_ID', value: 'urn:legacy:shared' });
    expect(refused.createContract.__typename === 'AlreadyExistsError' && refused.createContract.message).toContain('"legacy_a"');
    const imported = await importContract(started, { text: JSON.stringify(contractDocument({ id: 'urn:legacy:shared', name: 'legacy_a', purpose: 'Now documented' })) }, 'new');
    expect(imported).toMatchObject({ outcome: 'updated', contract: { id: a.id }, matched: { contract: { id: a.id }, comparedVersion: '1.0.0' } });
    // The twin still takes new versions of its own.
    const twinUpdated = await started.contracts.update({ id: twinId, expectedRevision: 1, document: contractDocument({ id: 'urn:legacy:shared', name: 'legacy_a', purpose: 'Twin' }) }, 'new');
    expect(twinUpdated.versionCount).toBe(2);
    await expect(started.contracts.create({ document: contractDocument({ id: 'urn:legacy:b', name: 'legacy_d' }) }, 'new')).rejects.toBeInstanceOf(AlreadyExistsError);
  } finally {
    await started.dropDatabase();
    await started.close();
  }
});

function globalId(id: string): string {
  return Buffer.from(`Contract:${id}`).toString('base64');
}

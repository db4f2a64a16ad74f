/**
 * A dead write claim (claims.ts: its writer died, its lease ran out) met by several writers at once. Exactly one
 * may take it over and write: FerretDB 1.x deletes `{_id, token}` by finding, then deleting by `_id`, so a slow
 * taker's delete could remove the claim a faster taker had just inserted, and both would then write the same
 * revision (a lost update).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConflictError } from '../../src/domain/errors.js';
import { CLAIMS_COLLECTION, revisionKey } from '../../src/storage/mongodb/claims.js';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { testDatabaseName } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';

let first: MongoStorageBackend;
let second: MongoStorageBackend;

beforeAll(async () => {
  const database = testDatabaseName();
  first = await createMongoStorage({ uri: inject('mongodbUri'), database, repairIntervalMs: 0 });
  second = await createMongoStorage({ uri: inject('mongodbUri'), database, repairIntervalMs: 0 });
});
afterAll(async () => {
  await first.dropDatabase();
  await first.close();
  await second.close();
});

describe('a dead claim met by several writers at once', () => {
  it('lets exactly one of six concurrent updates of that revision write, every round', async () => {
    const document = (version: string) => contractDocument({ name: 'takeover_claim', version, purpose: `At ${version}.` });
    let contract = await first.contracts.create({ document: document('1.0.0') }, 'test');
    const claims = first.db.collection(CLAIMS_COLLECTION);
    for (let round = 0; round < 10; round++) {
      const at = contract.revision;
      // What a writer that died at this revision leaves: its claim, with a lease that ran out long ago.
      await claims.insertOne({ _id: revisionKey('contracts', contract.id, at) as never, token: `dead-${round}`, owner: 'a-dead-instance', at: new Date(0), expiresAt: new Date(0) });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 ? second : first).contracts.update({ id: contract.id, expectedRevision: at, document: document(`1.${round + 1}.${i}`) }, 'test'),
        ),
      );
      const written = outcomes.filter((o) => o.status === 'fulfilled').map((o) => (o as PromiseFulfilledResult<typeof contract>).value);
      const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as Error);
      expect(refused.every((e) => e instanceof ConflictError), refused.map(String).join('; ')).toBe(true);
      expect(written).toHaveLength(1);
      const now = (await first.contracts.getById(contract.id))!;
      expect(now.revision).toBe(at + 1);
      expect(now.version).toBe(written[0]!.version);
      expect(now.versionCount).toBe(contract.versionCount + 1);
      contract = now;
    }
  }, 120_000);
});

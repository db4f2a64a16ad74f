/** The server restarts on its existing database: start-up (indexes, capability probes) is idempotent. */
import { expect, it } from 'vitest';
import { inject } from 'vitest';
import { createMongoStorage } from '../../src/storage/mongodb/index.js';
import { testDatabaseName } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';

it('opens the same database three times and keeps serving the data', async () => {
  const options = { uri: inject('mongodbUri'), database: testDatabaseName() };
  const first = await createMongoStorage(options);
  const created = await first.contracts.create({ document: contractDocument({ name: 'restart' }) }, 'test');
  const indexCount = (await first.db.collection('contracts').listIndexes().toArray()).length;
  await first.close();

  for (let i = 0; i < 2; i++) {
    const again = await createMongoStorage(options);
    try {
      expect((await again.contracts.getByName('restart'))?.id).toBe(created.id);
      expect((await again.db.collection('contracts').listIndexes().toArray()).length).toBe(indexCount);
      expect((await again.health()).ok).toBe(true);
    } finally {
      if (i === 1) await again.dropDatabase();
      await again.close();
    }
  }
});

/**
 * `totalCount` is computed only when a query selects it, and exactly: a page read without it sends no count command
 * to the database; with it (however often it is selected) one count, of the whole filter, not just the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { ContractsOnlyCountDocument, ContractsWithCountDocument, ContractsWithoutCountDocument, CreateContractDocument } from '../gql/graphql.js';
import { backends, countCommands, mongoBackend } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

/** 7 contracts of team-a, 5 of team-b. */
async function seed(client: TestClient): Promise<void> {
  for (let i = 0; i < 12; i++) {
    const name = `count_${String(i).padStart(2, '0')}`;
    const r = await client.run(CreateContractDocument, { input: { document: contractDocument({ name, team: i < 7 ? 'team-a' : 'team-b' }) } });
    if (r.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(r));
  }
}

describe.each(backends)('totalCount on $name', (backend) => {
  let client: TestClient;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    const b = await backend.create();
    dispose = b.dispose;
    client = createTestClient(b.storage);
    await seed(client);
  });
  afterAll(() => dispose());

  it('counts the whole filter, not the page, on every page', async () => {
    const first = (await client.run(ContractsWithCountDocument, { first: 2, filter: { owner: 'team-a' } })).contracts;
    expect(first.nodes.map((n) => n.name)).toEqual(['count_00', 'count_01']);
    expect(first.totalCount).toBe(7);
    expect(first.again).toBe(7);
    expect((await client.run(ContractsWithCountDocument, { first: 100 })).contracts.totalCount).toBe(12);
    expect((await client.run(ContractsOnlyCountDocument, { filter: { owner: 'team-b' } })).contracts.totalCount).toBe(5);
    expect((await client.run(ContractsOnlyCountDocument, { filter: { owner: 'nobody' } })).contracts.totalCount).toBe(0);
  });
});

describe('totalCount commands on MongoDB', () => {
  let storage: MongoStorageBackend;
  let client: TestClient;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    const b = await mongoBackend.create({ monitorCommands: true });
    storage = b.storage;
    dispose = b.dispose;
    client = createTestClient(storage);
    await seed(client);
  });
  afterAll(() => dispose());

  const counting = (commands: Record<string, number>) => (commands.aggregate ?? 0) + (commands.count ?? 0);

  it('sends no count when totalCount is not selected', async () => {
    let names: string[] = [];
    const commands = await countCommands(storage, async () => {
      const r = (await client.run(ContractsWithoutCountDocument, { first: 3, filter: { owner: 'team-a' } })).contracts;
      names = r.nodes.map((n) => n.name);
    });
    expect(names).toEqual(['count_00', 'count_01', 'count_02']);
    expect(commands.find).toBeGreaterThan(0);
    expect(counting(commands)).toBe(0);
  });

  it('sends one count when totalCount is selected, even twice', async () => {
    let total: number | null = null;
    const commands = await countCommands(storage, async () => {
      const r = (await client.run(ContractsWithCountDocument, { first: 3, filter: { owner: 'team-a' } })).contracts;
      expect(r.again).toBe(r.totalCount);
      total = r.totalCount;
    });
    expect(total).toBe(7);
    expect(counting(commands)).toBe(1);
  });
});

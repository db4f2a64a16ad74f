/**
 * Concurrent updateContract on the MongoDB backend (FerretDB in CI), through GraphQL: 16 writers at one contract
 * and 16 writers at 16 contracts, round after round as the benchmark drives them (each writer sends the revision it
 * last saw, with a new version each time). Every answer is a success or a typed error, never INTERNAL_SERVER_ERROR
 * and never an unexpected error, and each contract ends consistent: its revision counts the successes, its current
 * version is its latest version, and the schema catalog names that version — read at once after the writes, with
 * no wait for the repair pass (a slow writer's catalog step overwriting a newer one's entry used to leave the
 * contract out of the catalog: catalog.ts settleCatalog now re-derives it from the newer revision).
 *
 * The second backend has a lease far shorter than its writes take under this load, as on FerretDB/SQLite at
 * concurrency 16 with the default lease (writes of 17 s against a 15 s lease): leases run out mid-write and waiters
 * took claims over from live writers of the same process. That gave INTERNAL_SERVER_ERROR (a raw E11000 on contract_versions: two
 * writers of one revision); a live write of this process is now never taken over, and a writer that lost its claim (to another instance) stops with a typed UNAVAILABLE, nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/http/limits-options.js';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { testDatabaseName } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';
import { allWorkers } from '../support/workers.js';
import { ResilienceCreateDocument, ResilienceStateDocument, ResilienceUpdateDocument } from '../gql/graphql.js';

const WRITERS = 16;
const ROUNDS = 3;

function documentAt(name: string, version: string) {
  return contractDocument({ name, version, purpose: `Revision ${version}.`, schemas: { orders: [{ name: 'order_id', primaryKey: true }] } });
}

function useClient(claimLeaseMs?: number) {
  const unexpected: unknown[] = [];
  let storage: MongoStorageBackend;
  let c!: TestClient;
  beforeAll(async () => {
    storage = await createMongoStorage({ uri: inject('mongodbUri'), database: testDatabaseName(), repairIntervalMs: 0, claimLeaseMs });
    // A request budget above the default 30 s: on a loaded 2-core machine one write of these rounds can take longer
    // (a TIMEOUT would leave its outcome unknown, and the count of successes with it).
    c = createTestClient(storage, (e) => unexpected.push(e), { server: { limits: { ...DEFAULT_LIMITS, requestTimeoutMs: 90_000 } } });
  });
  afterAll(async () => {
    await storage.dropDatabase();
    await storage.close();
  });

  const create = async (name: string) => {
    const created = await c.run(ResilienceCreateDocument, { input: { document: documentAt(name, '1.0.0') } });
    if (created.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(created));
    return { ...created.createContract.contract, name, patch: 0, successes: 0, unavailable: 0 };
  };

  /** One update: the payload's type name, or `error:<code>` for a top-level error. */
  const update = async (target: { id: string; revision: number; name: string }, version: string): Promise<string> => {
    const response = await c.request(ResilienceUpdateDocument, { input: { id: target.id, expectedRevision: target.revision, document: documentAt(target.name, version) } });
    if (response.errors?.length) return `error:${response.errors.map((e) => e.extensions?.code).join(',')}`;
    const payload = response.data!.updateContract;
    if (payload.__typename === 'UpdateContractSuccess') target.revision = payload.contract.revision;
    else if (payload.__typename === 'ConflictError') target.revision = payload.actualRevision ?? target.revision;
    return payload.__typename;
  };

  /**
   * Read at once: the schema catalog agrees with the contract without waiting for any repair pass. `unavailable`:
   * answers UNAVAILABLE, whose writes may have happened — the database timed out after the contract step (seen on
   * the loaded 2-core machine: connection-pool and socket time-outs in the catalog step), which is a write cut after
   * its contract step, left for the readers and the next writer to settle.
   */
  const expectConsistent = async (name: string, successes: number, unavailable = 0) => {
    const state = await c.run(ResilienceStateDocument, { name });
    const contract = state.contractByName!;
    expect(contract.revision).toBeGreaterThanOrEqual(1 + successes);
    expect(contract.revision).toBeLessThanOrEqual(1 + successes + unavailable);
    expect(contract.versionCount).toBe(contract.revision);
    expect(contract.versions.totalCount).toBe(contract.versionCount);
    expect(contract.versions.nodes[0]?.version).toBe(contract.currentVersion);
    expect(contract.catalogEntries).toEqual([{ schemaName: 'orders', contractVersion: contract.currentVersion }]);
    expect(state.schemaCatalog.nodes.filter((n) => n.contractName === name)).toEqual([{ contractName: name, contractVersion: contract.currentVersion, schemaName: 'orders' }]);
  };

  return { unexpected, create, update, expectConsistent };
}

describe('default lease', { timeout: 120_000 }, () => {
  const t = useClient();

  it(`${WRITERS} concurrent updates of one contract at one revision, ${ROUNDS} rounds: one success, the rest ConflictError`, async () => {
    const target = await t.create('shared_target');
    for (let round = 0; round < ROUNDS; round++) {
      const outcomes = await allWorkers(Array.from({ length: WRITERS }, () => t.update({ ...target }, `1.0.${++target.patch}`)));
      expect(outcomes.filter((o) => o === 'UpdateContractSuccess')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'ConflictError')).toHaveLength(WRITERS - 1);
      target.revision++;
    }
    await t.expectConsistent('shared_target', ROUNDS);
    expect(t.unexpected).toEqual([]);
  });

  it(`${WRITERS} concurrent writers of ${WRITERS} contracts, round-robin as the benchmark does: successes or ConflictErrors`, async () => {
    const targets = await allWorkers(Array.from({ length: WRITERS }, (_, i) => t.create(`bench_target_${i}`)));
    let next = 0;
    await allWorkers(
      Array.from({ length: WRITERS }, async () => {
        for (let round = 0; round < ROUNDS; round++) {
          const target = targets[next++ % targets.length]!;
          const outcome = await t.update(target, `1.0.${++target.patch}`);
          expect(['UpdateContractSuccess', 'ConflictError']).toContain(outcome);
          if (outcome === 'UpdateContractSuccess') target.successes++;
        }
      }),
    );
    for (const target of targets) await t.expectConsistent(target.name, target.successes);
    expect(t.unexpected).toEqual([]);
  });
});

describe('a lease shorter than the writes take (claims taken over from live writers)', { timeout: 120_000 }, () => {
  const t = useClient(100);
  const typed = ['UpdateContractSuccess', 'ConflictError', 'error:UNAVAILABLE'];

  it(`${WRITERS} concurrent updates of one contract, ${ROUNDS} rounds: successes or typed errors, never INTERNAL_SERVER_ERROR`, async () => {
    const target = await t.create('shared_target');
    for (let round = 0; round < ROUNDS; round++) {
      const outcomes = await allWorkers(Array.from({ length: WRITERS }, () => t.update({ ...target }, `1.0.${++target.patch}`)));
      for (const o of outcomes) expect(typed).toContain(o);
      const won = outcomes.filter((o) => o === 'UpdateContractSuccess').length;
      expect(won).toBeLessThanOrEqual(1);
      target.successes += won;
      target.revision += won;
    }
    await t.expectConsistent('shared_target', target.successes);
    expect(t.unexpected).toEqual([]);
  });

  it(`${WRITERS} concurrent writers of ${WRITERS} contracts: successes or typed errors, each contract consistent`, async () => {
    const targets: Awaited<ReturnType<typeof t.create>>[] = [];
    for (let i = 0; i < WRITERS; i++) targets.push(await t.create(`bench_target_${i}`)); // one at a time: no waiting
    let next = 0;
    await allWorkers(
      Array.from({ length: WRITERS }, async () => {
        for (let round = 0; round < ROUNDS; round++) {
          const target = targets[next++ % targets.length]!;
          const outcome = await t.update(target, `1.0.${++target.patch}`);
          expect(typed).toContain(outcome);
          if (outcome === 'UpdateContractSuccess') target.successes++;
          if (outcome === 'error:UNAVAILABLE') target.unavailable++;
        }
      }),
    );
    for (const target of targets) await t.expectConsistent(target.name, target.successes, target.unavailable);
    expect(t.unexpected).toEqual([]);
  });
});

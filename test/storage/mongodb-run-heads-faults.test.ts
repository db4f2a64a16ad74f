/**
 * Crash-safe run starts, by fault injection on the MongoDB backend (FerretDB in CI; issue 10.4): a start is cut
 * after each of its steps in turn (run-heads.ts: its slot, its run, its head move), under both write protocols.
 *  - the database lost there (the hook throws): on the same backend, latestRun at once names the newest visible
 *    run (the read catches the head up), and the next start succeeds at once and is the latest;
 *  - the process killed there (the hook never returns, the backend is closed): a new backend's start-up pass
 *    catches the head up, GraphQL's latestRun agrees with the newest of the contract's runs, and the next start
 *    succeeds at once.
 * Finishing a run (runs.update) does not touch the head, so it has no step here.
 * And the race of two starts where the one with the lower slot has the later createdAt and is cut after its run,
 * once the other moved the head: readers serve it at once, and so does a new backend's start-up pass.
 */
import { randomUUID } from 'node:crypto';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Run } from '../../src/domain/runs.js';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { RUN_START_STEPS, type RunStartStep } from '../../src/storage/mongodb/faults.js';
import { testDatabaseName } from '../support/backends.js';
import { createTestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';
import { ContractQualityDocument } from '../gql/graphql.js';

const PROTOCOLS = ['claims', 'cas'] as const;
type Protocol = (typeof PROTOCOLS)[number];
const STEPS = RUN_START_STEPS.map((s) => `startRun:${s}` as RunStartStep);
const CUT = new Error('database lost (test)');
const timings: { how: string; protocol: Protocol; step: RunStartStep; ms: number }[] = [];

afterAll(() => {
  const rows = timings.map((t) => `${t.how.padEnd(7)}${t.protocol.padEnd(7)}${t.step.padEnd(16)} ${t.ms.toFixed(1)} ms`).join('\n');
  console.log(`time from the cut until the next correct start succeeded:\n${rows}`);
});

function open(database: string, protocol: Protocol, hook?: (step: RunStartStep) => Promise<void> | void): Promise<MongoStorageBackend> {
  const runFaults = hook ? (step: RunStartStep) => hook(step) : undefined;
  return createMongoStorage({ uri: inject('mongodbUri'), database, repairIntervalMs: 0, writeProtocol: protocol, forceWriteProtocol: true, runFaults });
}

async function start(storage: MongoStorageBackend, contractId: string, id: string = randomUUID()): Promise<Run> {
  return storage.runs.start({ id, contractId, pipelineId: 'nightly' }, 'ci');
}

/** The newest of the contract's runs (the list, newest first) is its latestRun; returns it. */
async function expectLatestConsistent(storage: MongoStorageBackend, contractId: string): Promise<Run | null> {
  const [latest] = await storage.runs.latestByContracts([contractId]);
  const newest = (await storage.runs.list({ contractId }, 'desc', { first: 1 })).items[0] ?? null;
  expect(latest?.id ?? null).toBe(newest?.id ?? null);
  return latest ?? null;
}

/** The id the cut start's run would have had, when it is visible; else the run before it. */
async function expectedLatest(storage: MongoStorageBackend, before: Run, cutId: string): Promise<string> {
  const [cut] = await storage.runs.getByIds([cutId]);
  return cut ? cut.id : before.id;
}

it.each(PROTOCOLS.flatMap((p) => STEPS.map((s) => [p, s] as const)))('%s: the database lost after %s: readers see the newest visible run, the next start wins', async (protocol, step) => {
  const database = testDatabaseName();
  let armed = false;
  const storage = await open(database, protocol, (s) => {
    if (armed && s === step) throw CUT;
  });
  try {
    const contract = await storage.contracts.create({ document: contractDocument({ name: 'orders' }) }, 'alice');
    const first = await start(storage, contract.id);
    armed = true;
    const cutId = randomUUID();
    await expect(start(storage, contract.id, cutId)).rejects.toBe(CUT);
    armed = false;
    const cutAt = performance.now();
    const latest = await expectLatestConsistent(storage, contract.id);
    expect(latest?.id).toBe(await expectedLatest(storage, first, cutId));
    if (step === 'startRun:run' || step === 'startRun:head') expect(latest?.id).toBe(cutId);

    const next = await start(storage, contract.id);
    timings.push({ how: 'lost', protocol, step, ms: performance.now() - cutAt });
    expect((await expectLatestConsistent(storage, contract.id))?.id).toBe(next.id);
  } finally {
    await storage.dropDatabase();
    await storage.close();
  }
});

it.each(PROTOCOLS.flatMap((p) => STEPS.map((s) => [p, s] as const)))('%s: the process killed after %s: the start-up pass catches the head up', async (protocol, step) => {
  const database = testDatabaseName();
  let armed = false;
  let reached!: () => void;
  const atStep = new Promise<void>((resolve) => (reached = resolve));
  const a = await open(database, protocol, (s) => {
    if (!armed || s !== step) return;
    reached();
    return new Promise<void>(() => undefined); // the process dies here
  });
  const contract = await a.contracts.create({ document: contractDocument({ name: 'orders' }) }, 'alice');
  const first = await start(a, contract.id);
  armed = true;
  const cutId = randomUUID();
  void start(a, contract.id, cutId);
  await atStep;
  await a.close();
  const killedAt = performance.now();

  const b = await open(database, protocol); // its start-up pass catches the head up
  try {
    const expected = await expectedLatest(b, first, cutId);
    // The pass moved the head: a read by `_id` of the raw head names the newest visible run.
    expect((await b.db.collection('run_heads').findOne({ _id: contract.id as never }))?.runId).toBe(expected);
    const errors: unknown[] = [];
    const client = createTestClient(b, (e) => errors.push(e));
    const gid = encodeGlobalID('Contract', contract.id);
    const state = await client.run(ContractQualityDocument, { id: gid, days: 1 });
    expect(state.contract?.latestRun?.id).toBe(encodeGlobalID('Run', expected));
    expect(state.contract?.runs.nodes[0]?.id).toBe(encodeGlobalID('Run', expected));

    const next = await start(b, contract.id);
    timings.push({ how: 'killed', protocol, step, ms: performance.now() - killedAt });
    const after = await client.run(ContractQualityDocument, { id: gid, days: 1 });
    expect(after.contract?.latestRun?.id).toBe(encodeGlobalID('Run', next.id));
    expect(after.contract?.runs.nodes[0]?.id).toBe(encodeGlobalID('Run', next.id));
    expect(errors).toEqual([]);
  } finally {
    await b.dropDatabase();
    await b.close();
  }
});

it.each(PROTOCOLS)('%s: starts cut after their run, one after another, are all caught up by one read', async (protocol) => {
  let armed = false;
  const storage = await open(testDatabaseName(), protocol, (s) => {
    if (armed && s === 'startRun:run') throw CUT;
  });
  try {
    const contract = await storage.contracts.create({ document: contractDocument({ name: 'orders' }) }, 'alice');
    await start(storage, contract.id);
    armed = true;
    const cut: string[] = [];
    for (let i = 0; i < 10; i++) {
      const id = randomUUID();
      await expect(start(storage, contract.id, id)).rejects.toBe(CUT);
      cut.push(id);
    }
    armed = false;
    expect((await expectLatestConsistent(storage, contract.id))?.id).toBe(cut.at(-1));
    const next = await start(storage, contract.id);
    expect((await expectLatestConsistent(storage, contract.id))?.id).toBe(next.id);
  } finally {
    await storage.dropDatabase();
    await storage.close();
  }
});

it.each(PROTOCOLS)('%s: the head move takes a write claim only under claims', async (protocol) => {
  const inserts: string[] = [];
  const storage = await createMongoStorage({
    uri: inject('mongodbUri'),
    database: testDatabaseName(),
    repairIntervalMs: 0,
    writeProtocol: protocol,
    forceWriteProtocol: true,
    monitorCommands: true,
    onClient: (c) => c.on('commandStarted', (e) => e.commandName === 'insert' && inserts.push(String(e.command.insert))),
  });
  try {
    const contract = await storage.contracts.create({ document: contractDocument({ name: 'orders' }) }, 'alice');
    await start(storage, contract.id);
    inserts.length = 0;
    const run = await start(storage, contract.id);
    expect((await expectLatestConsistent(storage, contract.id))?.id).toBe(run.id);
    const claimInserts = inserts.filter((c) => c === 'write_claims').length;
    if (protocol === 'cas') expect(claimInserts).toBe(0);
    else expect(claimInserts).toBeGreaterThan(0);
  } finally {
    await storage.dropDatabase();
    await storage.close();
  }
});

/** A gate a hook waits on until the test opens it. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

it.each(PROTOCOLS.flatMap((p) => (['same backend', 'restart'] as const).map((how) => [p, how] as const)))(
  '%s: the start with the lower slot and the later createdAt, cut after its run once the other moved the head, is the latest (%s)',
  async (protocol, how) => {
    const database = testDatabaseName();
    // B takes its createdAt first and waits; A takes a later one and the next slot (n) and waits; B then steps over
    // slot n to n + 1 and completes (moves the head); A then inserts its run and is cut before its head move.
    const bPlanned = gate();
    const releaseB = gate();
    const aSlotted = gate();
    const releaseA = gate();
    let next: 'a' | 'b' | null = null;
    let cutAfterRun = false;
    let closed = false;
    const storage = await open(database, protocol, async (s) => {
      if (next === 'b' && s === 'startRun:planned') {
        next = null;
        bPlanned.open();
        await releaseB.wait;
      } else if (next === 'a' && s === 'startRun:slot') {
        next = null;
        aSlotted.open();
        await releaseA.wait;
        cutAfterRun = true;
      } else if (cutAfterRun && s === 'startRun:run') {
        cutAfterRun = false;
        throw CUT;
      }
    });
    try {
      const contract = await storage.contracts.create({ document: contractDocument({ name: 'orders' }) }, 'alice');
      await start(storage, contract.id);
      const aId = randomUUID();
      const bId = randomUUID();
      next = 'b';
      const b = start(storage, contract.id, bId);
      await bPlanned.wait;
      await new Promise((resolve) => setTimeout(resolve, 5)); // A's createdAt is later than B's
      next = 'a';
      const a = start(storage, contract.id, aId);
      await aSlotted.wait;
      releaseB.open();
      const bRun = await b;
      releaseA.open();
      await expect(a).rejects.toBe(CUT);
      const [aRun] = await storage.runs.getByIds([aId]);
      expect(aRun!.createdAt.getTime()).toBeGreaterThan(bRun.createdAt.getTime());
      const slots = await storage.db.collection('run_slots').find({ runId: { $in: [aId, bId] } }).toArray();
      const slotOf = (id: string) => Number(String(slots.find((x) => x.runId === id)?._id).split('#')[1]);
      expect(slotOf(aId)).toBe(slotOf(bId) - 1);

      if (how === 'same backend') {
        expect((await expectLatestConsistent(storage, contract.id))?.id).toBe(aId);
        return;
      }
      await storage.close();
      closed = true;
      const fresh = await open(database, protocol); // its start-up pass catches the head up
      try {
        expect((await fresh.db.collection('run_heads').findOne({ _id: contract.id as never }))?.runId).toBe(aId);
        expect((await expectLatestConsistent(fresh, contract.id))?.id).toBe(aId);
        const after = await start(fresh, contract.id);
        expect((await expectLatestConsistent(fresh, contract.id))?.id).toBe(after.id);
      } finally {
        await fresh.dropDatabase();
        await fresh.close();
      }
    } finally {
      if (!closed) {
        await storage.dropDatabase();
        await storage.close();
      }
    }
  },
);

it('a start steps over at most runHeads.slotAttempts slots taken by other starts (GRIOT_RUN_SLOT_ATTEMPTS)', async () => {
  const storage = await createMongoStorage({ uri: inject('mongodbUri'), database: testDatabaseName(), repairIntervalMs: 0, runHeads: { slotAttempts: 2 } });
  try {
    const contract = await storage.contracts.create({ document: contractDocument({ name: 'orders' }) }, 'alice');
    await start(storage, contract.id); // slot 1
    const inFlight = (seq: number) => ({ _id: `${contract.id}#${seq}`, runId: randomUUID(), createdAt: new Date() });
    await storage.db.collection('run_slots').insertOne(inFlight(2) as never);
    const second = await start(storage, contract.id); // slot 3
    // The head's seq stays below slot 2 (in flight, not yet a lease old): the next start finds 2 and 3 taken.
    await expect(start(storage, contract.id)).rejects.toThrow(/taken 2 times/);
    expect((await expectLatestConsistent(storage, contract.id))?.id).toBe(second.id);
  } finally {
    await storage.dropDatabase();
    await storage.close();
  }
});

// A start steps over up to runHeads.slotAttempts (64) slots, while one catch-up window set (aheadWindows ×
// aheadWindow) may be fewer (4 × 8 = 32 by default; 1 × 2 below): a start cut after its run more than that many
// slots past a start still in flight was missed by reads and by the start-up pass, which named an older run.
it.each(
  PROTOCOLS.flatMap((p) =>
    (['same backend', 'restart'] as const).flatMap((how) =>
      ([['default limits', {}], ['aheadWindows 1 × aheadWindow 2', { aheadWindow: 2, aheadWindows: 1 }]] as const).map(([label, runHeads]) => [p, how, label, runHeads] as const),
    ),
  ),
)('%s: a start cut after its run, 35 slots past a start in flight, is the latest (%s, %s)', async (protocol, how, _label, runHeads) => {
  const database = testDatabaseName();
  let cutAt: RunStartStep | null = null;
  const openHere = () =>
    createMongoStorage({
      uri: inject('mongodbUri'),
      database,
      repairIntervalMs: 0,
      writeProtocol: protocol,
      forceWriteProtocol: true,
      runHeads,
      runFaults: (s) => {
        if (s !== cutAt) return;
        cutAt = null;
        throw CUT;
      },
    });
  let storage = await openHere();
  try {
    const contract = await storage.contracts.create({ document: contractDocument({ name: 'orders' }) }, 'alice');
    await start(storage, contract.id); // slot 1
    cutAt = 'startRun:slot'; // slot 2 taken, its run never inserted: in flight until a lease passed
    await expect(start(storage, contract.id)).rejects.toBe(CUT);
    for (let i = 0; i < 33; i++) await start(storage, contract.id); // slots 3 to 35: the head's seq stays at 1
    const cutId = randomUUID();
    cutAt = 'startRun:run'; // slot 36: its run is inserted, the start is cut before its head move
    await expect(start(storage, contract.id, cutId)).rejects.toBe(CUT);
    if (how === 'restart') {
      await storage.close();
      storage = await openHere(); // its start-up pass catches the head up
      expect((await storage.db.collection('run_heads').findOne({ _id: contract.id as never }))?.runId).toBe(cutId);
    }
    for (let i = 0; i < 2; i++) expect((await expectLatestConsistent(storage, contract.id))?.id).toBe(cutId);
    const errors: unknown[] = [];
    const client = createTestClient(storage, (e) => errors.push(e));
    const state = await client.run(ContractQualityDocument, { id: encodeGlobalID('Contract', contract.id), days: 1 });
    expect(state.contract?.latestRun?.id).toBe(encodeGlobalID('Run', cutId));
    expect(errors).toEqual([]);
    const next = await start(storage, contract.id); // slot 37, 36 past the head's seq
    expect((await expectLatestConsistent(storage, contract.id))?.id).toBe(next.id);
  } finally {
    await storage.dropDatabase();
    await storage.close();
  }
}, 60_000);

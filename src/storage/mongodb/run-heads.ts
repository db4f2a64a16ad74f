/**
 * The run head of each contract (`run_heads`, one document per contract), kept self-healing (issue 10.4).
 *
 * A start takes the contract's next slot (`run_slots`, `_id` = `${contractId}#${seq}`: a unique `_id`, so two
 * starts never share one), then inserts its run, then moves the head to the slot's seq when the head is behind it.
 * Slots are dense (a start tries head.seq + 1, then the next one up), and each slot's createdAt is later than the
 * one before it (reserveSlot), so the highest slot whose run is visible holds the newest run by createdAt.
 *
 * A start cut after its slot or its run leaves the head behind. A reader therefore reads the head and, in the same
 * round trip as the head's run, the slot after it by `_id` (a point read on every server). On the hot path that
 * slot does not exist and the read is done. When it exists, the reader reads the slots ahead in windows by `_id`
 * (at most AHEAD_WINDOWS × AHEAD_WINDOW), serves the run of the highest one whose run is there (and is that slot's
 * run: same createdAt), and moves the head to it. The next start moves the head past every slot below its own;
 * the start-up pass (repairRunHeads) does the same for every contract whose head is behind.
 *
 * The head moves by a conditional update where the server's are atomic or the `cas` write protocol is chosen, and
 * under a short lock (claims.ts withLock) otherwise. Where `{_id, seq}` is a scan (forced cas on FerretDB, tests
 * only) it is read, then written, by `_id`: not atomic, so a head may move back; readers then find the slot ahead.
 */
import { StorageUnavailableError } from '../errors.js';
import { withLock } from './claims.js';
import { COLLECTIONS, type MongoCollections, type StoredRun, type StoredRunHead, type StoredRunSlot } from './documents/index.js';
import { isDuplicateKeyError } from './errors.js';
import { type BatchReads, eachLimited, POINT_READ_CONCURRENCY, readByIds } from './point-reads.js';

/** Slots read at once when the head is behind, and how many such windows one read takes at most. */
export const AHEAD_WINDOW = 8;
export const AHEAD_WINDOWS = 4;
/** How many taken slots a start steps over before it gives up (UNAVAILABLE). */
const SLOT_ATTEMPTS = 64;
/** How many heads the start-up pass reads at once. */
const PASS_BATCH = 256;

export interface RunHeads {
  collections: MongoCollections;
  batchReads: BatchReads;
  /** The head moves by a conditional update (atomic conditional updates, or GRIOT_WRITE_PROTOCOL=cas). */
  conditional: boolean;
  /** `{_id, …}` is a scan on this server (capabilities.ts idConditions false). */
  byIdAlone: boolean;
}

export interface HeadTarget {
  seq: number;
  runId: string;
  createdAt: Date;
}

export function slotId(contractId: string, seq: number): string {
  return `${contractId}#${seq}`;
}

function seqOf(head: Pick<StoredRunHead, 'seq'> | null | undefined): number {
  return head?.seq ?? 0;
}

/**
 * Takes the next slot of contract `contractId` for run `runId`. Returns its seq and the run's createdAt: `now`, or
 * a millisecond after the slot before when that is not earlier (clocks of several instances), so slot order is
 * createdAt order. A contract's first start also creates its head (no run yet), so the start-up pass finds it.
 */
export async function reserveSlot(collections: MongoCollections, contractId: string, runId: string, now: Date): Promise<{ seq: number; createdAt: Date }> {
  let head = await collections.runHeads.findOne({ _id: contractId });
  if (!head) {
    head = { _id: contractId, runId: null, createdAt: new Date(0), seq: 0 };
    await collections.runHeads.insertOne(head).catch((error: unknown) => {
      if (!isDuplicateKeyError(error)) throw error;
    });
  }
  let after = head.createdAt;
  let seq = seqOf(head) + 1;
  for (let attempt = 0; attempt < SLOT_ATTEMPTS; attempt++, seq++) {
    const createdAt = after.getTime() < now.getTime() ? now : new Date(after.getTime() + 1);
    try {
      await collections.runSlots.insertOne({ _id: slotId(contractId, seq), runId, createdAt });
      return { seq, createdAt };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const taken = await collections.runSlots.findOne({ _id: slotId(contractId, seq) }, { projection: { createdAt: 1 } });
    if (taken && taken.createdAt.getTime() > after.getTime()) after = taken.createdAt;
  }
  throw new StorageUnavailableError(`the next run slot of contract ${contractId} was taken ${SLOT_ATTEMPTS} times`);
}

/** Points the head of `contractId` at `target` unless it is already at its seq or beyond. */
export async function moveHead(heads: RunHeads, contractId: string, target: HeadTarget): Promise<void> {
  const { runHeads, claims } = heads.collections;
  const set = { runId: target.runId, createdAt: target.createdAt, seq: target.seq };
  const byId = async () => {
    const head = await runHeads.findOne({ _id: contractId }, { projection: { seq: 1 } });
    if (head && seqOf(head) >= target.seq) return;
    await runHeads.replaceOne({ _id: contractId }, set, { upsert: true });
  };
  if (!heads.conditional) return withLock(claims, `${COLLECTIONS.runHeads}/${contractId}`, byId);
  if (heads.byIdAlone) return byId();
  // Matches only a head behind `target`; when it matches nothing the upsert inserts, which fails with E11000 if a
  // head exists (it is not behind, or a concurrent start created it just now: one more try settles which).
  const filter = { _id: contractId, $or: [{ seq: { $lt: target.seq } }, { seq: { $exists: false } }] };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await runHeads.updateOne(filter, { $set: set }, { upsert: true });
      return;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
}

/** Whether `run` is the run slot `slot` was taken for (a retried start of one id may have inserted it earlier). */
function isSlotRun(slot: StoredRunSlot, run: StoredRun | undefined, contractId: string): run is StoredRun {
  return run !== undefined && run.contractId === contractId && run.createdAt.getTime() === slot.createdAt.getTime();
}

/**
 * The head of `contractId` is behind (its next slot exists): reads the slots ahead of it by `_id`, window by window,
 * and their runs. Returns the highest slot whose run is there and that run, or null (every slot ahead is a start
 * still in flight or cut before its run), after moving the head to it.
 */
export async function catchUp(heads: RunHeads, contractId: string, from: number): Promise<{ target: HeadTarget; run: StoredRun } | null> {
  const { runSlots, runs } = heads.collections;
  const ahead: { seq: number; slot: StoredRunSlot }[] = [];
  for (let w = 0, next = from; w < AHEAD_WINDOWS; w++) {
    const ids = Array.from({ length: AHEAD_WINDOW }, (_, i) => slotId(contractId, next + i));
    const found = await readByIds(runSlots, ids, heads.batchReads);
    let seq = next;
    for (; found.has(slotId(contractId, seq)); seq++) ahead.push({ seq, slot: found.get(slotId(contractId, seq))! });
    if (seq < next + AHEAD_WINDOW) break;
    next = seq;
  }
  if (ahead.length === 0) return null;
  const runById = await readByIds(runs, [...new Set(ahead.map((a) => a.slot.runId))], heads.batchReads);
  for (let i = ahead.length - 1; i >= 0; i--) {
    const { seq, slot } = ahead[i]!;
    const run = runById.get(slot.runId);
    if (!isSlotRun(slot, run, contractId)) continue;
    const target = { seq, runId: run._id, createdAt: run.createdAt };
    await moveHead(heads, contractId, target);
    return { target, run };
  }
  return null;
}

/**
 * The newest run of each contract: the heads, then at once their runs and the slot after each head (all by `_id`);
 * a contract whose next slot exists is caught up (catchUp). Missing from the map: no run.
 */
export async function latestRuns(heads: RunHeads, contractIds: readonly string[]): Promise<Map<string, StoredRun>> {
  const { runHeads, runSlots, runs } = heads.collections;
  const headById = await readByIds(runHeads, contractIds, heads.batchReads);
  const runIds = [...headById.values()].flatMap((h) => (h.runId === null ? [] : [h.runId]));
  const [runById, next] = await Promise.all([
    runIds.length ? readByIds(runs, runIds, heads.batchReads) : new Map<string, StoredRun>(),
    readByIds(runSlots, contractIds.map((id) => slotId(id, seqOf(headById.get(id)) + 1)), heads.batchReads),
  ]);
  const latest = new Map<string, StoredRun>();
  for (const id of contractIds) {
    const runId = headById.get(id)?.runId;
    const run = runId == null ? undefined : runById.get(runId);
    if (run) latest.set(id, run);
  }
  const behind = contractIds.filter((id) => next.has(slotId(id, seqOf(headById.get(id)) + 1)));
  await eachLimited(behind, POINT_READ_CONCURRENCY, async (id) => {
    const caught = await catchUp(heads, id, seqOf(headById.get(id)) + 1);
    if (caught) latest.set(id, caught.run);
  });
  return latest;
}

/**
 * The start-up pass: every head whose next slot exists is caught up (what starts cut after their slot or run left).
 * Reads every head (one document per contract) in batches, and the slot after each by `_id`. Returns how many heads
 * it moved or checked ahead.
 */
export async function repairRunHeads(heads: RunHeads): Promise<number> {
  const { runHeads, runSlots } = heads.collections;
  let repaired = 0;
  let batch: Pick<StoredRunHead, '_id' | 'seq'>[] = [];
  const flush = async () => {
    const next = await readByIds(runSlots, batch.map((h) => slotId(h._id, seqOf(h) + 1)), heads.batchReads);
    const behind = batch.filter((h) => next.has(slotId(h._id, seqOf(h) + 1)));
    await eachLimited(behind, POINT_READ_CONCURRENCY, async (h) => void (await catchUp(heads, h._id, seqOf(h) + 1)));
    repaired += behind.length;
    batch = [];
  };
  for await (const head of runHeads.find({}, { projection: { seq: 1 } })) {
    batch.push(head);
    if (batch.length >= PASS_BATCH) await flush();
  }
  if (batch.length) await flush();
  return repaired;
}

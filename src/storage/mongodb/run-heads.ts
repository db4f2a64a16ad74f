/**
 * The run head of each contract (`run_heads`, one document per contract), kept self-healing (issue 10.4).
 *
 * The head names the newest run (by createdAt, then id) and `seq`. Invariant: every slot up to `seq` has its run
 * counted in the head (the head's run is at least as new), or is dead (no run, older than a claim lease). A start
 * takes the contract's next slot (`run_slots`, `_id` = `${contractId}#${seq}`: a unique `_id`, so two starts never
 * share one; dense: a start tries head.seq + 1, then the next one up), then inserts its run, then moves the head to
 * its run unless the head's is newer. Its seq goes up only through the contiguous slots whose run is there (or that
 * are dead): a start that took head.seq + 1 (the hot path, one conditional update) raises it to its own slot; one
 * that stepped over slots of other starts reads those first (catchUp), and leaves seq below the first one still in
 * flight (its run not there yet), so readers keep finding that slot and, once its run is there, serve the newest.
 *
 * A start cut after its slot or its run leaves the head behind. A reader therefore reads the head and, in the same
 * round trip as the head's run, the slot after it by `_id` (a point read on every server). On the hot path that
 * slot does not exist and the read is done. When it exists, the reader reads the slots ahead in windows by `_id`
 * (at most GRIOT_RUN_HEAD_AHEAD_WINDOWS × GRIOT_RUN_HEAD_AHEAD_WINDOW, and never fewer than GRIOT_RUN_SLOT_ATTEMPTS:
 * no start takes a slot further past the seq it read) and their runs, serves the newest of those
 * runs and the head's, and moves the head to it, its seq through the slots ahead whose run is there or that are
 * dead. The next start and the start-up pass (repairRunHeads) do the same. So a start with the lower slot but the
 * later createdAt, cut between its run and its head move after a concurrent start moved the head, is served by the
 * next read. The cost: while a start cut before its run is not yet dead (a lease), seq stays below its slot, so the
 * starts of that time step over it and the slots taken after it (at most GRIOT_RUN_SLOT_ATTEMPTS, then UNAVAILABLE).
 *
 * The head moves by a conditional update where the server's are atomic or the `cas` write protocol is chosen, and
 * under a short lock (claims.ts withLock) otherwise. Where `{_id, …}` is a scan (forced cas on FerretDB, tests
 * only) it is read, then written, by `_id`: not atomic, so a head may move back; readers then catch it up again.
 */
import { StorageUnavailableError } from '../errors.js';
import { leaseOf, withLock } from './claims.js';
import { COLLECTIONS, type MongoCollections, type StoredRun, type StoredRunHead, type StoredRunSlot } from './documents/index.js';
import { isDuplicateKeyError } from './errors.js';
import { type BatchReads, eachLimited, POINT_READ_CONCURRENCY, readByIds } from './point-reads.js';

/** The limits of the run heads (GRIOT_RUN_HEAD_* / GRIOT_RUN_SLOT_ATTEMPTS, src/config.ts). */
export interface RunHeadLimits {
  /** Slots read at once when the head is behind. */
  aheadWindow: number;
  /** How many such windows one catch-up reads at most; raised to reach `slotAttempts` slots (aheadWindowsOf). */
  aheadWindows: number;
  /** How many taken slots a start steps over before it gives up (UNAVAILABLE). */
  slotAttempts: number;
  /** How many heads the start-up pass reads at once. */
  passBatch: number;
}

export const DEFAULT_RUN_HEAD_LIMITS: Readonly<RunHeadLimits> = { aheadWindow: 8, aheadWindows: 4, slotAttempts: 64, passBatch: 256 };

export interface RunHeads {
  collections: MongoCollections;
  batchReads: BatchReads;
  /** The head moves by a conditional update (atomic conditional updates, or GRIOT_WRITE_PROTOCOL=cas). */
  conditional: boolean;
  /** `{_id, …}` is a scan on this server (capabilities.ts idConditions false). */
  byIdAlone: boolean;
  limits: RunHeadLimits;
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

/** A slot taken by reserveSlot, and the head's seq read before it (every slot up to it is settled). */
export interface ReservedSlot {
  seq: number;
  headSeq: number;
}

/**
 * Takes the next slot of contract `contractId` for run `runId` (created at `createdAt`). A contract's first start
 * also creates its head (no run yet), so the start-up pass finds every contract with slots.
 */
export async function reserveSlot(heads: RunHeads, contractId: string, runId: string, createdAt: Date): Promise<ReservedSlot> {
  const { runHeads, runSlots } = heads.collections;
  let head = await runHeads.findOne({ _id: contractId }, { projection: { seq: 1 } });
  if (!head) {
    head = { _id: contractId, runId: null, createdAt: new Date(0), seq: 0 };
    await runHeads.insertOne({ ...head }).catch((error: unknown) => {
      if (!isDuplicateKeyError(error)) throw error;
    });
  }
  const headSeq = seqOf(head);
  let seq = headSeq + 1;
  for (let attempt = 0; attempt < heads.limits.slotAttempts; attempt++, seq++) {
    try {
      await runSlots.insertOne({ _id: slotId(contractId, seq), runId, createdAt });
      return { seq, headSeq };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
  throw new StorageUnavailableError(`the next run slot of contract ${contractId} was taken ${heads.limits.slotAttempts} times`);
}

/**
 * A start's head move, after its run (`run`, in slot `slot`) is inserted. When it took the slot after the head's
 * seq, no slot is between: one move, seq up to its slot. Else the slots it stepped over are read first (catchUp),
 * so seq stops before the first of them whose run is not there yet.
 */
export async function settleHead(heads: RunHeads, contractId: string, slot: ReservedSlot, run: StoredRun): Promise<void> {
  if (slot.seq === slot.headSeq + 1) return moveHead(heads, contractId, { seq: slot.seq, runId: run._id, createdAt: run.createdAt });
  const { best, seq } = await scanAhead(heads, contractId, slot.headSeq + 1, run);
  await moveHead(heads, contractId, { seq, runId: best!._id, createdAt: best!.createdAt });
}

/** Whether `head` names a run older than `target` (by createdAt, then id), or none. */
function isOlder(head: Pick<StoredRunHead, 'runId' | 'createdAt'>, target: Pick<HeadTarget, 'runId' | 'createdAt'>): boolean {
  if (head.runId === null) return true;
  const at = head.createdAt.getTime() - target.createdAt.getTime();
  return at < 0 || (at === 0 && head.runId < target.runId);
}

/** Points the head of `contractId` at `target`'s run unless its run is newer, and its seq up to `target.seq`. */
export async function moveHead(heads: RunHeads, contractId: string, target: HeadTarget): Promise<void> {
  const { runHeads, claims } = heads.collections;
  const byId = async () => {
    const head = await runHeads.findOne({ _id: contractId });
    const older = !head || isOlder(head, target);
    if (!older && seqOf(head) >= target.seq) return;
    const next = older ? { runId: target.runId, createdAt: target.createdAt } : { runId: head!.runId, createdAt: head!.createdAt };
    await runHeads.replaceOne({ _id: contractId }, { ...next, seq: Math.max(seqOf(head), target.seq) }, { upsert: true });
  };
  if (!heads.conditional) return withLock(claims, `${COLLECTIONS.runHeads}/${contractId}`, byId);
  if (heads.byIdAlone) return byId().catch((error: unknown) => {
    if (!isDuplicateKeyError(error)) throw error; // two upserts of a new head at once: one is there
  });
  // Matches only a head older than `target`; when it matches nothing the upsert inserts, which fails with E11000 if
  // a head exists (it is newer, or a concurrent start created it just now: one more try settles which). Then the
  // seq alone goes up (`$max`, atomic where conditional updates are).
  const filter = {
    _id: contractId,
    $or: [{ runId: null }, { createdAt: { $lt: target.createdAt } }, { createdAt: target.createdAt, runId: { $lt: target.runId } }],
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const moved = await runHeads.updateOne(filter, { $set: { runId: target.runId, createdAt: target.createdAt }, $max: { seq: target.seq } }, { upsert: true });
      if (moved.matchedCount === 1 || moved.upsertedCount === 1) return;
      break;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
  await runHeads.updateOne({ _id: contractId }, { $max: { seq: target.seq } });
}

/** Whether `run` is the run slot `slot` was taken for (a retried start of one id may have inserted it earlier). */
function isSlotRun(slot: StoredRunSlot, run: StoredRun | undefined, contractId: string): run is StoredRun {
  return run !== undefined && run.contractId === contractId && run.createdAt.getTime() === slot.createdAt.getTime();
}

/**
 * How many windows one catch-up reads at most: `aheadWindows`, and at least enough to reach `slotAttempts` slots
 * past the head's seq. A start that read the head at seq takes a slot at most `slotAttempts` past it, so every
 * slot a start may have taken since the head's seq stopped is read, whatever the limits are.
 */
export function aheadWindowsOf(limits: Pick<RunHeadLimits, 'aheadWindow' | 'aheadWindows' | 'slotAttempts'>): number {
  return Math.max(limits.aheadWindows, Math.ceil(limits.slotAttempts / limits.aheadWindow));
}

/**
 * Reads the slots from `from` on by `_id`, window by window, and their runs. Returns the newest of those runs and
 * `current`, and the highest seq up to which every slot from `from` on has its run there or is dead (`from` - 1 when
 * the first is in flight): the seq the head may take (its invariant, see the header).
 */
async function scanAhead(heads: RunHeads, contractId: string, from: number, current: StoredRun | undefined): Promise<{ best: StoredRun | undefined; seq: number }> {
  const { runSlots, runs, claims } = heads.collections;
  const { aheadWindow } = heads.limits;
  const windows = aheadWindowsOf(heads.limits);
  const ahead: { seq: number; slot: StoredRunSlot }[] = [];
  for (let w = 0, next = from; w < windows; w++) {
    const ids = Array.from({ length: aheadWindow }, (_, i) => slotId(contractId, next + i));
    const found = await readByIds(runSlots, ids, heads.batchReads);
    let seq = next;
    for (; found.has(slotId(contractId, seq)); seq++) ahead.push({ seq, slot: found.get(slotId(contractId, seq))! });
    if (seq < next + aheadWindow) break;
    next = seq;
  }
  if (ahead.length === 0) return { best: current, seq: from - 1 };
  const runById = await readByIds(runs, [...new Set(ahead.map((a) => a.slot.runId))], heads.batchReads);
  const deadBefore = Date.now() - leaseOf(claims);
  let best = current;
  let seq = from - 1;
  let settled = true;
  for (const { seq: at, slot } of ahead) {
    const run = runById.get(slot.runId);
    const visible = isSlotRun(slot, run, contractId);
    if (visible && (!best || isOlder({ runId: best._id, createdAt: best.createdAt }, { runId: run._id, createdAt: run.createdAt }))) best = run;
    settled &&= visible || slot.createdAt.getTime() < deadBefore;
    if (settled) seq = at;
  }
  return { best, seq };
}

/**
 * The head of `contractId` is behind (its next slot, `from`, exists): reads the slots ahead (scanAhead). Returns the
 * newest of their runs and `current` (the head's run), after moving the head to it, its seq through the slots ahead
 * whose run is there or that are dead.
 */
export async function catchUp(heads: RunHeads, contractId: string, from: number, current: StoredRun | undefined): Promise<StoredRun | undefined> {
  const { best, seq } = await scanAhead(heads, contractId, from, current);
  if (best && (seq >= from || best !== current)) await moveHead(heads, contractId, { seq, runId: best._id, createdAt: best.createdAt });
  return best;
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
    const caught = await catchUp(heads, id, seqOf(headById.get(id)) + 1, latest.get(id));
    if (caught) latest.set(id, caught);
  });
  return latest;
}

/**
 * The start-up pass: every head whose next slot exists is caught up (what starts cut after their slot or run left).
 * Reads every head (one document per contract) in batches, and the slot after each by `_id`. Returns how many heads
 * it moved or checked ahead.
 */
export async function repairRunHeads(heads: RunHeads): Promise<number> {
  const { runHeads, runSlots, runs } = heads.collections;
  let repaired = 0;
  let batch: Pick<StoredRunHead, '_id' | 'seq' | 'runId'>[] = [];
  const flush = async () => {
    const next = await readByIds(runSlots, batch.map((h) => slotId(h._id, seqOf(h) + 1)), heads.batchReads);
    const behind = batch.filter((h) => next.has(slotId(h._id, seqOf(h) + 1)));
    await eachLimited(behind, POINT_READ_CONCURRENCY, async (h) => {
      const current = h.runId === null ? undefined : ((await runs.findOne({ _id: h.runId })) ?? undefined);
      await catchUp(heads, h._id, seqOf(h) + 1, current);
    });
    repaired += behind.length;
    batch = [];
  };
  for await (const head of runHeads.find({}, { projection: { seq: 1, runId: 1 } })) {
    batch.push(head);
    if (batch.length >= heads.limits.passBatch) await flush();
  }
  if (batch.length) await flush();
  return repaired;
}

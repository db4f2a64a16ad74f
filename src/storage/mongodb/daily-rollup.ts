/**
 * The daily rollup of validation records (`validation_daily`), written without locks, claims or read-modify-write.
 *
 * FerretDB 1.x applies every update as "read the document, change it, write it back by `_id`", so two concurrent
 * `$inc`s of one document can lose one (capabilities.ts, claims.ts). Here no document ever has two writers at once:
 *  - each process (each repository) writes its own rollup documents, `_id` = `${dailyStatsKey}#${writer}#${n}` with
 *    a random writer id, and within the process a document is handed to one push at a time (a "slot"; concurrent
 *    pushes of one key take further slots). Stats sum every document of the window, whoever wrote it;
 *  - the single writer knows the document's sums, so it writes them whole (one replace by `_id`, upserted), never
 *    relative to what is stored: a write whose outcome is unknown cannot double-count;
 *  - the record being pushed goes into the document as `pending` (its sums, its id and a token) in that same write,
 *    BEFORE the record is inserted with the same token (`rollupToken`). The insert is the commit point: a reader
 *    counts a pending entry only if the record with that id carries that token (one `_id` point read per document
 *    with a pending entry), and the next push on the slot folds it into the sums if its insert succeeded.
 * The rollup writes of concurrent pushes go out together (group-commit.ts: one unordered bulk write of replaces in
 * flight per process, in commands of the collection's statement cap, each push with its own outcome); a lone push
 * sends one replace. So a push is one rollup write plus the record insert; a crash between or after them leaves nothing to repair
 * (a pending entry without its record is never counted, one with it always is), and a failed write retires its slot.
 * Documents written before this scheme (`_id` = dailyStatsKey, no pending) are summed as they are.
 */
import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongodb';
import { bucketOf, type StatsBucket } from '../../domain/stats.js';
import { dayOf, type ValidationRecord } from '../../domain/validations.js';
import { dailyStatsKey, type RollupSums, type StoredDailyStats, type StoredValidationRecord } from './documents/index.js';
import { type BatchReads, readByIds } from './point-reads.js';
import { GroupCommit, replaceEach } from './group-commit.js';

interface Slot {
  id: string;
  busy: boolean;
  /** Sums of the records folded in (as last written). */
  sums: RollupSums;
  /** The pending entry last written, and whether its record is known to be stored. */
  pending: (RollupSums & { recordId: string; token: string }) | null;
  pendingStored: boolean;
  seq: number;
}

/** A rollup write done for a record about to be inserted; `settle` says how its insert went. */
export interface StagedRollup {
  token: string;
  /** stored: the record is in; absent: it is not (a duplicate key); unknown: any other failure (the slot retires). */
  settle(outcome: 'stored' | 'absent' | 'unknown'): void;
}

/** How many rollup documents one grouped write carries at most (in commands of the collection's statement cap, bulk.ts). */
const MAX_ROLLUP_WRITES = 64;

const ZERO: RollupSums = { total: 0, passed: 0, rows: 0, errors: 0, durationSum: 0, durationCount: 0 };

function add(a: RollupSums, b: RollupSums): RollupSums {
  return {
    total: a.total + b.total,
    passed: a.passed + b.passed,
    rows: a.rows + b.rows,
    errors: a.errors + b.errors,
    durationSum: a.durationSum + b.durationSum,
    durationCount: a.durationCount + b.durationCount,
  };
}

function sumsOf(doc: Partial<RollupSums>): RollupSums {
  return {
    total: doc.total ?? 0,
    passed: doc.passed ?? 0,
    rows: doc.rows ?? 0,
    errors: doc.errors ?? 0,
    durationSum: doc.durationSum ?? 0,
    durationCount: doc.durationCount ?? 0,
  };
}

export class DailyRollup {
  private readonly writer = randomUUID();
  private day = '';
  private readonly slots = new Map<string, Slot[]>();
  private next = 0;

  /** The rollup writes of concurrent pushes (each its own slot's document), sent together (group commit). */
  private readonly replaces: GroupCommit<StoredDailyStats, Error | null>;

  constructor(daily: Collection<StoredDailyStats>) {
    this.replaces = new GroupCommit((docs) => replaceEach(daily, docs), MAX_ROLLUP_WRITES);
  }

  /** Writes the record's rollup document with the record pending (one replace by `_id`). */
  async stage(record: ValidationRecord): Promise<StagedRollup> {
    const key = dailyStatsKey(record);
    const day = dayOf(record.recordedAt);
    if (day !== this.day) {
      // Slots of other days are never written again; their documents keep what they hold (readers verify pending).
      this.slots.clear();
      this.day = day;
    }
    const slots = this.slots.get(key) ?? [];
    this.slots.set(key, slots);
    let slot = slots.find((s) => !s.busy);
    if (!slot) {
      slot = { id: `${key}#${this.writer}#${this.next++}`, busy: false, sums: ZERO, pending: null, pendingStored: false, seq: 0 };
      slots.push(slot);
    }
    slot.busy = true;
    const sums = slot.pending && slot.pendingStored ? add(slot.sums, slot.pending) : slot.sums;
    const { day: _day, ...own } = bucketOf(record);
    const token = `${slot.id}#${++slot.seq}`;
    const pending = { ...own, recordId: record.id, token };
    const doc: StoredDailyStats = {
      _id: slot.id,
      contractId: record.contractId,
      contractVersion: record.contractVersion,
      environment: record.environment,
      day,
      ...sums,
      pending,
    };
    const retire = () => {
      const at = slots.indexOf(slot);
      if (at >= 0) slots.splice(at, 1);
    };
    try {
      const [refused] = await this.replaces.add([doc]);
      if (refused) throw refused;
    } catch (error) {
      retire(); // stored or not, the document is right either way; it is just not written again
      throw error;
    }
    slot.sums = sums;
    slot.pending = pending;
    slot.pendingStored = false;
    const staged = slot;
    return {
      token,
      settle(outcome) {
        if (outcome === 'unknown') retire();
        staged.pendingStored = outcome === 'stored';
        staged.busy = false;
      },
    };
  }
}

/**
 * The buckets of rollup documents: each document's sums, plus its pending entry when the record with that id holds
 * that token (one `_id` point read per document with a pending entry; see the top of this file).
 */
export async function rollupBucketsOf(
  docs: readonly StoredDailyStats[],
  validations: Collection<StoredValidationRecord>,
  batchReads: BatchReads,
): Promise<StatsBucket[]> {
  const pendingIds = docs.flatMap((d) => (d.pending ? [d.pending.recordId] : []));
  const records = await readByIds(validations, pendingIds, batchReads, { projection: { rollupToken: 1 } });
  return docs.map((doc) => {
    const stored = doc.pending != null && records.get(doc.pending.recordId)?.rollupToken === doc.pending.token;
    const sums = stored ? add(sumsOf(doc), sumsOf(doc.pending!)) : sumsOf(doc);
    return { day: doc.day, ...sums };
  });
}

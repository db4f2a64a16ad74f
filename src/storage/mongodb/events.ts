/**
 * The change log on a MongoDB-wire server without transactions (issue 14.2).
 *
 * Positions: an event's `_id` is its position, inserted as latest + 1. A unique `_id` means two appenders (in one
 * process or on two instances) never take the same position: the loser gets a duplicate key, finds the new latest
 * and tries the next one. Writes of one process run one at a time, and every appender only tries latest + 1
 * after reading that latest exists, so a position is only ever taken when every lower one already exists: a reader
 * that has seen position p will never see an event appear below p later (no skipped event, gapless log).
 * Idempotence: a unique index on `key`; a duplicate on it returns the stored event.
 * Batches: every write is one ordered insertMany at latest + 1, latest + 2, …; the server inserts in order and
 * stops at the first refusal, so the same rule holds, and the rest go on from there (see appendManyNow). Appends
 * (append, appendMany) queue up while a write is in flight; when it settles, everything queued (up to
 * MAX_APPEND_BATCH events) is the next write, in call order (group commit, group-commit.ts): a lone append is one
 * insert as before, N concurrent ones far fewer than N; a failed write rejects exactly the appends it carried.
 * Where the server scans for a numeric `_id` (FerretDB on SQLite) a new log stores positions as zero-padded strings
 * (event-positions.ts), so these point reads stay index reads; the format is the database's, chosen at start-up.
 * Latest: found by point reads of `_id` only (galloping up from the last known position, kept in this process and
 * in the `event_heads` document), never by a sort, which FerretDB 1.x answers with a scan.
 * Retention: a TTL index on `loggedAt` where the server honours one, and prune() (run by the recorder's timer) on
 * every server, which records the head first and always keeps the newest event, so positions never restart.
 */
import type { Collection, Db, Filter, IndexDescription } from 'mongodb';
import { MongoBulkWriteError, MongoServerError } from 'mongodb';
import type { EventFilter, EventSubjectType, EventSummary, EventType, NewEvent, RegistryEvent } from '../../domain/events.js';
import { ExpiredCursorError } from '../../domain/errors.js';
import { AppendListeners } from '../events/listeners.js';
import type { EventListRequest, EventListener, EventRepository } from '../types.js';
import { isDuplicateKeyError } from './errors.js';
import { GroupCommit } from './group-commit.js';
import { choosePositionFormat, type PositionFormat, positionKey, positionOf, type StoredPosition } from './event-positions.js';
import { eachLimited } from './point-reads.js';
import { upsertRacing } from './upserts.js';

export const EVENT_COLLECTIONS = { events: 'events', heads: 'event_heads' } as const;

export interface StoredEvent {
  /** The position (event-positions.ts: a number, or a zero-padded string where the server scans for numbers). */
  _id: StoredPosition;
  key: string;
  type: EventType;
  subjectType: EventSubjectType;
  subjectId: string;
  contractId: string | null;
  actor: string | null;
  at: Date;
  loggedAt: Date;
  revision: number | null;
  version: string | null;
  summary: EventSummary;
  audience: string[];
}

interface StoredHead {
  _id: string;
  position: number;
}

const HEAD_ID = 'log';
const TTL_INDEX = 'events_logged_at_ttl';
/** How many times an append retries after losing a position to another appender before giving up. */
const MAX_POSITION_RETRIES = 1000;
/** The most events one write of queued appends carries (a caller's larger appendMany goes alone, as one write). */
const MAX_APPEND_BATCH = 100;

export const EVENT_INDEXES: IndexDescription[] = [
  { key: { key: 1 }, name: 'events_key_unique', unique: true },
  { key: { contractId: 1, _id: 1 }, name: 'events_contract_position' },
  { key: { actor: 1, _id: 1 }, name: 'events_actor_position' },
  { key: { type: 1, _id: 1 }, name: 'events_type_position' },
  { key: { audience: 1, _id: 1 }, name: 'events_audience_position' },
  { key: { subjectId: 1, _id: 1 }, name: 'events_subject_position' },
];

export class MongoEventRepository implements EventRepository {
  private readonly events: Collection<StoredEvent>;
  private readonly heads: Collection<StoredHead>;
  private readonly listeners = new AppendListeners();
  /** The highest position this process knows exists (a lower bound of the latest), and when it learnt it. */
  private known = 0;
  private knownAt = 0;
  private headRead = false;
  /** How long `known` is trusted without re-reading the head (under the retention: see latest()). */
  private trustMs = 60_000;
  /** Appends of this process: one write at a time, those queued meanwhile written together (see the file comment). */
  private readonly appends = new GroupCommit<NewEvent, RegistryEvent>((events) => this.appendManyNow(events), MAX_APPEND_BATCH);
  /** Page the unfiltered log by `_id` point reads (see listByPoints); set where `$in`/ranges of `_id` scan. */
  pointPaging = false;
  /** Whether the server accepted the TTL index (FerretDB 1.x does not); prune() covers either way. */
  ttlIndex = false;
  /** How positions are stored in `_id` (event-positions.ts); set once at start-up by usePositions. */
  private format: PositionFormat = 'number';

  constructor(db: Db) {
    this.events = db.collection<StoredEvent>(EVENT_COLLECTIONS.events);
    this.heads = db.collection<StoredHead>(EVENT_COLLECTIONS.heads);
  }

  /** Creates the indexes (one per command, see indexes.ts) and the TTL index for `retentionSeconds`. */
  async ensureIndexes(retentionSeconds: number): Promise<void> {
    this.trustMs = (retentionSeconds * 1000) / 2;
    for (const index of EVENT_INDEXES) await this.events.createIndexes([index]);
    const ttl = { key: { loggedAt: 1 }, name: TTL_INDEX, expireAfterSeconds: retentionSeconds };
    try {
      await this.events.createIndexes([ttl]);
      this.ttlIndex = true;
    } catch (error) {
      // 85/86: the index exists with another retention: replace it. Otherwise the server refuses TTL indexes.
      if (error instanceof MongoServerError && (error.code === 85 || error.code === 86)) {
        await this.events.dropIndex(TTL_INDEX);
        await this.events.createIndexes([ttl]);
        this.ttlIndex = true;
      } else {
        this.ttlIndex = false;
        await this.events.createIndexes([{ key: { loggedAt: 1 }, name: 'events_logged_at' }]).catch(() => undefined);
      }
    }
  }

  /** Reads (or records) this database's position format, once at start-up before any append or read. */
  async usePositions(numericIdFilters: boolean): Promise<PositionFormat> {
    this.format = await choosePositionFormat(this.events as never, this.heads as never, HEAD_ID, numericIdFilters);
    return this.format;
  }

  private id(position: number): StoredPosition {
    return positionKey(this.format, position);
  }

  /** Queued with the other appends of this process, and written with those queued alongside (group-commit.ts). */
  append(event: NewEvent): Promise<RegistryEvent> {
    return this.appends.add([event]).then(([stored]) => stored!);
  }

  /**
   * Several events in one ordered `insertMany` at consecutive positions (a batch write's events). The server
   * inserts them in order and stops at the first refused one, so every position taken still has all lower ones
   * taken (the file comment's rule). A refused one is either a key already logged (another appender, or a repeat:
   * the stored event is returned and the rest continue at the same position) or a position another appender took
   * (the rest continue after the new latest). In the order of `events`; a key twice in `events` is appended once (its
   * first event).
   */
  appendMany(events: readonly NewEvent[]): Promise<RegistryEvent[]> {
    return this.appends.add(events);
  }

  private async appendManyNow(events: readonly NewEvent[]): Promise<RegistryEvent[]> {
    const byKey = new Map<string, RegistryEvent>();
    const seen = new Set<string>();
    let rest = events.filter((e) => !seen.has(e.key) && seen.add(e.key)); // a key twice: its first event, as serial appends keep
    let position = rest.length === 0 ? 0 : this.fresh() ? this.known + 1 : (await this.latest()) + 1;
    for (let attempt = 0; rest.length > 0; attempt++) {
      if (attempt >= MAX_POSITION_RETRIES) throw new Error(`could not append ${rest.length} events: ${MAX_POSITION_RETRIES} positions lost to other appenders`);
      const loggedAt = new Date();
      const docs: StoredEvent[] = rest.map((event, i) => ({ _id: this.id(position + i), ...event, summary: { ...event.summary }, audience: [...event.audience], loggedAt }));
      let inserted = docs.length;
      try {
        await this.events.insertMany(docs, { ordered: true });
      } catch (error) {
        const refused = firstRefused(error);
        if (refused === null) throw error;
        inserted = refused;
      }
      for (const doc of docs.slice(0, inserted)) {
        this.learn(positionOf(doc._id));
        byKey.set(doc.key, fromStored(doc));
        this.listeners.emit(fromStored(doc));
      }
      if (inserted === docs.length) break;
      const refused = docs[inserted]!;
      const existing = await this.events.findOne({ key: refused.key });
      if (existing) {
        byKey.set(refused.key, fromStored(existing));
        rest = rest.slice(inserted + 1);
        position = positionOf(refused._id); // not taken by this batch: the next one tries it
      } else {
        rest = rest.slice(inserted);
        position = (await this.latest()) + 1;
      }
    }
    return events.map((e) => byKey.get(e.key)!);
  }

  async list(request: EventListRequest): Promise<RegistryEvent[]> {
    if (this.pointPaging && Object.keys(filterOf(request.filter)).length === 0) return this.listByPoints(request);
    const after = request.after ?? null;
    const range: Record<string, StoredPosition> = {};
    if (after !== null) range.$gt = this.id(after);
    if (request.before != null) range.$lt = this.id(request.before);
    const filter: Filter<StoredEvent> = { ...filterOf(request.filter) };
    if (Object.keys(range).length > 0) filter._id = range;
    const backward = request.before != null;
    const docs = await this.events
      .find(filter)
      .sort({ _id: backward ? -1 : 1 })
      .limit(request.first)
      .toArray();
    if (backward) docs.reverse();
    if (after !== null && (docs[0] === undefined || positionOf(docs[0]._id) !== after + 1)) await this.checkCursor(after);
    return docs.map(fromStored);
  }

  /**
   * The whole log, paged by `_id` point reads (the log is gapless): where a range or sort of `_id` is not an index
   * read (FerretDB 1.x scans for them), a page costs `first` point reads, read in parallel.
   */
  private async listByPoints(request: EventListRequest): Promise<RegistryEvent[]> {
    const latest = await this.latest();
    const after = request.after ?? null;
    let from: number;
    let to: number;
    if (request.before != null) {
      to = Math.min(request.before - 1, latest);
      from = Math.max(to - request.first + 1, (after ?? 0) + 1, 1);
    } else {
      from = after !== null ? after + 1 : ((await this.oldest(latest)) ?? latest + 1);
      to = Math.min(from + request.first - 1, latest);
    }
    if (to < from) return [];
    const positions = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const found = await this.getByPositions(positions);
    if (after !== null && found[0] === null) await this.checkCursor(after);
    // Missing ones at the start expired meanwhile (prune); the rest follow without gaps.
    return found.filter((e): e is RegistryEvent => e !== null);
  }

  /** ExpiredCursorError when the event right after `after` is gone (expired) while later ones were appended. */
  private async checkCursor(after: number): Promise<void> {
    if (after < 0) return;
    // The latest first: a position above `after` read after it means `after + 1` was taken (in order) before,
    // so if it is missing now it has expired; one appended between the list and this check is no expiry.
    const latest = await this.latest();
    if (after >= latest) return;
    if (await this.exists(after + 1)) return;
    throw new ExpiredCursorError('after', after, await this.oldest(latest));
  }

  /** The oldest kept position, found by galloping down from the latest with point reads. */
  private async oldest(latest: number): Promise<number | null> {
    if (this.ttlIndex) {
      const first = await this.events.find({}, { projection: { _id: 1 } }).sort({ _id: 1 }).limit(1).next();
      return first ? positionOf(first._id) : null;
    }
    if (latest === 0 || !(await this.exists(latest))) return null;
    let hi = latest; // exists
    let step = 1;
    let lo = hi - step;
    while (lo >= 1 && (await this.exists(lo))) {
      hi = lo;
      step *= 2;
      lo = hi - step;
    }
    lo = Math.max(lo, 0); // missing (or 0)
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await this.exists(mid)) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  async getByPositions(positions: readonly number[]): Promise<(RegistryEvent | null)[]> {
    const found = new Map<number, RegistryEvent>();
    await eachLimited([...new Set(positions.filter((p) => Number.isSafeInteger(p)))], 32, async (p) => {
      const doc = await this.events.findOne({ _id: this.id(p) });
      if (doc) found.set(p, fromStored(doc));
    });
    return positions.map((p) => found.get(p) ?? null);
  }

  /** One `$in` of the keys (the unique `key` index on MongoDB; one scan on FerretDB 1.x, not one per key). */
  async getByKeys(keys: readonly string[]): Promise<(RegistryEvent | null)[]> {
    if (keys.length === 0) return [];
    const found = new Map<string, RegistryEvent>();
    for (const doc of await this.events.find({ key: { $in: [...new Set(keys)] } }).toArray()) found.set(doc.key, fromStored(doc));
    return keys.map((k) => found.get(k) ?? null);
  }

  /**
   * Where the server deletes on its own (a TTL index: MongoDB), the newest event by the `_id` index (one index
   * read), or the head when every event expired. Elsewhere only prune() deletes, below the head it wrote first:
   * positions above the head (or above a position this process saw within half the retention, which cannot have
   * expired since) are contiguous, so galloping point reads find the latest.
   */
  async latest(): Promise<number> {
    if (this.ttlIndex) {
      const [newest, head] = await Promise.all([
        this.events.find({}, { projection: { _id: 1 } }).sort({ _id: -1 }).limit(1).next(),
        this.heads.findOne({ _id: HEAD_ID }),
      ]);
      const latest = Math.max(newest ? positionOf(newest._id) : 0, head?.position ?? 0, this.known);
      this.learn(latest);
      return latest;
    }
    if (!this.fresh() || !this.headRead) {
      const head = await this.heads.findOne({ _id: HEAD_ID });
      this.known = Math.max(this.known, head?.position ?? 0);
      this.headRead = true;
    }
    let lo = this.known; // exists, or 0 / expired: everything above it that exists is contiguous
    if (!(await this.exists(lo + 1))) return lo;
    lo += 1;
    let step = 1;
    while (await this.exists(lo + step)) {
      lo += step;
      step *= 2;
    }
    let hi = lo + step; // missing
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await this.exists(mid)) lo = mid;
      else hi = mid;
    }
    this.learn(lo);
    return lo;
  }

  private fresh(): boolean {
    return this.headRead && Date.now() - this.knownAt < this.trustMs;
  }

  private learn(position: number): void {
    if (position >= this.known) {
      this.known = position;
      this.knownAt = Date.now();
    }
  }

  async count(filter?: EventFilter | null): Promise<number> {
    return this.events.countDocuments(filterOf(filter));
  }

  onAppended(listener: EventListener): () => void {
    return this.listeners.add(listener);
  }

  async prune(cutoff: Date): Promise<number> {
    const latest = await this.latest();
    if (latest === 0) return 0;
    // The head first: once it says `latest`, positions continue from there even if every event expires.
    await upsertRacing(() => this.heads.updateOne({ _id: HEAD_ID }, { $max: { position: latest } }, { upsert: true }));
    const result = await this.events.deleteMany({ loggedAt: { $lt: cutoff }, _id: { $lt: this.id(latest) } });
    return result.deletedCount;
  }

  private async exists(position: number): Promise<boolean> {
    if (position < 1) return false;
    return (await this.events.findOne({ _id: this.id(position) }, { projection: { _id: 1 } })) !== null;
  }
}

/** The index of the first document an ordered insertMany refused as a duplicate key (those before it are in), else null. */
function firstRefused(error: unknown): number | null {
  if (!(error instanceof MongoBulkWriteError) || !isDuplicateKeyError(error)) return null;
  const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  const index = errors[0]?.index;
  return typeof index === 'number' ? index : null;
}

function filterOf(filter: EventFilter | null | undefined): Filter<StoredEvent> {
  const out: Filter<StoredEvent> = {};
  if (!filter) return out;
  if (filter.types && filter.types.length > 0) out.type = filter.types.length === 1 ? filter.types[0]! : { $in: [...filter.types] };
  if (filter.contractId != null) out.contractId = filter.contractId;
  if (filter.actor != null) out.actor = filter.actor;
  if (filter.audience != null) out.audience = filter.audience;
  if (filter.subjectId != null) out.subjectId = filter.subjectId;
  return out;
}

function fromStored(doc: StoredEvent): RegistryEvent {
  return {
    position: positionOf(doc._id),
    key: doc.key,
    type: doc.type,
    subjectType: doc.subjectType,
    subjectId: doc.subjectId,
    contractId: doc.contractId ?? null,
    actor: doc.actor ?? null,
    at: doc.at,
    loggedAt: doc.loggedAt,
    revision: doc.revision ?? null,
    version: doc.version ?? null,
    summary: { ...(doc.summary ?? {}) },
    audience: [...(doc.audience ?? [])],
  };
}

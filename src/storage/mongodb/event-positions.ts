/**
 * How the change log stores an event's position in its `_id` (events.ts): as the number itself, or as a string of
 * POSITION_DIGITS decimal digits, zero-padded, whose order is the numbers' order (ranges and sorts of `_id` work
 * alike on both).
 *
 * Why two: FerretDB 1.24 on SQLite pushes a lone `_id` equality down to SQLite only for a string or an ObjectId;
 * `{_id: 10001}` reads and decodes every stored event in Go (measured: 777 ms at 10,000 events, for each of the
 * point reads the log is built on: latest(), getByPositions, a search's tail). So where the server does not filter
 * a numeric `_id` itself (its explain says `filterPushdown: false`), a new log stores strings.
 *
 * The format is a database's, not a server's: it is recorded once, insert-only, in the `event_heads` document
 * FORMAT_ID (the first server to start decides, a taken `_id` means another did: its choice is read), and a log
 * that already holds events or a head without that record keeps numbers (logs written before the record existed),
 * so every server of one database writes one format.
 */
import type { Collection, Db, Document } from 'mongodb';
import { isDuplicateKeyError } from './errors.js';

export type PositionFormat = 'number' | 'string';

/** Digits of a string position: every safe integer fits. */
export const POSITION_DIGITS = 16;
/** The `event_heads` document that records the log's format. */
export const FORMAT_ID = 'positions';

export type StoredPosition = number | string;

/** The `_id` of position `n` in `format`. */
export function positionKey(format: PositionFormat, n: number): StoredPosition {
  return format === 'number' ? n : String(n).padStart(POSITION_DIGITS, '0');
}

/** The position an event's `_id` holds (either format). */
export function positionOf(id: StoredPosition): number {
  if (typeof id === 'number') return id;
  const n = Number(id);
  if (!/^\d+$/.test(id) || !Number.isSafeInteger(n)) throw new Error(`event _id ${JSON.stringify(id)} is not a position`);
  return n;
}

/**
 * Whether the server filters a lone numeric `_id` equality itself (false: FerretDB on SQLite, whose explain reports
 * `filterPushdown: false` for it; a server whose explain has no such field, MongoDB, filters with its `_id` index).
 * A failed explain counts as filtering: numbers, as before.
 */
export async function detectNumericIdFilters(db: Db, probeName: string): Promise<boolean> {
  const probe = db.collection<{ _id: number } & Document>(probeName);
  try {
    await probe.insertOne({ _id: 1 });
    const explained = await db.command({ explain: { find: probeName, filter: { _id: 1 } }, verbosity: 'queryPlanner' });
    return explained.filterPushdown !== false;
  } catch {
    return true;
  } finally {
    await probe.drop().catch(() => undefined);
  }
}

interface FormatRecord {
  _id: string;
  format?: PositionFormat;
}

/**
 * The format of this database's log: its record; else numbers when the log already has an event or a head (an
 * older log), else strings where the server does not filter numeric `_id`s (`numericIdFilters` false); the choice
 * is recorded (first writer wins).
 */
export async function choosePositionFormat(events: Collection<Document>, heads: Collection<Document>, headId: string, numericIdFilters: boolean): Promise<PositionFormat> {
  const record = heads as unknown as Collection<FormatRecord>;
  const recorded = await record.findOne({ _id: FORMAT_ID });
  if (recorded?.format === 'number' || recorded?.format === 'string') return recorded.format;
  const older = (await events.findOne({}, { projection: { _id: 1 } })) !== null || (await record.findOne({ _id: headId })) !== null;
  const format: PositionFormat = older || numericIdFilters ? 'number' : 'string';
  try {
    await record.insertOne({ _id: FORMAT_ID, format });
    return format;
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const theirs = await record.findOne({ _id: FORMAT_ID });
    if (theirs?.format === 'number' || theirs?.format === 'string') return theirs.format;
    throw new Error(`event_heads ${FORMAT_ID} holds no format: ${JSON.stringify(theirs)}`);
  }
}

/**
 * Bulk writes sent as several commands of at most K statements each, one command after the other.
 *
 * FerretDB 1.24 keeps, for every statement of an update/replace command that matched a document, that statement's
 * read open until the whole command ends (its update handler defers each cursor's close inside its loop), and takes
 * one more connection for the write. On PostgreSQL that is a connection of its pool (`pool_max_conns`, 50 unless
 * FerretDB's PostgreSQL URL sets it); on SQLite, of the database file's pool of 100. So a command of about 50
 * (PostgreSQL) or 100 (SQLite) matching statements, or a few concurrent ones totalling that, take every connection
 * and wait for one forever, and every other command on that database waits with them (measured: on PostgreSQL 48
 * matching statements pass, 52 never return; on SQLite a catalog rebuild of 120 entries, and the search indexer
 * settling ~75 words, never returned). K is GRIOT_BULK_STATEMENTS_PER_COMMAND; by default 8 where start-up found
 * FerretDB (capabilities.ts `ferretdb`, from buildInfo), elsewhere no cap of ours (the driver splits at the
 * server's maxWriteBatchSize). K is set per collection object (configureBulkCommands), as claims.ts configures its
 * collection.
 */
import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb';

/** The cap on FerretDB unless configured: 8 in flight + 1 write per command. */
export const FERRETDB_STATEMENTS_PER_COMMAND = 8;
/** What a collection nobody configured gets: the safe cap. */
const UNCONFIGURED = FERRETDB_STATEMENTS_PER_COMMAND;

const limits = new WeakMap<object, number>();

/** The statements per command the backend uses: the configured value, else 8 on FerretDB and no cap elsewhere. */
export function statementsPerCommand(configured: number | undefined, ferretdb: boolean): number {
  return configured ?? (ferretdb ? FERRETDB_STATEMENTS_PER_COMMAND : Number.POSITIVE_INFINITY);
}

/** Sets K for bulk writes through these collection objects (those the repositories hold). */
export function configureBulkCommands(collections: Iterable<object>, statements: number): void {
  for (const c of collections) limits.set(c, statements);
}

export interface BulkCounts {
  insertedCount: number;
  matchedCount: number;
  modifiedCount: number;
  upsertedCount: number;
}

/**
 * Sends `operations` as unordered bulkWrite commands of at most K statements (or `maxStatements`, when fewer),
 * sequentially. An error of a command goes to `onError` with that command's statements and their offset in
 * `operations` (it may handle it and let the next command go, or throw); without `onError` it is thrown and the
 * later commands are not sent. Returns the summed counts of the commands that succeeded.
 */
export async function bulkWriteInCommands<T extends Document>(
  collection: Collection<T>,
  operations: readonly AnyBulkWriteOperation<T>[],
  onError?: (error: unknown, chunk: readonly AnyBulkWriteOperation<T>[], offset: number) => Promise<void> | void,
  maxStatements = Number.POSITIVE_INFINITY,
): Promise<BulkCounts> {
  const k = Math.min(limits.get(collection) ?? UNCONFIGURED, maxStatements);
  const size = Number.isFinite(k) ? Math.max(1, Math.floor(k)) : Math.max(1, operations.length);
  const counts: BulkCounts = { insertedCount: 0, matchedCount: 0, modifiedCount: 0, upsertedCount: 0 };
  for (let offset = 0; offset < operations.length; offset += size) {
    const chunk = operations.slice(offset, offset + size);
    try {
      const result = await collection.bulkWrite(chunk as AnyBulkWriteOperation<T>[], { ordered: false });
      counts.insertedCount += result.insertedCount;
      counts.matchedCount += result.matchedCount;
      counts.modifiedCount += result.modifiedCount;
      counts.upsertedCount += result.upsertedCount;
    } catch (error) {
      if (!onError) throw error;
      await onError(error, chunk, offset);
    }
  }
  return counts;
}

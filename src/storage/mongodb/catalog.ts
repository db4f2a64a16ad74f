/**
 * The schema catalog on MongoDB: entries derived from each contract's current document, kept in step with every
 * contract write without transactions.
 *
 * Every entry carries the contract revision it was derived from, and a write only replaces an entry of an OLDER
 * revision (a conditional upsert `{_id, contractRevision: {$lt: R}}`): when a newer revision already wrote the
 * entry, the filter misses, the upsert tries to insert the same `_id` and fails with E11000, which is ignored.
 * Entries the new revision no longer has are then removed by revision (`contractRevision < R`). So concurrent
 * writers converge on the newest revision, and `rebuild()` can regenerate everything from the contracts.
 */
import { randomUUID } from 'node:crypto';
import { type AnyBulkWriteOperation, type Filter, MongoBulkWriteError } from 'mongodb';
import { type CatalogEntry, deriveCatalogEntries } from '../../domain/catalog.js';
import type { Contract } from '../../domain/contracts.js';
import { normalizeWord } from '../../domain/search-words.js';
import { caseKey } from '../../domain/names.js';
import type { CatalogFilter, Page, PageRequest, SchemaCatalogRepository } from '../types.js';
import {
  fromStoredCatalogEntry,
  fromStoredContract,
  type MongoCollections,
  type StoredCatalogEntry,
  type StoredContract,
  toStoredCatalogEntry,
} from './documents/index.js';
import { bulkWriteInCommands } from './bulk.js';
import { isDuplicateKeyError, writeErrorsOf } from './errors.js';
import { keysetPage } from './paging.js';
import { type BatchReads, readByIds } from './point-reads.js';
import { DEFAULT_CATALOG_READ_REPAIRS, freshenCatalog } from './repair.js';

/** How many contracts rebuild() derives and writes per round trip. */
export const REBUILD_BATCH = 200;
/** How many ids go into one `$in` when rebuild() removes the entries of deleted contracts. */
const ID_CHUNK = 500;

type Collection = MongoCollections['catalog'];

/**
 * The entries of a contract just created (a fresh id, so it has none yet): one unordered insert, no removal, then
 * the same re-read as syncCatalog. A duplicate can only be an entry a newer revision already wrote: kept.
 */
export async function insertNewCatalog(collections: MongoCollections, contract: Contract, settle = true): Promise<CatalogEntry[]> {
  const { catalog } = collections;
  const entries = deriveCatalogEntries(contract);
  if (entries.length > 0) {
    try {
      await catalog.insertMany(
        entries.map((e) => ({ _id: e.id, ...toStoredCatalogEntry(e) }) as StoredCatalogEntry),
        { ordered: false },
      );
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      // FerretDB 1.x may stop an unordered insert at its first error: the rest one by one (duplicates kept).
      for (const e of entries) {
        await catalog.insertOne({ _id: e.id, ...toStoredCatalogEntry(e) } as StoredCatalogEntry).catch((err: unknown) => {
          if (!isDuplicateKeyError(err)) throw err;
        });
      }
    }
  }
  if (settle) await settleCatalog(collections, contract);
  return entries;
}

/**
 * Writes the entries of a contract write at revision `contract.revision`, then removes the entries of schemas that
 * revision no longer has. A newer revision's entries are never overwritten nor removed.
 */
export async function syncCatalog(
  collections: MongoCollections,
  contract: Contract,
  points?: { previous: Contract } | null,
  /** false: the caller settles (settleCatalog) only when it cannot tell that no newer write started (repair.ts). */
  settle = true,
): Promise<CatalogEntry[]> {
  const { catalog } = collections;
  const entries = deriveCatalogEntries(contract);
  if (points) {
    const touched = idsOf(deriveCatalogEntries(points.previous), entries);
    await syncByPoints(collections, contract, entries, touched);
    if (settle) await settleCatalog(collections, contract, touched);
    return entries;
  }
  await upsertEntries(catalog, entries, '$lt');
  await catalog.deleteMany({ contractId: contract.id, contractRevision: { $lt: contract.revision } });
  if (settle) await settleCatalog(collections, contract, null);
  return entries;
}

/**
 * How many commands the point reads and writes of one catalog step (syncByPoints, and settleCatalog's removals)
 * have in flight at most, unless configured (GRIOT_CATALOG_WRITE_CONCURRENCY). On FerretDB 1.x on PostgreSQL every
 * command in flight holds a PostgreSQL connection of its pool (a matching replace two), which concurrent writers
 * share (bulk.ts): unbounded, one contract of 80 schemas sent 80 at once.
 */
export const DEFAULT_CATALOG_WRITE_CONCURRENCY = 4;

const writeConcurrency = new WeakMap<object, number>();

/** Sets the bound for the catalog steps that write through this collection object (the one the backend holds). */
export function configureCatalogWrites(catalog: object, concurrency: number): void {
  writeConcurrency.set(catalog, Math.max(1, Math.floor(concurrency)));
}

export function catalogWriteConcurrency(catalog: object): number {
  return writeConcurrency.get(catalog) ?? DEFAULT_CATALOG_WRITE_CONCURRENCY;
}

/**
 * Runs `tasks`, at most `limit` at a time. After a failure no further task starts (the server may be gone: the rest
 * would each wait out their time limit); the first error is thrown once the running ones have ended, so no command
 * of this step is still in flight when it returns.
 */
export async function runLimited(tasks: readonly (() => Promise<unknown>)[], limit: number): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (errors.length === 0 && next < tasks.length) {
      const task = tasks[next++]!;
      try {
        await task();
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (errors.length > 0) throw errors[0];
}

/** The distinct entry ids of `ids` and of `entries`. */
function idsOf(...lists: readonly (readonly (CatalogEntry | string)[])[]): string[] {
  return [...new Set(lists.flat().map((e) => (typeof e === 'string' ? e : e.id)))];
}

/**
 * syncCatalog where a filter of `_id` with another condition is not an index read (FerretDB 1.x scans the whole
 * collection for it, capabilities.ts idConditions), and the read side's repair on every server: point reads of the
 * entries `touched` (those of the revision written before, or those a reader was served) and of the new revision,
 * then writes by `_id` alone of those older than this revision (inserts one by one; replaces and removals as bulk
 * commands of at most K statements, bulk.ts). Such a write is a find followed by a write, so a
 * newer writer landing in between can be overwritten: settleCatalog, which every writer runs after this, re-reads
 * the revision and re-derives the entries from the newer contract. The reads, then the writes, go at most
 * GRIOT_CATALOG_WRITE_CONCURRENCY at a time (DEFAULT_CATALOG_WRITE_CONCURRENCY). The number of writes and removals
 * made.
 */
export async function syncByPoints(
  collections: MongoCollections,
  contract: Contract,
  entries: readonly CatalogEntry[],
  touched: readonly string[],
): Promise<number> {
  const { catalog } = collections;
  const limit = catalogWriteConcurrency(catalog);
  const ids = idsOf(touched, entries);
  const existing = new Map<string, number>();
  await runLimited(
    ids.map((id) => async () => {
      const found = await catalog.findOne({ _id: id }, { projection: { contractRevision: 1 } });
      if (found) existing.set(id, found.contractRevision);
    }),
    limit,
  );
  const keep = new Set(entries.map((e) => e.id));
  const writes: (() => Promise<unknown>)[] = [];
  // Replaces and removals by `_id` go together, as one unordered bulk write: neither can meet a duplicate key.
  // Inserts go one by one, since a duplicate is expected there (a newer revision inserted the entry first). Its
  // commands carry at most `limit` statements (and K, bulk.ts), one after the other, as one of the step's `limit`
  // tasks: on FerretDB a command holds a connection per matching statement and one more, so the step holds about
  // what `limit` single replaces in flight did.
  const byId: AnyBulkWriteOperation<StoredCatalogEntry>[] = [];
  for (const entry of entries) {
    const revision = existing.get(entry.id);
    if (revision === undefined) {
      writes.push(() =>
        catalog.insertOne({ _id: entry.id, ...toStoredCatalogEntry(entry) } as StoredCatalogEntry).catch((error: unknown) => {
          if (!isDuplicateKeyError(error)) throw error; // a newer revision inserted it first
        }),
      );
    } else if (revision < entry.contractRevision) {
      byId.push({ replaceOne: { filter: { _id: entry.id }, replacement: toStoredCatalogEntry(entry) } });
    }
  }
  for (const id of ids) {
    const revision = existing.get(id);
    if (!keep.has(id) && revision !== undefined && revision < contract.revision) byId.push({ deleteOne: { filter: { _id: id } } });
  }
  if (byId.length > 0) writes.push(() => bulkWriteInCommands(catalog, byId, undefined, limit));
  await runLimited(writes, limit);
  return writes.length - (byId.length > 0 ? 1 : 0) + byId.length;
}

/** How many newer revisions settleCatalog follows before it leaves the contract marked for the readers instead. */
const SETTLE_ROUNDS = 8;

/**
 * After the entries of revision R were written: when a newer revision (or a delete) landed meanwhile, this write
 * may have overwritten or re-inserted entries of it — the writes are not atomic on every server (FerretDB 1.x
 * finds, then writes), and a slow writer can also re-insert a schema the newer revision dropped. Removing what is
 * older than the newer revision is then not enough: the newer writer's own entry may be the one overwritten, and
 * the contract would vanish from the catalog. So re-read the revision (a point read) and, while it moved on,
 * re-derive the entries from the current contract: by `_id` over the entries this write touched (`touched`), or,
 * with `touched` null, by the conditional upserts and removal by revision (servers where those are atomic, and the
 * repair pass). Each round follows a newer write that landed, so it ends; after SETTLE_ROUNDS the contract is
 * marked (catalog_pending) and the next catalog read repairs it.
 */
export async function settleCatalog(
  collections: MongoCollections,
  contract: Contract,
  touched: readonly string[] | null = deriveCatalogEntries(contract).map((e) => e.id),
): Promise<void> {
  const { catalog, contracts } = collections;
  let written = contract;
  let ids = touched;
  for (let round = 0; round < SETTLE_ROUNDS; round++) {
    const current = await contracts.findOne({ _id: contract.id }, { projection: { revision: 1 } });
    if (current && current.revision <= written.revision) return;
    const doc = current ? await contracts.findOne({ _id: contract.id }) : null;
    if (!doc) {
      // Deleted: whatever this write re-inserted goes (the delete removed the rest).
      if (ids) await runLimited(ids.map((id) => () => catalog.deleteOne({ _id: id })), catalogWriteConcurrency(catalog));
      else await catalog.deleteMany({ contractId: contract.id });
      return;
    }
    written = fromStoredContract(doc);
    const entries = deriveCatalogEntries(written);
    if (ids) {
      await syncByPoints(collections, written, entries, ids);
      ids = idsOf(ids, entries);
    } else {
      await upsertEntries(catalog, entries, '$lt');
      await catalog.deleteMany({ contractId: contract.id, contractRevision: { $lt: written.revision } });
    }
  }
  await collections.catalogPending.replaceOne({ _id: contract.id }, { token: randomUUID(), at: new Date() }, { upsert: true }).catch((error: unknown) => {
    if (!isDuplicateKeyError(error)) throw error; // marked by a concurrent writer: as good
  });
}

/**
 * Conditional upserts, in unordered commands of at most GRIOT_BULK_STATEMENTS_PER_COMMAND (bulk.ts). `$lt` for a
 * contract write (entries of the same revision are already right); `$lte` for rebuild (entries of the same revision
 * are regenerated too).
 */
async function upsertEntries(catalog: Collection, entries: readonly CatalogEntry[], op: '$lt' | '$lte'): Promise<void> {
  if (entries.length === 0) return;
  const writes = entries.map((entry) => ({
    filter: { _id: entry.id, contractRevision: { [op]: entry.contractRevision } } as Filter<StoredCatalogEntry>,
    replacement: toStoredCatalogEntry(entry),
  }));
  const operations: AnyBulkWriteOperation<StoredCatalogEntry>[] = writes.map((w) => ({
    replaceOne: { filter: w.filter, replacement: w.replacement, upsert: true },
  }));
  await bulkWriteInCommands(catalog, operations, async (error, chunk, offset) => {
    // E11000 here only ever means "a newer revision already wrote this entry" (_id is the only unique key).
    if (!(error instanceof MongoBulkWriteError) || !isDuplicateKeyError(error)) throw error;
    const accounted = error.result.matchedCount + error.result.upsertedCount + writeErrorsOf(error).length;
    if (accounted >= chunk.length) return;
    // Some servers (FerretDB 1.x) stop an unordered batch at its first error and report neither the right index
    // nor the counts: write each entry of this command on its own. The writes are idempotent, so repeating done
    // ones is harmless.
    for (const w of writes.slice(offset, offset + chunk.length)) {
      try {
        await catalog.replaceOne(w.filter, w.replacement, { upsert: true });
      } catch (e) {
        if (!isDuplicateKeyError(e)) throw e;
      }
    }
  });
}

export class MongoCatalogRepository implements SchemaCatalogRepository {
  constructor(
    private readonly collections: MongoCollections,
    private readonly batchReads: BatchReads = 'points',
    /** How many marked contracts one read brings in step at most (GRIOT_CATALOG_READ_REPAIRS). */
    private readonly readRepairs: number = DEFAULT_CATALOG_READ_REPAIRS,
  ) {}

  async list(filter: CatalogFilter, page: PageRequest): Promise<Page<CatalogEntry>> {
    const read = () => this.page(filter, page);
    const first = await read();
    // Entries behind their contract (a write cut short, or one in flight) are brought in step first (repair.ts).
    return (await freshenCatalog(this.collections, this.batchReads, first.items, [], this.readRepairs)) ? read() : first;
  }

  private page(filter: CatalogFilter, page: PageRequest): Promise<Page<CatalogEntry>> {
    return keysetPage<StoredCatalogEntry, CatalogEntry>({
      collection: this.collections.catalog,
      filter: catalogQuery(filter),
      key: 'schemaNameLower',
      direction: 'asc',
      page,
      valueOf: (doc) => doc.schemaNameLower,
      map: fromStoredCatalogEntry,
    });
  }

  async getByIds(ids: readonly string[]): Promise<(CatalogEntry | null)[]> {
    if (ids.length === 0) return [];
    const read = () => readByIds(this.collections.catalog, ids, this.batchReads);
    let byId = await read();
    if (await freshenCatalog(this.collections, this.batchReads, [...byId.values()], [], this.readRepairs)) byId = await read();
    return ids.map((id) => {
      const doc = byId.get(id);
      return doc ? fromStoredCatalogEntry(doc) : null;
    });
  }

  async listByContractIds(contractIds: readonly string[]): Promise<CatalogEntry[][]> {
    if (contractIds.length === 0) return [];
    const read = () => this.collections.catalog.find({ contractId: { $in: [...new Set(contractIds)] } }).toArray();
    let docs = await read();
    if (await freshenCatalog(this.collections, this.batchReads, docs, contractIds, this.readRepairs)) docs = await read();
    const groups = new Map<string, StoredCatalogEntry[]>();
    for (const doc of docs) {
      const group = groups.get(doc.contractId);
      if (group) group.push(doc);
      else groups.set(doc.contractId, [doc]);
    }
    for (const group of groups.values()) group.sort((a, b) => cmp(a.schemaNameLower, b.schemaNameLower) || cmp(a._id, b._id));
    return contractIds.map((id) => (groups.get(id) ?? []).map(fromStoredCatalogEntry));
  }

  async rebuild(): Promise<{ contracts: number; entries: number }> {
    const { contracts, catalog } = this.collections;
    const seen = new Set<string>();
    let contractCount = 0;
    let entryCount = 0;

    const flush = async (batch: StoredContract[]): Promise<void> => {
      if (batch.length === 0) return;
      const derived = batch.map((doc) => ({ doc, entries: deriveCatalogEntries(fromStoredContract(doc)) }));
      const entries = derived.flatMap((d) => d.entries);
      await upsertEntries(catalog, entries, '$lte');
      // Entries of these contracts that are not derived from their current revision: schemas they no longer have
      // (or entries a changed derivation no longer produces). Entries of a newer revision are left alone.
      await catalog.deleteMany({
        $or: derived.map(({ doc, entries: own }) => ({
          contractId: doc._id,
          contractRevision: { $lte: doc.revision },
          _id: { $nin: own.map((e) => e.id) },
        })),
      });
      contractCount += batch.length;
      entryCount += entries.length;
    };

    let batch: StoredContract[] = [];
    // maxTimeMS 0: the whole walk may take longer than one operation's limit (time-limits.ts).
    for await (const doc of contracts.find({}, { batchSize: REBUILD_BATCH, maxTimeMS: 0 })) {
      seen.add(doc._id);
      batch.push(doc);
      if (batch.length >= REBUILD_BATCH) {
        await flush(batch);
        batch = [];
      }
    }
    await flush(batch);

    // Entries of contracts that no longer exist. A contract created while this ran is not in `seen` but exists:
    // check before deleting.
    const referenced = (await catalog.distinct('contractId')) as string[];
    const unseen = referenced.filter((id) => !seen.has(id));
    for (let i = 0; i < unseen.length; i += ID_CHUNK) {
      const chunk = unseen.slice(i, i + ID_CHUNK);
      const existing = await contracts.find({ _id: { $in: chunk } }, { projection: { _id: 1 } }).toArray();
      const exists = new Set(existing.map((d) => d._id));
      const gone = chunk.filter((id) => !exists.has(id));
      if (gone.length) await catalog.deleteMany({ contractId: { $in: gone } });
    }
    return { contracts: contractCount, entries: entryCount };
  }
}

function catalogQuery(filter: CatalogFilter): Filter<StoredCatalogEntry> {
  const query: Filter<StoredCatalogEntry> = {};
  if (filter.schemaNamePrefix != null && filter.schemaNamePrefix !== '') {
    query.schemaNameLower = { $regex: `^${escapeRegex(caseKey(filter.schemaNamePrefix))}` };
  }
  if (filter.propertyName != null) query.propertyKeys = caseKey(filter.propertyName);
  // An anchored, case-sensitive regex over lower-case words: a prefix range of the propertyWords index.
  if (filter.propertyWord != null) query.propertyWords = { $regex: `^${escapeRegex(normalizeWord(filter.propertyWord))}` };
  if (filter.hasPii != null) query.hasPii = filter.hasPii;
  if (filter.contractId != null) query.contractId = filter.contractId;
  if (filter.contractStatus?.length) query.contractStatus = { $in: filter.contractStatus };
  return query;
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

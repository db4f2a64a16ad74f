/**
 * Whether a lone `_id` equality (every hot-path point read: point-reads.ts, lookups.ts, keys.ts) is served from an
 * index or scans the collection, from the server's own explain (capabilities.ts runs it once at start-up).
 *
 * FerretDB 1.24 on PostgreSQL renders `{_id: "x"}` as `_jsonb -> '_id' @> '"x"'`, which its btree index on
 * `(_jsonb -> '_id')` cannot answer: a sequential scan that decompresses every document, unless the database has
 * the GIN companion indexes of scripts/ferretdb-pg-indexes.sql (README "FerretDB on PostgreSQL"). Its explain is
 * PostgreSQL's plan (`queryPlanner.Plan` with `Node Type`s). PostgreSQL plans a scan of a tiny table whatever its
 * indexes, so when the one-document probe shows a scan, the probe collection is filled to ID_READS_PROBE_ROWS
 * small documents (enough that an index read costs less than a scan) and explained again. MongoDB answers with
 * its plan stages (COLLSCAN: a scan).
 *
 * FerretDB 1.24 on SQLite answers with SQLite's plan lines. It pushes `{_id: "x"}` down as
 * `_ferretdb_sjson->'$._id' = ?` while its own index is on `_ferretdb_sjson->"_id"`, so SQLite scans (SCAN) unless
 * the table has the companion index of src/embedded/sqlite-companions.ts (SEARCH … USING INDEX). That index is per
 * table, which a scratch collection never has: the server probe leaves SQLite `unknown`, and createMongoStorage asks
 * the database's own `contracts` collection (detectCollectionIdReads). Any other answer is `unknown`.
 */
import { randomUUID } from 'node:crypto';
import type { Db, Document } from 'mongodb';

export type IdReads = 'index' | 'scan' | 'unknown';

/** Small documents the probe collection is filled to when PostgreSQL plans a scan of the tiny one. */
export const ID_READS_PROBE_ROWS = 3000;

export async function detectIdReads(db: Db, rows = ID_READS_PROBE_ROWS): Promise<IdReads> {
  return (await detectIdReadsAndPlanner(db, rows)).reads;
}

/** detectIdReads, with whether the plans were PostgreSQL's (FerretDB on PostgreSQL: bulk.ts caps its commands). */
export async function detectIdReadsAndPlanner(db: Db, rows = ID_READS_PROBE_ROWS): Promise<{ reads: IdReads; postgresql: boolean }> {
  const name = `capability_probe_${randomUUID()}`;
  const probe = db.collection<{ _id: string } & Document>(name);
  const explain = async () => idReadsFromExplain(await db.command({ explain: { find: name, filter: { _id: 'k1' } }, verbosity: 'queryPlanner' }));
  try {
    await probe.insertOne({ _id: 'k0' });
    const first = await explain();
    const postgresql = first.kind === 'postgresql';
    if (first.kind === 'sqlite') return { reads: 'unknown', postgresql };
    if (!postgresql || first.reads === 'index') return { reads: first.reads, postgresql };
    await probe.insertMany(Array.from({ length: rows - 1 }, (_, i) => ({ _id: `k${i + 1}` })));
    return { reads: (await explain()).reads, postgresql };
  } catch {
    return { reads: 'unknown', postgresql: false };
  } finally {
    await probe.drop().catch(() => undefined);
  }
}

/**
 * How the existing `collection` of this database serves a lone `_id` equality, from the server's explain (nothing
 * is read or written); `unknown` when the explain fails or has another shape.
 */
export async function detectCollectionIdReads(db: Db, collection: string): Promise<IdReads> {
  try {
    return idReadsFromExplain(await db.command({ explain: { find: collection, filter: { _id: 'id-reads-probe' } }, verbosity: 'queryPlanner' })).reads;
  } catch {
    return 'unknown';
  }
}

/** The decision of detectIdReads from one explain answer, with the plan's kind (exported for its test). */
export function idReadsFromExplain(explained: Document): { kind: 'postgresql' | 'mongodb' | 'sqlite' | 'other'; reads: IdReads } {
  const planner = explained.queryPlanner;
  const pg = planner?.Plan;
  if (pg && typeof pg === 'object' && !Array.isArray(pg) && typeof pg['Node Type'] === 'string') {
    const nodes = nodeTypes(pg);
    return { kind: 'postgresql', reads: nodes.some((n) => n.includes('Index')) ? 'index' : 'scan' };
  }
  if (Array.isArray(pg) && pg.length && pg.every((line) => typeof line === 'string' && /\bdetail=/.test(line))) {
    const details = (pg as string[]).map((line) => line.slice(line.indexOf('detail=') + 'detail='.length));
    if (details.some((d) => /^SEARCH \S+ USING (COVERING )?INDEX /.test(d))) return { kind: 'sqlite', reads: 'index' };
    if (details.some((d) => /^SCAN /.test(d))) return { kind: 'sqlite', reads: 'scan' };
  }
  const winning = planner?.winningPlan;
  if (winning && typeof winning === 'object') return { kind: 'mongodb', reads: JSON.stringify(winning).includes('COLLSCAN') ? 'scan' : 'index' };
  return { kind: 'other', reads: 'unknown' };
}

/** Every `Node Type` of a PostgreSQL plan tree. */
function nodeTypes(plan: Document): string[] {
  const own = typeof plan['Node Type'] === 'string' ? [plan['Node Type'] as string] : [];
  const children = Array.isArray(plan.Plans) ? (plan.Plans as Document[]).flatMap(nodeTypes) : [];
  return [...own, ...children];
}

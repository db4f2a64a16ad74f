/**
 * Companion `_id` indexes for FerretDB 1.24 on SQLite (README "FerretDB on SQLite").
 *
 * FerretDB pushes a lone `_id` equality down to SQLite as `WHERE _ferretdb_sjson->'$._id' = ?`, but the `_id_`
 * index it creates is on `(_ferretdb_sjson->"_id")`. SQLite uses an expression index only for the same expression,
 * so every `find`, `update` and `delete` by `_id` scans the table and parses every stored document's JSON (measured
 * at 10,000 documents of ~16 KB: 1.7 s per `findOne({_id})`; with the companion, 8 ms). This module gives each of
 * FerretDB's tables an index on exactly the pushed-down expression. FerretDB never sees it (its catalog, the
 * `_ferretdb_collections` table, lists only its own indexes), dropping a collection drops it with its table, and
 * uniqueness stays with FerretDB's own index. SQLite has no DDL triggers, so a collection created later gets its
 * companion when this runs again: the registry creates all of its collections at start-up, so running it once after
 * the registry has started on a database is enough.
 *
 * It talks to the database files with Debian's `sqlite3` command-line shell (package `sqlite3`; SQLITE3_BIN names
 * another), with a busy timeout, while FerretDB keeps running: SQLite's WAL lets the index build beside FerretDB's
 * own connections, which pick the new schema up on their next statement.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The suffix of a companion index's name: `<FerretDB table>` + this. */
export const COMPANION_SUFFIX = '__griot_sjson_id';
/** How long the shell waits for FerretDB's write lock before it gives up on a statement. */
const BUSY_TIMEOUT_MS = 30_000;

export class SqliteCompanionsUnavailable extends Error {
  override name = 'SqliteCompanionsUnavailable';
}

export interface CompanionsApplied {
  /** FerretDB database files seen (`<database>.sqlite`). */
  databases: number;
  /** FerretDB tables (one per collection) seen in them. */
  tables: number;
  /** Companion indexes this call created (0 when every table had one). */
  created: number;
}

/**
 * Creates the missing companion index of every FerretDB table in the SQLite folder `dir` (FerretDB's
 * `--sqlite-url=file:<dir>/`). Idempotent. Throws SqliteCompanionsUnavailable when `dir` is not a folder or the
 * `sqlite3` shell cannot run, and the shell's one-line error when a statement fails.
 */
export async function applySqliteCompanions(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<CompanionsApplied> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SqliteCompanionsUnavailable(`${dir} is not FerretDB's SQLite folder`);
  const bin = env.SQLITE3_BIN || 'sqlite3';
  await run(bin, ['-version'], { timeout: 5_000 }).catch((error: Error) => {
    throw new SqliteCompanionsUnavailable(`the sqlite3 shell could not run (${oneLine(error)}); install it (apt-get install sqlite3) or set SQLITE3_BIN`);
  });
  const files = readdirSync(dir).filter((f) => f.endsWith('.sqlite'));
  const applied: CompanionsApplied = { databases: files.length, tables: 0, created: 0 };
  for (const file of files) {
    const path = join(dir, file);
    const missing = await missingCompanions(bin, path, applied);
    if (!missing.length) continue;
    await shell(bin, path, missing.map(createStatement).join('\n'));
    applied.created += missing.length;
  }
  return applied;
}

/** The tables of one database file that have no companion yet; counts every table into `applied`. */
async function missingCompanions(bin: string, path: string, applied: CompanionsApplied): Promise<string[]> {
  const hasCatalog = await shell(bin, path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_ferretdb_collections';");
  if (hasCatalog.trim() !== '1') return [];
  const rows = await shell(
    bin,
    path,
    `SELECT c.table_name, EXISTS (SELECT 1 FROM sqlite_master m WHERE m.type = 'index' AND m.name = c.table_name || '${COMPANION_SUFFIX}') FROM _ferretdb_collections c;`,
  );
  const missing: string[] = [];
  for (const line of rows.split('\n')) {
    if (!line) continue;
    const cut = line.lastIndexOf('|');
    const table = line.slice(0, cut);
    applied.tables += 1;
    if (line.slice(cut + 1) === '0') missing.push(table);
  }
  return missing;
}

function createStatement(table: string): string {
  return `CREATE INDEX IF NOT EXISTS ${quoteIdentifier(table + COMPANION_SUFFIX)} ON ${quoteIdentifier(table)} (_ferretdb_sjson->'$._id');`;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Runs `sql` on one database file; its output (list mode, `|` between columns). */
async function shell(bin: string, path: string, sql: string): Promise<string> {
  try {
    const { stdout } = await run(bin, ['-batch', '-bail', '-cmd', `.timeout ${BUSY_TIMEOUT_MS}`, path, sql], {
      timeout: BUSY_TIMEOUT_MS + 60_000,
      maxBuffer: 1 << 24,
    });
    return stdout;
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr || (error as Error).message;
    throw new Error(`sqlite3 on ${path}: ${oneLine(detail)}`);
  }
}

function oneLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).replace(/\s+/g, ' ').trim().slice(0, 300);
}

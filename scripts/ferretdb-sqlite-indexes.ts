/**
 * Gives every table of a FerretDB 1.24 SQLite folder its companion `_id` index (src/embedded/sqlite-companions.ts,
 * README "FerretDB on SQLite"). Run it after the registry has started on the database (its collections exist then),
 * with FerretDB running or not; running it again changes nothing.
 *
 *   npx tsx scripts/ferretdb-sqlite-indexes.ts <FerretDB's --sqlite-url folder>
 */
import { applySqliteCompanions } from '../src/embedded/sqlite-companions.js';

const dir = process.argv[2];
if (!dir || process.argv.length > 3) {
  console.error('usage: npx tsx scripts/ferretdb-sqlite-indexes.ts <FerretDB SQLite folder>');
  process.exit(2);
}
try {
  const applied = await applySqliteCompanions(dir);
  console.log(`${applied.databases} database files, ${applied.tables} tables, ${applied.created} companion indexes created`);
} catch (error) {
  console.error(`ferretdb-sqlite-indexes: ${(error as Error).message}`);
  process.exit(1);
}

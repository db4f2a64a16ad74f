/**
 * `tsx scripts/ferretdb.ts build`: builds FerretDB into the cache when it is not there (src/embedded/ferretdb.ts)
 * and prints the binary's path. scripts/test-db.sh uses it, so the build lives in one place.
 */
import { ensureFerretDb, FerretDbUnavailable } from '../src/embedded/ferretdb.js';

const [command] = process.argv.slice(2);
if (command !== 'build') {
  console.error('usage: tsx scripts/ferretdb.ts build');
  process.exit(2);
}
try {
  console.log(await ensureFerretDb((line) => console.error(`test-db: ${line}`)));
} catch (error) {
  if (!(error instanceof FerretDbUnavailable)) throw error;
  console.error(`test-db: error: ${error.message}`);
  process.exit(1);
}

/** Where the embedded databases keep what is built or learned once per machine (FerretDB binary, markers). */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** GRIOT_CACHE_DIR, else $XDG_CACHE_HOME/griot-registry, else ~/.cache/griot-registry (as scripts/test-db.sh). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GRIOT_CACHE_DIR) return env.GRIOT_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'griot-registry');
}

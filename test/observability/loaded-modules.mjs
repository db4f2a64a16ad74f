// Preload for test/observability/tracing-off.test.ts (`node --import ./test/observability/loaded-modules.mjs`):
// records every module the process loads into LOADED_MODULES_FILE — ES modules as the loader resolves them (a
// resolve hook, on the loader thread), CommonJS modules from require.cache when the process exits.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.LOADED_MODULES_FILE;
if (!file) throw new Error('LOADED_MODULES_FILE is not set');
register('./loaded-modules-hooks.mjs', import.meta.url, { data: { file } });
const require = createRequire(import.meta.url);
process.on('exit', () => appendFileSync(file, Object.keys(require.cache).map((path) => `cjs ${path}\n`).join('')));

/** Entry point of the `griot-registry` command (bin/griot-registry.mjs). */
import { ConfigError, loadConfig, loadDotEnv } from './config.js';
import { runCli } from './cli.js';
import { createStorage } from './storage/index.js';

let code: number;
try {
  loadDotEnv();
  const config = loadConfig();
  code = await runCli(process.argv.slice(2), () => createStorage(config), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (text) => process.stderr.write(text),
    interactive: Boolean(process.stderr.isTTY),
  });
} catch (error) {
  process.stderr.write(`griot-registry: ${error instanceof ConfigError ? error.message : (error as Error).message}\n`);
  code = 2;
}
process.exit(code);

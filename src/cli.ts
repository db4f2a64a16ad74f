/**
 * The command line: `griot-registry import <folder>` and `griot-registry export <folder>`, against the storage that
 * config names (MONGODB_URI, MONGODB_DATABASE), or the database a running `npm start` serves (cli-main.ts).
 * Arguments are parsed with node:util parseArgs; every problem is one line and exit code 2. What runCli writes
 * through `io` is the command's product for the person at the terminal (summary, failed files, help, usage,
 * progress) and stays plain text; diagnostics outside it go through the process logger (cli-main.ts).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ContractFormat } from './domain/odcs-format.js';
import { exportFolder, importFolder } from './services/bulk.js';
import type { StorageBackend } from './storage/types.js';

const USAGE = `usage:
  griot-registry import <folder> [--accept-breaking-changes]   import every *.odcs.yaml|yml|json (create, or update by ODCS id)
  griot-registry export <folder> [--format yaml|json]          write every contract's current version
  griot-registry --help | --version

Storage: MONGODB_URI (and MONGODB_DATABASE) when set, else the database of the \`npm start\` running on GRIOT_DATA_DIR.
Import writes GRIOT_IMPORT_CONCURRENCY files at once (default 4).`;

export interface CliIO {
  out: (line: string) => void;
  err: (text: string) => void;
  /** Progress is drawn in place when the error stream is a terminal. */
  interactive: boolean;
}

/** Runs one command; returns the exit code (0 ok, 1 some files failed, 2 usage or set-up error). */
export async function runCli(argv: string[], storage: () => Promise<StorageBackend>, io: CliIO, options: { importConcurrency?: number; importBatchSize?: number } = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        'accept-breaking-changes': { type: 'boolean' },
        format: { type: 'string' },
      },
    });
  } catch (error) {
    return usage(io, (error as Error).message.split('\n')[0]!.replace(/\. To specify a positional.*$/, ''));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (values.version) {
    io.out(version());
    return 0;
  }
  const [command, folder, ...extra] = positionals;
  if (command !== 'import' && command !== 'export') return usage(io, command ? `unknown command ${JSON.stringify(command)}` : 'no command');
  if (!folder) return usage(io, `${command} needs a folder`);
  if (extra.length) return usage(io, `unexpected argument ${JSON.stringify(extra[0])}`);
  if (command === 'import' && values.format !== undefined) return usage(io, '--format is an export option');
  if (command === 'export' && values['accept-breaking-changes']) return usage(io, '--accept-breaking-changes is an import option');
  const format = values.format ?? 'yaml';
  if (format !== 'yaml' && format !== 'json') return usage(io, `--format must be yaml or json, not ${JSON.stringify(format)}`);
  if (command === 'import') {
    if (!existsSync(folder)) return problem(io, `no folder ${folder}`);
    if (!statSync(folder).isDirectory()) return problem(io, `${folder} is not a folder`);
  } else if (existsSync(folder) && !statSync(folder).isDirectory()) {
    return problem(io, `${folder} is not a folder`);
  }

  const backend = await storage();
  try {
    if (command === 'import') {
      const summary = await importFolder(backend, folder, {
        actor: 'cli',
        acceptBreakingChanges: values['accept-breaking-changes'] ?? false,
        concurrency: options.importConcurrency,
        ...(options.importBatchSize !== undefined ? { batchSize: options.importBatchSize } : {}),
        onProgress: (done, total, file) => io.err(progress(done, total, file, io.interactive)),
      });
      if (io.interactive) io.err('\n');
      io.out(`imported from ${folder}: ${summary.created.length} created, ${summary.updated.length} updated, ${summary.unchanged.length} unchanged, ${summary.failed.length} failed`);
      for (const f of summary.failed) io.out(`  failed ${f.file}: ${f.reason}`);
      return summary.failed.length ? 1 : 0;
    }
    const written = await exportFolder(backend, folder, format as ContractFormat);
    io.out(`exported ${written.length} contract${written.length === 1 ? '' : 's'} to ${folder}`);
    return 0;
  } finally {
    await backend.close();
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
  return `${pkg.name} ${pkg.version}`;
}

function usage(io: CliIO, what: string): number {
  io.err(`griot-registry: ${what}\n${USAGE}\n`);
  return 2;
}

function problem(io: CliIO, what: string): number {
  io.err(`griot-registry: ${what}\n`);
  return 2;
}

function progress(done: number, total: number, file: string, interactive: boolean): string {
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${file}`;
  return interactive ? `\r\x1b[2K${bar}` : `${bar}\n`;
}

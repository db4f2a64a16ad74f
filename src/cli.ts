/**
 * The command line: `griot-registry import <folder>` and `griot-registry export <folder>`, against the storage that
 * config names (MONGODB_URI, MONGODB_DATABASE, GRIOT_STORAGE).
 */
import type { ContractFormat } from './domain/odcs-format.js';
import { exportFolder, importFolder } from './services/bulk.js';
import type { StorageBackend } from './storage/types.js';

const USAGE = `usage:
  griot-registry import <folder> [--accept-breaking-changes]   import every *.odcs.yaml (create, or update by ODCS id)
  griot-registry export <folder> [--format yaml|json]          write every contract's current version`;

export interface CliIO {
  out: (line: string) => void;
  err: (text: string) => void;
  /** Progress is drawn in place when the error stream is a terminal. */
  interactive: boolean;
}

/** Runs one command; returns the exit code (0 ok, 1 some files failed, 2 usage or set-up error). */
export async function runCli(argv: string[], storage: () => Promise<StorageBackend>, io: CliIO): Promise<number> {
  const [command, folder, ...rest] = argv;
  if ((command !== 'import' && command !== 'export') || !folder) {
    io.err(`${USAGE}\n`);
    return 2;
  }
  const backend = await storage();
  try {
    if (command === 'import') {
      const unknown = rest.filter((a) => a !== '--accept-breaking-changes');
      if (unknown.length) return usage(io, `unknown option ${unknown[0]}`);
      const summary = await importFolder(backend, folder, {
        actor: 'cli',
        acceptBreakingChanges: rest.includes('--accept-breaking-changes'),
        onProgress: (done, total, file) => io.err(progress(done, total, file, io.interactive)),
      });
      if (io.interactive) io.err('\n');
      io.out(`imported from ${folder}: ${summary.created.length} created, ${summary.updated.length} updated, ${summary.unchanged.length} unchanged, ${summary.failed.length} failed`);
      for (const f of summary.failed) io.out(`  failed ${f.file}: ${f.reason}`);
      return summary.failed.length ? 1 : 0;
    }
    let format: ContractFormat = 'yaml';
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === '--format' && (rest[i + 1] === 'yaml' || rest[i + 1] === 'json')) format = rest[++i] as ContractFormat;
      else return usage(io, `unknown option ${rest[i]}`);
    }
    const written = await exportFolder(backend, folder, format);
    io.out(`exported ${written.length} contract${written.length === 1 ? '' : 's'} to ${folder}`);
    return 0;
  } finally {
    await backend.close();
  }
}

function usage(io: CliIO, problem: string): number {
  io.err(`${problem}\n${USAGE}\n`);
  return 2;
}

function progress(done: number, total: number, file: string, interactive: boolean): string {
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${file}`;
  return interactive ? `\r\x1b[2K${bar}` : `${bar}\n`;
}

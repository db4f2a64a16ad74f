/** Bulk import and export of ODCS files (the CLI's work), against any storage backend. */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryError, ValidationError } from '../domain/errors.js';
import { type ContractFormat, formatContract } from '../domain/odcs-format.js';
import type { Contract, StorageBackend } from '../storage/types.js';
import { importContract, type ImportOutcome } from './import.js';

export interface ImportSummary {
  created: string[];
  updated: string[];
  unchanged: string[];
  failed: { file: string; reason: string }[];
}

/** Every `*.odcs.yaml` / `*.odcs.yml` / `*.odcs.json` file under `folder`, sorted, with paths relative to it. */
export async function contractFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.odcs\.(ya?ml|json)$/i.test(e.name))
    .map((e) => join(e.parentPath ?? folder, e.name).slice(folder.replace(/\/+$/, '').length + 1))
    .sort();
}

export async function importFolder(
  storage: StorageBackend,
  folder: string,
  options: { actor: string | null; acceptBreakingChanges?: boolean; onProgress?: (done: number, total: number, file: string) => void },
): Promise<ImportSummary> {
  const files = await contractFiles(folder);
  const summary: ImportSummary = { created: [], updated: [], unchanged: [], failed: [] };
  let done = 0;
  for (const file of files) {
    try {
      const text = await readFile(join(folder, file), 'utf8');
      const { outcome } = await importContract(storage, { text, acceptBreakingChanges: options.acceptBreakingChanges ?? false }, options.actor);
      summary[outcome satisfies ImportOutcome].push(file);
    } catch (error) {
      summary.failed.push({ file, reason: describe(error) });
    }
    options.onProgress?.(++done, files.length, file);
  }
  return summary;
}

/**
 * Writes every contract's served document into `folder`, one file each, in name order; returns the files written.
 * Nothing is ever overwritten: a file name is the contract's name made safe (exportFileStem), and when that name is
 * taken (by an earlier contract of this export, by a name differing only in case, or by a file already in the
 * folder) the contract's short id is added, then its whole id.
 */
export async function exportFolder(storage: StorageBackend, folder: string, format: ContractFormat): Promise<string[]> {
  await mkdir(folder, { recursive: true });
  const written: string[] = [];
  const taken = new Set<string>();
  let after: string | null = null;
  for (;;) {
    const page = await storage.contracts.list({}, { field: 'name', direction: 'asc' }, { first: 100, after });
    for (const contract of page.items) {
      written.push(await writeNew(folder, exportFileCandidates(contract, format), formatContract(contract.document, format), taken));
    }
    if (!page.hasNextPage) return written;
    after = page.cursors[page.cursors.length - 1] ?? null;
  }
}

/** Writes `text` to the first candidate name that is neither taken (ignoring case) nor an existing file. */
async function writeNew(folder: string, candidates: string[], text: string, taken: Set<string>): Promise<string> {
  for (let i = 0; ; i++) {
    const file = i < candidates.length ? candidates[i]! : candidates[candidates.length - 1]!.replace(/(\.odcs\.\w+)$/, `-${i}$1`);
    if (taken.has(file.toLowerCase())) continue;
    try {
      await writeFile(join(folder, file), text, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    taken.add(file.toLowerCase());
    return file;
  }
}

const MAX_STEM = 100;

/**
 * A contract name as a file-name stem: letters, digits, `.`, `_` and `-` only (anything else becomes `_`), no
 * leading dot or dash (never hidden, never an option), never `.` or `..`, at most MAX_STEM characters; `contract`
 * when nothing is left.
 */
export function exportFileStem(name: string): string {
  const stem = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+/, '')
    .slice(0, MAX_STEM)
    .replace(/[._-]+$/, '');
  return stem || 'contract';
}

/** The file names to try for a contract, best first: its stem, then with its short id, then with its whole id. */
export function exportFileCandidates(contract: Pick<Contract, 'id' | 'name'>, format: ContractFormat): string[] {
  const ext = `.odcs.${format === 'yaml' ? 'yaml' : 'json'}`;
  const stem = exportFileStem(contract.name);
  const id = exportFileStem(contract.id);
  return [...new Set([`${stem}${ext}`, `${stem}-${id.slice(0, 8)}${ext}`, `${stem}-${id}${ext}`])];
}

function describe(error: unknown): string {
  if (error instanceof ValidationError) return error.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  if (error instanceof RegistryError) return error.message;
  return `unexpected error: ${(error as Error).message ?? String(error)}`;
}

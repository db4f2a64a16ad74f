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

export async function exportFolder(storage: StorageBackend, folder: string, format: ContractFormat): Promise<string[]> {
  await mkdir(folder, { recursive: true });
  const written: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await storage.contracts.list({}, { field: 'name', direction: 'asc' }, { first: 100, after });
    for (const contract of page.items) {
      const file = `${safeFileName(contract)}.odcs.${format === 'yaml' ? 'yaml' : 'json'}`;
      await writeFile(join(folder, file), formatContract(contract.document, format));
      written.push(file);
    }
    if (!page.hasNextPage) return written;
    after = page.cursors[page.cursors.length - 1] ?? null;
  }
}

function safeFileName(contract: Contract): string {
  return contract.name.replace(/[^A-Za-z0-9._-]+/g, '_') || contract.id;
}

function describe(error: unknown): string {
  if (error instanceof ValidationError) return error.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  if (error instanceof RegistryError) return error.message;
  return `unexpected error: ${(error as Error).message ?? String(error)}`;
}

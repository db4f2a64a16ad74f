/** Bulk import and export of ODCS files (the CLI's work), against any storage backend. */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { IncompatibleChangeError, RegistryError, ValidationError } from '../domain/errors.js';
import { versionId } from '../domain/contracts.js';
import { servedVersionNumber } from '../domain/lifecycle.js';
import { type ContractFormat, parseContractText } from '../domain/odcs-format.js';
import { odcsIdOf } from '../domain/odcs-identity.js';
import { servedDocument } from '../domain/odcs-served.js';
import { exportText } from '../domain/odcs-text.js';
import type { Contract, StorageBackend } from '../storage/types.js';
import { importContract, type ImportOutcome, importTargetOf } from './import.js';
import { importInBatches } from './import-batch.js';
import { importLanes, type LaneKeys } from './import-lanes.js';
import { stopPoint } from '../domain/cancellation.js';

/** How many files a folder import writes at once by default (GRIOT_IMPORT_CONCURRENCY). */
export const DEFAULT_IMPORT_CONCURRENCY = 4;
/** How many new contracts a folder import writes in one batch by default (GRIOT_IMPORT_BATCH_SIZE; 1: one by one). */
export const DEFAULT_IMPORT_BATCH_SIZE = 100;

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

/**
 * Imports every contract file of `folder`, as if one after another in file-path order. Files that share an ODCS id
 * (one contract's identity) are reported before anything is written, and then nothing is: the folder is refused
 * whole. Files that could touch the same contract or name are imported in that order, one at a time; the others
 * side by side, at most `concurrency` at once (import-lanes.ts). Each failed file gets one line (describeFailure):
 * the file, the contract it matched by ODCS id, why, and the flag that would let it through. Lists of the summary
 * are in file-path order.
 */
export async function importFolder(
  storage: StorageBackend,
  folder: string,
  options: {
    actor: string | null;
    acceptBreakingChanges?: boolean;
    onProgress?: (done: number, total: number, file: string) => void;
    /** Files (with batches: batches) written at once (default DEFAULT_IMPORT_CONCURRENCY). */
    concurrency?: number;
    /** New contracts per batch (default DEFAULT_IMPORT_BATCH_SIZE); 1 imports file by file (import-batch.ts). */
    batchSize?: number;
  },
): Promise<ImportSummary> {
  const files = await contractFiles(folder);
  const summary: ImportSummary = { created: [], updated: [], unchanged: [], failed: [] };
  const texts = new Map<string, string>();
  for (const file of files) texts.set(file, await readFile(join(folder, file), 'utf8'));
  const keys = laneKeysOf(texts);
  const shared = sharedOdcsIds(keys);
  if (shared.size) {
    for (const file of files) {
      const others = shared.get(file);
      summary.failed.push({
        file,
        reason: others
          ? `shares ODCS id ${JSON.stringify(others.odcsId)} (a contract's identity) with ${others.files.join(', ')}; nothing in the folder was imported: give each contract its own id, or import the files one at a time to make them successive versions`
          : 'not imported: files of this folder share an ODCS id (see their lines); nothing in the folder was imported',
      });
    }
    return summary;
  }
  const outcomes = new Map<string, ImportOutcome | { file: string; reason: string }>();
  let done = 0;
  const lanes = importLanes(keys);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_IMPORT_CONCURRENCY));
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_IMPORT_BATCH_SIZE));
  let next = 0;
  const worker = async () => {
    while (next < lanes.length) {
      for (const file of lanes[next++]!) {
        stopPoint(); // nothing more is started for a stopped request
        try {
          const { outcome } = await importContract(
            storage,
            { text: texts.get(file)!, defaultName: fileStem(file), acceptBreakingChanges: options.acceptBreakingChanges ?? false },
            options.actor,
          );
          outcomes.set(file, outcome);
        } catch (error) {
          outcomes.set(file, { file, reason: describeFailure(error) });
        }
        options.onProgress?.(++done, files.length, file);
      }
    }
  };
  if (batchSize > 1) {
    await importInBatches(storage, lanes, texts, {
      actor: options.actor,
      acceptBreakingChanges: options.acceptBreakingChanges ?? false,
      batchSize,
      concurrency,
      defaultName: fileStem,
      onDone: (file, outcome) => {
        outcomes.set(file, typeof outcome === 'string' ? outcome : { file, reason: describeFailure(outcome.error) });
        options.onProgress?.(++done, files.length, file);
      },
    });
  } else await Promise.all(Array.from({ length: Math.min(concurrency, lanes.length) }, worker));
  for (const file of files) {
    const outcome = outcomes.get(file)!;
    if (typeof outcome === 'string') summary[outcome].push(file);
    else summary.failed.push(outcome);
  }
  return summary;
}

/** What decides which files may be imported side by side (import-lanes.ts), from each file's text. */
function laneKeysOf(texts: Map<string, string>): LaneKeys[] {
  return [...texts].map(([file, text]) => {
    try {
      const document = parseContractText(text);
      return { file, odcsId: odcsIdOf(document), name: typeof document.name === 'string' ? document.name : null, stem: fileStem(file) };
    } catch {
      return { file, odcsId: null, name: null, stem: fileStem(file) }; // reported when the file is imported
    }
  });
}

/** For each file whose ODCS id another file of the folder has too: that id and the other files. */
function sharedOdcsIds(keys: readonly LaneKeys[]): Map<string, { odcsId: string; files: string[] }> {
  const byId = new Map<string, string[]>();
  for (const { file, odcsId } of keys) {
    if (odcsId !== null) byId.set(odcsId, [...(byId.get(odcsId) ?? []), file]);
  }
  const shared = new Map<string, { odcsId: string; files: string[] }>();
  for (const [odcsId, group] of byId) {
    if (group.length < 2) continue;
    for (const file of group) shared.set(file, { odcsId, files: group.filter((f) => f !== file) });
  }
  return shared;
}

/** `orders.odcs.yaml` → `orders`: the name of a contract whose document has none. */
function fileStem(file: string): string {
  return basename(file).replace(/\.odcs\.(ya?ml|json)$/i, '');
}

/**
 * Writes every contract's served document (as the API exports it: domain/odcs-served, odcs-text) into `folder`, one
 * file each, in name order; returns the files written.
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
    // The served versions of the page in one read: their source text, for faithful export.
    const served = await storage.contracts.getVersionsByIds(page.items.map((c) => versionId(c.id, servedVersionNumber(c))));
    for (const [i, contract] of page.items.entries()) {
      const text = exportText(servedDocument(contract), format, served[i]?.source ?? null);
      written.push(await writeNew(folder, exportFileCandidates(contract, format), text, taken));
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

/**
 * One line for a file that failed: the contract it matched (by ODCS id) and the version it was compared with, why it
 * failed, and the command-line flag that lets it through when there is one.
 */
export function describeFailure(error: unknown): string {
  const matched = importTargetOf(error);
  const why = matched ? matched.reason : error instanceof Error ? error.message : String(error);
  const prefix = matched
    ? `matched contract ${JSON.stringify(matched.target.contract.name)} by ODCS id ${JSON.stringify(matched.target.odcsId)}, compared with its version ${matched.target.comparedVersion}: `
    : '';
  if (error instanceof IncompatibleChangeError) {
    return `${prefix}${why.replace(/; pass acceptBreakingChanges to write it anyway$/, '')}; run again with --accept-breaking-changes to import it anyway`;
  }
  if (error instanceof ValidationError) {
    const issues = error.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    const hint = error.issues.some((i) => i.code === 'version_too_low') ? ' (no flag lets a lower version through: raise `version` in the file, or leave it as it was to let the registry choose)' : '';
    return `${prefix}${issues}${hint}`;
  }
  if (error instanceof RegistryError) return `${prefix}${why}`;
  return `${prefix}unexpected error: ${why}`;
}

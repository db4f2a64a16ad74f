/**
 * The batched folder import (issue 15.2): new contracts are written with ContractRepository.createMany, a batch of
 * at most GRIOT_IMPORT_BATCH_SIZE files at a time, at most GRIOT_IMPORT_CONCURRENCY batches at once. Each round
 * takes the next file of every lane (import-lanes.ts: files of one lane could touch the same contract or name, so
 * they stay one after another, in file-path order). A file whose ODCS id a contract already holds (the createMany
 * answer says so) is imported the single way (import.ts: a new version, or unchanged). Between batches the import
 * stops when its request was stopped (domain/cancellation): a batch already sent completes, none is started.
 */
import { stopPoint } from '../domain/cancellation.js';
import type { CreateContractInput } from '../domain/contracts.js';
import { AlreadyExistsError } from '../domain/errors.js';
import { nameForLookup } from '../domain/names.js';
import { detectFormat, parseContractText } from '../domain/odcs-format.js';
import type { StorageBackend } from '../storage/types.js';
import { importContract, type ImportOutcome } from './import.js';

export type FileOutcome = ImportOutcome | { error: unknown };

export interface BatchImportOptions {
  actor: string | null;
  acceptBreakingChanges: boolean;
  batchSize: number;
  concurrency: number;
  /** The name a file's contract gets when its document has none (its file stem). */
  defaultName: (file: string) => string;
  /** Called once per file, when its outcome is known. */
  onDone: (file: string, outcome: FileOutcome) => void;
}

export async function importInBatches(storage: StorageBackend, lanes: readonly string[][], texts: ReadonlyMap<string, string>, options: BatchImportOptions): Promise<void> {
  for (let round = 0; ; round++) {
    const files = lanes.filter((lane) => lane.length > round).map((lane) => lane[round]!);
    if (files.length === 0) return;
    const batches: string[][] = [];
    for (let i = 0; i < files.length; i += options.batchSize) batches.push(files.slice(i, i + options.batchSize));
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        stopPoint(); // nothing more is started for a stopped request
        await importBatch(storage, batch, texts, options);
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, batches.length) }, worker));
  }
}

async function importBatch(storage: StorageBackend, files: string[], texts: ReadonlyMap<string, string>, options: BatchImportOptions): Promise<void> {
  const parsed: { file: string; input: CreateContractInput }[] = [];
  for (const file of files) {
    const text = texts.get(file)!;
    try {
      const format = detectFormat(text);
      const document = parseContractText(text, format, 'text');
      parsed.push({ file, input: { document, name: null, defaultName: options.defaultName(file), note: null, source: { text, format } } });
    } catch (error) {
      options.onDone(file, { error });
    }
  }
  if (parsed.length === 0) return;
  // The default name only when no contract has it yet (else the ODCS id names the contract), in one read.
  const holders = await storage.contracts.getByNames(parsed.map((p) => nameForLookup(p.input.defaultName!)));
  parsed.forEach((p, i) => {
    if (holders[i]) p.input = { ...p.input, defaultName: null };
  });
  const outcomes = await storage.contracts.createMany(parsed.map((p) => p.input), options.actor);
  for (const [i, outcome] of outcomes.entries()) {
    const { file } = parsed[i]!;
    if (outcome.ok) {
      options.onDone(file, 'created');
      continue;
    }
    if (!(outcome.error instanceof AlreadyExistsError && outcome.error.field === 'odcsId')) {
      options.onDone(file, { error: outcome.error });
      continue;
    }
    // A contract holds its ODCS id: a new version of it, or unchanged.
    try {
      const { outcome: done } = await importContract(
        storage,
        { text: texts.get(file)!, defaultName: options.defaultName(file), acceptBreakingChanges: options.acceptBreakingChanges },
        options.actor,
      );
      options.onDone(file, done);
    } catch (error) {
      options.onDone(file, { error });
    }
  }
}

/**
 * Importing ODCS text: create the contract, or write a new version of the contract that holds the same ODCS `id`
 * (its identity, domain/odcs-identity), or nothing when the document is unchanged. Shared by the API
 * (importContract) and the CLI. Every answer names the contract the document was compared with: the result, and
 * every error of a matched import (its message starts with the contract; importTargetOf gives it structured).
 */
import { type Contract, type ContractVersion, versionId } from '../domain/contracts.js';
import { stopPoint } from '../domain/cancellation.js';
import type { DocumentLimits } from '../domain/document-limits.js';
import { RegistryError } from '../domain/errors.js';
import { type ContractFormat, detectFormat, parseContractText } from '../domain/odcs-format.js';
import { nameForLookup } from '../domain/names.js';
import { odcsIdOf } from '../domain/odcs-identity.js';
import { normalizeIncoming, servedDocument } from '../domain/odcs-served.js';
import type { StorageBackend } from '../storage/types.js';

export type ImportOutcome = 'created' | 'updated' | 'unchanged';

export interface ImportInput {
  text: string;
  format?: ContractFormat | null;
  /** Name for a new contract; defaults to the document's name. */
  name?: string | null;
  /** Name for a new contract whose document has none (the CLI: the file name); else its ODCS id names it. */
  defaultName?: string | null;
  note?: string | null;
  acceptBreakingChanges?: boolean | null;
}

/** The contract an import matched by ODCS id, and the version (the newest) the document was compared with. */
export interface ImportTarget {
  contract: Contract;
  odcsId: string;
  comparedVersion: string;
}

export interface ImportResult {
  contract: Contract;
  outcome: ImportOutcome;
  /** Null when no contract held the document's ODCS id (a new contract was created). */
  matched: ImportTarget | null;
  /** The version written (created, updated) or found equal (unchanged). */
  version: ContractVersion;
}

const targets = new WeakMap<Error, { target: ImportTarget; reason: string }>();

/** For an error of importContract: the contract it matched and the reason without the contract named in front. */
export function importTargetOf(error: unknown): { target: ImportTarget; reason: string } | null {
  return error instanceof Error ? (targets.get(error) ?? null) : null;
}

/** `limits`: the size and nesting the text may have (GRIOT_MAX_DOCUMENT_BYTES/_DEPTH; default: their defaults). */
export async function importContract(storage: StorageBackend, input: ImportInput, actor: string | null, limits?: Readonly<DocumentLimits>): Promise<ImportResult> {
  const format = input.format ?? detectFormat(input.text);
  const document = parseContractText(input.text, format, 'text', limits);
  stopPoint(); // parsing a large text takes time: nothing is written for a request that was stopped meanwhile
  // The text is kept with the version it makes, for faithful export (domain/odcs-text).
  const source = { text: input.text, format };
  const odcsId = odcsIdOf(document);
  const existing = odcsId ? await storage.contracts.getByOdcsId(odcsId) : null;
  if (!existing || !odcsId) {
    const contract = await storage.contracts.create(
      { document, name: input.name ?? null, defaultName: await freeName(storage, input.defaultName), note: input.note ?? null, source },
      actor,
    );
    return { contract, outcome: 'created', matched: null, version: await newest(storage, contract) };
  }
  const head = await newest(storage, existing);
  const matched: ImportTarget = { contract: existing, odcsId, comparedVersion: head.version };
  // Read the way the registry serves (domain/odcs-served): an exported file — the served document, with the status
  // the registry decided and the version it chose — is unchanged, as is the newest version's document.
  const candidate = normalizeIncoming(document, existing, head);
  if (same(candidate, head.document) || same(document, servedDocument(existing))) {
    return { contract: existing, outcome: 'unchanged', matched, version: head };
  }
  try {
    const contract = await storage.contracts.update(
      { id: existing.id, expectedRevision: existing.revision, document: candidate, note: input.note ?? null, acceptBreakingChanges: input.acceptBreakingChanges ?? null, source },
      actor,
    );
    return { contract, outcome: 'updated', matched, version: await newest(storage, contract) };
  } catch (error) {
    if (error instanceof RegistryError) {
      targets.set(error, { target: matched, reason: error.message });
      error.message = `compared with contract ${JSON.stringify(existing.name)} (id ${existing.id}, ODCS id ${JSON.stringify(odcsId)}, version ${head.version}): ${error.message}`;
    }
    throw error;
  }
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The default name when no contract has it yet; else null, so that the ODCS id names the contract. */
async function freeName(storage: StorageBackend, name: string | null | undefined): Promise<string | null> {
  if (!name) return null;
  return (await storage.contracts.getByName(nameForLookup(name))) ? null : name;
}

/** The contract's newest version (a draft revision, when it has one above the served version). */
async function newest(storage: StorageBackend, contract: Contract): Promise<ContractVersion> {
  const [head] = await storage.contracts.getVersionsByIds([versionId(contract.id, contract.versionCount)]);
  if (!head) throw new Error(`version ${contract.versionCount} of contract ${contract.id} is missing`);
  return head;
}

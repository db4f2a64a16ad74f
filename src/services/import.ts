/**
 * Importing ODCS text: create the contract, or write a new version of the contract that holds the same ODCS `id`,
 * or nothing when the document is unchanged. Shared by the API (importContract) and the CLI.
 */
import { type Contract, versionId } from '../domain/contracts.js';
import { servesNewestVersion } from '../domain/lifecycle.js';
import type { JsonObject } from '../domain/odcs.js';
import { type ContractFormat, parseContractText } from '../domain/odcs-format.js';
import type { StorageBackend } from '../storage/types.js';

export type ImportOutcome = 'created' | 'updated' | 'unchanged';

export interface ImportInput {
  text: string;
  format?: ContractFormat | null;
  /** Name for a new contract; defaults to the document's name. */
  name?: string | null;
  note?: string | null;
  acceptBreakingChanges?: boolean | null;
}

export async function importContract(storage: StorageBackend, input: ImportInput, actor: string | null): Promise<{ contract: Contract; outcome: ImportOutcome }> {
  const document = parseContractText(input.text, input.format ?? undefined, 'text');
  const odcsId = typeof document.id === 'string' ? document.id : null;
  const existing = odcsId ? await storage.contracts.getByOdcsId(odcsId) : null;
  if (!existing) {
    const contract = await storage.contracts.create({ document, name: input.name ?? null, note: input.note ?? null }, actor);
    return { contract, outcome: 'created' };
  }
  // Exactly the stored text (key order included) of the served version — what export writes — or of the newest
  // (a draft revision, when the contract has one): nothing to write.
  const text = JSON.stringify(document);
  if (JSON.stringify(existing.document) === text || JSON.stringify(await newestDocument(storage, existing)) === text) {
    return { contract: existing, outcome: 'unchanged' };
  }
  const contract = await storage.contracts.update(
    { id: existing.id, expectedRevision: existing.revision, document, note: input.note ?? null, acceptBreakingChanges: input.acceptBreakingChanges ?? null },
    actor,
  );
  return { contract, outcome: 'updated' };
}

/** The newest version's document: the served one unless a draft revision is newer. */
async function newestDocument(storage: StorageBackend, contract: Contract): Promise<JsonObject | null> {
  if (servesNewestVersion(contract)) return contract.document;
  const [head] = await storage.contracts.getVersionsByIds([versionId(contract.id, contract.versionCount)]);
  return head?.document ?? null;
}

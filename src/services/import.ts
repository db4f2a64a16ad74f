/**
 * Importing ODCS text: create the contract, or write a new version of the contract that holds the same ODCS `id`,
 * or nothing when the document is unchanged. Shared by the API (importContract) and the CLI.
 */
import type { Contract } from '../domain/contracts.js';
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
  // Exactly the stored text of the document (key order included): nothing to write.
  if (JSON.stringify(existing.document) === JSON.stringify(document)) return { contract: existing, outcome: 'unchanged' };
  const contract = await storage.contracts.update(
    { id: existing.id, expectedRevision: existing.revision, document, note: input.note ?? null, acceptBreakingChanges: input.acceptBreakingChanges ?? null },
    actor,
  );
  return { contract, outcome: 'updated' };
}

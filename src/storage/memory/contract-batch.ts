/**
 * Batch creates in memory (ContractRepository.createMany): each item as `create` does it. Memory writes are
 * synchronous, so an item is whole or absent; a refused item (typed error) leaves the others created.
 */
import type { CreateContractInput } from '../../domain/contracts.js';
import { RegistryError } from '../../domain/errors.js';
import type { BatchCreateOutcome, Contract } from '../types.js';

export async function createEach(
  create: (input: CreateContractInput, actor: string | null) => Promise<Contract>,
  inputs: readonly CreateContractInput[],
  actor: string | null,
): Promise<BatchCreateOutcome[]> {
  const outcomes: BatchCreateOutcome[] = [];
  for (const input of inputs) {
    try {
      outcomes.push({ ok: true, contract: await create(input, actor) });
    } catch (error) {
      if (!(error instanceof RegistryError)) throw error;
      outcomes.push({ ok: false, error });
    }
  }
  return outcomes;
}

import type { CatalogEntry } from '../../domain/catalog.js';
import type { Contract, ContractVersion } from '../../domain/contracts.js';

/** Everything the in-memory backend holds. Values are deep-copied in and out so callers never share objects. */
export class MemoryState {
  readonly contracts = new Map<string, Contract>();
  readonly versions = new Map<string, ContractVersion[]>();
  readonly catalog = new Map<string, CatalogEntry>();

  clear(): void {
    this.contracts.clear();
    this.versions.clear();
    this.catalog.clear();
  }
}

export function copy<T>(value: T): T {
  return structuredClone(value);
}

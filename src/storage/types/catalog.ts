/** The SchemaCatalogRepository: one entry per (contract, schema), kept in step with contract writes. */
import type { CatalogEntry } from '../../domain/catalog.js';
import type { ContractStatus } from '../../domain/lifecycle.js';
import type { PageRequest, Page } from './paging.js';

export interface CatalogFilter {
  /** Schema names starting with this text, ignoring case. */
  schemaNamePrefix?: string | null;
  /** Entries with a property of this name or path, ignoring case (`email`, `address.street`). */
  propertyName?: string | null;
  /**
   * Entries with a property path holding a word that starts with this one, ignoring case (`email` finds
   * `customer_email`, `cust` finds it too). Words are split as search splits them (domain propertyWordsOf).
   */
  propertyWord?: string | null;
  hasPii?: boolean | null;
  contractId?: string | null;
  contractStatus?: ContractStatus[] | null;
}

export interface SchemaCatalogRepository {
  /** Ordered by schema name (ignoring case), then id. */
  list(filter: CatalogFilter, page: PageRequest): Promise<Page<CatalogEntry>>;
  getByIds(ids: readonly string[]): Promise<(CatalogEntry | null)[]>;
  /** Entries of many contracts at once, grouped per contract id in the order of `contractIds`. */
  listByContractIds(contractIds: readonly string[]): Promise<CatalogEntry[][]>;
  /** Regenerates every entry from the contracts; removes entries of contracts that no longer exist. */
  rebuild(): Promise<{ contracts: number; entries: number }>;
}

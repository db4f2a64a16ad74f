/** How a schema catalog entry is stored (collection `schema_catalog`) and the mapping. */
import { type CatalogEntry, type CatalogProperty, propertyWordsOf } from '../../../domain/catalog.js';
import type { ContractStatus } from '../../../domain/lifecycle.js';
import { caseKey } from '../../../domain/names.js';
import { strings, toDate } from './values.js';

export interface StoredCatalogProperty {
  path: string;
  name: string;
  logicalType: string | null;
  physicalType: string | null;
  description: string | null;
  required: boolean;
  primaryKey: boolean;
  classification: string | null;
  pii: boolean;
}

export interface StoredCatalogEntry {
  _id: string;
  contractId: string;
  contractName: string;
  contractVersion: string;
  contractStatus: ContractStatus;
  contractRevision: number;
  schemaName: string;
  physicalName: string | null;
  physicalType: string | null;
  description: string | null;
  properties: StoredCatalogProperty[];
  propertyCount: number;
  hasPii: boolean;
  primaryKey: string[];
  updatedAt: Date;
  // derived, for queries
  schemaNameLower: string;
  /** Lower-cased property names and paths, deduplicated (the `propertyName` filter). */
  propertyKeys: string[];
  /**
   * The words of the property paths, as search splits them (the `propertyWord` filter, a prefix match). Absent on
   * entries written before it existed: search-migration.ts rebuilds the catalog once when it finds one.
   */
  propertyWords?: string[];
}



/** The stored entry without `_id`: the replacement document of an upsert (its `_id` comes from the filter). */
export function toStoredCatalogEntry(entry: CatalogEntry): Omit<StoredCatalogEntry, '_id'> {
  const keys = new Set<string>();
  for (const p of entry.properties) {
    keys.add(caseKey(p.name));
    keys.add(caseKey(p.path));
  }
  return {
    contractId: entry.contractId,
    contractName: entry.contractName,
    contractVersion: entry.contractVersion,
    contractStatus: entry.contractStatus,
    contractRevision: entry.contractRevision,
    schemaName: entry.schemaName,
    physicalName: entry.physicalName,
    physicalType: entry.physicalType,
    description: entry.description,
    properties: entry.properties.map(toStoredProperty),
    propertyCount: entry.propertyCount,
    hasPii: entry.hasPii,
    primaryKey: entry.primaryKey,
    updatedAt: entry.updatedAt,
    schemaNameLower: caseKey(entry.schemaName),
    propertyKeys: [...keys],
    propertyWords: propertyWordsOf(entry),
  };
}

function toStoredProperty(p: CatalogProperty): StoredCatalogProperty {
  return {
    path: p.path,
    name: p.name,
    logicalType: p.logicalType,
    physicalType: p.physicalType,
    description: p.description,
    required: p.required,
    primaryKey: p.primaryKey,
    classification: p.classification,
    pii: p.pii,
  };
}

/** The entry, with its keys in the order deriveCatalogEntries creates them. */
export function fromStoredCatalogEntry(doc: StoredCatalogEntry): CatalogEntry {
  return {
    id: doc._id,
    contractId: doc.contractId,
    contractName: doc.contractName,
    contractVersion: doc.contractVersion,
    contractStatus: doc.contractStatus,
    contractRevision: doc.contractRevision,
    schemaName: doc.schemaName,
    physicalName: doc.physicalName ?? null,
    physicalType: doc.physicalType ?? null,
    description: doc.description ?? null,
    properties: (doc.properties ?? []).map((p) => ({
      path: p.path,
      name: p.name,
      logicalType: p.logicalType ?? null,
      physicalType: p.physicalType ?? null,
      description: p.description ?? null,
      required: p.required === true,
      primaryKey: p.primaryKey === true,
      classification: p.classification ?? null,
      pii: p.pii === true,
    })),
    propertyCount: doc.propertyCount,
    hasPii: doc.hasPii === true,
    primaryKey: strings(doc.primaryKey),
    updatedAt: toDate(doc.updatedAt),
  };
}

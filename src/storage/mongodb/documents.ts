/**
 * How records are stored: the shapes of the stored documents and the mapping records <-> documents.
 *
 * The ODCS document is stored as a JSON string (`documentJson`), never as a BSON object: only a string keeps it
 * byte-identical on every server (key order, unknown keys, keys with '.' or a leading '$', nested arrays, which
 * some MongoDB-wire servers refuse or reorder). Registry metadata lives beside it as ordinary fields, dates as BSON
 * dates. Fields derived for queries (lower-cased names, search words, search text) are stored too; they are
 * recomputed on every write, so they can always be rebuilt from the contract itself.
 */
import type { Collection, Db } from 'mongodb';
import type { CatalogEntry, CatalogProperty } from '../../domain/catalog.js';
import type { ChangeKind, Contract, ContractVersion } from '../../domain/contracts.js';
import type { ContractStatus } from '../../domain/lifecycle.js';
import type { JsonObject } from '../../domain/odcs.js';
import { type SearchText, searchTermsOf, searchTextOf } from '../../domain/search.js';

export const COLLECTIONS = {
  contracts: 'contracts',
  versions: 'contract_versions',
  catalog: 'schema_catalog',
} as const;

export interface MongoCollections {
  contracts: Collection<StoredContract>;
  versions: Collection<StoredVersion>;
  catalog: Collection<StoredCatalogEntry>;
}

export function collectionsOf(db: Db): MongoCollections {
  return {
    contracts: db.collection<StoredContract>(COLLECTIONS.contracts),
    versions: db.collection<StoredVersion>(COLLECTIONS.versions),
    catalog: db.collection<StoredCatalogEntry>(COLLECTIONS.catalog),
  };
}

/** The search text of a contract, as stored (and as indexed by the text index when the server has one). */
export interface StoredSearchText {
  name: string;
  description: string;
  schemaNames: string[];
  propertyNames: string[];
  propertyDescriptions: string[];
}

export interface StoredContract {
  _id: string;
  name: string;
  description: string | null;
  owner: string | null;
  status: ContractStatus;
  version: string;
  versionCount: number;
  revision: number;
  documentJson: string;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string | null;
  updatedBy: string | null;
  // derived, for queries
  /** Lower-cased schema names (the `schemaName` filter). */
  schemaNamesLower: string[];
  /** Every distinct word of the search text (the portable search index). */
  searchTerms: string[];
  /** The searchable text (the text index, and the fields reported as matched). */
  search: StoredSearchText;
}

export interface StoredVersion {
  _id: string;
  contractId: string;
  number: number;
  version: string;
  documentJson: string;
  changeKind: ChangeKind;
  restoredFrom: string | null;
  note: string | null;
  createdAt: Date;
  createdBy: string | null;
  /** A random token of the write that inserted this version: its compensation deletes only its own version. */
  writeToken: string;
}

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
}

// ---------------------------------------------------------------------------------------------------------------
// Contracts

export function toStoredContract(contract: Contract): StoredContract {
  const search = searchTextOf(contract.name, contract.document);
  return {
    _id: contract.id,
    name: contract.name,
    description: contract.description,
    owner: contract.owner,
    status: contract.status,
    version: contract.version,
    versionCount: contract.versionCount,
    revision: contract.revision,
    documentJson: JSON.stringify(contract.document),
    createdAt: contract.createdAt,
    updatedAt: contract.updatedAt,
    createdBy: contract.createdBy,
    updatedBy: contract.updatedBy,
    schemaNamesLower: [...new Set(search.schemaNames.map((s) => s.toLowerCase()))],
    searchTerms: searchTermsOf(search),
    search: {
      name: search.name,
      description: search.description,
      schemaNames: search.schemaNames,
      propertyNames: search.propertyNames,
      propertyDescriptions: search.propertyDescriptions,
    },
  };
}

/** The record, with its keys in the order the domain creates them. */
export function fromStoredContract(doc: StoredContract): Contract {
  return {
    id: doc._id,
    name: doc.name,
    description: doc.description ?? null,
    owner: doc.owner ?? null,
    status: doc.status,
    version: doc.version,
    versionCount: doc.versionCount,
    revision: doc.revision,
    document: parseDocument(doc.documentJson),
    createdAt: toDate(doc.createdAt),
    updatedAt: toDate(doc.updatedAt),
    createdBy: doc.createdBy ?? null,
    updatedBy: doc.updatedBy ?? null,
  };
}

/** The SearchText of a stored contract, from its stored search fields (the document is not parsed). */
export function storedSearchText(doc: Pick<StoredContract, 'search'>): SearchText {
  const s = doc.search;
  return {
    name: s?.name ?? '',
    description: s?.description ?? '',
    schemaNames: strings(s?.schemaNames),
    propertyNames: strings(s?.propertyNames),
    propertyDescriptions: strings(s?.propertyDescriptions),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Versions

export function toStoredVersion(version: ContractVersion, writeToken: string): StoredVersion {
  return {
    _id: version.id,
    contractId: version.contractId,
    number: version.number,
    version: version.version,
    documentJson: JSON.stringify(version.document),
    changeKind: version.changeKind,
    restoredFrom: version.restoredFrom,
    note: version.note,
    createdAt: version.createdAt,
    createdBy: version.createdBy,
    writeToken,
  };
}

export function fromStoredVersion(doc: StoredVersion): ContractVersion {
  return {
    id: doc._id,
    contractId: doc.contractId,
    number: doc.number,
    version: doc.version,
    document: parseDocument(doc.documentJson),
    changeKind: doc.changeKind,
    restoredFrom: doc.restoredFrom ?? null,
    note: doc.note ?? null,
    createdAt: toDate(doc.createdAt),
    createdBy: doc.createdBy ?? null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Catalog entries

/** The stored entry without `_id`: the replacement document of an upsert (its `_id` comes from the filter). */
export function toStoredCatalogEntry(entry: CatalogEntry): Omit<StoredCatalogEntry, '_id'> {
  const keys = new Set<string>();
  for (const p of entry.properties) {
    keys.add(p.name.toLowerCase());
    keys.add(p.path.toLowerCase());
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
    schemaNameLower: entry.schemaName.toLowerCase(),
    propertyKeys: [...keys],
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

// ---------------------------------------------------------------------------------------------------------------

function parseDocument(json: string): JsonObject {
  return JSON.parse(json) as JsonObject;
}

function toDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(value);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

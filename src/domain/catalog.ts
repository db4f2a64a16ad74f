/**
 * The schema catalog: one denormalized entry per (contract, schema), derived from the contract's current
 * document. Pure; the storage layer keeps the entries in step with every contract write.
 */
import type { ContractStatus } from './lifecycle.js';
import { type JsonObject, type OdcsCustomProperty, type OdcsDocument, type OdcsProperty, walkProperties } from './odcs.js';
import { normalizeWord, tokenize } from './search-words.js';

export interface CatalogProperty {
  /** Dotted path inside the schema: `customer_email`, or `address.street` for a nested property. */
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

export interface CatalogEntry {
  /** `${contractId}/${schemaName}`: one entry per schema of a contract. */
  id: string;
  contractId: string;
  contractName: string;
  contractVersion: string;
  contractStatus: ContractStatus;
  /** The contract revision this entry was derived from; a newer revision always wins. */
  contractRevision: number;
  schemaName: string;
  physicalName: string | null;
  physicalType: string | null;
  description: string | null;
  properties: CatalogProperty[];
  propertyCount: number;
  hasPii: boolean;
  /** Primary-key property paths, ordered by primaryKeyPosition (then document order). */
  primaryKey: string[];
  updatedAt: Date;
}

/** Classifications that do not mark personal data. Anything else (restricted, confidential, pii, …) does. */
const NON_SENSITIVE_CLASSIFICATIONS = new Set(['', 'public', 'internal', 'unclassified', 'none', 'open']);
/** customProperties keys that flag a property as personal data when their value is truthy. */
const PII_FLAGS = new Set(['pii', 'ispii', 'containspii', 'personaldata', 'personal_data', 'gdpr']);

export function isPiiProperty(property: Pick<OdcsProperty, 'classification' | 'customProperties'>): boolean {
  const classification = property.classification;
  if (typeof classification === 'string' && !NON_SENSITIVE_CLASSIFICATIONS.has(classification.trim().toLowerCase())) {
    return true;
  }
  return (property.customProperties ?? []).some(
    (cp: OdcsCustomProperty) => typeof cp?.property === 'string' && PII_FLAGS.has(cp.property.toLowerCase()) && isTruthy(cp.value),
  );
}

function isTruthy(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return ['true', 'yes', 'y', '1'].includes(value.trim().toLowerCase());
  if (typeof value === 'number') return value !== 0;
  return false;
}

export function catalogEntryId(contractId: string, schemaName: string): string {
  return `${contractId}/${schemaName}`;
}

export interface CatalogSource {
  id: string;
  name: string;
  version: string;
  status: ContractStatus;
  revision: number;
  document: JsonObject;
  updatedAt: Date;
}

export function deriveCatalogEntries(contract: CatalogSource): CatalogEntry[] {
  const doc = contract.document as unknown as OdcsDocument;
  const schemas = Array.isArray(doc.schema) ? doc.schema : [];
  return schemas
    .filter((s) => s && typeof s.name === 'string')
    .map((schema) => {
      const properties: CatalogProperty[] = [];
      const keys: { path: string; position: number; order: number }[] = [];
      for (const { path, property } of walkProperties(schema.properties)) {
        const entry: CatalogProperty = {
          path,
          name: property.name,
          logicalType: str(property.logicalType),
          physicalType: str(property.physicalType),
          description: str(property.description),
          required: property.required === true,
          primaryKey: property.primaryKey === true,
          classification: str(property.classification),
          pii: isPiiProperty(property),
        };
        if (entry.primaryKey) {
          const position = typeof property.primaryKeyPosition === 'number' && property.primaryKeyPosition > 0 ? property.primaryKeyPosition : Infinity;
          keys.push({ path, position, order: properties.length });
        }
        properties.push(entry);
      }
      keys.sort((a, b) => a.position - b.position || a.order - b.order);
      return {
        id: catalogEntryId(contract.id, schema.name),
        contractId: contract.id,
        contractName: contract.name,
        contractVersion: contract.version,
        contractStatus: contract.status,
        contractRevision: contract.revision,
        schemaName: schema.name,
        physicalName: str(schema.physicalName),
        physicalType: str(schema.physicalType),
        description: str(schema.description),
        properties,
        propertyCount: properties.length,
        hasPii: properties.some((p) => p.pii),
        primaryKey: keys.map((k) => k.path),
        updatedAt: contract.updatedAt,
      };
    });
}

/**
 * The words of an entry's property paths, as search splits them (`customer_email` → customer_email, customer,
 * email; `address.street` → address.street, address, street): what the `propertyWord` filter matches.
 */
export function propertyWordsOf(entry: Pick<CatalogEntry, 'properties'>): string[] {
  const words = new Set<string>();
  for (const p of entry.properties) for (const w of tokenize(p.path)) words.add(w);
  return [...words];
}

/** The `propertyWord` filter: some word of a property path starts with the given word (ignoring case and accents). */
export function matchesPropertyWord(words: readonly string[], word: string): boolean {
  const prefix = normalizeWord(word);
  return words.some((w) => w.startsWith(prefix));
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

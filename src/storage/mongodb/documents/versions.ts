/** How a contract version is stored (collection `contract_versions`) and the mapping. */
import type { ChangeKind, ContractVersion } from '../../../domain/contracts.js';
import { parseDocument, toDate } from './values.js';

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
  /**
   * The version's judged changes, compatibility verdict, accepted flag and warnings, as JSON text: their before/after
   * values are pieces of documents and may hold keys or nested arrays that some servers refuse as BSON.
   */
  evolutionJson?: string;
  /** A random token of the write that inserted this version: its compensation deletes only its own version. */
  writeToken: string;
  /** The YAML or JSON text the document came in as (import); absent for structured writes and older versions. */
  sourceText?: string;
  sourceFormat?: 'yaml' | 'json';
  /** The `version` the document stated when it came in; absent on versions stored before it was kept. */
  statedVersion?: string | null;
}



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
    evolutionJson: JSON.stringify({
      changes: version.changes,
      requiredBump: version.requiredBump,
      compatibility: version.compatibility,
      breakingChangesAccepted: version.breakingChangesAccepted,
      warnings: version.warnings,
    }),
    writeToken,
    ...(version.source ? { sourceText: version.source.text, sourceFormat: version.source.format } : {}),
    statedVersion: version.statedVersion,
  };
}

export function fromStoredVersion(doc: StoredVersion): ContractVersion {
  const document = parseDocument(doc.documentJson);
  return {
    id: doc._id,
    contractId: doc.contractId,
    number: doc.number,
    version: doc.version,
    document,
    changeKind: doc.changeKind,
    restoredFrom: doc.restoredFrom ?? null,
    note: doc.note ?? null,
    createdAt: toDate(doc.createdAt),
    createdBy: doc.createdBy ?? null,
    ...evolutionOf(doc.evolutionJson),
    source: typeof doc.sourceText === 'string' && doc.sourceFormat ? { text: doc.sourceText, format: doc.sourceFormat } : null,
    // Versions stored before the stated version was kept stated what their document says.
    statedVersion: doc.statedVersion !== undefined ? doc.statedVersion : typeof document.version === 'string' ? document.version : null,
  };
}


type StoredEvolution = Pick<ContractVersion, 'changes' | 'requiredBump' | 'compatibility' | 'breakingChangesAccepted' | 'warnings'>;

function evolutionOf(json: string | undefined): StoredEvolution {
  const e = (json ? JSON.parse(json) : {}) as Partial<StoredEvolution>;
  return {
    changes: e.changes ?? [],
    requiredBump: e.requiredBump ?? 'none',
    compatibility: e.compatibility ?? null,
    breakingChangesAccepted: e.breakingChangesAccepted ?? false,
    warnings: e.warnings ?? [],
  };
}

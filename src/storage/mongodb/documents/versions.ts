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
    ...evolutionOf(doc.evolutionJson),
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

/**
 * Reads of contract versions (contracts.ts delegates to these): the head and the compatibility history a write is
 * checked against, and the version reads of the repository, which only ever show visible versions (those numbered
 * up to their contract's versionCount; a version above it is a write in flight or one cut short).
 */
import { type Contract, type ContractVersion, effectiveCompatibility, type HeadVersion, versionId } from '../../domain/contracts.js';
import { isTransitive } from '../../domain/compatibility.js';
import type { RegistryPolicy } from '../../domain/evolution.js';
import { servesNewestVersion, transitiveBaseline } from '../../domain/lifecycle.js';
import type { JsonObject } from '../../domain/odcs.js';
import { decodeKeysetCursor, pageCursor } from '../cursor.js';
import type { Page, PageRequest } from '../types.js';
import { fromStoredVersion, type MongoCollections, type StoredVersion } from './documents/index.js';
import { type KeyCollection, versionsByKey } from './keys.js';
import { versionByNumber } from './lookups.js';
import { emptyPage, keysetPage } from './paging.js';
import { type BatchReads, readByIds } from './point-reads.js';
import { mapOrNull } from './util.js';

/**
 * The newest version (number versionCount): the contract itself unless a draft revision exists above its active
 * version, which is then read from the versions.
 */
export async function headOf(collections: MongoCollections, current: Contract): Promise<HeadVersion> {
  if (servesNewestVersion(current)) return current;
  const head = await versionByNumber(collections, current.id, current.versionCount);
  return { document: head.document, version: head.version };
}

/**
 * The documents a new version is checked against, newest first: the head, then (transitive modes) every version
 * that was ever active, newest activation first, without the head's number (one query).
 */
export async function historyOf(
  collections: MongoCollections,
  batchReads: BatchReads,
  policy: RegistryPolicy,
  current: Contract,
  head: HeadVersion,
): Promise<JsonObject[]> {
  if (!isTransitive(effectiveCompatibility(current, policy))) return [head.document];
  const numbers = transitiveBaseline(current);
  if (numbers.length === 0) return [head.document];
  const found = await readByIds(collections.versions, numbers.map((n) => versionId(current.id, n)), batchReads, {
    projection: { documentJson: 1, number: 1 },
  });
  const byNumber = new Map([...found.values()].map((d) => [d.number, JSON.parse(d.documentJson) as JsonObject]));
  const earlier = numbers.map((n) => byNumber.get(n)).filter((d): d is JsonObject => d !== undefined);
  return [head.document, ...earlier];
}

export async function listVersions(collections: MongoCollections, contractId: string, page: PageRequest): Promise<Page<ContractVersion>> {
  const { cursor, arg } = pageCursor(page);
  if (cursor) decodeKeysetCursor(cursor, 'number:desc', arg); // an invalid cursor is an error even for an unknown contract
  const contract = await collections.contracts.findOne({ _id: contractId }, { projection: { versionCount: 1 } });
  if (!contract) return emptyPage();
  return keysetPage<StoredVersion, ContractVersion>({
    collection: collections.versions,
    filter: { contractId, number: { $lte: contract.versionCount } },
    key: 'number',
    direction: 'desc',
    page,
    valueOf: (doc) => doc.number,
    map: fromStoredVersion,
  });
}

export async function versionsByIds(collections: MongoCollections, batchReads: BatchReads, ids: readonly string[]): Promise<(ContractVersion | null)[]> {
  if (ids.length === 0) return [];
  const read = await readByIds(collections.versions, ids, batchReads);
  const docs = await visible(collections, batchReads, [...read.values()]);
  const byId = new Map(docs.map((d) => [d._id, d]));
  return ids.map((id) => mapOrNull(byId.get(id), fromStoredVersion));
}

export async function versionsByKeys(
  collections: MongoCollections,
  keys: KeyCollection,
  batchReads: BatchReads,
  pairs: readonly { contractId: string; version: string }[],
): Promise<(ContractVersion | null)[]> {
  if (pairs.length === 0) return [];
  // Point reads through the version keys (keys.ts), then the visibility check: three rounds whatever the batch.
  const found = await versionsByKey(keys, collections, pairs, batchReads);
  const docs = await visible(collections, batchReads, found.filter((d): d is StoredVersion => d !== null));
  const byKey = new Map(docs.map((d) => [pairKey(d.contractId, d.version), d]));
  return pairs.map((k) => mapOrNull(byKey.get(pairKey(k.contractId, k.version)), fromStoredVersion));
}

/** The versions readers may see: those of an existing contract, numbered up to its versionCount. One query. */
async function visible(collections: MongoCollections, batchReads: BatchReads, docs: StoredVersion[]): Promise<StoredVersion[]> {
  if (docs.length === 0) return docs;
  const contracts = await readByIds(collections.contracts, docs.map((d) => d.contractId), batchReads, {
    projection: { versionCount: 1 },
  });
  const counts = new Map([...contracts.values()].map((c) => [c._id, c.versionCount]));
  return docs.filter((d) => {
    const count = counts.get(d.contractId);
    return count !== undefined && d.number <= count;
  });
}

function pairKey(contractId: string, version: string): string {
  return JSON.stringify([contractId, version]);
}

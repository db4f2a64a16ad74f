/**
 * The document the registry serves and exports agrees with the registry. Pure.
 *
 * Version: the served and exported document's `version` is always the registry's version. When the registry chose
 * a version the document did not state (an explicit `version` argument, the minimum bump of an update that left
 * `version` as it was, a rollback), the version records what the document stated (`statedVersion`); the stored
 * text stays the author's (so later documents are judged against what the author wrote) and every document the
 * registry gives out carries the registry's version (servedDocument, versionedDocument).
 *
 * Status: ODCS `status` is the author's word until the registry has decided. A contract in draft or in_review
 * serves its document's `status` as written (a proposal: `proposed`, `draft`, `development`, even `active`). Once the
 * registry decided — the contract is active, deprecated or retired — the served and exported document says so:
 * `status` is `active`, `deprecated` or `retired`. The stored versions are never rewritten for a lifecycle move;
 * the served document is derived (servedDocument), and an import whose `status` is exactly what the registry serves
 * is read as the document it was served from (normalizeIncoming), so re-importing an export changes nothing.
 */
import type { ContractStatus } from './lifecycle.js';
import type { JsonObject } from './odcs.js';

/** The ODCS `status` the registry states for a contract in `status`, or null when the document's own is served. */
export function decidedOdcsStatus(status: ContractStatus): string | null {
  return status === 'active' || status === 'deprecated' || status === 'retired' ? status : null;
}

/** A copy of `document` with `key` set to `value`, in place when the key exists (key order kept), else appended. */
export function withTopLevel(document: JsonObject, key: string, value: string): JsonObject {
  if (document[key] === value) return document;
  if (key in document) return Object.fromEntries(Object.entries(document).map(([k, v]) => [k, k === key ? value : v])) as JsonObject;
  return { ...document, [key]: value };
}

/** The document with the registry's version in `version`. */
export function withVersion(document: JsonObject, version: string): JsonObject {
  return withTopLevel(document, 'version', version);
}

/**
 * The served document of a contract: its stored document with the registry's version (already there for every
 * version written since the rule; contracts stored before it get it here) and `status` as the registry decided it.
 */
export function servedDocument(contract: { status: ContractStatus; version: string; document: JsonObject }): JsonObject {
  const decided = decidedOdcsStatus(contract.status);
  const versioned = versionedDocument(contract);
  return decided === null ? versioned : withTopLevel(versioned, 'status', decided);
}

/** A version's document as exported: with its registry version in `version`. */
export function versionedDocument(version: { version: string; document: JsonObject }): JsonObject {
  return withVersion(version.document, version.version);
}

/**
 * An imported document read the way the registry serves: a `status` equal to the one the registry states for the
 * contract stands for the stored one, and a `version` equal to what the newest version stated (the author did not
 * change it) or to its registry version stands for the stored one. So an exported file imports as unchanged.
 */
export function normalizeIncoming(
  incoming: JsonObject,
  contract: { status: ContractStatus },
  head: { document: JsonObject; version: string; statedVersion: string | null },
): JsonObject {
  let document = incoming;
  const decided = decidedOdcsStatus(contract.status);
  const storedStatus = head.document.status;
  if (decided !== null && incoming.status === decided && typeof storedStatus === 'string') document = withTopLevel(document, 'status', storedStatus);
  const storedVersion = head.document.version;
  if (typeof storedVersion === 'string' && (incoming.version === head.statedVersion || incoming.version === head.version)) {
    document = withVersion(document, storedVersion);
  }
  return document;
}

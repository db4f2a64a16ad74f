/**
 * Conditional writes of a document at a revision (its `revision` field): one atomic command under the `cas` write
 * protocol (write-protocol.ts), else the same write under the document's revision claim (claims.ts withRevisionClaim).
 */
import type { Collection, Document, Filter, WithoutId } from 'mongodb';
import { assertHeld, protocolOf, type StoredClaim, withRevisionClaim } from './claims.js';

/**
 * Replaces the document `id` of `collection` with `replacement` if it is still at `expectedRevision` (its
 * `revision` field). False when nothing was written because the document is gone or at another revision.
 * Errors of the replace itself (e.g. a unique index refusing it) are thrown, the claim released.
 */
export async function casReplace<TDoc extends Document & { _id: string; revision: number }>(
  claims: Collection<StoredClaim>,
  collection: Collection<TDoc>,
  id: string,
  expectedRevision: number,
  replacement: WithoutId<TDoc>,
  /** The server scans for `{_id, revision}` (capabilities.ts idConditions false): under the claim, read by `_id`,
   *  check the revision, write by `_id` (the claim keeps other writers of this revision out in between). */
  byIdAlone = false,
): Promise<boolean> {
  // Compare-and-set: the conditional replace is atomic on this server (write-protocol.ts), so it alone decides.
  if (protocolOf(claims) === 'cas') return (await collection.replaceOne({ _id: id, revision: expectedRevision } as Filter<TDoc>, replacement)).matchedCount === 1;
  const outcome = await withRevisionClaim(claims, collection as unknown as Collection<Document & { _id: string; revision: number }>, id, expectedRevision, async (held) => {
    assertHeld(held);
    if (byIdAlone) {
      const doc = await collection.findOne({ _id: id } as Filter<TDoc>, { projection: { revision: 1 } });
      if (!doc || doc.revision !== expectedRevision) return false;
      return (await collection.replaceOne({ _id: id } as Filter<TDoc>, replacement)).matchedCount === 1;
    }
    const result = await collection.replaceOne({ _id: id, revision: expectedRevision } as Filter<TDoc>, replacement);
    return result.matchedCount === 1;
  });
  return outcome.ok && outcome.value;
}

/** Deletes the document `id` if it is still at `expectedRevision`; its deleted state, or null when nothing was deleted. */
export async function casDelete<TDoc extends Document & { _id: string; revision: number }>(
  claims: Collection<StoredClaim>,
  collection: Collection<TDoc>,
  id: string,
  expectedRevision: number,
): Promise<TDoc | null> {
  if (protocolOf(claims) === 'cas') return (await collection.findOneAndDelete({ _id: id, revision: expectedRevision } as Filter<TDoc>)) as TDoc | null;
  const outcome = await withRevisionClaim(claims, collection as unknown as Collection<Document & { _id: string; revision: number }>, id, expectedRevision, async (held) => {
    assertHeld(held);
    return collection.findOneAndDelete({ _id: id, revision: expectedRevision } as Filter<TDoc>);
  });
  return outcome.ok ? ((outcome.value ?? null) as TDoc | null) : null;
}

/**
 * The word index on MongoDB (collection `search_words`): for every word, the postings of the contracts holding it
 * (domain search-postings.ts: field and contribution pairs), spread over SEARCH_WORD_BUCKETS documents by a hash of
 * the contract id, `_id` `w:<word>#<bucket>`, each posting a field `p.c<contract id>`. A query word is then
 * SEARCH_WORD_BUCKETS reads by `_id` (the one read every MongoDB-wire server serves from its index, FerretDB's
 * SQLite backend included), whatever the number of contracts; no contract is read to find the candidates.
 *
 * The contract document keeps its own postings (search-fields.ts), written with it in one step: they are the truth,
 * and search.ts scores the candidates it ranks from them. The word index only finds candidates, so it must never
 * miss one; a posting it holds for a contract that no longer has the word (or is gone) is harmless (the ranking
 * drops it). How writes keep it so, crash or not: searchIndexWrite. Each write records the words it touches in
 * `search_pending` (`_id` the contract id) until its postings are in step, so what a cut write leaves is known.
 */
import { randomUUID } from 'node:crypto';
import type { AnyBulkWriteOperation, Collection, Db } from 'mongodb';
import { postingsOf, searchTextOf, type WordPostings } from '../../domain/search.js';
import type { StoredContract } from './documents/contracts.js';
import { parseDocument } from './documents/values.js';
import { isDuplicateKeyError } from './errors.js';

export const SEARCH_WORDS_COLLECTION = 'search_words';
export const SEARCH_PENDING_COLLECTION = 'search_pending';

/** How many documents one word's postings are spread over (changing it needs a rebuild: SEARCH_VERSION). */
export const SEARCH_WORD_BUCKETS = 8;

export interface StoredWordBucket {
  _id: string;
  /** `c<contract id>` (dots as `~`) → the word's postings in that contract. */
  p: Record<string, number[]>;
}

export interface StoredSearchPending {
  _id: string;
  /** The words writes of the contract touched and may not have settled yet. */
  words: string[];
  /** The last write that recorded words (a write removes the record only if it is still its own). */
  token: string;
  at: Date;
}

export function searchWordsOf(db: Db): Collection<StoredWordBucket> {
  return db.collection<StoredWordBucket>(SEARCH_WORDS_COLLECTION);
}

export function searchPendingOf(db: Db): Collection<StoredSearchPending> {
  return db.collection<StoredSearchPending>(SEARCH_PENDING_COLLECTION);
}

export interface SearchIndexCollections {
  searchWords: Collection<StoredWordBucket>;
  searchPending: Collection<StoredSearchPending>;
}

/** The bucket of a contract (FNV-1a of its id): the same for all of its words. */
export function bucketOf(contractId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < contractId.length; i++) {
    h ^= contractId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % SEARCH_WORD_BUCKETS;
}

export function wordBucketId(word: string, bucket: number): string {
  return `w:${word}#${bucket}`;
}

/** The `_id`s holding a word's postings. */
export function wordBucketIds(word: string): string[] {
  return Array.from({ length: SEARCH_WORD_BUCKETS }, (_, b) => wordBucketId(word, b));
}

/** A contract's field in a bucket (field names hold no dots; ids hold no `~`). */
export function postingField(contractId: string): string {
  return `c${contractId.replaceAll('.', '~')}`;
}

export function contractIdOfField(field: string): string {
  return field.slice(1).replaceAll('~', '.');
}

type Postings = ReadonlyMap<string, WordPostings>;

/** The writes that set a contract's postings (`set`) and unset those of words it does not hold (`unset`). */
function wordWrites(contractId: string, set: Postings, unset: Iterable<string>): AnyBulkWriteOperation<StoredWordBucket>[] {
  const bucket = bucketOf(contractId);
  const field = `p.${postingField(contractId)}`;
  const ops: AnyBulkWriteOperation<StoredWordBucket>[] = [];
  for (const [word, list] of set) {
    ops.push({ updateOne: { filter: { _id: wordBucketId(word, bucket) }, update: { $set: { [field]: [...list] } }, upsert: true } });
  }
  for (const word of unset) {
    if (set.has(word)) continue;
    ops.push({ updateOne: { filter: { _id: wordBucketId(word, bucket) }, update: { $unset: { [field]: '' } } } });
  }
  return ops;
}

/** Runs the bucket writes; two upserts creating one bucket at once (not atomic on FerretDB) are retried. */
export async function writeWords(searchWords: Collection<StoredWordBucket>, ops: AnyBulkWriteOperation<StoredWordBucket>[]): Promise<void> {
  for (let attempt = 0; ops.length > 0; attempt++) {
    try {
      await searchWords.bulkWrite(ops, { ordered: false });
      return;
    } catch (error) {
      if (!isDuplicateKeyError(error) || attempt >= 4) throw error;
    }
  }
}

/** Whether two texts' postings are the same (a write that changes neither touches no word). */
export function samePostings(a: Postings, b: Postings): boolean {
  if (a.size !== b.size) return false;
  for (const [word, list] of a) {
    const other = b.get(word);
    if (!other || other.length !== list.length || other.some((v, i) => v !== list[i])) return false;
  }
  return true;
}

/**
 * A contract write's word index steps: `before` runs before the contract step, `after` once it is done, `discard`
 * instead of `after` when the contract step did not happen.
 */
export interface SearchIndexWrite {
  before(): Promise<void>;
  after(): Promise<void>;
  discard(): Promise<void>;
}

const NOTHING: SearchIndexWrite = { before: async () => undefined, after: async () => undefined, discard: async () => undefined };

/** Adds words to the contract's record (taking it over with this write's token); the record's words after. */
async function record(collections: SearchIndexCollections, id: string, words: readonly string[], token: string): Promise<string[]> {
  const update = { $addToSet: { words: { $each: [...words] } }, $set: { token, at: new Date() } };
  let doc: StoredSearchPending | null;
  try {
    doc = await collections.searchPending.findOneAndUpdate({ _id: id }, update, { upsert: true, returnDocument: 'after' });
  } catch (error) {
    // Two upserts of one record at once (not atomic on FerretDB): the record is there now.
    if (!isDuplicateKeyError(error)) throw error;
    doc = await collections.searchPending.findOneAndUpdate({ _id: id }, update, { returnDocument: 'after' });
  }
  return doc?.words ?? [...words];
}

/** Sets the postings of `held` for the recorded words it holds and unsets the others (`held` null: all unset). */
function reconcile(id: string, held: Postings | null, recorded: readonly string[]): AnyBulkWriteOperation<StoredWordBucket>[] {
  const set = new Map<string, WordPostings>();
  const unset: string[] = [];
  for (const word of recorded) {
    const list = held?.get(word);
    if (list) set.set(word, list);
    else unset.push(word);
  }
  return wordWrites(id, set, unset);
}

/** Of the recorded words, those the write changes: all but the words whose postings `previous` and `next` share
 *  (what a cut write left is recorded too, and so reconciled in full). */
function changedWords(recorded: readonly string[], previous: Postings | null, next: Postings | null): string[] {
  if (!previous || !next) return [...recorded];
  return recorded.filter((word) => {
    const a = previous.get(word);
    const b = next.get(word);
    return !a || !b || a.length !== b.length || a.some((v, i) => v !== b[i]);
  });
}

/**
 * The word index steps of a write of contract `id` from `previous` to `next` postings (null: no contract). Nothing
 * when the text does not change (status and settings writes).
 *
 * `claimed`: the write holds the contract's revision claim from before `before` until after `after` (contracts.ts),
 * so no other write of the contract touches its postings meanwhile: `before` records the words, then brings every
 * recorded word in step with `next` (sets and unsets), `after` removes the record. A write cut short between the
 * two leaves its record, and its dead claim: the takeover settles it (settleSearchWords), as does the next write.
 *
 * Not claimed (a review closing, approvals.ts: the claim is held only around the replace): `before` records the
 * words and sets the postings of `next`, `after` sets them again (a claimed write that ran meanwhile may have
 * unset some) and leaves the record: it never unsets, so the index never misses; the next claimed write (or a
 * repair) unsets what the contract no longer holds.
 */
export function searchIndexWrite(
  collections: SearchIndexCollections & { contracts: Collection<StoredContract> },
  id: string,
  previous: Postings | null,
  next: Postings | null,
  claimed = true,
): SearchIndexWrite {
  if (previous && next && samePostings(previous, next)) return NOTHING;
  const words = [...new Set([...(previous?.keys() ?? []), ...(next?.keys() ?? [])])];
  const token = randomUUID();
  let recorded: string[] = words;
  return {
    async before() {
      recorded = await record(collections, id, words, token);
      if (claimed) await writeWords(collections.searchWords, reconcile(id, next, changedWords(recorded, previous, next)));
      else if (next) await writeWords(collections.searchWords, wordWrites(id, next, []));
    },
    async after() {
      if (!claimed) {
        if (next) await writeWords(collections.searchWords, wordWrites(id, next, []));
        return;
      }
      await collections.searchPending.deleteOne({ _id: id, token });
    },
    async discard() {
      if (!claimed) return;
      await settleSearchWords(collections, id, await currentPostings(collections.contracts, id));
    },
  };
}

/** The postings of the stored contract `id` (null: there is none), from its name, owner and document. */
export async function currentPostings(contracts: Collection<StoredContract>, id: string): Promise<Postings | null> {
  const doc = await contracts.findOne({ _id: id }, { projection: { name: 1, owner: 1, documentJson: 1 } });
  return doc ? postingsOf(searchTextOf(doc.name, parseDocument(doc.documentJson), doc.owner ?? null)) : null;
}

/**
 * Settles what a cut write of contract `id` left (repair.ts, under the takeover of its dead claim): every recorded
 * word is brought in step with the contract's current postings (`held`; null: it is gone), then the record removed.
 */
export async function settleSearchWords(collections: SearchIndexCollections, id: string, held: Postings | null): Promise<void> {
  const pending = await collections.searchPending.findOne({ _id: id });
  if (!pending) return;
  await writeWords(collections.searchWords, reconcile(id, held, pending.words));
  await collections.searchPending.deleteOne({ _id: id, token: pending.token });
}

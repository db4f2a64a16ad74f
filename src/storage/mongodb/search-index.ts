/**
 * The word index of the portable search (issue 15.3), collection `search_index`: everything a search ranks, filters
 * and counts by, word by word, so a query reads the documents of its words and not its candidates.
 *
 * Documents are insert-only where it matters, because on FerretDB an insert with a taken `_id` is the one atomic
 * write (its updates are read-modify-write: two writers of one document lose each other's changes):
 * - `x:<word>#<n>`, n = 1, 2, …: version n of the word's entries (one per contract holding the word: its postings
 *   for the word and its ranking fields, see Entry), valid *up to* log position `upTo`: for every contract, the
 *   entry shows its state at some moment after every change logged at or below `upTo` was made. A version is
 *   only ever inserted (by whoever builds it first; a taken `_id` means another builder got there, and its
 *   version is as good) and later emptied to a stub once a newer one exists. Version n + 1 is only inserted by
 *   a builder that read version n, so the versions of a word have no gaps and the newest is found by point reads
 *   (`_id` equality, the read FerretDB serves from its index). A version is written sorted (`sorted`) in the order
 *   of the one-word query for exactly that word (domain search-head.ts): `e` holds the first
 *   GRIOT_SEARCH_HEAD_ENTRIES (the head) and, when there are more, `rest` names ONE other document,
 *   `x:<word>#<n>/r:<token>` (a token of its builder's own), with the others, their count, their highest word
 *   score and the first of them. The rest is inserted before its head (the head stays the one insert that
 *   commits a version: a builder whose head `_id` was taken deletes its own rest) and deleted when the version is
 *   stubbed. So a one-word search reads the head alone when it proves that its page is all there (search.ts),
 *   whatever the number of contracts holding the word. A version without `sorted` (written before) holds all its
 *   entries in `e`.
 * - `q#<n>`: the indexer's progress, insert-only like the words: a word without any version holds no contract
 *   as of `upTo` (an indexer inserts it only after every word of every contract changed up to there has a
 *   version).
 * - `x:<word>` and `q`: the last version number seen (a hint: any value written is a version that exists, so
 *   a lost update only costs a step more of probing).
 * - `k:<contract id>`: the words last indexed for a contract, so a change that drops a word rewrites that word
 *   too (best effort: a missed one only leaves that word's version older, never wrong).
 * A reader merges the log positions above the versions it read (search.ts), so what a version does not show yet
 * is read from the contracts themselves: exact whatever the indexer's lag (search-indexer.ts keeps it short).
 * The releases before heads kept their versions, all entries in `e`, in the chains `w:<word>` and `g`. A server of
 * such a release reads `e` as the whole version, so it must never see a head: these chains have other names, a
 * server of this release builds them once (until then its searches read the contracts, exact) and never reads or
 * changes `w:`/`g`, which the older servers of a rolling deploy go on using. Once no older server runs they are
 * dead weight (README "Search": how to remove them). The same holds for the chains `v:<word>` and `p` of the
 * releases that stored a contract's postings as a subdocument (SEARCH_VERSION 3, search-fields.ts): such a
 * server reads the text this release stores as no postings at all, and would drop the contract from every word it
 * indexes, so this release keeps its own chains `x:<word>` and `q`.
 */
import type { AnyBulkWriteOperation, Collection, Db, Filter } from 'mongodb';
import type { ContractStatus } from '../../domain/lifecycle.js';
import type { SearchCandidate, WordPostings } from '../../domain/search.js';
import { type LeftOut, splitForWord } from '../../domain/search-head.js';
import { bulkWriteInCommands } from './bulk.js';
import { isDuplicateKeyError } from './errors.js';
import { type BatchReads, eachLimited, readByIds } from './point-reads.js';
import { postingKey, SEARCH_VERSION, type StoredCandidate, storedPostings } from './search-fields.js';

export const SEARCH_INDEX_COLLECTION = 'search_index';

/** One contract in a word's version (short keys: a common word holds one per contract). */
export interface Entry {
  /** Contract id, name, updatedAt (ms). */
  c: string;
  n: string;
  u: number;
  /** Status, owner, domain, top-level tags, hasPii (the filters and facets). */
  s: ContractStatus;
  o: string | null;
  d: string | null;
  t: string[];
  pii: boolean;
  /** The word's postings in the contract (domain search-postings.ts). */
  p: number[];
}

export interface StoredIndexDoc {
  _id: string;
  /** Versions (`x:…#n`, `q#n`): the log position they are valid up to. */
  upTo?: number;
  /** Word versions: the entries (absent once stubbed); of a sorted version, its head. Rest documents: theirs. */
  e?: Entry[];
  /** Word versions written in the word's order (search-head.ts): `e` is the head, `rest` the others. */
  sorted?: boolean;
  /** A sorted version with more entries than its head: where the others are. */
  rest?: RestRef;
  /** A version with a newer one after it: its entries were dropped. */
  stub?: boolean;
  /** Progress versions: the SEARCH_VERSION of the postings indexed (another one needs a rebuild). */
  searchVersion?: number;
  /** Hints: the last version number seen. */
  n?: number;
  /** Contract records (`k:…`): its words last indexed. */
  words?: string[];
}

/** The entries of a sorted version after its head: one document. */
export interface RestRef {
  _id: string;
  /** How many entries it holds. */
  count: number;
  /** Their highest word score (scoreFromPostings of the word alone, unrounded). */
  max: number;
  /** The first of them in the word's order. */
  first: Entry;
}

export type SearchIndexCollection = Collection<StoredIndexDoc>;

export function searchIndexOf(db: Db): SearchIndexCollection {
  return db.collection<StoredIndexDoc>(SEARCH_INDEX_COLLECTION);
}

/** A version found: its number and document. */
export interface Version {
  n: number;
  upTo: number;
  doc: StoredIndexDoc;
}

export const PROGRESS = 'q';

export function wordChain(word: string): string {
  return `x:${word}`;
}

export function contractRecord(id: string): string {
  return `k:${id}`;
}

/** Version numbers last seen in this process, by chain (a better start than the stored hint). */
export type Known = Map<string, number>;

/**
 * The newest version of a chain (`w:<word>` or `g`), or null when it has none. From the last number known (or the
 * hint), point reads up while the next version exists. Versions are never deleted, so a missing one above an
 * existing one is the end.
 */
export async function newestVersion(index: SearchIndexCollection, chain: string, known: Known): Promise<Version | null> {
  let n = known.get(chain);
  if (n === undefined) n = (await index.findOne({ _id: chain }))?.n ?? 0;
  let doc = n > 0 ? await index.findOne({ _id: `${chain}#${n}` }) : null;
  if (!doc) {
    // A hint above the versions (a dropped index): probe from the start.
    n = 0;
  }
  for (;;) {
    const next = await index.findOne({ _id: `${chain}#${n + 1}` });
    if (!next) break;
    n += 1;
    doc = next;
  }
  if (!doc || n === 0) return null;
  known.set(chain, n);
  // A stub is never the newest (it is stubbed after its successor is in): unreadable, so valid up to nothing (-1
  // makes every reader read the log from position 0, which never exists: it falls back, and the indexer rebuilds).
  if (doc.stub || typeof doc.upTo !== 'number') return { n, upTo: -1, doc: { _id: doc._id, upTo: -1, e: [] } };
  return { n, upTo: doc.upTo, doc };
}

/** The newest progress version that indexed the current SEARCH_VERSION, or null (none yet: the index is built). */
export async function progress(index: SearchIndexCollection, known: Known): Promise<Version | null> {
  const v = await newestVersion(index, PROGRESS, known);
  return v && v.doc.searchVersion === SEARCH_VERSION ? v : null;
}

/** Inserts versions; returns the `_id`s that were taken (another builder's version is kept: it is as good). */
export async function insertVersions(index: SearchIndexCollection, docs: StoredIndexDoc[]): Promise<Set<string>> {
  const taken = new Set<string>();
  for (let i = 0; i < docs.length; i += 500) {
    const slice = docs.slice(i, i + 500);
    try {
      await index.insertMany(slice, { ordered: false });
    } catch (error) {
      const errors = duplicates(error);
      if (!errors) throw error;
      for (const at of errors) taken.add(slice[at]!._id);
    }
  }
  return taken;
}

/** The batch positions of a failed insertMany's duplicate keys, or null when something else failed. */
function duplicates(error: unknown): number[] | null {
  const raw = (error as { writeErrors?: unknown }).writeErrors;
  const list = (Array.isArray(raw) ? raw : raw ? [raw] : []) as { code?: number; index?: number; err?: { code?: number; index?: number } }[];
  if (list.length === 0) return isDuplicateKeyError(error) ? [0] : null;
  const out: number[] = [];
  for (const e of list) {
    const code = e.code ?? e.err?.code;
    const index = e.index ?? e.err?.index;
    if (code !== 11000 || typeof index !== 'number') return null;
    out.push(index);
  }
  return out;
}

/** Runs bulk update statements in commands of at most GRIOT_BULK_STATEMENTS_PER_COMMAND, one at a time (bulk.ts). */
export async function updateInSmallCommands(index: SearchIndexCollection, operations: readonly AnyBulkWriteOperation<StoredIndexDoc>[]): Promise<void> {
  await bulkWriteInCommands(index, operations, (error: unknown) => {
    if (!duplicates(error)) throw error; // two upserts of one document at once: either one's value is as good
  });
}

/**
 * After version n of each chain is in: the hints, and the version before emptied (a newer one exists now), its rest
 * document (`rest`: its `_id`) deleted.
 */
export async function settleVersions(index: SearchIndexCollection, chains: readonly { chain: string; n: number; rest?: string }[], known: Known): Promise<void> {
  if (chains.length === 0) return;
  for (const { chain, n } of chains) known.set(chain, Math.max(known.get(chain) ?? 0, n));
  await updateInSmallCommands(
    index,
    chains.flatMap(({ chain, n, rest }): AnyBulkWriteOperation<StoredIndexDoc>[] => [
      { updateOne: { filter: { _id: chain }, update: { $set: { n } }, upsert: true } },
      ...(n > 1
        ? [{ updateOne: { filter: { _id: `${chain}#${n - 1}` } as Filter<StoredIndexDoc>, update: { $set: { stub: true }, $unset: { e: 1 as const, sorted: 1 as const, rest: 1 as const } } } }]
        : []),
      ...(rest ? [{ deleteOne: { filter: { _id: rest } } }] : []),
    ]),
  );
}

/**
 * The documents of a word's version `id` (`w:<word>#<n>`): the head, sorted, and the rest when there are more
 * than `headEntries` entries (its `_id` with this builder's `token`).
 */
export function versionDocs(word: string, id: string, upTo: number, entries: readonly Entry[], headEntries: number, token: string): { head: StoredIndexDoc; rest: StoredIndexDoc | null } {
  const { head, rest, restMax } = splitForWord(word, entries, headEntries, (e) => candidatesOf(new Map([[word, [e]]]))[0]!);
  if (rest.length === 0) return { head: { _id: id, upTo, e: head, sorted: true }, rest: null };
  const restId = `${id}/r:${token}`;
  return { head: { _id: id, upTo, e: head, sorted: true, rest: { _id: restId, count: rest.length, max: restMax, first: rest[0]! } }, rest: { _id: restId, e: rest } };
}

/** What a reader of a version's head left out: its rest (null: a version without one, everything was read). */
export function leftOutOf(word: string, doc: StoredIndexDoc): LeftOut | null {
  if (!doc.rest) return null;
  return { word, maxWordScore: doc.rest.max, first: candidatesOf(new Map([[word, [doc.rest.first]]]))[0] ?? null };
}

/**
 * Every entry of each version (head and rest), by the version's document `_id`; a version whose rest document is
 * gone (the version was stubbed since it was read: a newer one exists) is left out of the map.
 */
export async function fullEntries(index: SearchIndexCollection, docs: readonly StoredIndexDoc[], batchReads: BatchReads): Promise<Map<string, Entry[]>> {
  const rests = await readByIds(index, docs.flatMap((d) => (d.rest ? [d.rest._id] : [])), batchReads);
  const out = new Map<string, Entry[]>();
  for (const d of docs) {
    const rest = d.rest ? rests.get(d.rest._id)?.e : [];
    if (rest) out.set(d._id, [...(d.e ?? []), ...rest]);
  }
  return out;
}

/** The newest versions of several words (null: none), read in parallel. */
export async function newestWords(index: SearchIndexCollection, words: readonly string[], known: Known): Promise<Map<string, Version | null>> {
  const out = new Map<string, Version | null>();
  await eachLimited([...new Set(words)], 16, async (word) => {
    out.set(word, await newestVersion(index, wordChain(word), known));
  });
  return out;
}

/** What the index needs of a stored contract (the projection of its reads). */
export const TRUTH_PROJECTION = { _id: 1, name: 1, status: 1, owner: 1, updatedAt: 1, searchFacets: 1, searchPostings: 1 } as const;

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The entry of a stored contract for one word, or null when it does not hold the word. */
export function entryOf(doc: StoredCandidate, word: string): Entry | null {
  const stored = storedPostings(doc);
  const key = postingKey(word);
  const list = Object.hasOwn(stored, key) ? stored[key] : undefined;
  if (!Array.isArray(list) || list.length === 0) return null;
  const f = doc.searchFacets;
  const updatedAt = doc.updatedAt instanceof Date ? doc.updatedAt.getTime() : new Date(doc.updatedAt).getTime();
  return { c: doc._id, n: doc.name, u: updatedAt, s: doc.status, o: doc.owner ?? null, d: f?.domain ?? null, t: strings(f?.tags), pii: f?.hasPii === true, p: [...list] };
}

/** The words of a stored contract (its postings' keys, postingKey reversed). */
export function wordsOf(doc: StoredCandidate): string[] {
  return Object.keys(storedPostings(doc)).map((key) => key.slice(1).replaceAll('~', '.'));
}

/**
 * A word's entries brought up to date: those of contracts in `touched` replaced by their stored state (`truth`;
 * absent: deleted, or no longer holding the word), the others as the version has them.
 */
export function mergeEntries(entries: readonly Entry[], word: string, touched: ReadonlySet<string>, truth: ReadonlyMap<string, StoredCandidate>): Entry[] {
  const out = entries.filter((e) => !touched.has(e.c));
  for (const id of touched) {
    const doc = truth.get(id);
    const entry = doc ? entryOf(doc, word) : null;
    if (entry) out.push(entry);
  }
  return out;
}

/** The search candidates of the query words' entries (a contract's ranking fields are the same in each). */
export function candidatesOf(entriesByWord: ReadonlyMap<string, readonly Entry[]>): SearchCandidate[] {
  const byId = new Map<string, SearchCandidate & { postings: Map<string, WordPostings> }>();
  for (const [word, entries] of entriesByWord) {
    for (const e of entries) {
      let c = byId.get(e.c);
      if (!c) {
        c = { id: e.c, name: e.n, updatedAt: new Date(e.u), postings: new Map(), facets: { status: e.s, owner: e.o, domain: e.d, tags: e.t, hasPii: e.pii } };
        byId.set(e.c, c);
      }
      c.postings.set(word, e.p);
    }
  }
  return [...byId.values()];
}

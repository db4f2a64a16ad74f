/**
 * Contract search on MongoDB. Where the word index runs (search-index.ts, search-indexer.ts: every server with
 * the change log), the candidates with everything ranking needs come from it: the newest version of each query
 * word, then the log positions above the oldest of them (and the writes in flight: open intents), whose
 * contracts are read as stored and replace what the versions say of them (indexedCandidates). So a search reads
 * its words' versions, a short tail and the page, whatever the number of contracts, and is exact whatever the
 * indexer's lag. A one-word query reads only the head of its word's version (the entries best for that word,
 * search-index.ts) when the hits it proves ahead of everything left out (domain search-head.ts hitsAhead) reach
 * past its page; else, and for totalCount and facets (computed when called), it reads the rest too and ranks
 * every candidate, so both give the same page. Where the index cannot answer exactly (not built yet, a tail longer than
 * GRIOT_SEARCH_TAIL_MAX, expired log positions, a create or review in flight whose contract is not named yet),
 * the search reads its candidates from the contracts, as follows. Candidates are the contracts holding a query word: through the text index
 * (`$text` over the stored word list) where the server has one (capabilities.textSearch), else through the
 * multikey index on the same list (`searchTerms: {$in}`). Both find the same contracts: the list holds every whole
 * term and every part, and the query words include every part. Of the candidates only the ranking fields and the
 * postings are read (search-fields.ts CANDIDATE_PROJECTION: no text, no tokenizing); they are
 * ranked, filtered and counted by domain rankCandidates, exactly as in memory, so both paths and both backends give
 * the same hits in the same order. Then the page's contracts are read whole, by id (point-reads.ts).
 * Filters and facets work on the candidate set, in the same pass that ranks it: the query itself is always the
 * indexed word lookup. Pages use offset cursors (ranked lists have no stable keyset), forward or backward (../cursor.ts
 * offsetWindow).
 */
import type { Filter } from 'mongodb';
import { queryTerms, rankCandidates, type SearchCandidate, type SearchFilter } from '../../domain/search.js';
import { hitsAhead, type LeftOut } from '../../domain/search-head.js';
import { encodeOffsetCursor, offsetWindow } from '../cursor.js';
import type { ContractSearchHit, ContractSearchPage, PageRequest } from '../types.js';
import { CONTRACT_VIEW_PROJECTION, fromStoredContract, type MongoCollections, type StoredContract } from './documents/index.js';
import type { BatchReads } from './point-reads.js';
import { readByIds } from './point-reads.js';
import { CANDIDATE_PROJECTION, candidateOf, type StoredCandidate } from './search-fields.js';
import { candidatesOf, type Entry, fullEntries, leftOutOf, mergeEntries, newestWords, progress } from './search-index.js';
import { positionsBetween, type SearchIndexer } from './search-indexer.js';

const NO_FACETS = { status: [], owner: [], domain: [], tag: [], hasPii: [] };

/** The candidate query: any query word, through the text index or the word-list index. */
export function candidateFilter(textSearch: boolean, terms: readonly string[]): Filter<StoredContract> {
  // The words have no quotes or leading '-', which $search would read as phrases or negations.
  // One word is an equality, which FerretDB/PostgreSQL pushes down to its storage (an `$in` it does not).
  if (textSearch) return { $text: { $search: terms.join(' ') } } as Filter<StoredContract>;
  return (terms.length === 1 ? { searchTerms: terms[0] } : { searchTerms: { $in: [...terms] } }) as Filter<StoredContract>;
}

export async function searchContracts(
  { contracts }: MongoCollections,
  textSearch: boolean,
  batchReads: BatchReads,
  query: string,
  page: PageRequest,
  filter: SearchFilter = {},
  indexer: SearchIndexer | null = null,
): Promise<ContractSearchPage> {
  const terms = queryTerms(query);
  if (terms.length === 0) {
    await offsetWindow(page, () => 0); // an invalid cursor is an error even for an empty query
    return { items: [], cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount: async () => 0, facets: async () => NO_FACETS };
  }
  const indexed = indexer ? await indexedCandidates(contracts, batchReads, indexer, terms) : null;
  // Every candidate ranked: what the page takes unless the head proves it has it all, and what totalCount and facets count.
  const all = once(async () => rankCandidates((indexed && (await indexed.all())) ?? (await scannedCandidates(contracts, textSearch, terms)), query, filter));
  // A one-word query over a head: the hits it proves are ahead of everything it left out (domain search-head.ts).
  const head = indexed?.leftOut ? rankCandidates(indexed.candidates, query, filter).hits : null;
  const ahead = head && indexed?.leftOut ? hitsAhead(head, new Map(indexed.candidates.map((c) => [c.id, c])), query, indexed.leftOut) : 0;

  const { start, size, hasPreviousPage, hasNextPage } = await offsetWindow(page, async () => (await all()).hits.length);
  // The page is exact when the hits proven reach to its end, and whether one follows when the head has a hit after
  // it (every candidate holds at least the head's hits); else every candidate is ranked.
  const hits = head && start + size <= ahead && head.length > start + size ? head : (await all()).hits;
  const slice = hits.slice(start, start + size);
  const byId = await readByIds(contracts, slice.map((h) => h.id), batchReads, { projection: CONTRACT_VIEW_PROJECTION });
  const items: ContractSearchHit[] = [];
  const cursors: string[] = [];
  slice.forEach((hit, i) => {
    const doc = byId.get(hit.id);
    if (!doc) return; // deleted since it was ranked
    items.push({ contract: fromStoredContract(doc), score: hit.score, matchedFields: hit.matchedFields });
    cursors.push(encodeOffsetCursor(start + i));
  });
  return {
    items,
    cursors,
    hasNextPage: hasNextPage(hits.length - start),
    hasPreviousPage,
    totalCount: async () => (await all()).hits.length,
    facets: async () => (await all()).facets,
  };
}

/** A function run at most once (its promise kept). */
function once<T>(run: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | null = null;
  return () => (result ??= run());
}

async function scannedCandidates(contracts: MongoCollections['contracts'], textSearch: boolean, terms: readonly string[]): Promise<SearchCandidate[]> {
  const docs = (await contracts.find(candidateFilter(textSearch, terms), { projection: CANDIDATE_PROJECTION }).toArray()) as unknown as StoredCandidate[];
  return docs.map((d) => candidateOf(d, terms));
}

/** Writes in flight that may change a contract they do not name yet (a create, a review decision). */
function unnamed(op: string, contractId: string | null): boolean {
  return contractId === null && (op.startsWith('contract') || op === 'approval');
}

/** What the word index gives a search: the candidates read, and all of them (null: read the contracts instead). */
interface IndexedCandidates {
  /** Exact when `leftOut` is null; else the head's (and the tail's) candidates. */
  candidates: SearchCandidate[];
  /** A one-word query that read a version's head only: what it left out (domain search-head.ts). */
  leftOut: LeftOut | null;
  /** Every candidate: with the rest read where the head was (null: the rest is gone, the version was stubbed). */
  all(): Promise<SearchCandidate[] | null>;
}

/**
 * The candidates of the query words from the word index, exact (null: it cannot say, read the contracts). In this
 * order: the open intents (a write that ended its intent before had logged its events), the progress version
 * (a word with no version holds nothing up to it), the words' newest versions, the head of the log (at least
 * every position a version read is valid up to), the positions above the oldest version; the contracts logged
 * there or in flight are read as stored and replace their entries in every query word. A version's rest
 * (search-index.ts) is read with it, except for a one-word query: then only when the page or a count needs it.
 */
async function indexedCandidates(
  contracts: MongoCollections['contracts'],
  batchReads: BatchReads,
  indexer: SearchIndexer,
  terms: readonly string[],
): Promise<IndexedCandidates | null> {
  const { tailMax, lag } = indexer.options;
  const open = await indexer.intents.olderThan(new Date(8.64e15), tailMax + 1);
  if (open.length > tailMax || open.some((i) => unnamed(i.where.op, i.where.contractId))) return null;
  const g = await progress(indexer.index, indexer.known);
  if (!g) {
    indexer.kick();
    return null;
  }
  const versions = await newestWords(indexer.index, terms, indexer.known);
  const docs = terms.flatMap((t) => versions.get(t)?.doc ?? []);
  const headOnly = terms.length === 1 && docs.every((d) => d.sorted === true);
  // Multi-word queries and versions written before heads existed: every entry, read now.
  const full = headOnly ? null : await fullEntries(indexer.index, docs, batchReads);
  if (full && full.size < docs.length) return null; // a rest gone: a newer version is in
  const head = await indexer.log.latest();
  const from = (t: string) => versions.get(t)?.upTo ?? g.upTo;
  const low = Math.min(head, ...terms.map(from));
  const behind = terms.filter((t) => from(t) < head - lag);
  if (behind.length > 0) indexer.kick(behind);
  if (head - low > tailMax) return null;
  const logged = await indexer.log.getByPositions(positionsBetween(low, head));
  if (logged.some((e) => e === null)) return null; // expired before they were indexed: the indexer rebuilds
  const touched = new Set<string>();
  for (const e of logged) if (e?.contractId) touched.add(e.contractId);
  for (const i of open) if (i.where.contractId) touched.add(i.where.contractId);
  const truth = (await readByIds(contracts, [...touched], batchReads, { projection: CANDIDATE_PROJECTION })) as unknown as Map<string, StoredCandidate>;
  const merged = (entriesOf: (t: string) => readonly Entry[]) => {
    const entries = new Map<string, Entry[]>();
    for (const t of terms) entries.set(t, mergeEntries(entriesOf(t), t, touched, truth));
    return candidatesOf(entries);
  };
  const doc = (t: string) => versions.get(t)?.doc;
  if (full) {
    const candidates = merged((t) => full.get(doc(t)?._id ?? '') ?? []);
    return { candidates, leftOut: null, all: async () => candidates };
  }
  const word = terms[0]!;
  const version = doc(word);
  const candidates = merged(() => version?.e ?? []);
  const leftOut = version ? leftOutOf(word, version) : null;
  if (!leftOut || !version) return { candidates, leftOut: null, all: async () => candidates };
  return {
    candidates,
    leftOut,
    all: async () => {
      const entries = (await fullEntries(indexer.index, [version], batchReads)).get(version._id);
      return entries ? merged(() => entries) : null;
    },
  };
}

/**
 * Contract search. With a text index (capabilities.textSearch) the server ranks with `$text` and its text score;
 * without one (FerretDB, …) the portable path finds candidates through the indexed `searchTerms` word list and
 * ranks them with the same scoring as the in-memory backend, so both give identical results.
 * Both page with offset cursors (ranked lists have no stable keyset).
 */
import type { Filter } from 'mongodb';
import { matchedFields, queryTerms, scoreSearchText, type SearchField } from '../../domain/search.js';
import { encodeOffsetCursor } from '../cursor.js';
import type { ContractSearchHit, Page, PageRequest } from '../types.js';
import { fromStoredContract, type MongoCollections, type StoredContract, storedSearchText } from './documents/index.js';
import { emptyPage, offsetStart, pageSize } from './paging.js';

export async function searchContracts(
  collections: MongoCollections,
  textSearch: boolean,
  query: string,
  page: PageRequest,
): Promise<Page<ContractSearchHit>> {
  const start = offsetStart(page); // an invalid cursor is an error even for an empty query
  const terms = queryTerms(query);
  if (terms.length === 0) return emptyPage();
  return textSearch ? serverTextSearch(collections, terms, start, page) : portableSearch(collections, terms, start, page);
}

async function serverTextSearch(
  { contracts }: MongoCollections,
  terms: string[],
  start: number,
  page: PageRequest,
): Promise<Page<ContractSearchHit>> {
  // Words only (letters, digits, '_'): no quotes or '-' that $search would read as phrases or negations.
  const filter = { $text: { $search: terms.join(' ') } } as Filter<StoredContract>;
  const size = pageSize(page);
  const docs = (await contracts
    .find(filter, { projection: { score: { $meta: 'textScore' } } })
    .sort({ score: { $meta: 'textScore' }, name: 1, _id: 1 })
    .skip(start)
    .limit(size + 1)
    .toArray()) as (StoredContract & { score?: unknown })[];
  const pageDocs = docs.slice(0, size);
  return {
    items: pageDocs.map((doc) => ({
      contract: fromStoredContract(doc),
      score: typeof doc.score === 'number' ? Math.round(doc.score * 1e6) / 1e6 : 0,
      matchedFields: matchedFields(storedSearchText(doc), terms),
    })),
    cursors: pageDocs.map((_, i) => encodeOffsetCursor(start + i)),
    hasNextPage: docs.length > size,
    totalCount: () => contracts.countDocuments(filter),
  };
}

interface RankedHit {
  id: string;
  name: string;
  score: number;
  matchedFields: SearchField[];
}

async function portableSearch(
  { contracts }: MongoCollections,
  terms: string[],
  start: number,
  page: PageRequest,
): Promise<Page<ContractSearchHit>> {
  // Candidates: contracts with at least one query word (multikey index on searchTerms). Only the search text is
  // read to rank them; the page's contracts are then read whole, in one query.
  const candidates = await contracts
    .find({ searchTerms: { $in: terms } }, { projection: { _id: 1, name: 1, search: 1 } })
    .toArray();
  const ranked: RankedHit[] = [];
  for (const doc of candidates) {
    const scored = scoreSearchText(storedSearchText(doc), terms);
    if (scored) ranked.push({ id: doc._id, name: doc.name, ...scored });
  }
  ranked.sort((a, b) => b.score - a.score || cmp(a.name, b.name) || cmp(a.id, b.id));

  const size = pageSize(page);
  const slice = ranked.slice(start, start + size);
  const docs = slice.length ? await contracts.find({ _id: { $in: slice.map((h) => h.id) } }).toArray() : [];
  const byId = new Map(docs.map((d) => [d._id, d]));
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
    hasNextPage: start + size < ranked.length,
    totalCount: async () => ranked.length,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import { describe, expect, it } from 'vitest';
import { hitsAhead, type LeftOut, orderForWord, splitForWord } from '../../src/domain/search-head.js';
import { rankCandidates, type SearchCandidate } from '../../src/domain/search.js';

/** A candidate holding "ibis" with the given postings (field index, contribution; 4 = propertyNames). */
function candidate(id: string, postings: number[], name = `c_${id}`, updatedAt = '2026-01-01T00:00:00Z'): SearchCandidate {
  return { id, name, updatedAt: new Date(updatedAt), postings: new Map([['ibis', postings]]), facets: { status: 'draft', owner: null, domain: null, tags: [], hasPii: false } };
}

const self = (c: SearchCandidate) => c;

describe('the head of a word', () => {
  // e is named as the query "ibis ibis" reads: for that query it ranks first among equal scores, for "ibis" last.
  const equal = ['a', 'b', 'c', 'd'].map((id) => candidate(id, [4, 5])).concat(candidate('e', [4, 5], 'Ibis ibis'));
  const top = candidate('t', [4, 5, 6, 3]);
  const all = [...equal, top];

  it('orders the candidates as the one-word query for the word ranks them; the rest with its highest word score', () => {
    expect(orderForWord('ibis', all, self).map((o) => o.item.id)).toEqual(rankCandidates(all, 'ibis').hits.map((h) => h.id));
    expect(orderForWord('ibis', all, self).map((o) => o.wordScore)).toEqual([8, 5, 5, 5, 5, 5]);
    const { head, rest, restMax } = splitForWord('ibis', all, 3, self);
    expect(head.map((c) => c.id)).toEqual(['t', 'a', 'b']);
    expect(rest.map((c) => c.id)).toEqual(['c', 'd', 'e']);
    expect(restMax).toBe(5);
  });

  it('proves the hits ahead of everything left out: past equal scores by the first left out, for the same query only', () => {
    const { head, rest, restMax } = splitForWord('ibis', all, 3, self);
    const out: LeftOut = { word: 'ibis', maxWordScore: restMax, first: rest[0]! };
    const read = new Map(head.map((c) => [c.id, c]));
    const ahead = (query: string) => hitsAhead(rankCandidates(head, query).hits, read, query, out);
    expect(ahead('ibis')).toBe(3); // a and b rank above c, the first left out
    expect(ahead('IBIS')).toBe(3);
    // Another phrase ranks otherwise ("Ibis ibis" is e's name: e, left out, is its best equal score): only scores prove.
    expect(rankCandidates(all, 'ibis ibis').hits.map((h) => h.id)).toEqual(['t', 'e', 'a', 'b', 'c', 'd']);
    expect(ahead('ibis ibis')).toBe(1);
    expect(ahead('ibis heron')).toBe(0); // not one word
    expect(hitsAhead(rankCandidates(head, 'ibis').hits, read, 'ibis', { word: 'ibis', maxWordScore: 8, first: null })).toBe(0); // the top score could be left out
  });
});

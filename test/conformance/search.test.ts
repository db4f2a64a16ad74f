/**
 * Conformance: contract search on every backend. The data is built so that the ranking is unambiguous on any
 * scorer that weighs the fields like SEARCH_WEIGHTS (name > schema names > property names > description >
 * property descriptions): every backend must return the same contracts in the same order.
 */
import { describe, expect, it } from 'vitest';
import type { Contract } from '../../src/domain/contracts.js';
import { ValidationError } from '../../src/domain/errors.js';
import type { JsonObject } from '../../src/domain/odcs.js';
import type { SearchField, SearchFilter } from '../../src/domain/search.js';
import { tokenize } from '../../src/domain/search-words.js';
import type { MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import type { ContractSearchHit } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument, officialExamples, type PropertySpec } from '../support/fixtures.js';
import { collectPages, moveContractTo, rejection, useBackend } from './helpers.js';

function doc(name: string, options: { purpose?: string; team?: string; schemas?: Record<string, PropertySpec[]> } = {}): JsonObject {
  return contractDocument({ name, ...options });
}

/** The longest word of a text (a part, not a whole term), for a query that must find it. */
function longestWord(text: string): string {
  const words = tokenize(text).filter((w) => /^[\p{L}\p{N}]+$/u.test(w));
  return words.reduce((a, b) => (b.length > a.length ? b : a), '');
}

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);
  const repo = () => storage().contracts;

  async function search(query: string): Promise<ContractSearchHit[]> {
    const page = await repo().search(query, { first: 100 });
    expect(page.hasNextPage).toBe(false);
    expect(await page.totalCount()).toBe(page.items.length);
    // MongoDB: the same answer once the word index caught up (read from it alone) as merged with the log before.
    const index = (storage() as Partial<MongoStorageBackend>).searchIndex;
    if (index) {
      await index.catchUp();
      const indexed = await repo().search(query, { first: 100 });
      expect(indexed.items.map((h) => [h.contract.id, h.score, h.matchedFields])).toEqual(page.items.map((h) => [h.contract.id, h.score, h.matchedFields]));
    }
    return page.items;
  }

  async function found(query: string): Promise<string[]> {
    return (await search(query)).map((h) => h.contract.name);
  }

  function fieldsOf(hit: ContractSearchHit | undefined): SearchField[] {
    return [...(hit?.matchedFields ?? [])].sort();
  }

  /**
   * "quokka" appears in exactly one field of each of five contracts (a whole, one-word value each time);
   * pebble does not contain it at all.
   */
  async function seed(): Promise<Record<string, Contract>> {
    const c: Record<string, Contract> = {};
    // Created in an order unrelated to the expected ranking.
    c.orchard = await repo().create({ document: doc('orchard', { schemas: { trees: [{ name: 'tree_id', description: 'Quokka' }] } }) }, 'alice');
    c.lantern = await repo().create({ document: doc('lantern', { schemas: { lights: [{ name: 'light_id' }, { name: 'quokka' }] } }) }, 'alice');
    c.pebble = await repo().create({ document: doc('pebble', { purpose: 'stones', schemas: { stones: [{ name: 'stone_id', description: 'a smooth stone' }] } }) }, 'alice');
    c.quokka = await repo().create({ document: doc('quokka') }, 'alice');
    c.meadow = await repo().create({ document: doc('meadow', { purpose: 'quokka' }) }, 'alice');
    c.harbor = await repo().create({ document: doc('harbor', { schemas: { quokka: [{ name: 'berth_id' }] } }) }, 'alice');
    return c;
  }

  const ranking = ['quokka', 'harbor', 'lantern', 'meadow', 'orchard'];
  // quokka's ODCS id (urn:test:quokka) holds the word too.
  const rankingFields: SearchField[][] = [['name', 'odcsId'], ['schemaNames'], ['propertyNames'], ['description'], ['propertyDescriptions']];

  it('ranks hits by the field that matched, with a positive, decreasing score', async () => {
    const c = await seed();
    const hits = await search('quokka');
    expect(hits.map((h) => h.contract.name)).toEqual(ranking);
    expect(hits.map(fieldsOf)).toEqual(rankingFields);
    for (const hit of hits) expect(hit.score).toBeGreaterThan(0);
    for (let i = 1; i < hits.length; i++) expect(hits[i]!.score).toBeLessThan(hits[i - 1]!.score);
    // A hit carries the whole contract, as getById returns it.
    expect(hits[0]!.contract).toEqual(await repo().getById(c.quokka!.id));
    expect(hits[4]!.contract).toEqual(await repo().getById(c.orchard!.id));
  });

  it('ranks a name match above a match in a property description only', async () => {
    await repo().create(
      { document: doc('field-notes', { schemas: { sightings: [{ name: 'sighting_id', description: 'where the numbat was seen at dawn' }] } }) },
      'alice',
    );
    await repo().create({ document: doc('numbat sightings') }, 'alice');
    const hits = await search('numbat');
    expect(hits.map((h) => h.contract.name)).toEqual(['numbat sightings', 'field-notes']);
    expect(hits.map(fieldsOf)).toEqual([['name', 'odcsId'], ['propertyDescriptions']]);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
  });

  it('names exactly the fields that contain a query word', async () => {
    await repo().create(
      {
        document: doc('wombat', {
          purpose: 'wombat census data',
          schemas: { counts: [{ name: 'wombat_id', description: 'Wombat identifier' }, { name: 'burrow' }] },
        }),
      },
      'alice',
    );
    await repo().create({ document: doc('unrelated', { schemas: { dens: [{ name: 'depth' }] } }) }, 'alice');
    const [hit, ...rest] = await search('wombat');
    expect(rest).toEqual([]);
    expect(hit?.contract.name).toBe('wombat');
    // `wombat_id` holds the word "wombat" (and "id"): its parts are words too.
    expect(fieldsOf(hit)).toEqual(['description', 'name', 'odcsId', 'propertyDescriptions', 'propertyNames']);
    const [byDescription] = await search('identifier');
    expect(fieldsOf(byDescription)).toEqual(['propertyDescriptions']);
    const both = await search('burrow counts');
    expect(both.map((h) => h.contract.name)).toEqual(['wombat']);
    expect(fieldsOf(both[0])).toEqual(['propertyNames', 'schemaNames']);
  });

  it('finds words inside snake_case, camelCase, kebab-case and dotted names', async () => {
    await repo().create({ document: doc('payments', { schemas: { transfers: [{ name: 'rcvrCntryCode' }, { name: 'order-lines' }] } }) }, 'alice');
    await repo().create(
      { document: doc('people', { schemas: { people: [{ name: 'customer_email' }, { name: 'address', logicalType: 'object', properties: [{ name: 'street2' }] }] } }) },
      'alice',
    );
    for (const [query, name] of [
      ['cntry', 'payments'],
      ['rcvr code', 'payments'],
      ['rcvrCntryCode', 'payments'],
      ['lines', 'payments'],
      ['order-lines', 'payments'],
      ['email', 'people'],
      ['customer email', 'people'],
      ['Customer_Email', 'people'],
      ['street', 'people'],
    ] as const) {
      expect(await found(query), query).toEqual([name]);
    }
    const [hit] = await search('email');
    expect(fieldsOf(hit)).toEqual(['propertyNames']);
  });

  it('searches schema descriptions, business names, tags, domain, data product and team', async () => {
    await repo().create(
      {
        document: {
          ...doc('ledger', { team: 'finance-core', schemas: { entries: [{ name: 'amount', businessName: 'Booked sum', tags: ['audited'] }] } }),
          domain: 'accounting',
          dataProduct: 'generalLedger',
          tags: ['sox'],
        },
      },
      'alice',
    );
    const described = doc('notes', { schemas: { notes: [{ name: 'n' }] } });
    (described.schema as { description?: string }[])[0]!.description = 'Free text from the call centre';
    await repo().create({ document: described }, 'alice');
    const cases: [string, SearchField[]][] = [
      ['booked', ['businessNames']],
      ['audited', ['tags']],
      ['sox', ['tags']],
      ['accounting', ['domain']],
      ['ledger', ['dataProduct', 'name', 'odcsId']],
      ['core', ['team']],
      ['centre', ['schemaDescriptions']],
    ];
    for (const [query, fields] of cases) {
      const hits = await search(query);
      expect(hits.length, query).toBe(1);
      expect(fieldsOf(hits[0]), query).toEqual(fields);
    }
  });

  it('filters hits by status, owner, domain, tag and PII, with facet counts', async () => {
    const mk = async (name: string, team: string, domain: string, tags: string[], pii: boolean) =>
      repo().create(
        {
          document: {
            ...doc(name, { team, purpose: 'lynx sightings', schemas: { s: [{ name: 'who', ...(pii ? { classification: 'restricted' } : {}) }] } }),
            domain,
            tags,
          },
        },
        'alice',
      );
    const a = await mk('alpha', 'rangers', 'wildlife', ['gold', 'daily'], true);
    await mk('beta', 'rangers', 'wildlife', ['silver'], false);
    await mk('gamma', 'census', 'Parks', ['gold'], false);
    await moveContractTo(storage(), a.id, 'in_review');

    const names = async (filter: SearchFilter) => (await repo().search('lynx', { first: 50 }, filter)).items.map((h) => h.contract.name).sort();
    expect(await names({})).toEqual(['alpha', 'beta', 'gamma']);
    expect(await names({ status: ['draft'] })).toEqual(['beta', 'gamma']);
    expect(await names({ owner: 'rangers' })).toEqual(['alpha', 'beta']);
    expect(await names({ domain: 'PARKS' })).toEqual(['gamma']);
    expect(await names({ tag: 'gold' })).toEqual(['alpha', 'gamma']);
    expect(await names({ hasPii: true })).toEqual(['alpha']);
    expect(await names({ tag: 'gold', hasPii: false })).toEqual(['gamma']);

    const page = await repo().search('lynx', { first: 1 }, { tag: 'gold' });
    expect(await page.totalCount()).toBe(2);
    expect(page.hasNextPage).toBe(true);
    // Each facet counts the hits of the OTHER filters: tags over every hit, the rest over the gold ones.
    const facets = await page.facets();
    expect(facets.tag).toEqual([
      { value: 'gold', count: 2 },
      { value: 'daily', count: 1 },
      { value: 'silver', count: 1 },
    ]);
    expect(facets.status).toEqual([
      { value: 'draft', count: 1 },
      { value: 'in_review', count: 1 },
    ]);
    expect(facets.owner).toEqual([
      { value: 'census', count: 1 },
      { value: 'rangers', count: 1 },
    ]);
    expect(facets.domain).toEqual([
      { value: 'Parks', count: 1 },
      { value: 'wildlife', count: 1 },
    ]);
    expect(facets.hasPii).toEqual([
      { value: false, count: 1 },
      { value: true, count: 1 },
    ]);
  });

  it('finds every official example by a word of its name and of its ODCS id, schemas or not', async () => {
    const created: { contract: Contract; nameWord: string; idWord: string }[] = [];
    const used = new Set<string>();
    const ids = new Set<string>();
    for (const { file, document } of officialExamples()) {
      // An ODCS id names one contract: of the examples sharing one, the first is kept.
      if (ids.has(String(document.id))) continue;
      ids.add(String(document.id));
      // Several examples share a name, and some have none: those are named after their file.
      const own = typeof document.name === 'string' && document.name && !used.has(document.name) ? document.name : null;
      const name = own ?? file.replace(/\.odcs\.yaml$/, '');
      used.add(name);
      const contract = await repo().create({ document, name }, 'alice');
      created.push({ contract, nameWord: longestWord(contract.name), idWord: longestWord(String(document.id)) });
    }
    expect(created.length).toBeGreaterThanOrEqual(5);
    let withoutSchemas = 0;
    for (const { contract, nameWord, idWord } of created) {
      if (!Array.isArray(contract.document.schema) || contract.document.schema.length === 0) withoutSchemas++;
      expect(await found(nameWord), `${contract.name} by "${nameWord}"`).toContain(contract.name);
      const byId = (await search(idWord)).map((h) => h.contract.id);
      expect(byId, `${contract.name} by id word "${idWord}"`).toContain(contract.id);
    }
    expect(withoutSchemas).toBeGreaterThan(0);
  });

  it('ranks an exact property name above its words found apart; equal scores go to the most recent', async () => {
    const people = { people: [{ name: 'person_id' }, { name: 'customer_email' }] };
    // Same text apart from the name, so the scores tie and recency decides (crm is the newer).
    await repo().create({ document: doc('newsletter', { schemas: people }) }, 'alice');
    await repo().create({ document: doc('billing', { schemas: { invoices: [{ name: 'customer_id' }, { name: 'email' }] } }) }, 'alice');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await repo().create({ document: doc('crm', { schemas: people }) }, 'alice');
    const hits = await search('customer_email');
    expect(hits.map((h) => h.contract.name)).toEqual(['crm', 'newsletter', 'billing']);
    expect(hits.map(fieldsOf)).toEqual([['propertyNames'], ['propertyNames'], ['propertyNames']]);
    expect(hits[0]!.score).toBe(hits[1]!.score);
    expect(hits[1]!.score).toBeGreaterThan(hits[2]!.score);
    expect((await found('customer_id'))[0]).toBe('billing');
  });

  it('finds contracts containing any of several words', async () => {
    await seed();
    await repo().create({ document: doc('wombat', { purpose: 'wombat census data', schemas: { counts: [{ name: 'n', description: 'Wombat identifier' }] } }) }, 'alice');
    expect(await found('wombat')).toEqual(['wombat']);
    const hits = await search('quokka wombat');
    expect(hits.map((h) => h.contract.name)).toEqual(['wombat', ...ranking]);
    expect(fieldsOf(hits[0])).toEqual(['description', 'name', 'odcsId', 'propertyDescriptions']);
    expect(hits.slice(1).map(fieldsOf)).toEqual(rankingFields);
    // Repeated words count once; words that match nothing change nothing.
    expect(await found('quokka quokka zzyzx')).toEqual(ranking);
  });

  it('ignores case in the query and in the text', async () => {
    await seed();
    for (const query of ['QUOKKA', 'Quokka', 'qUoKkA']) expect(await found(query), query).toEqual(ranking);
  });

  it('finds nothing for an empty or blank query', async () => {
    await seed();
    for (const query of ['', '   ', '\t\n', '--- ... !!!']) {
      const page = await repo().search(query, { first: 10 });
      expect(page.items, JSON.stringify(query)).toEqual([]);
      expect(page.cursors).toEqual([]);
      expect(page.hasNextPage).toBe(false);
      expect(await page.totalCount()).toBe(0);
    }
    expect(await found('zzyzx')).toEqual([]);
  });

  it('pages through the ranked hits with cursors, each hit once', async () => {
    await seed();
    for (const first of [1, 2, 3]) {
      const { items, pages, totalCounts } = await collectPages((page) => repo().search('quokka', page), first);
      expect(items.map((h) => h.contract.name)).toEqual(ranking);
      expect(pages.map((p) => p.length)).toEqual(first === 2 ? [2, 2, 1] : first === 3 ? [3, 2] : [1, 1, 1, 1, 1]);
      expect(new Set(totalCounts)).toEqual(new Set([5]));
    }
    const page1 = await repo().search('quokka', { first: 2 });
    const page2 = await repo().search('quokka', { first: 2, after: page1.cursors[1] });
    expect(page2.items.map((h) => h.contract.name)).toEqual(['lantern', 'meadow']);
    expect(page2.hasNextPage).toBe(true);
    expect(page2.items.map(fieldsOf)).toEqual([['propertyNames'], ['description']]);
  });

  it('rejects an invalid cursor with a ValidationError at after', async () => {
    await seed();
    const error = await rejection(repo().search('quokka', { first: 2, after: 'not-a-cursor' }), ValidationError);
    expect(error.issues.map((i) => i.path)).toEqual(['after']);
  });

  it('follows updates, renames and rollbacks of the searchable text', async () => {
    const c = await seed();
    // lantern loses its quokka property and gains a kiwi one (removing a property is breaking: accepted explicitly).
    const updated = await repo().update(
      {
        id: c.lantern!.id,
        expectedRevision: 1,
        document: doc('lantern', { schemas: { lights: [{ name: 'light_id' }, { name: 'kiwi' }] } }),
        acceptBreakingChanges: true,
      },
      'bob',
    );
    expect(updated.version).toBe('2.0.0');
    expect(await found('quokka')).toEqual(['quokka', 'harbor', 'meadow', 'orchard']);
    expect(await found('kiwi')).toEqual(['lantern']);

    // quokka is renamed: its name no longer matches; its new name does.
    await repo().update({ id: c.quokka!.id, expectedRevision: 1, document: doc('quokka'), name: 'marsupial' }, 'bob');
    // Its ODCS id (urn:test:quokka) still holds the word.
    expect(await found('quokka')).toEqual(['harbor', 'marsupial', 'meadow', 'orchard']);
    expect((await search('quokka'))[1]!.matchedFields).toEqual(['odcsId']);
    expect(await found('marsupial')).toEqual(['marsupial']);

    // Rolling lantern back restores the quokka property (and removes kiwi: breaking again, accepted explicitly).
    await repo().rollback({ id: c.lantern!.id, expectedRevision: updated.revision, toVersion: '1.0.0', acceptBreakingChanges: true }, 'carol');
    expect(await found('quokka')).toEqual(['harbor', 'marsupial', 'lantern', 'meadow', 'orchard']);
    expect(await found('kiwi')).toEqual([]);
  });

  it('does not find deleted contracts', async () => {
    const c = await seed();
    await repo().delete(c.harbor!.id, 1, 'bob');
    await repo().delete(c.orchard!.id, null, 'bob');
    expect(await found('quokka')).toEqual(['quokka', 'lantern', 'meadow']);
    expect(await found('harbor')).toEqual([]);
    expect(await found('berth')).toEqual([]);
    expect(await found('berth_id')).not.toContain('harbor');
  });

  it('reflects a status change in the contract of a hit', async () => {
    const c = await seed();
    const inReview = await moveContractTo(storage(), c.meadow!.id, 'in_review');
    expect(inReview.status).toBe('in_review');
    const hit = (await search('quokka')).find((h) => h.contract.id === c.meadow!.id);
    expect(hit?.contract).toEqual(inReview);
  });
});

/**
 * Conformance: contract search on every backend. The data is built so that the ranking is unambiguous on any
 * scorer that weighs the fields like SEARCH_WEIGHTS (name > schema names > property names > description >
 * property descriptions): every backend must return the same contracts in the same order.
 */
import { describe, expect, it } from 'vitest';
import type { Contract } from '../../src/domain/contracts.js';
import { ValidationError } from '../../src/domain/errors.js';
import type { JsonObject } from '../../src/domain/odcs.js';
import type { SearchField } from '../../src/domain/search.js';
import type { ContractSearchHit } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument, type PropertySpec } from '../support/fixtures.js';
import { collectPages, moveContractTo, rejection, useBackend } from './helpers.js';

function doc(name: string, options: { purpose?: string; schemas?: Record<string, PropertySpec[]> } = {}): JsonObject {
  return contractDocument({ name, ...options });
}

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);
  const repo = () => storage().contracts;

  async function search(query: string): Promise<ContractSearchHit[]> {
    const page = await repo().search(query, { first: 100 });
    expect(page.hasNextPage).toBe(false);
    expect(await page.totalCount()).toBe(page.items.length);
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
  const rankingFields: SearchField[][] = [['name'], ['schemaNames'], ['propertyNames'], ['description'], ['propertyDescriptions']];

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
    expect(hits.map(fieldsOf)).toEqual([['name'], ['propertyDescriptions']]);
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
    // `wombat_id` is one word, so the property names do not contain "wombat".
    expect(fieldsOf(hit)).toEqual(['description', 'name', 'propertyDescriptions']);
    const [byId] = await search('wombat_id');
    expect(fieldsOf(byId)).toEqual(['propertyNames']);
    const both = await search('burrow counts');
    expect(both.map((h) => h.contract.name)).toEqual(['wombat']);
    expect(fieldsOf(both[0])).toEqual(['propertyNames', 'schemaNames']);
  });

  it('finds the contracts that define a property by its name', async () => {
    const people = { people: [{ name: 'person_id' }, { name: 'customer_email' }] };
    // Same text apart from the name, so the scores tie and the name decides.
    await repo().create({ document: doc('newsletter', { schemas: people }) }, 'alice');
    await repo().create({ document: doc('billing', { schemas: { invoices: [{ name: 'customer_id' }, { name: 'email' }] } }) }, 'alice');
    await repo().create({ document: doc('crm', { schemas: people }) }, 'alice');
    const hits = await search('customer_email');
    expect(hits.map((h) => h.contract.name)).toEqual(['crm', 'newsletter']);
    expect(hits.map(fieldsOf)).toEqual([['propertyNames'], ['propertyNames']]);
    expect(hits[0]!.score).toBe(hits[1]!.score);
    expect(await found('customer_id')).toEqual(['billing']);
  });

  it('finds contracts containing any of several words', async () => {
    await seed();
    await repo().create({ document: doc('wombat', { purpose: 'wombat census data', schemas: { counts: [{ name: 'n', description: 'Wombat identifier' }] } }) }, 'alice');
    expect(await found('wombat')).toEqual(['wombat']);
    const hits = await search('quokka wombat');
    expect(hits.map((h) => h.contract.name)).toEqual(['wombat', ...ranking]);
    expect(fieldsOf(hits[0])).toEqual(['description', 'name', 'propertyDescriptions']);
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
    expect(await found('quokka')).toEqual(['harbor', 'meadow', 'orchard']);
    expect(await found('marsupial')).toEqual(['marsupial']);

    // Rolling lantern back restores the quokka property (and removes kiwi: breaking again, accepted explicitly).
    await repo().rollback({ id: c.lantern!.id, expectedRevision: updated.revision, toVersion: '1.0.0', acceptBreakingChanges: true }, 'carol');
    expect(await found('quokka')).toEqual(['harbor', 'lantern', 'meadow', 'orchard']);
    expect(await found('kiwi')).toEqual([]);
  });

  it('does not find deleted contracts', async () => {
    const c = await seed();
    await repo().delete(c.harbor!.id, 1, 'bob');
    await repo().delete(c.orchard!.id, null, 'bob');
    expect(await found('quokka')).toEqual(['quokka', 'lantern', 'meadow']);
    expect(await found('harbor')).toEqual([]);
    expect(await found('berth_id')).toEqual([]);
  });

  it('reflects a status change in the contract of a hit', async () => {
    const c = await seed();
    const inReview = await moveContractTo(storage(), c.meadow!.id, 'in_review');
    expect(inReview.status).toBe('in_review');
    const hit = (await search('quokka')).find((h) => h.contract.id === c.meadow!.id);
    expect(hit?.contract).toEqual(inReview);
  });
});

/**
 * Contracts and catalog entries stored by an older version (search fields of whole words over five fields, no
 * searchVersion, no facet values; catalog entries without property words) are rewritten at start-up: after a
 * restart they are found by the words inside their names, filtered and counted, and listed by property word.
 * A contract written again since the migration read it is left to that write.
 */
import { MongoClient } from 'mongodb';
import { inject, it, expect } from 'vitest';
import { createMongoStorage } from '../../src/storage/mongodb/index.js';
import { searchTextOf } from '../../src/domain/search.js';
import { SEARCH_VERSION } from '../../src/storage/mongodb/search-fields.js';
import { migrateSearchFields, migrateSearchFieldsOnce, searchMigrationMarker } from '../../src/storage/mongodb/search-migration.js';
import { keysOf } from '../../src/storage/mongodb/keys.js';
import { SEARCH_INDEX_COLLECTION } from '../../src/storage/mongodb/search-index.js';
import { collectionsOf } from '../../src/storage/mongodb/documents/index.js';
import { testDatabaseName } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';

/** What the first version stored: whole words of letters, digits and '_' over five fields. */
function legacyWords(texts: string[]): string[] {
  return [...new Set(texts.flatMap((t) => t.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []))];
}

it('rewrites the search fields and catalog words an older version stored, once, at start-up', async () => {
  const options = { uri: inject('mongodbUri'), database: testDatabaseName() };
  const first = await createMongoStorage(options);
  try {
    const document = {
      ...contractDocument({ name: 'orders', team: 'sales-data', schemas: { orders: [{ name: 'order_id' }, { name: 'customer_email', classification: 'restricted' }] } }),
      domain: 'sales',
    };
    const created = await first.contracts.create({ document }, 'test');
    const other = await first.contracts.create({ document: contractDocument({ name: 'shipments', schemas: { parcels: [{ name: 'trackingCode' }] } }) }, 'test');
    // Make both look as the first version stored them.
    const contracts = first.db.collection('contracts');
    for (const c of [created, other]) {
      const s = searchTextOf(c.name, c.document, c.owner);
      const legacy = { name: s.name, description: s.description, schemaNames: s.schemaNames, propertyNames: s.propertyNames, propertyDescriptions: s.propertyDescriptions };
      const words = legacyWords([legacy.name, legacy.description, ...(legacy.schemaNames as string[]), ...(legacy.propertyNames as string[])] as string[]);
      await contracts.updateOne({ _id: c.id as never }, { $set: { search: legacy, searchTerms: words }, $unset: { searchVersion: '', searchFacets: '', searchPostings: '' } });
    }
    await first.db.collection('schema_catalog').updateMany({}, { $unset: { propertyWords: '' } });
    // An older version wrote no migration marker and kept no search index either.
    expect((await first.db.collection('contract_keys').deleteOne({ _id: searchMigrationMarker() as never })).deletedCount).toBe(1);
    // As stored, the words inside names are not found, and the catalog has no words.
    expect((await first.contracts.search('email', { first: 10 })).items).toEqual([]);
    expect((await first.schemaCatalog.list({ propertyWord: 'email' }, { first: 10 })).items).toEqual([]);
  } finally {
    await first.close();
  }
  const raw = await new MongoClient(options.uri).connect();
  await raw.db(options.database).collection(SEARCH_INDEX_COLLECTION).drop().catch(() => undefined);
  await raw.close();

  const second = await createMongoStorage(options);
  try {
    const hits = await second.contracts.search('customer email', { first: 10 }, { domain: 'SALES', hasPii: true });
    expect(hits.items.map((h) => h.contract.name)).toEqual(['orders']);
    expect((await hits.facets()).hasPii).toEqual([{ value: true, count: 1 }]);
    expect((await second.contracts.search('tracking', { first: 10 })).items.map((h) => h.contract.name)).toEqual(['shipments']);
    const catalog = await second.schemaCatalog.list({ propertyWord: 'email', hasPii: true }, { first: 10 });
    expect(catalog.items.map((e) => e.contractName)).toEqual(['orders']);
    const versions = await second.db.collection('contracts').distinct('searchVersion');
    expect(versions).toEqual([SEARCH_VERSION]);
    expect((await second.db.collection('contracts').findOne({ name: 'orders' }))!.search).toBeUndefined();
    // Nothing is left to rewrite: a second pass changes nothing.
    expect(await migrateSearchFields(collectionsOf(second.db))).toEqual({ rewritten: 0, catalogRebuilt: false });
  } finally {
    await second.dropDatabase();
    await second.close();
  }
});

it('leaves a contract alone when it was written again after the migration read it', async () => {
  const options = { uri: inject('mongodbUri'), database: testDatabaseName() };
  const storage = await createMongoStorage(options);
  try {
    const created = await storage.contracts.create({ document: contractDocument({ name: 'kiwi', schemas: { birds: [{ name: 'beakLength' }] } }) }, 'test');
    const contracts = storage.db.collection('contracts');
    await contracts.updateOne({ _id: created.id as never }, { $unset: { searchVersion: '' } });
    // The migration's conditional rewrite names the revision it read; a newer revision wins.
    const collections = collectionsOf(storage.db);
    const find = collections.contracts.find.bind(collections.contracts);
    collections.contracts.find = ((...args: Parameters<typeof find>) => {
      const cursor = find(...args);
      return cursor.map((doc) => ({ ...doc, revision: doc.revision - 1 }));
    }) as typeof find;
    expect((await migrateSearchFields(collections)).rewritten).toBe(0);
    expect((await contracts.findOne({ _id: created.id as never }))!.searchVersion).toBeUndefined();
  } finally {
    await storage.dropDatabase();
    await storage.close();
  }
});

it('where it rewrites by _id, rewrites again a contract written after the migration read it', async () => {
  const options = { uri: inject('mongodbUri'), database: testDatabaseName() };
  const storage = await createMongoStorage(options);
  try {
    const created = await storage.contracts.create({ document: contractDocument({ name: 'kiwi', schemas: { birds: [{ name: 'beakLength' }] } }) }, 'test');
    const contracts = storage.db.collection('contracts');
    await contracts.updateOne({ _id: created.id as never }, { $unset: { searchVersion: '', searchPostings: '' } });
    // The migration reads a stale copy (an older revision, another document); the stored contract is newer.
    const collections = collectionsOf(storage.db);
    const find = collections.contracts.find.bind(collections.contracts);
    collections.contracts.find = ((...args: Parameters<typeof find>) => {
      const cursor = find(...args);
      if (!('$or' in (args[0] ?? {}))) return cursor; // only the migration's read of outdated contracts is stale
      return cursor.map((doc) => ({ ...doc, revision: doc.revision - 1, documentJson: JSON.stringify(contractDocument({ name: 'kiwi', schemas: { fruit: [{ name: 'stale' }] } })) }));
    }) as typeof find;
    await migrateSearchFields(collections, false);
    const stored = (await contracts.findOne({ _id: created.id as never }))!;
    expect(stored.searchVersion).toBe(SEARCH_VERSION);
    expect(Object.keys(JSON.parse(stored.searchPostings as string))).toContain('wbeak');
    expect(Object.keys(JSON.parse(stored.searchPostings as string))).not.toContain('wstale');
    expect((await storage.contracts.search('beak', { first: 5 })).items.map((h) => h.contract.name)).toEqual(['kiwi']);
  } finally {
    await storage.dropDatabase();
    await storage.close();
  }
});

it('runs its scans once per database: a later start-up reads the marker by _id and sends neither scan', async () => {
  const options = { uri: inject('mongodbUri'), database: testDatabaseName() };
  const first = await createMongoStorage(options);
  try {
    await first.contracts.create({ document: contractDocument({ name: 'marker_case', schemas: { t: [{ name: 'a' }] } }) }, 'test');
    expect(await first.db.collection('contract_keys').findOne({ _id: searchMigrationMarker() as never })).not.toBeNull();
  } finally {
    await first.close();
  }
  const seen: { name: string; collection: unknown; filter: unknown }[] = [];
  const second = await createMongoStorage({ ...options, monitorCommands: true });
  try {
    // The start-up ran on a client of its own: watch the same call through this one instead.
    second.client.on('commandStarted', (e) => seen.push({ name: e.commandName, collection: e.command[e.commandName], filter: e.command.filter }));
    expect(await migrateSearchFieldsOnce(keysOf(second.db), collectionsOf(second.db))).toEqual({ ran: false, rewritten: 0, catalogRebuilt: false });
    expect(seen).toEqual([{ name: 'find', collection: 'contract_keys', filter: { _id: searchMigrationMarker() } }]);
  } finally {
    await second.dropDatabase();
    await second.close();
  }
});

it('reads the postings a version-3 server stored as a subdocument, and rewrites them as text at the next migration', async () => {
  const options = { uri: inject('mongodbUri'), database: testDatabaseName() };
  const first = await createMongoStorage(options);
  let id = '';
  try {
    const created = await first.contracts.create({ document: contractDocument({ name: 'harbour', schemas: { berths: [{ name: 'quay_length' }] } }) }, 'test');
    id = created.id;
    const contracts = first.db.collection('contracts');
    const stored = (await contracts.findOne({ _id: id as never }))!;
    expect(typeof stored.searchPostings).toBe('string');
    // As a version-3 server writes it (during a rolling deploy, after this release's migration ran): a subdocument.
    await contracts.updateOne({ _id: id as never }, { $set: { searchPostings: JSON.parse(stored.searchPostings as string), searchVersion: 3 } });
  } finally {
    await first.close();
  }
  // A server of this release with no search index yet ranks from the stored postings (the marker is there: no migration).
  const raw = await new MongoClient(options.uri).connect();
  await raw.db(options.database).collection(SEARCH_INDEX_COLLECTION).drop().catch(() => undefined);
  await raw.close();
  const second = await createMongoStorage(options);
  try {
    const hits = await second.contracts.search('quay', { first: 5 });
    expect(hits.items.map((h) => [h.contract.name, h.matchedFields])).toEqual([['harbour', ['propertyNames']]]);
    expect(typeof (await second.db.collection('contracts').findOne({ _id: id as never }))!.searchPostings).toBe('object');
    // The next migration (a start-up without this version's marker) stores them as text.
    await migrateSearchFields(collectionsOf(second.db));
    const rewritten = (await second.db.collection('contracts').findOne({ _id: id as never }))!;
    expect(rewritten.searchVersion).toBe(SEARCH_VERSION);
    expect(typeof rewritten.searchPostings).toBe('string');
    expect(Object.keys(JSON.parse(rewritten.searchPostings as string))).toContain('wquay');
    expect((await second.contracts.search('quay', { first: 5 })).items.map((h) => h.contract.name)).toEqual(['harbour']);
  } finally {
    await second.dropDatabase();
    await second.close();
  }
});

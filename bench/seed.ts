/**
 * Benchmark data: realistic contracts (3 schemas of 13 properties, about 9–10 KB of ODCS each) and a bulk seed.
 * On MongoDB the seed writes the registry's own stored documents (contracts, versions, catalog entries, key
 * documents) with insertMany in batches, as a bulk import would; in memory it goes through the repository.
 */
import { randomUUID } from 'node:crypto';
import { deriveCatalogEntries } from '../src/domain/catalog.js';
import { planCreate } from '../src/domain/contracts.js';
import { collectionsOf, type StoredCatalogEntry, toStoredCatalogEntry, toStoredContract, toStoredVersion } from '../src/storage/mongodb/documents/index.js';
import type { MongoStorageBackend } from '../src/storage/mongodb/index.js';
import { keysOf, nameKeyId, versionKeyId } from '../src/storage/mongodb/keys.js';
import type { StorageBackend } from '../src/storage/types.js';

const TOPICS = ['orders', 'customers', 'payments', 'shipments', 'invoices', 'returns', 'inventory', 'suppliers'];
const SEED_BATCH = 250;

export function benchName(i: number): string {
  return `bench_${String(i).padStart(6, '0')}`;
}

export function benchDocument(name: string, i: number, version = '1.0.0', purposeSuffix = ''): Record<string, unknown> {
  const topic = TOPICS[i % TOPICS.length]!;
  return {
    apiVersion: 'v3.1.0',
    kind: 'DataContract',
    id: `urn:bench:${name}`,
    name,
    version,
    status: 'draft',
    team: { name: `team-${i % 20}` },
    description: {
      purpose: `Benchmark contract number ${i} about ${topic}: the ${topic} facts of the ${topic} domain as published daily by the ${topic} pipeline.${purposeSuffix}`,
      usage: `Join on the id columns; one row per ${topic} event. Late events arrive up to three days after the fact.`,
      limitations: 'Personal data is masked outside the restricted environment.',
    },
    tags: [topic, `tier-${i % 3}`, 'bench'],
    schema: ['events', 'daily', 'dim'].map((s) => ({
      name: `${name}_${s}`,
      physicalType: 'table',
      description: `The ${s} table of ${topic} (contract ${i}).`,
      properties: Array.from({ length: 13 }, (_, p) => ({
        name: p === 0 ? 'id' : p === 1 && i % 10 === 0 ? 'email' : `${topic}_field_${p}`,
        logicalType: p % 4 === 3 ? 'integer' : 'string',
        physicalType: p % 4 === 3 ? 'bigint' : 'varchar(255)',
        required: p < 3,
        ...(p === 0 ? { primaryKey: true } : {}),
        ...(p === 1 && i % 10 === 0 ? { classification: 'restricted' } : {}),
        description: `Field ${p} of the ${s} table: a ${topic} attribute kept for reporting and reconciliation.`,
        examples: [`example-${p}-a`, `example-${p}-b`],
      })),
    })),
  };
}

/** Seeds contracts `from` to `to - 1` (names benchName(i)). Returns the contract ids in order. */
export async function seedContracts(storage: StorageBackend, mongo: MongoStorageBackend | null, from: number, to: number): Promise<string[]> {
  const ids: string[] = [];
  for (let start = from; start < to; start += SEED_BATCH) {
    const end = Math.min(to, start + SEED_BATCH);
    if (!mongo) {
      for (let i = start; i < end; i++) ids.push((await storage.contracts.create({ document: benchDocument(benchName(i), i) }, 'bench')).id);
      continue;
    }
    const now = new Date();
    const planned = Array.from({ length: end - start }, (_, k) => {
      const i = start + k;
      return planCreate({ document: benchDocument(benchName(i), i) }, randomUUID(), { now, actor: 'bench' });
    });
    const { collections } = mongoCollections(mongo);
    await collections.keys.insertMany(
      planned.flatMap(({ contract, version }) => [
        { _id: nameKeyId(contract.name), contractId: contract.id, at: now },
        { _id: versionKeyId(contract.id, version.version), contractId: contract.id, number: version.number, at: now },
      ]),
    );
    await collections.versions.insertMany(planned.map(({ version }) => toStoredVersion(version, 'seed')));
    await collections.contracts.insertMany(planned.map(({ contract }) => toStoredContract(contract)));
    await collections.catalog.insertMany(planned.flatMap(({ contract }) => deriveCatalogEntries(contract).map((e) => ({ _id: e.id, ...toStoredCatalogEntry(e) }) as StoredCatalogEntry)));
    ids.push(...planned.map(({ contract }) => contract.id));
  }
  return ids;
}

function mongoCollections(mongo: MongoStorageBackend) {
  return { collections: { ...collectionsOf(mongo.db), keys: keysOf(mongo.db) } };
}

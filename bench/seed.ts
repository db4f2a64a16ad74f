/**
 * Benchmark data: realistic contracts (3 schemas of 13 properties, about 9–10 KB of ODCS each) and a bulk seed
 * through the registry's batch create (what a bulk import writes), into one or more storages at once.
 */
import type { CreateContractInput } from '../src/domain/contracts.js';
import { AlreadyExistsError } from '../src/domain/errors.js';
import type { BatchCreateOutcome, StorageBackend } from '../src/storage/types.js';

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

/** A seeded contract's id: fixed by its number, so the N and 10×N databases of a run hold the same first N contracts. */
export function benchId(i: number): string {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

export interface SeedOptions {
  /** Batch creates in flight at once (over all the storages); default 2. */
  lanes?: number;
  /** Items per createMany; default 250. */
  batch?: number;
  /** Called after a failed batch that is tried again (a transient driver error). */
  onRetry?: (error: unknown) => void;
}

/**
 * Seeds contracts `from` to `to - 1` (names benchName(i), ids benchId(i)) into every storage of `storages`,
 * through the registry's own batch create (ContractRepository.createMany, the bulk import's path): the same stored
 * documents, keys, catalog entries and change-log events a bulk import writes. Each batch's inputs are built once
 * for all the storages. A batch that fails on a driver error is tried again (up to 3 times); on a retry an item
 * already there (AlreadyExistsError from the earlier try) counts as seeded. Returns the ids in order.
 */
export async function seedContracts(storages: readonly StorageBackend[], from: number, to: number, options: SeedOptions = {}): Promise<string[]> {
  const size = options.batch ?? SEED_BATCH;
  const jobs: { storage: StorageBackend; start: number }[] = [];
  for (let start = from; start < to; start += size) for (const storage of storages) jobs.push({ storage, start });
  const inputs = new Map<number, CreateContractInput[]>();
  const inputsOf = (start: number) => {
    let batch = inputs.get(start);
    if (!batch) {
      batch = Array.from({ length: Math.min(to, start + size) - start }, (_, k) => ({ id: benchId(start + k), document: benchDocument(benchName(start + k), start + k) }));
      inputs.set(start, batch);
    }
    return batch;
  };
  let next = 0;
  const lane = async () => {
    for (let job = jobs[next++]; job; job = jobs[next++]) await createAll(job.storage, inputsOf(job.start), options.onRetry);
  };
  await Promise.all(Array.from({ length: Math.max(1, options.lanes ?? 2) }, lane));
  return Array.from({ length: to - from }, (_, k) => benchId(from + k));
}

async function createAll(storage: StorageBackend, batch: CreateContractInput[], onRetry?: (error: unknown) => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let outcomes: BatchCreateOutcome[];
    try {
      outcomes = await storage.contracts.createMany(batch, 'bench');
    } catch (error) {
      if (attempt >= 3) throw error;
      onRetry?.(error);
      await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
      continue;
    }
    const refused = outcomes.find((o) => !o.ok && !(attempt > 1 && o.error instanceof AlreadyExistsError));
    if (refused && !refused.ok) throw refused.error;
    return;
  }
}

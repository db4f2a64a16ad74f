/**
 * Bulk import benchmark: the 15 official ODCS examples × BENCH_IMPORT_K (each copy with its own ODCS id and name,
 * so every file creates a contract) imported as a folder by importFolder (what `griot-registry import` runs), on a
 * fresh database per run, once per concurrency of BENCH_IMPORT_CONCURRENCY. Prints files per second and database
 * commands per file. Numbers are for comparing runs on one machine, never asserted.
 *
 *   scripts/test-db.sh run -- npx tsx bench/import.ts                       FerretDB/SQLite
 *   GRIOT_STORAGE=memory npx tsx bench/import.ts                            in memory
 *
 * Environment: BENCH_IMPORT_K (copies of the examples, default 10), BENCH_IMPORT_CONCURRENCY (default "1,4"),
 * BENCH_IMPORT_BATCH (batch sizes, default "1,100": file by file against batched).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { importFolder } from '../src/services/bulk.js';
import { createMemoryStorage } from '../src/storage/memory/index.js';
import { createMongoStorage, type MongoStorageBackend } from '../src/storage/mongodb/index.js';
import type { StorageBackend } from '../src/storage/types.js';

const K = Number(process.env.BENCH_IMPORT_K ?? 10);
const CONCURRENCY = (process.env.BENCH_IMPORT_CONCURRENCY ?? '1,4').split(',').map(Number);
/** Batch sizes to compare side by side (GRIOT_IMPORT_BATCH_SIZE; 1 = file by file, the old way). */
const BATCH = (process.env.BENCH_IMPORT_BATCH ?? '1,100').split(',').map(Number);
const examples = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'shared', 'odcs', 'examples');

function folderOfCopies(): { folder: string; files: number } {
  const folder = mkdtempSync(join(tmpdir(), 'griot-bench-import-'));
  let files = 0;
  for (const file of readdirSync(examples).filter((f) => f.endsWith('.odcs.yaml')).sort()) {
    const doc = parse(readFileSync(join(examples, file), 'utf8')) as Record<string, unknown>;
    for (let k = 0; k < K; k++) {
      const stem = file.replace(/\.odcs\.yaml$/, '');
      const copy = { ...doc, id: `${String(doc.id)}-${stem}-copy-${k}`, name: `${stem.replace(/-/g, '_')}_copy_${k}` };
      writeFileSync(join(folder, `${stem}-${k}.odcs.yaml`), stringify(copy));
      files++;
    }
  }
  return { folder, files };
}

async function main(): Promise<void> {
  const uri = process.env.MONGODB_URI;
  const memory = process.env.GRIOT_STORAGE === 'memory' || !uri;
  const { folder, files } = folderOfCopies();
  console.log(`${files} files (15 examples × ${K}), backend ${memory ? 'memory' : 'mongodb'}`);
  console.log('batch  concurrency  seconds  files/s  db cmds/file  created  failed');
  try {
    for (const c of CONCURRENCY) for (const batchSize of BATCH) {
      const storage: StorageBackend = memory
        ? createMemoryStorage()
        : await createMongoStorage({ uri: uri!, database: `griot_bench_import_${randomBytes(4).toString('hex')}`, monitorCommands: true });
      const mongo = memory ? null : (storage as MongoStorageBackend);
      let commands = 0;
      mongo?.client.on('commandStarted', () => commands++);
      try {
        const t = performance.now();
        const summary = await importFolder(storage, folder, { actor: 'bench', concurrency: c, batchSize });
        const s = (performance.now() - t) / 1000;
        const cmds = mongo ? (commands / files).toFixed(1) : '-';
        console.log(`${String(batchSize).padStart(5)}  ${String(c).padStart(11)}  ${s.toFixed(1).padStart(7)}  ${(files / s).toFixed(1).padStart(7)}  ${cmds.padStart(12)}  ${String(summary.created.length).padStart(7)}  ${String(summary.failed.length).padStart(6)}`);
        if (summary.failed.length) console.log(`  first failure: ${summary.failed[0]!.file}: ${summary.failed[0]!.reason}`);
      } finally {
        await mongo?.dropDatabase();
        await storage.close();
      }
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

await main();

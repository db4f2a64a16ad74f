/**
 * `griot-registry import` with the official examples and with failures that explain themselves, on both backends:
 * each example imports as-is one by one on an empty database (a document without a name is named after its file)
 * and exports back byte for byte;
 * the examples folder as a whole, where files share ODCS ids, is reported before anything is written; a refused
 * file's line names the file, the contract it matched by ODCS id, why, and the flag that lets it through; files
 * imported side by side (GRIOT_IMPORT_CONCURRENCY) end as a one-at-a-time import does, including files that compete
 * for a name.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { exportFileStem, importFolder } from '../../src/services/bulk.js';
import { backends } from '../support/backends.js';
import { contractDocument, odcsDir, officialExamples } from '../support/fixtures.js';

function io() {
  const out: string[] = [];
  return { out, io: { out: (l: string) => out.push(l), err: () => undefined, interactive: false } };
}

const examplesDir = join(odcsDir, 'examples');

describe.each(backends)('griot-registry import on the $name backend', (backend) => {
  it('imports every official example as-is, one by one on an empty database, reachable by ODCS id and by handle', async () => {
    const { storage, dispose } = await backend.create();
    const keepOpen = { ...storage, close: async () => undefined };
    try {
      let created = 0;
      for (const { file, document } of officialExamples()) {
        const folder = mkdtempSync(join(tmpdir(), 'griot-example-'));
        copyFileSync(join(examplesDir, file), join(folder, file));
        const run = io();
        expect(await runCli(['import', folder], async () => keepOpen, run.io), run.out.join('\n')).toBe(0);
        expect(run.out).toEqual([`imported from ${folder}: 1 created, 0 updated, 0 unchanged, 0 failed`]);
        const handle = typeof document.name === 'string' ? document.name : file.replace('.odcs.yaml', '');
        const byId = await storage.contracts.getByOdcsId(String(document.id));
        expect(byId?.name, file).toBe(handle);
        expect((await storage.contracts.getByName(handle))?.id).toBe(byId!.id);
        // Exported again, the file comes back byte for byte (a draft serves the author's status; the version is the registry's).
        const out = join(folder, 'out');
        expect(await runCli(['export', out], async () => keepOpen, io().io)).toBe(0);
        expect(readFileSync(join(out, `${exportFileStem(handle)}.odcs.yaml`), 'utf8'), file).toBe(readFileSync(join(examplesDir, file), 'utf8'));
        created++;
        await storage.contracts.delete(byId!.id, null, null);
      }
      expect(created).toBe(15);
    } finally {
      await dispose();
    }
  });

  it('reports files of one folder that share an ODCS id before writing anything', async () => {
    const { storage, dispose } = await backend.create();
    const keepOpen = { ...storage, close: async () => undefined };
    try {
      const run = io();
      expect(await runCli(['import', examplesDir], async () => keepOpen, run.io)).toBe(1);
      expect(run.out[0]).toBe(`imported from ${examplesDir}: 0 created, 0 updated, 0 unchanged, 15 failed`);
      expect(run.out).toContain(
        '  failed azure-server.odcs.yaml: shares ODCS id "abc123" (a contract\'s identity) with kafka-server.odcs.yaml; nothing in the folder was imported: give each contract its own id, or import the files one at a time to make them successive versions',
      );
      expect(run.out.filter((l) => l.includes('shares ODCS id "53581432-6c55-4ba2-a65f-72344a91553a"'))).toHaveLength(10);
      expect(run.out.filter((l) => l.includes('not imported: files of this folder share an ODCS id'))).toHaveLength(3);
      expect(await (await storage.contracts.list({}, { field: 'name', direction: 'asc' }, { first: 10 })).totalCount()).toBe(0);
    } finally {
      await dispose();
    }
  });

  it('says for a refused file which contract it matched, why, and the flag that lets it through', async () => {
    const { storage, dispose } = await backend.create();
    const keepOpen = { ...storage, close: async () => undefined };
    try {
      const folder = mkdtempSync(join(tmpdir(), 'griot-refused-'));
      const schemas = { orders: [{ name: 'order_id', primaryKey: true }, { name: 'amount', logicalType: 'number' }] };
      writeFileSync(join(folder, 'orders.odcs.yaml'), stringify(contractDocument({ id: 'urn:cli:refused', name: 'cli_refused', schemas })));
      expect(await runCli(['import', folder], async () => keepOpen, io().io)).toBe(0);

      // Removing a property is breaking; the file still says 1.0.0.
      writeFileSync(join(folder, 'orders.odcs.yaml'), stringify(contractDocument({ id: 'urn:cli:refused', name: 'cli_refused', schemas: { orders: [schemas.orders[0]!] } })));
      const refused = io();
      expect(await runCli(['import', folder], async () => keepOpen, refused.io)).toBe(1);
      expect(refused.out[1]).toMatch(
        /^ {2}failed orders\.odcs\.yaml: matched contract "cli_refused" by ODCS id "urn:cli:refused", compared with its version 1\.0\.0: 1 change is breaking.*; run again with --accept-breaking-changes to import it anyway$/,
      );
      expect(refused.out[1]).not.toContain('acceptBreakingChanges');

      // A declared version below what the changes need: no flag helps, and the line says what does.
      writeFileSync(join(folder, 'orders.odcs.yaml'), stringify(contractDocument({ id: 'urn:cli:refused', name: 'cli_refused', version: '1.0.1', schemas: { orders: [schemas.orders[0]!] } })));
      const tooLow = io();
      expect(await runCli(['import', folder, '--accept-breaking-changes'], async () => keepOpen, tooLow.io)).toBe(1);
      expect(tooLow.out[1]).toMatch(/^ {2}failed orders\.odcs\.yaml: matched contract "cli_refused" by ODCS id "urn:cli:refused", compared with its version 1\.0\.0: document\.version: .*2\.0\.0.*no flag lets a lower version through/);

      writeFileSync(join(folder, 'orders.odcs.yaml'), stringify(contractDocument({ id: 'urn:cli:refused', name: 'cli_refused', schemas: { orders: [schemas.orders[0]!] } })));
      const accepted = io();
      expect(await runCli(['import', folder, '--accept-breaking-changes'], async () => keepOpen, accepted.io)).toBe(0);
      expect(accepted.out).toEqual([`imported from ${folder}: 0 created, 1 updated, 0 unchanged, 0 failed`]);
      expect((await storage.contracts.getByOdcsId('urn:cli:refused'))?.version).toBe('2.0.0');
    } finally {
      await dispose();
    }
  });

  it('imports side by side with the outcome of a one-at-a-time import, files competing for a name included', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'griot-lanes-'));
    const write = (file: string, doc: object) => writeFileSync(join(folder, file), stringify(doc));
    for (let i = 0; i < 12; i++) write(`p${String(i).padStart(2, '0')}.odcs.yaml`, contractDocument({ id: `urn:lanes:${i}`, name: `lanes_${i}` }));
    // b's document has no name and its stem is a's name: one at a time, a takes it and b is named by its ODCS id
    write('a.odcs.yaml', contractDocument({ id: 'urn:lanes:a', name: 'lanes_shared' }));
    const { name: _dropped, ...nameless } = contractDocument({ id: 'urn:lanes:b', name: 'x' });
    write('lanes_shared.odcs.yaml', nameless);
    // two documents with one name: the first file (in path order) creates it, the second fails
    write('c1.odcs.yaml', contractDocument({ id: 'urn:lanes:c1', name: 'lanes_twice' }));
    write('c2.odcs.yaml', contractDocument({ id: 'urn:lanes:c2', name: 'lanes_twice' }));
    writeFileSync(join(folder, 'broken.odcs.yaml'), 'apiVersion: [');
    const outcome = async (concurrency: number) => {
      const { storage, dispose } = await backend.create();
      try {
        const summary = await importFolder(storage, folder, { actor: 'test', concurrency });
        const names: Record<string, string | undefined> = {};
        for (const id of ['a', 'b', 'c1', 'c2', '3']) names[id] = (await storage.contracts.getByOdcsId(`urn:lanes:${id}`))?.name;
        return { summary: { ...summary, failed: summary.failed.map((f) => f.file) }, names };
      } finally {
        await dispose();
      }
    };
    const sequential = await outcome(1);
    expect(sequential.names).toEqual({ a: 'lanes_shared', b: 'urn:lanes:b', c1: 'lanes_twice', c2: undefined, '3': 'lanes_3' });
    expect(sequential.summary.created).toHaveLength(15);
    expect(sequential.summary.failed).toEqual(['broken.odcs.yaml', 'c2.odcs.yaml']);
    expect(await outcome(4)).toEqual(sequential);
  });
});

/**
 * `griot-registry export` never overwrites: every contract gets its own file, named from its name (made safe) plus
 * a short id when that name is taken, never hidden and never outside the folder; the count printed is the count
 * written. On both backends.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';

function io() {
  const out: string[] = [];
  return { out, io: { out: (l: string) => out.push(l), err: () => undefined, interactive: false } };
}

const NAMES = ['orders', 'Orders', 'ORDERS', 'a/b', 'a_b', 'a b', '..', '.', '.hidden', '../escape', '-rf', 'über', '%%%'];

describe.each(backends)('griot-registry export on the $name backend', (backend) => {
  it('writes one file per contract, never overwriting, never hidden or outside the folder', async () => {
    const { storage, dispose } = await backend.create();
    const keepOpen = { ...storage, close: async () => undefined };
    try {
      const ids = new Set<string>();
      for (const [i, name] of NAMES.entries()) {
        const contract = await storage.contracts.create({ document: contractDocument({ id: `urn:export:${i}`, name }) }, null);
        ids.add(contract.id);
      }
      const parent = mkdtempSync(join(tmpdir(), 'griot-export-'));
      const out = join(parent, 'out');
      const first = io();
      expect(await runCli(['export', out], async () => keepOpen, first.io)).toBe(0);
      expect(first.out).toEqual([`exported ${NAMES.length} contracts to ${out}`]);
      const files = readdirSync(out);
      expect(files).toHaveLength(NAMES.length);
      expect(readdirSync(parent)).toEqual(['out']);
      expect(new Set(files.map((f) => f.toLowerCase())).size).toBe(NAMES.length);
      for (const file of files) expect(file).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*\.odcs\.yaml$/);
      // One of orders/Orders/ORDERS keeps the plain name (the first in name order); the others get their short id.
      const plain = files.filter((f) => f.toLowerCase() === 'orders.odcs.yaml');
      expect(plain).toHaveLength(1);
      expect(files.filter((f) => /^orders-[0-9a-f]{8}\.odcs\.yaml$/i.test(f))).toHaveLength(2);
      const odcsIds = files.map((f) => (parse(readFileSync(join(out, f), 'utf8')) as { id: string }).id).sort();
      expect(odcsIds).toEqual(NAMES.map((_, i) => `urn:export:${i}`).sort());

      // Exporting again into the same folder overwrites nothing: new files beside the old ones.
      writeFileSync(join(out, plain[0]!), 'kept: true\n');
      const second = io();
      expect(await runCli(['export', out], async () => keepOpen, second.io)).toBe(0);
      expect(second.out).toEqual([`exported ${NAMES.length} contracts to ${out}`]);
      expect(readdirSync(out)).toHaveLength(2 * NAMES.length);
      expect(readFileSync(join(out, plain[0]!), 'utf8')).toBe('kept: true\n');
    } finally {
      await dispose();
    }
  });
});

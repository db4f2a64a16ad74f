/** The griot-registry command: bulk import with a summary, and export of every current version. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { mongoBackend } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';

function io() {
  const out: string[] = [];
  let err = '';
  return { out, get err() { return err; }, io: { out: (l: string) => out.push(l), err: (t: string) => { err += t; }, interactive: false } };
}

describe('griot-registry import/export', () => {
  it('imports a folder (created, updated, unchanged, failed with reasons) and exports it back', async () => {
    const { storage, dispose } = await mongoBackend.create();
    const keepOpen = { ...storage, close: async () => undefined };
    try {
      const folder = mkdtempSync(join(tmpdir(), 'griot-import-'));
      mkdirSync(join(folder, 'nested'));
      const orders = contractDocument({ id: 'urn:cli:orders', name: 'cli_orders' });
      writeFileSync(join(folder, 'orders.odcs.yaml'), `apiVersion: v3.1.0\nkind: DataContract\nid: urn:cli:orders\nname: cli_orders\nversion: 1.0.0\nstatus: draft\nschema:\n  - name: orders\n    physicalType: table\n    properties:\n      - name: order_id\n        logicalType: string\n        primaryKey: true\n`);
      writeFileSync(join(folder, 'nested', 'customers.odcs.json'), JSON.stringify(contractDocument({ id: 'urn:cli:customers', name: 'cli_customers' })));
      writeFileSync(join(folder, 'broken.odcs.yaml'), 'kind: [DataContract\n');
      writeFileSync(join(folder, 'ignored.yaml'), 'not: a contract\n');

      const first = io();
      expect(await runCli(['import', folder], async () => keepOpen, first.io)).toBe(1);
      expect(first.out[0]).toBe(`imported from ${folder}: 2 created, 0 updated, 0 unchanged, 1 failed`);
      expect(first.out[1]).toMatch(/^ {2}failed broken\.odcs\.yaml: text: is not valid YAML \(line \d+/);
      expect(first.err).toContain('[##############################] 3/3');

      writeFileSync(join(folder, 'orders.odcs.yaml'), JSON.stringify({ ...orders, description: { purpose: 'Documented now' } }));
      const second = io();
      await runCli(['import', folder], async () => keepOpen, second.io);
      expect(second.out[0]).toBe(`imported from ${folder}: 0 created, 1 updated, 1 unchanged, 1 failed`);

      const out = mkdtempSync(join(tmpdir(), 'griot-export-'));
      const exported = io();
      expect(await runCli(['export', out], async () => keepOpen, exported.io)).toBe(0);
      expect(exported.out).toEqual([`exported 2 contracts to ${out}`]);
      expect(readdirSync(out).sort()).toEqual(['cli_customers.odcs.yaml', 'cli_orders.odcs.yaml']);
      // The export agrees with the registry: the update left `version` as it was, the registry chose 1.0.1.
      expect(parse(readFileSync(join(out, 'cli_orders.odcs.yaml'), 'utf8'))).toEqual({ ...orders, version: '1.0.1', description: { purpose: 'Documented now' } });

      const bad = io();
      expect(await runCli(['export'], async () => keepOpen, bad.io)).toBe(2);
      expect(bad.err).toContain('usage:');
    } finally {
      await dispose();
    }
  });
});

/**
 * Faithful text and exports that agree with the registry, through GraphQL on both backends:
 *  - every official example imported as its text exports byte for byte in YAML, and agrees with the registry
 *    (its `version` is the registry's, its `status` follows the README rule: a draft serves the author's status);
 *  - when the registry changes a value (the version it chose, the status it decided), only that value changes in
 *    the text: comments, quoting, flow style and CRLF line endings stay; re-importing the export is unchanged;
 *  - JSON text comes back byte for byte as JSON.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivateContractDocument, OdcsDeleteDocument, OdcsImportVersionDocument, OdcsServedDocument, SetContractApprovalPolicyDocument } from '../gql/graphql.js';
import { backends } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { odcsDir, officialExamples } from '../support/fixtures.js';

const COMMENTED = [
  '# Orders, as the sales team writes them',
  'apiVersion: v3.1.0',
  'kind: DataContract',
  "id: 'urn:text:orders'   # the identity",
  'name: text_orders',
  'version: "1.0.0"',
  'status: proposed',
  '',
  'tags: [sales, "2022-10-03"]',
  'schema:',
  '  - name: orders',
  '    physicalType: table',
  '    properties:',
  '      - name: order_id',
  '        logicalType: string',
  '        primaryKey: true   # never null',
  '',
].join('\r\n');

function changedLines(before: string, after: string): [string, string][] {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b).toHaveLength(a.length);
  return a.flatMap((line, i): [string, string][] => (line === b[i] ? [] : [[line, b[i]!]]));
}

describe.each(backends)('faithful text on the $name backend', (backend) => {
  let client: TestClient;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    const created = await backend.create();
    dispose = created.dispose;
    client = createTestClient(created.storage);
  });
  afterAll(() => dispose());

  async function importText(text: string) {
    const result = await client.run(OdcsImportVersionDocument, { input: { text } });
    if (result.importContract.__typename !== 'ImportContractSuccess') throw new Error(JSON.stringify(result.importContract));
    return result.importContract.result;
  }

  it('gives back every official example byte for byte, agreeing with the registry', async () => {
    let byteEqual = 0;
    for (const { file } of officialExamples()) {
      const text = readFileSync(join(odcsDir, 'examples', file), 'utf8');
      const { outcome, contract, versionSetByRegistry } = await importText(text);
      expect(outcome).toBe('CREATED');
      expect(versionSetByRegistry).toBe(false);
      if (contract.yaml === text) byteEqual++;
      else expect.soft(contract.yaml, file).toBe(text);
      const exported = parse(contract.yaml) as { version: string; status: string };
      expect(exported.version).toBe(contract.currentVersion);
      expect(contract.status).toBe('DRAFT');
      expect(exported.status).toBe((parse(text) as { status: string }).status); // a draft serves the author's status
      expect(JSON.parse(contract.json)).toEqual(contract.document);
      await client.run(OdcsDeleteDocument, { input: { id: contract.id } });
    }
    expect(byteEqual).toBe(15);
  });

  it('changes only the values the registry changed, keeping comments, quoting, flow style and CRLF', async () => {
    const first = await importText(COMMENTED);
    expect(first.contract.yaml).toBe(COMMENTED);

    // A new property and no new version: the registry chooses 1.1.0 and writes it into the document.
    const added = COMMENTED.replace('        primaryKey: true   # never null\r\n', '        primaryKey: true   # never null\r\n      - name: amount\r\n        logicalType: number\r\n');
    const second = await importText(added);
    expect(second).toMatchObject({ outcome: 'UPDATED', versionSetByRegistry: true, version: { version: '1.1.0', statedVersion: '1.0.0', versionSetByRegistry: true } });
    expect(second.contract.currentVersion).toBe('1.1.0');
    expect((second.contract.document as { version: string }).version).toBe('1.1.0');
    expect(changedLines(added, second.contract.yaml)).toEqual([['version: "1.0.0"\r', 'version: "1.1.0"\r']]);
    // The same file again is unchanged (its 1.0.0 stands for the version the registry chose).
    expect((await importText(added)).outcome).toBe('UNCHANGED');

    // Activated: the served document says `active`, and only that value changes.
    const id = second.contract.id;
    await client.run(SetContractApprovalPolicyDocument, { input: { id, expectedRevision: second.contract.revision, approvalRequired: false } });
    const revision = (await client.run(OdcsServedDocument, { id })).contract!.revision;
    const activated = await client.run(ActivateContractDocument, { input: { id, expectedRevision: revision } });
    expect(activated.activateContract.__typename).toBe('ActivateContractSuccess');
    const served = (await client.run(OdcsServedDocument, { id })).contract!;
    expect(served.status).toBe('ACTIVE');
    expect((served.document as { status: string }).status).toBe('active');
    expect(changedLines(added, served.yaml)).toEqual([
      ['version: "1.0.0"\r', 'version: "1.1.0"\r'],
      ['status: proposed\r', 'status: active\r'],
    ]);
    expect(JSON.parse(served.json)).toEqual(served.document);
    // Re-importing the export changes nothing.
    expect((await importText(served.yaml)).outcome).toBe('UNCHANGED');
  });

  it('gives back JSON text byte for byte as JSON', async () => {
    const json = '{\n    "apiVersion": "v3.1.0", "kind": "DataContract",\n    "id": "urn:text:json", "name": "text_json", "version": "2.0.0", "status": "draft",\n    "schema": [ { "name": "t", "properties": [ { "name": "c", "logicalType": "string" } ] } ]\n}\n';
    const { contract } = await importText(json);
    expect(contract.json).toBe(json);
    expect(parse(contract.yaml)).toEqual(JSON.parse(json));
  });
});

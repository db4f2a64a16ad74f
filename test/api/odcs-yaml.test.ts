/**
 * Exported YAML reads the same for every reader: each export is parsed with the `yaml` package's YAML 1.1 schema
 * (what PyYAML and most data tools implement) and its YAML 1.2 core schema, and both must equal the JSON export.
 * Read under YAML 1.1, the exports of the official examples are valid against the official JSON Schema (Ajv,
 * draft 2019-09) at least as often as the original files are.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/domain/odcs.js';
import { OdcsCreateDocument, OdcsDeleteDocument, OdcsExportDocument } from '../gql/graphql.js';
import { backends } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument, odcsDir, officialExamples, officialJsonSchema } from '../support/fixtures.js';

const validate = new Ajv2019({ strict: false, allErrors: false, validateFormats: false }).compile(officialJsonSchema());
const readers = { 'YAML 1.1': { version: '1.1' }, 'YAML 1.2 core': { version: '1.2', schema: 'core' } } as const;

/** Strings that YAML 1.1 or 1.2 readers take for something else when written plainly. */
const TRICKY = [
  '2022-10-03', '2001-12-14t21:59:43.10-05:00', '23:59:59', '190:20:30', '1:30', 'yes', 'no', 'on', 'off', 'Yes', 'OFF', 'y', 'n',
  '0777', '012', '0o17', '0x1F', '0b101', '1_000', '1_000.5', '1e3', '.inf', '-.Inf', '.nan', '~', 'null', 'Null', 'true', 'False',
  '3.1', '-7', '+12', '',
];

describe.each(backends)('YAML exports on the $name backend', (backend) => {
  let client: TestClient;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    const created = await backend.create();
    dispose = created.dispose;
    client = createTestClient(created.storage);
  });
  afterAll(() => dispose());

  async function exportOf(document: JsonObject, name: string): Promise<{ yaml: string; json: JsonObject; id: string }> {
    const created = await client.run(OdcsCreateDocument, { input: { document, name } });
    if (created.createContract.__typename !== 'CreateContractSuccess') throw new Error(`${name} refused: ${JSON.stringify(created.createContract)}`);
    const id = created.createContract.contract.id;
    const exported = await client.run(OdcsExportDocument, { id });
    return { yaml: exported.contract!.yaml, json: JSON.parse(exported.contract!.json) as JsonObject, id };
  }

  it('quotes every string a YAML 1.1 or 1.2 reader would read as something else, values and keys', async () => {
    const tricky = Object.fromEntries(TRICKY.map((s, i) => [`k${i}`, s]));
    const keys = Object.fromEntries(TRICKY.filter((s) => s !== '').map((s) => [s, s]));
    const document = contractDocument({ id: 'urn:yaml:tricky', name: 'yaml_tricky', extra: { customProperties: [{ property: 'values', value: tricky }, { property: 'keys', value: keys }], tags: TRICKY } });
    const { yaml, json, id } = await exportOf(document, 'yaml_tricky');
    expect(json).toEqual(document);
    for (const [reader, options] of Object.entries(readers)) expect(parse(yaml, options), reader).toEqual(json);
    expect(yaml).toContain('- "2022-10-03"');
    expect(yaml).toContain('"on": "on"');
    expect(yaml).toContain('name: yaml_tricky'); // ordinary strings stay plain
    await client.run(OdcsDeleteDocument, { input: { id } });
  });

  it('official examples: every export reads as its JSON under YAML 1.1 and 1.2, and is valid at least as often as the original', async () => {
    const examples = officialExamples();
    let originalsValid = 0;
    let exportsValid = 0;
    for (const { file, document } of examples) {
      const name = file.replace('.odcs.yaml', '');
      const { yaml, json, id } = await exportOf(document, name);
      for (const [reader, options] of Object.entries(readers)) expect(parse(yaml, options), `${file} under ${reader}`).toEqual(json);
      const original = readFileSync(join(odcsDir, 'examples', file), 'utf8');
      if (validate(parse(original, readers['YAML 1.1']))) originalsValid++;
      if (validate(parse(yaml, readers['YAML 1.1']))) exportsValid++;
      await client.run(OdcsDeleteDocument, { input: { id } });
    }
    expect(examples).toHaveLength(15);
    expect(exportsValid).toBe(examples.length);
    expect(exportsValid).toBeGreaterThanOrEqual(originalsValid);
  });
});

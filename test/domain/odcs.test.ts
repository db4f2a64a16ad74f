import Ajv2019 from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { validateContractDocument } from '../../src/domain/odcs.js';
import { contractDocument, officialExamples, officialJsonSchema } from '../support/fixtures.js';

const ajv = new Ajv2019.default({ strict: false, allErrors: true, validateFormats: false });
const officialValidate = ajv.compile(officialJsonSchema());

describe('the ODCS model', () => {
  it.each(officialExamples())('accepts the official example $file, as the official JSON Schema does', ({ document }) => {
    expect(officialValidate(document), JSON.stringify(officialValidate.errors)).toBe(true);
    expect(validateContractDocument(document)).toEqual([]);
  });

  it('accepts the documents the tests build, as the official JSON Schema does', () => {
    const doc = contractDocument({ name: 'orders', team: 'sales', purpose: 'x', schemas: { orders: [{ name: 'id', primaryKey: true }, { name: 'email', classification: 'restricted' }] } });
    expect(officialValidate(doc), JSON.stringify(officialValidate.errors)).toBe(true);
    expect(validateContractDocument(doc)).toEqual([]);
  });

  it('names the path of every problem, where the official schema also refuses the document', () => {
    const doc = contractDocument({ name: 'orders', schemas: { orders: [{ name: 'id' }, { name: 'a' }, { name: 'b' }, { name: 'c', logicalType: 'strnig' }] } });
    (doc as { kind: string }).kind = 'Contract';
    expect(officialValidate(doc)).toBe(false);
    const issues = validateContractDocument(doc, 'document');
    expect(issues.map((i) => i.path).sort()).toEqual(['document.kind', 'document.schema[0].properties[3].logicalType']);
    expect(issues.find((i) => i.path.endsWith('logicalType'))?.message).toMatch(/must be one of "string"/);
  });

  it('reports missing required keys as required', () => {
    const { id: _id, ...doc } = contractDocument({ name: 'x' });
    expect(validateContractDocument(doc)).toEqual([{ path: 'id', message: 'is required', code: 'required' }]);
  });

  it('refuses duplicate schema names (the catalog is keyed by them), ignoring case', () => {
    const doc = contractDocument({ name: 'x', schemas: { orders: [{ name: 'id' }], Orders: [{ name: 'id' }] } });
    expect(validateContractDocument(doc)).toEqual([expect.objectContaining({ path: 'schema[1].name', code: 'duplicate' })]);
  });

  it('refuses non-objects', () => {
    expect(validateContractDocument('text', 'document')).toEqual([expect.objectContaining({ path: 'document', code: 'invalid_type' })]);
    expect(validateContractDocument(null)[0]?.path).toBe('document');
  });

  // Each edit breaks one rule of the standard: the official JSON Schema and the project's model must both refuse it,
  // and the model must name the path of the problem.
  const base = () => contractDocument({ name: 'orders', team: 'sales', schemas: { orders: [{ name: 'id', primaryKey: true }, { name: 'email' }] } });
  const edits: [string, (d: Record<string, any>) => void, string][] = [
    ['an unknown apiVersion', (d) => (d.apiVersion = 'v9'), 'apiVersion'],
    ['a wrong kind', (d) => (d.kind = 'Contract'), 'kind'],
    ['a missing status', (d) => delete d.status, 'status'],
    ['a non-string version', (d) => (d.version = 1), 'version'],
    ['schema that is not a list', (d) => (d.schema = { name: 'orders' }), 'schema'],
    ['a schema object without a name', (d) => delete d.schema[0].name, 'schema[0].name'],
    ['a property without a name', (d) => delete d.schema[0].properties[1].name, 'schema[0].properties[1].name'],
    ['an unknown logicalType', (d) => (d.schema[0].properties[1].logicalType = 'strnig'), 'schema[0].properties[1].logicalType'],
    ['a non-boolean required', (d) => (d.schema[0].properties[1].required = 'yes'), 'schema[0].properties[1].required'],
    ['a non-integer primaryKeyPosition', (d) => (d.schema[0].properties[0].primaryKeyPosition = 1.5), 'schema[0].properties[0].primaryKeyPosition'],
    ['tags that are not strings', (d) => (d.tags = [1]), 'tags[0]'],
    ['a custom property without a value', (d) => (d.customProperties = [{ property: 'x' }]), 'customProperties[0].value'],
    ['an SLA property without a value', (d) => (d.slaProperties = [{ property: 'latency' }]), 'slaProperties[0].value'],
    ['a server without a type', (d) => (d.servers = [{ server: 'prod' }]), 'servers[0].type'],
    ['a team member without a username', (d) => (d.team = { name: 'sales', members: [{ name: 'Ana' }] }), 'team.members[0].username'],
    ['an unknown quality dimension', (d) => (d.schema[0].quality = [{ dimension: 'vibes' }]), 'schema[0].quality[0].dimension'],
  ];

  it.each(edits)('refuses %s, as the official JSON Schema does, at its path', (_label, edit, path) => {
    const doc = base() as Record<string, any>;
    edit(doc);
    expect(officialValidate(doc)).toBe(false);
    expect(validateContractDocument(doc).map((i) => i.path)).toContain(path);
  });
});


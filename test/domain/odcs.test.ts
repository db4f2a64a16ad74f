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
});

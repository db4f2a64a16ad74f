import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { detectFormat, formatContract, parseContractText } from '../../src/domain/odcs-format.js';
import { odcsDir, officialExamples } from '../support/fixtures.js';

describe('ODCS text in and out', () => {
  it.each(officialExamples())('round-trips $file through YAML and JSON without losing anything', ({ file, document }) => {
    const text = readFileSync(join(odcsDir, 'examples', file), 'utf8');
    const parsed = parseContractText(text);
    expect(JSON.stringify(parsed)).toBe(JSON.stringify(document));
    for (const format of ['yaml', 'json'] as const) {
      const exported = formatContract(parsed, format);
      expect(detectFormat(exported)).toBe(format);
      expect(JSON.stringify(parseContractText(exported, format))).toBe(JSON.stringify(parsed));
    }
  });

  it('keeps key order, odd keys and nested arrays', () => {
    const doc = { z: 1, a: { 'dotted.key': [[1, 2], []], $dollar: 'x' }, m: '2024-01-01', n: '012', o: 'yes' };
    const yaml = formatContract(doc, 'yaml');
    expect(JSON.stringify(parseContractText(yaml, 'yaml'))).toBe(JSON.stringify(doc));
  });

  it('reports syntax errors with their line, at the given path', () => {
    const broken = 'apiVersion: v3.1.0\nkind: DataContract\nschema:\n  - name: a\n   bad: indent\n';
    let error: unknown;
    try {
      parseContractText(broken, 'yaml', 'input.text');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]).toMatchObject({ path: 'input.text', code: 'invalid_syntax' });
    expect((error as ValidationError).issues[0]!.message).toMatch(/line 5/);
    expect(() => parseContractText('{"a":', 'json')).toThrow(/not valid JSON/);
    expect(() => parseContractText('- a\n- b\n')).toThrow(/must hold an object/);
    expect(() => parseContractText('a: 1\na: 2\n')).toThrow(/not valid YAML/);
  });
});

/** Faithful export of source text (domain/odcs-text): byte for byte when unchanged, minimal edits otherwise. */
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/domain/odcs.js';
import { exportText } from '../../src/domain/odcs-text.js';

const TEXT = "# top\napiVersion: v3.1.0\nid: 'x'  # id\nversion: 1.0.0\ntags: [a, b]   # flow\nschema:\n  - name: t # table\n    properties: []\n";

describe('exportText', () => {
  const original = parse(TEXT) as JsonObject;

  it('returns the source unchanged when the document is the source', () => {
    expect(exportText(original, 'yaml', { text: TEXT, format: 'yaml' })).toBe(TEXT);
  });

  it('replaces a changed top-level scalar where it stands, in its quoting style', () => {
    expect(exportText({ ...original, version: '2.0.0', id: "y'z" }, 'yaml', { text: TEXT, format: 'yaml' })).toBe(
      TEXT.replace('version: 1.0.0', 'version: 2.0.0').replace("id: 'x'", "id: 'y''z'"),
    );
  });

  it('quotes a replacement a YAML 1.1 reader would misread, even where the original was plain', () => {
    const text = exportText({ ...original, version: '2022-10-03' }, 'yaml', { text: TEXT, format: 'yaml' });
    expect(text).toContain('version: "2022-10-03"\n');
    expect(parse(text, { version: '1.1' })).toEqual({ ...original, version: '2022-10-03' });
  });

  it('edits nested or added values through the Document API, keeping comments, and always reads back as the document', () => {
    const changed = { ...original, tags: ['a', 'c'], status: 'active' } as JsonObject;
    const text = exportText(changed, 'yaml', { text: TEXT, format: 'yaml' });
    expect(parse(text)).toEqual(changed);
    expect(text).toContain('# top');
    expect(text).toContain('# table');
  });

  it('renders afresh in another format, or without a source', () => {
    expect(JSON.parse(exportText(original, 'json', { text: TEXT, format: 'yaml' }))).toEqual(original);
    expect(parse(exportText(original, 'yaml', null))).toEqual(original);
  });
});

/**
 * Faithful text: a version that came in as YAML or JSON text keeps that text, and exporting it in the same format
 * gives it back byte for byte (comments, quoting, flow style, indentation, line endings) while the registry did not
 * change the document. When it did (the `version` it chose, the `status` it decided), only those values change in
 * the text: each changed top-level scalar is replaced where it stands; anything else falls back to the yaml
 * Document API (comments and most layout kept), and if even that does not read back as the document, the document
 * is rendered afresh. The result always parses to exactly the document. Pure.
 */
import { Document, isMap, isScalar, parseDocument, type Scalar } from 'yaml';
import type { JsonObject } from './odcs.js';
import { type ContractFormat, formatContract, parseContractText, readsBackAsString } from './odcs-format.js';

/** The text a version came in as. */
export interface SourceText {
  text: string;
  format: ContractFormat;
}

/** `document` as text in `format`: the source text where it can be (see above), else rendered. */
export function exportText(document: JsonObject, format: ContractFormat, source: SourceText | null): string {
  if (source && source.format === format) {
    const faithful = editedSource(document, source);
    if (faithful !== null) return faithful;
  }
  return formatContract(document, format);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function readsAs(text: string, format: ContractFormat, document: JsonObject): boolean {
  try {
    return same(parseContractText(text, format), document);
  } catch {
    return false;
  }
}

/** The source text with the document's changes applied, or null when they cannot be applied faithfully. */
function editedSource(document: JsonObject, source: SourceText): string | null {
  let original: JsonObject;
  try {
    original = parseContractText(source.text, source.format);
  } catch {
    return null;
  }
  if (same(original, document)) return source.text;
  const keys = new Set([...Object.keys(original), ...Object.keys(document)]);
  const changed = [...keys].filter((k) => !same(original[k], document[k]));
  // Same keys in the same order, only scalar values changed: replace each value's text where it stands.
  if (same(Object.keys(original), Object.keys(document)) && changed.every((k) => isPlainValue(original[k]) && isPlainValue(document[k]))) {
    const replaced = replaceScalars(source, document, changed);
    if (replaced !== null && readsAs(replaced, source.format, document)) return replaced;
  }
  if (source.format === 'yaml') {
    const doc = parseDocument(source.text, { keepSourceTokens: false });
    if (!isMap(doc.contents)) return null;
    for (const k of changed) {
      if (!(k in document)) doc.delete(k);
      else doc.set(k, doc.createNode(document[k]));
    }
    const text = doc.toString({ lineWidth: 0 });
    if (readsAs(text, 'yaml', document)) return text;
  }
  return null;
}

function isPlainValue(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** Replaces the text of the top-level scalar values `keys` with the document's values (end to start). */
function replaceScalars(source: SourceText, document: JsonObject, keys: string[]): string | null {
  const doc = parseDocument(source.text);
  if (!isMap(doc.contents)) return null;
  const edits: { start: number; end: number; text: string }[] = [];
  for (const key of keys) {
    const pair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (!pair || !isScalar(pair.value) || !pair.value.range) return null;
    const node = pair.value as Scalar;
    const [start, end] = node.range!;
    edits.push({ start, end, text: renderScalar(document[key] as string | number | boolean | null, node, source.format) });
  }
  let text = source.text;
  for (const e of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  return text;
}

/** A new value in the style of the node it replaces: its quotes when it had some, plain when that reads back. */
function renderScalar(value: string | number | boolean | null, node: Scalar, format: ContractFormat): string {
  if (format === 'json' || typeof value !== 'string') return JSON.stringify(value);
  if (node.type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  if (node.type === 'PLAIN' && readsBackAsString(value) && new Document(value).toString().trimEnd() === value) return value;
  return JSON.stringify(value);
}

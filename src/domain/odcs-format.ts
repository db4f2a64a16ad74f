/**
 * ODCS documents as text: YAML (the standard's usual form) or JSON, in and out. Parsing keeps key order and every
 * value, so export(import(text)) gives back the same document. Pure.
 */
import { DEFAULT_DOCUMENT_DEPTH, type DocumentLimits, documentLimitProblem } from './document-limits.js';
import { Composer, type CST, Document, isMap, isSeq, LineCounter, Parser, parse, Scalar, visit, YAMLParseError } from 'yaml';
import { expandedDepthWithin, tokensNestDeeperThan } from './yaml-nesting.js';
import { ValidationError } from './errors.js';
import type { JsonObject } from './odcs.js';

export type ContractFormat = 'yaml' | 'json';

/** The limits of an imported text when the caller gives none (the defaults of GRIOT_MAX_DOCUMENT_BYTES/_DEPTH). */
export const DEFAULT_TEXT_LIMITS: Readonly<DocumentLimits> = Object.freeze({ maxBytes: 4 * 1024 * 1024, maxDepth: DEFAULT_DOCUMENT_DEPTH });

/** Guesses the format of a text: JSON when it starts with `{`, else YAML. */
export function detectFormat(text: string): ContractFormat {
  return text.trimStart().startsWith('{') ? 'json' : 'yaml';
}

/**
 * Parses a contract text into a JSON object. Syntax errors are a ValidationError at `path` whose message gives the
 * line and column; YAML features JSON cannot hold (anchors are resolved; non-string keys, tags other than the
 * core ones) are refused.
 */
export function parseContractText(
  text: string,
  format: ContractFormat = detectFormat(text),
  path = 'text',
  limits: Readonly<DocumentLimits> = DEFAULT_TEXT_LIMITS,
): JsonObject {
  const { maxBytes, maxDepth } = limits;
  if (Buffer.byteLength(text) > maxBytes) {
    throw ValidationError.single(path, `must be at most ${maxBytes} bytes`, 'too_big');
  }
  let value: unknown;
  if (format === 'json') {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw ValidationError.single(path, `is not valid JSON: ${(error as Error).message}`, 'invalid_syntax');
    }
    const nesting = documentLimitProblem(value, { maxBytes: Number.POSITIVE_INFINITY, maxDepth });
    if (nesting) throw ValidationError.single(path, `must not nest objects and arrays more than ${nesting.max} deep`, 'too_big');
  } else {
    const lineCounter = new LineCounter();
    const tooDeep = () => ValidationError.single(path, `must not nest mappings and sequences more than ${maxDepth} deep`, 'too_big');
    // Tokens without recursion first; the composer and toJS recurse per nesting level, so they only ever see a
    // text (and, aliases followed, a value) within the limit (yaml-nesting.ts says why a stack overflow is no guard).
    const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
    if (tokensNestDeeperThan(tokens, maxDepth)) throw tooDeep();
    const doc = composeFirstDocument(tokens, text.length);
    const problem = doc.errors[0];
    if (problem) {
      const at = lineCounter.linePos(problem.pos[0]);
      throw ValidationError.single(path, `is not valid YAML (line ${at.line}, column ${at.col}): ${problem.message.split('\n')[0]}`, 'invalid_syntax');
    }
    if (!isMap(doc.contents) && !isSeq(doc.contents) && doc.contents !== null) {
      throw ValidationError.single(path, 'must hold a YAML mapping (an ODCS data contract)', 'invalid_type');
    }
    if (expandedDepthWithin(doc, maxDepth) === null) throw tooDeep();
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      // The yaml library refuses alias expansion past maxAliasCount ("billion laughs").
      if (error instanceof ReferenceError) throw ValidationError.single(path, 'uses YAML aliases that expand too far (at most 100 alias uses)', 'too_big');
      throw error;
    }
    const nesting = documentLimitProblem(value, { maxBytes: Number.POSITIVE_INFINITY, maxDepth });
    if (nesting) throw ValidationError.single(path, `must not nest mappings and sequences more than ${nesting.max} deep`, 'too_big');
    assertJson(value, path);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw ValidationError.single(path, 'must hold an object (an ODCS data contract)', 'invalid_type');
  }
  return value as JsonObject;
}

/** The first YAML document of the tokens, as `parseDocument` composes it (a second document is an error on the first). */
function composeFirstDocument(tokens: CST.Token[], length: number): Document.Parsed {
  const composer = new Composer({ uniqueKeys: true, prettyErrors: false, schema: 'core' });
  let doc: Document.Parsed | null = null;
  for (const next of composer.compose(tokens, true, length)) {
    if (!doc) doc = next;
    else {
      doc.errors.push(new YAMLParseError(next.range.slice(0, 2) as [number, number], 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'));
      break;
    }
  }
  return doc!;
}

/**
 * Renders a document as YAML or JSON, keys in the order they are stored. YAML quotes every string (value or key)
 * that a YAML 1.1 reader (PyYAML, most data tools) or a YAML 1.2 reader would take for something else: dates,
 * times, booleans such as yes/no/on/off, octal, sexagesimal numbers, `1_000`, null-likes.
 */
export function formatContract(document: JsonObject, format: ContractFormat): string {
  if (format === 'json') return `${JSON.stringify(document, null, 2)}\n`;
  const doc = new Document(document, { aliasDuplicateObjects: false });
  quoteAmbiguousStrings(doc);
  return doc.toString({ lineWidth: 0 });
}

/** Marks every plain-looking string scalar that some YAML reader would not read back as that string for double quotes. */
export function quoteAmbiguousStrings(doc: Document): void {
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && (node.type === undefined || node.type === Scalar.PLAIN) && !readsBackAsString(node.value)) {
        node.type = Scalar.QUOTE_DOUBLE;
      }
    },
  });
}

/** Longer or multi-line strings are never dates, numbers or booleans (they keep the stringifier's own choice). */
const MAX_AMBIGUOUS_LENGTH = 64;

/** True when `text`, written plainly (unquoted), reads back as the same string under YAML 1.1 and YAML 1.2 (core). */
export function readsBackAsString(text: string): boolean {
  if (text.length > MAX_AMBIGUOUS_LENGTH || /[\n\r]/.test(text)) return true;
  for (const options of [{ version: '1.1' as const }, { version: '1.2' as const, schema: 'core' as const }]) {
    try {
      if (parse(text, options) !== text) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function assertJson(value: unknown, path: string): void {
  const walk = (v: unknown, at: string): void => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw ValidationError.single(at, 'is not a finite number (JSON cannot hold it)', 'invalid_value');
      return;
    }
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${at}[${i}]`));
    if (v instanceof Map || v instanceof Set || v instanceof Date || typeof v !== 'object') {
      throw ValidationError.single(at, 'holds a YAML value JSON cannot represent', 'invalid_value');
    }
    for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
  };
  walk(value, path);
}

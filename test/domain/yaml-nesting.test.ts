/**
 * YAML nesting is measured before the yaml library composes a text or turns it into a value (both recursive), so a
 * deep text is refused at its limit instead of running the composer into a stack overflow: that overflow, when it
 * strikes inside V8's regular-expression compiler, aborts the process (seen in CI as "RegExpCompiler Allocation
 * failed - process out of memory" under the fuzz test's deep imports).
 */
import { describe, expect, it } from 'vitest';
import { Parser, parseDocument } from 'yaml';
import { documentLimitProblem } from '../../src/domain/document-limits.js';
import { ValidationError } from '../../src/domain/errors.js';
import { parseContractText } from '../../src/domain/odcs-format.js';
import { expandedDepthWithin, tokensNestDeeperThan } from '../../src/domain/yaml-nesting.js';

const limits = (maxDepth: number) => ({ maxBytes: 8 * 1024 * 1024, maxDepth });

function refusal(text: string, maxDepth = 64): string {
  try {
    parseContractText(text, 'yaml', 'text', limits(maxDepth));
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  }
  throw new Error('accepted');
}

/** A mapping whose key `x` holds `levels` nested collections, written in the style asked for. */
function nestedYaml(levels: number, style: 'flow' | 'block'): string {
  if (style === 'flow') return `name: n\nx: ${'['.repeat(levels)}1${']'.repeat(levels)}\n`;
  const lines = ['name: n', 'x:'];
  for (let i = 1; i < levels; i++) lines.push(`${' '.repeat(i)}k${i}:`);
  lines.push(`${' '.repeat(levels)}leaf: 1`);
  return `${lines.join('\n')}\n`;
}

describe('YAML nesting limits', () => {
  it('refuses text nested far deeper than the stack allows with the depth limit, never the engine’s stack message', () => {
    for (const text of [`${'['.repeat(200_000)}`, `${'{a: '.repeat(50_000)}1${'}'.repeat(50_000)}`, nestedYaml(3_000, 'block'), nestedYaml(100_000, 'flow')]) {
      const message = refusal(text);
      expect(message).toBe('text: must not nest mappings and sequences more than 64 deep');
    }
  });

  it('takes a text exactly at the limit and refuses one level more, in flow and block style, as the value’s own depth', () => {
    for (const style of ['flow', 'block'] as const) {
      // The document itself is one level, so its key x may hold limit − 1 levels.
      expect(parseContractText(nestedYaml(15, style), 'yaml', 'text', limits(16))).toHaveProperty('name', 'n');
      expect(refusal(nestedYaml(16, style), 16)).toContain('more than 16 deep');
      for (const levels of [3, 15, 16, 17]) {
        const tokens = [...new Parser().parse(nestedYaml(levels, style))];
        const value = parseDocument(nestedYaml(levels, style)).toJS();
        expect(tokensNestDeeperThan(tokens, 16)).toBe(documentLimitProblem(value, limits(16)) !== null);
      }
    }
  });

  it('follows aliases: anchors that nest each other add up, and are measured once each', () => {
    // a0 nests 10 levels; every a(i) wraps a(i−1) in 10 more, so a5 is 60 levels deep although no line nests past 11.
    const lines = [`a0: &a0 ${'['.repeat(10)}1${']'.repeat(10)}`];
    for (let i = 1; i <= 5; i++) lines.push(`a${i}: &a${i} ${'['.repeat(10)}*a${i - 1}${']'.repeat(10)}`);
    const text = `name: n\n${lines.join('\n')}\n`;
    expect(tokensNestDeeperThan([...new Parser().parse(text)], 16)).toBe(false);
    const doc = parseDocument(text);
    expect(expandedDepthWithin(doc, 100)).toBe(61); // the document, then a5's 60
    expect(expandedDepthWithin(doc, 60)).toBeNull();
    expect(refusal(text, 32)).toBe('text: must not nest mappings and sequences more than 32 deep');
    expect(parseContractText(text, 'yaml', 'text', limits(64))).toHaveProperty('a5');
  });

  it('measures a wide alias fan-out in one pass and still leaves the alias count to its own limit', () => {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const doc = parseDocument(laughs.join('\n'));
    expect(expandedDepthWithin(doc, 64)).toBe(10);
    expect(refusal(laughs.join('\n'))).toContain('aliases that expand too far');
  });

  it('refuses an alias inside its own anchor as endlessly deep', () => {
    expect(refusal('name: n\nx: &x [1, *x]\n')).toBe('text: must not nest mappings and sequences more than 64 deep');
  });
});

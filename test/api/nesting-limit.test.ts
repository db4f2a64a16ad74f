/**
 * The nesting limit (GRIOT_MAX_NESTING): a document's `{`, `[` and `(` are measured on the lexer's tokens before
 * the recursive parser runs, so a document nesting 10,000 deep within the token limit is refused as a typed limit
 * error by the scan, not by a stack overflow.
 */
import { GraphQLError, isInputObjectType, isListType, isNonNullType, parse, type GraphQLInputType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ARGUMENT_NESTING, DEFAULT_LIMITS, type LimitsOptions, nestingNeeded } from '../../src/http/limits-options.js';
import { nestsDeeperThan } from '../../src/http/operation-nesting.js';
import { schema } from '../../src/schema/index.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { ContractsDocument } from '../gql/graphql.js';
import { createTestClient, type TestClient } from '../support/client.js';

interface Body {
  data?: unknown;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

function client(limits: Partial<LimitsOptions> = {}): TestClient & { unexpected: unknown[] } {
  const unexpected: unknown[] = [];
  const c = createTestClient(createMemoryStorage(), (e) => unexpected.push(e), { server: { limits: { ...DEFAULT_LIMITS, ...limits } } });
  return Object.assign(c, { unexpected });
}

async function post(c: TestClient, query: string): Promise<{ status: number; body: Body; text: string }> {
  const response = await c.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Body, text };
}

function expectNestingRefused(result: { status: number; body: Body; text: string }, max: number) {
  expect(result.status).toBe(400);
  expect(result.body.data).toBeUndefined();
  expect(result.body.errors).toHaveLength(1);
  expect(result.body.errors![0]!.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'nesting', max });
  expect(result.body.errors![0]!.message).toBe(`The operation exceeds the nesting limit of ${max}`);
  expect(result.text).not.toMatch(/RangeError|call stack|INTERNAL_SERVER_ERROR|at .*\.js/);
}

/** Refused by something after the scan (or not at all), never by the nesting limit nor as an internal error. */
function expectPastTheScan(result: { status: number; body: Body }) {
  for (const error of result.body.errors ?? []) {
    expect(error.extensions?.limit).not.toBe('nesting');
    expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
  }
}

/** Documents whose `{`/`[`/`(` nest exactly `n` deep, one per kind of nesting. */
const nestedTo: Record<string, (n: number) => string> = {
  selections: (n) => `{ ${'viewer { '.repeat(n - 1)}name${' }'.repeat(n - 1)} }`,
  'inline fragments': (n) => `{ ${'... on Query { '.repeat(n - 1)}__typename${' }'.repeat(n - 1)} }`,
  'list literals': (n) => `{ contracts(first: ${'['.repeat(n - 2)}1${']'.repeat(n - 2)}) { totalCount } }`,
  'object literals': (n) => `{ contracts(filter: ${'{ a: '.repeat(n - 2)}1${' }'.repeat(n - 2)}) { totalCount } }`,
};

describe('nesting limit', () => {
  it.each(Object.keys(nestedTo))('measures %s: exactly at the limit passes the scan, one more is refused', async (kind) => {
    const c = client();
    const max = DEFAULT_LIMITS.maxNesting;
    expect(nestsDeeperThan(nestedTo[kind]!(max), max, DEFAULT_LIMITS.maxTokens)).toBe(false);
    expect(nestsDeeperThan(nestedTo[kind]!(max + 1), max, DEFAULT_LIMITS.maxTokens)).toBe(true);
    const at = await post(c, nestedTo[kind]!(max));
    expectPastTheScan(at);
    if (kind === 'selections') expect(at.body.errors![0]!.extensions).toMatchObject({ limit: 'depth' });
    expectNestingRefused(await post(c, nestedTo[kind]!(max + 1)), max);
    expect(c.unexpected).toEqual([]);
  });

  it('refuses 10,000 nested selections and 10,000 nested list and object literals within the token limit', async () => {
    const c = client({ maxTokens: 1_000_000 });
    for (const kind of ['selections', 'list literals', 'object literals']) {
      expectNestingRefused(await post(c, nestedTo[kind]!(10_000)), DEFAULT_LIMITS.maxNesting);
    }
    expect(c.unexpected).toEqual([]);
  });

  it('parses documents at the highest limit allowed (1,024) of every kind: the parser has the stack for them', async () => {
    const c = client({ maxTokens: 1_000_000, maxNesting: 1024, maxDepth: 1000 });
    for (const kind of Object.keys(nestedTo)) {
      const at = await post(c, nestedTo[kind]!(1024));
      expectPastTheScan(at);
      // Refused by validation (depth, argument types), or run: 1,023 inline fragments are a valid query.
      if (kind === 'inline fragments') expect(at.body).toEqual({ data: { __typename: 'Query' } });
      else expect(at.body.errors?.length).toBeGreaterThan(0);
    }
    expectNestingRefused(await post(c, nestedTo['object literals']!(1025)), 1024);
    expect(c.unexpected).toEqual([]);
  });

  it('counts a JSON argument written inline: at the document depth limit it fits the least nesting limit allowed', async () => {
    const max = nestingNeeded(DEFAULT_LIMITS.maxDepth, DEFAULT_LIMITS.maxDocumentDepth);
    expect(max).toBe(69);
    const c = client({ maxNesting: max });
    const json = (depth: number) => `${'{ a: '.repeat(depth)}1${' }'.repeat(depth)}`;
    const record = (depth: number) =>
      `mutation { recordValidation(input: { contractId: "x", checks: [{ checkId: "c", status: PASS, threshold: ${json(depth)} }] }) { __typename } }`;
    expectPastTheScan(await post(c, record(DEFAULT_LIMITS.maxDocumentDepth)));
    expectNestingRefused(await post(c, record(DEFAULT_LIMITS.maxDocumentDepth + 1)), max);
  });

  it('covers the deepest argument of the schema with ARGUMENT_NESTING', () => {
    // Brackets around an argument's value: its `(`, and each input object and list on the way to a leaf or JSON.
    const wrapping = (type: GraphQLInputType, seen: readonly string[]): number => {
      if (isNonNullType(type)) return wrapping(type.ofType, seen);
      if (isListType(type)) return 1 + wrapping(type.ofType, seen);
      if (isInputObjectType(type)) {
        expect(seen, `input ${type.name} contains itself`).not.toContain(type.name);
        return 1 + Math.max(0, ...Object.values(type.getFields()).map((f) => wrapping(f.type, [...seen, type.name])));
      }
      return 0; // a scalar (JSON's own nesting is the document depth limit's) or an enum
    };
    let deepest = 0;
    for (const type of Object.values(schema.getTypeMap())) {
      if (!('getFields' in type) || isInputObjectType(type)) continue;
      for (const field of Object.values(type.getFields()) as { args?: readonly { type: GraphQLInputType }[] }[]) {
        for (const arg of field.args ?? []) deepest = Math.max(deepest, 1 + wrapping(arg.type, []));
      }
    }
    expect(deepest).toBeGreaterThan(1);
    expect(deepest).toBeLessThanOrEqual(ARGUMENT_NESTING);
  });

  it('leaves characters the lexer refuses to the parser, which reports them as before', async () => {
    const c = client();
    for (const query of ['{ viewer { name $ } }', '{ viewer(x: "unterminated) { name } }', `{ ${'viewer { '.repeat(50)}\u0007`]) {
      expect(nestsDeeperThan(query, DEFAULT_LIMITS.maxNesting, DEFAULT_LIMITS.maxTokens)).toBe(false);
      let expected = '';
      try {
        parse(query);
      } catch (error) {
        expected = (error as GraphQLError).message;
      }
      expect(expected).toMatch(/^Syntax Error: /);
      const result = await post(c, query);
      expect(result.status).toBe(400);
      expect(result.body.errors![0]!.message).toBe(expected);
      expect(result.body.errors![0]!.extensions?.limit).toBeUndefined();
    }
  });

  it('stops at the token limit, and leaves that refusal to the parser', async () => {
    const query = nestedTo['list literals']!(200);
    expect(nestsDeeperThan(query, 128, 100)).toBe(false);
    expect(nestsDeeperThan(query, 128, 1000)).toBe(true);
    const refused = await post(client({ maxTokens: 100 }), query);
    expect(refused.body.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'tokens', max: 100 });
  });

  it('measures without recursion: it answers with the stack nearly used up, where the parser cannot', () => {
    const query = nestedTo['object literals']!(10_000);
    // Recurse until the stack runs out, then measure on the way back up from the deepest frame that has room.
    const atStackEnd = <T>(measure: () => T): { value: T; framesLeft: number; frames: number } => {
      let deepest = 0;
      const down = (level: number): { value: T; level: number } => {
        deepest = Math.max(deepest, level);
        try {
          return down(level + 1);
        } catch (error) {
          if (!(error instanceof RangeError)) throw error;
          return { value: measure(), level };
        }
      };
      const { value, level } = down(0);
      return { value, framesLeft: deepest - level, frames: deepest };
    };
    nestsDeeperThan(query, 128, 1_000_000); // compiled before the stack is short
    const scanned = atStackEnd(() => nestsDeeperThan(query, 128, 1_000_000));
    expect(scanned.value).toBe(true);
    // Measured: about 400 of 9,500 frames of this recursion; the scan's own frames do not grow with the document.
    expect(scanned.framesLeft).toBeLessThan(scanned.frames / 10);
    // The parser needs more stack than there is for the same document, even at the top of the stack.
    expect(() => parse(query)).toThrow(RangeError);
  });

  it('lets ordinary operations through', async () => {
    const c = client();
    expect((await c.run(ContractsDocument, {})).contracts.totalCount).toBe(0);
    expect(c.unexpected).toEqual([]);
  });
});

/**
 * Every type, field, argument, input field and enum value of the printed schema says what it means to a client
 * (issue 13). None may be undocumented: a new schema element must come with its description.
 */
import { buildSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { undocumented } from '../../scripts/undocumented.js';
import { schema } from '../../src/schema/index.js';

describe('schema descriptions', () => {
  it('finds undocumented elements of every kind (the counter works)', () => {
    const sample = buildSchema(`
      type Query { a(x: Int): E  n: N  u: U  s: S }
      enum E { V }
      input I { f: Int }
      interface N { id: ID }
      union U = Query
      scalar S
      """documented"""
      type D { """documented""" d("""documented""" y: Int): Int }
    `);
    expect(undocumented(sample)).toEqual(['E', 'E.V', 'I', 'I.f', 'N', 'N.id', 'Query', 'Query.a', 'Query.a(x)', 'Query.n', 'Query.s', 'Query.u', 'S', 'U']);
  });

  it('a blank description counts as none', () => {
    expect(undocumented(buildSchema('""" """ type Query { a: Int }'))).toEqual(['Query', 'Query.a']);
  });

  it('every element of the schema is documented', () => {
    const missing = undocumented(buildSchema(printSchema(lexicographicSortSchema(schema))));
    expect(missing, 'describe these (description: ...) at their definition in src/schema/*.ts').toEqual([]);
  });
});

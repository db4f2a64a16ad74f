/**
 * Error codes are the ErrorCode enum: every Error type's `code` field has that type, and every `extensions.code`
 * the server sends (parse, validation, variables, authentication, roles, arguments, unexpected) is one of its values.
 */
import { type GraphQLEnumType, type GraphQLObjectType, getNamedType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ERROR_CODE_LIST, VALIDATION_ISSUE_CODE_LIST } from '../../src/domain/error-codes.js';
import { schema } from '../../src/schema/index.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { CreateContractDocument } from '../gql/graphql.js';
import { createTestClient } from '../support/client.js';

const enumValues = (schema.getType('ErrorCode') as GraphQLEnumType).getValues().map((v) => v.value as string);

async function codesOf(client: ReturnType<typeof createTestClient>, query: string, variables: Record<string, unknown> = {}) {
  const response = await client.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { errors?: { extensions?: { code?: unknown } }[] };
  return (body.errors ?? []).map((e) => e.extensions?.code);
}

describe('ErrorCode', () => {
  it('the enum is the code table', () => {
    expect(enumValues).toEqual(ERROR_CODE_LIST);
  });

  it('every Error type reports its code as an ErrorCode', () => {
    const errorTypes = Object.values(schema.getTypeMap()).filter(
      (t): t is GraphQLObjectType => isObjectType(t) && t.getInterfaces().some((i) => i.name === 'Error'),
    );
    expect(errorTypes.length).toBeGreaterThanOrEqual(8);
    for (const t of errorTypes) expect(getNamedType(t.getFields().code!.type).name, t.name).toBe('ErrorCode');
  });

  it.each([
    ['a document that does not parse', 'admin', '{ contracts { ', {}, 'GRAPHQL_PARSE_FAILED'],
    ['an unknown field', 'admin', '{ noSuchField }', {}, 'GRAPHQL_VALIDATION_FAILED'],
    ['a variable of the wrong type', 'admin', 'query ($n: Int) { contracts(first: $n) { totalCount } }', { n: 'ten' }, 'BAD_USER_INPUT'],
    ['no credentials', null, '{ contracts(first: 1) { totalCount } }', {}, 'UNAUTHENTICATED'],
    ['a role without the scope', 'viewer', 'mutation { createContract(input: { document: {} }) { __typename } }', {}, 'FORBIDDEN'],
    ['an argument out of range', 'admin', '{ contracts(first: -1) { totalCount } }', {}, 'VALIDATION_FAILED'],
  ] as const)('%s: extensions.code is the expected ErrorCode', async (_what, as, query, variables, expected) => {
    const client = createTestClient(createMemoryStorage(), undefined, { as });
    const codes = await codesOf(client, query, variables);
    expect(codes.length).toBeGreaterThan(0);
    expect(codes).toContain(expected);
    for (const code of codes) expect(enumValues).toContain(code);
  });

  it('an unexpected failure is INTERNAL_SERVER_ERROR', async () => {
    const storage = createMemoryStorage();
    storage.contracts.list = () => Promise.reject(new Error('disk on fire'));
    const client = createTestClient(storage, () => {});
    expect(await codesOf(client, '{ contracts(first: 1) { totalCount } }')).toEqual(['INTERNAL_SERVER_ERROR']);
  });

  it('a ValidationIssue has its path as segments beside the dotted path', async () => {
    const client = createTestClient(createMemoryStorage());
    const result = await client.run(CreateContractDocument, {
      input: { document: { apiVersion: 'v3.1.0', kind: 'DataContract', id: 'x', version: '1.0.0', status: 'draft', name: 'x', schema: [{ name: 's', properties: [{ name: 'p', logicalType: 'nope' }] }] } },
    });
    const r = result.createContract;
    if (r.__typename !== 'ValidationError') throw new Error(`expected a ValidationError, got ${r.__typename}`);
    expect(r.code).toBe('VALIDATION_FAILED');
    const issue = r.issues.find((i) => i.path.endsWith('logicalType'));
    expect(issue).toMatchObject({ path: 'document.schema[0].properties[0].logicalType', pathSegments: ['document', 'schema', '0', 'properties', '0', 'logicalType'] });
    expect(issue?.code).toBe('invalid_value');
  });

  it('ValidationIssue.code is the ValidationIssueCode enum: the issue-code table, every value described', () => {
    const field = (schema.getType('ValidationIssue') as GraphQLObjectType).getFields().code!;
    expect(getNamedType(field.type).name).toBe('ValidationIssueCode');
    const values = (schema.getType('ValidationIssueCode') as GraphQLEnumType).getValues();
    expect(values.map((v) => v.value)).toEqual(VALIDATION_ISSUE_CODE_LIST);
    expect(values.map((v) => v.name)).toEqual(VALIDATION_ISSUE_CODE_LIST);
    for (const v of values) expect(v.description, v.name).toMatch(/\w/);
  });

  it('every ValidationIssue the API reports carries a code of the enum (missing, wrong type, too big, bad ID, bad cursor)', async () => {
    const client = createTestClient(createMemoryStorage(), undefined, { as: 'admin' });
    const post = async (query: string) => {
      const response = await client.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query }),
      });
      return JSON.stringify(await response.json());
    };
    const created = await post('mutation { createContract(input: { document: { apiVersion: "v3.1.0", kind: "DataContract", id: 42, version: "1.0.0", status: "draft", schema: [{ name: "s" }, { name: "S" }] } }) { ... on ValidationError { issues { path code } } } }');
    const wrongId = await post('mutation { updateContract(input: { id: "nope", expectedRevision: 1, document: {} }) { ... on ValidationError { issues { path code } } } }');
    const codes = [...`${created}${wrongId}`.matchAll(/"code":"([a-z_]+)"/g)].map((m) => m[1]);
    expect(codes).toEqual(expect.arrayContaining(['invalid_type', 'duplicate', 'invalid_id']));
    for (const code of codes) expect(VALIDATION_ISSUE_CODE_LIST).toContain(code);
  });
});

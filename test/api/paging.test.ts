/** Connections page both ways through the API: `last`/`before` mirror `first`/`after`, with the same cap. */
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { ContractsBothWaysDocument, CreateContractDocument } from '../gql/graphql.js';
import { createTestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

async function withContracts(names: string[]) {
  const client = createTestClient(createMemoryStorage());
  for (const name of names) await client.run(CreateContractDocument, { input: { document: contractDocument({ name }) } });
  return client;
}

describe('connections page both ways', () => {
  it('last / before walk back from the end, in list order', async () => {
    const client = await withContracts(['d', 'b', 'e', 'a', 'c']);
    const end = (await client.run(ContractsBothWaysDocument, { last: 2 })).contracts;
    expect(end.nodes.map((n) => n.name)).toEqual(['d', 'e']);
    expect(end.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    expect(end.totalCount).toBe(5);
    const before = (await client.run(ContractsBothWaysDocument, { last: 2, before: end.pageInfo.startCursor })).contracts;
    expect(before.nodes.map((n) => n.name)).toEqual(['b', 'c']);
    expect(before.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const start = (await client.run(ContractsBothWaysDocument, { last: 2, before: before.pageInfo.startCursor })).contracts;
    expect(start.nodes.map((n) => n.name)).toEqual(['a']);
    expect(start.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    // and forward again from there
    const forward = (await client.run(ContractsBothWaysDocument, { first: 10, after: start.pageInfo.endCursor })).contracts;
    expect(forward.nodes.map((n) => n.name)).toEqual(['b', 'c', 'd', 'e']);
    expect(forward.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
  });

  it('without first or last a page is the first 20; last has the same cap as first', async () => {
    const client = await withContracts(['a']);
    expect((await client.run(ContractsBothWaysDocument, {})).contracts.nodes).toHaveLength(1);
    for (const vars of [{ last: 101 }, { first: 101 }]) {
      const r = await client.request(ContractsBothWaysDocument, vars);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(r.errors?.[0]?.message).toContain('at most 100');
    }
  });

  it('mixing directions is a typed error naming the argument', async () => {
    const client = await withContracts(['a', 'b']);
    const end = (await client.run(ContractsBothWaysDocument, { last: 1 })).contracts;
    for (const [vars, arg] of [
      [{ first: 1, last: 1 }, 'first'],
      [{ after: end.pageInfo.endCursor, last: 1 }, 'after'],
      [{ first: 1, before: end.pageInfo.startCursor }, 'first'],
    ] as const) {
      const r = await client.request(ContractsBothWaysDocument, vars);
      expect(r.data).toBeNull();
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: arg }] });
    }
  });
});

/**
 * Who may do what, through the API: every mutation × every role against ONE table (test/api/access-table.ts), and
 * authorization before input checks.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { AccessUpdateContractDocument } from '../gql/graphql.js';
import type { GraphQLResponse } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';
import { as, CALLERS, client, codes, HOLDERS, MUTATIONS, SCHEMA_MUTATIONS, seeded, state } from './access-table.js';

describe('access: every mutation × every role', () => {
  it('the table lists exactly the mutations of the schema', () => {
    expect(Object.keys(MUTATIONS).sort()).toEqual(SCHEMA_MUTATIONS);
  });

  describe.each(SCHEMA_MUTATIONS)('%s', (mutation) => {
    it.each(CALLERS)('as %s', async (caller) => {
      const entry = MUTATIONS[mutation];
      expect(entry, `${mutation} is missing from the access table`).toBeDefined();
      const { storage, seed } = await seeded();
      const before = await state(storage);
      const response = await entry!.call(client(storage, as(caller)), seed);
      const allowed = HOLDERS[entry!.minimum].includes(caller);
      if (allowed) {
        expect(codes(response)).not.toContain('UNAUTHENTICATED');
        expect(codes(response)).not.toContain('FORBIDDEN');
        expect(response.errors ?? []).toEqual([]);
        expect((response.data as Record<string, { __typename: string }>)[mutation]?.__typename).toMatch(/Success$|Error$|Payload$|Result$/);
      } else {
        expect(codes(response)).toEqual([caller === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN']);
        const error = response.errors![0]!;
        expect(error.path).toEqual([mutation]);
        expect(error.message).toContain(caller === 'anonymous' ? 'Authentication required' : `may not call ${mutation}`);
        expect(JSON.stringify(error)).not.toMatch(/\.ts:|stack/);
        expect(response.data ?? null).toBeNull();
        expect(await state(storage)).toEqual(before);
      }
    });
  });
});

describe('access: authorization comes before input checks', () => {
  it('a viewer with invalid input gets FORBIDDEN, not the validation details', async () => {
    const { storage, seed } = await seeded();
    const response = await client(storage, 'viewer').request(AccessUpdateContractDocument, {
      input: { id: seed.contractId, expectedRevision: 0, document: contractDocument({ name: 'orders' }) },
    });
    expect(codes(response)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(response)).not.toContain('revision number');
  });

  it('an editor with the same input gets the typed ValidationError result', async () => {
    const { storage, seed } = await seeded();
    const response = await client(storage, 'editor').request(AccessUpdateContractDocument, {
      input: { id: seed.contractId, expectedRevision: 0, document: contractDocument({ name: 'orders' }) },
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?.updateContract.__typename).toBe('ValidationError');
  });

  it('an anonymous caller with an invalid page size gets UNAUTHENTICATED, not the validation details', async () => {
    const storage = createMemoryStorage();
    const response = await client(storage, null).fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ contracts(first: 1000) { totalCount } }' }),
    });
    const body = (await response.json()) as GraphQLResponse<unknown>;
    expect(codes(body)).toEqual(['UNAUTHENTICATED']);
    expect(JSON.stringify(body)).not.toContain('at most');
  });
});

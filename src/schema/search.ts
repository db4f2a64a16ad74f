/** Full-text search across contracts: ranked hits with their score and the fields that matched. */
import { SEARCH_FIELDS } from '../domain/search.js';
import type { ContractSearchHit } from '../storage/types.js';
import { builder } from './builder.js';
import { ContractRef } from './contracts.js';
import { connection, pageArgs, pageRequest, toResult } from './pagination.js';
import { z } from 'zod';

const SearchFieldEnum = builder.enumType('ContractSearchField', {
  description: 'A searchable part of a contract.',
  values: {
    NAME: { value: 'name' },
    DESCRIPTION: { value: 'description' },
    SCHEMA_NAMES: { value: 'schemaNames' },
    PROPERTY_NAMES: { value: 'propertyNames' },
    PROPERTY_DESCRIPTIONS: { value: 'propertyDescriptions' },
  } as const satisfies Record<string, { value: (typeof SEARCH_FIELDS)[number] }>,
});

const ContractSearchHitRef = builder.objectRef<ContractSearchHit>('ContractSearchHit').implement({
  fields: (t) => ({
    contract: t.field({ type: ContractRef, resolve: (h) => h.contract }),
    score: t.exposeFloat('score', { description: 'Relevance; higher is better. Comparable within one search only.' }),
    matchedFields: t.field({ type: [SearchFieldEnum], resolve: (h) => h.matchedFields }),
  }),
});

const ContractSearchConnection = connection<ContractSearchHit>('ContractSearchHit', ContractSearchHitRef);

builder.queryFields((t) => ({
  searchContracts: t.field({
    type: ContractSearchConnection,
    description:
      'Ranked full-text search over contract names, descriptions, schema names, property names and property descriptions. Words are matched whole, ignoring case; any word may match.',
    args: {
      query: t.arg.string({ required: true, validate: z.string().max(500, 'must be at most 500 characters') }),
      ...pageArgs,
    },
    resolve: (_root, args, ctx) => toResult(ctx.storage.contracts.search(args.query, pageRequest(args)), args),
  }),
}));

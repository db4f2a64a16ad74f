/** Full-text search across contracts: ranked hits with their score and the fields that matched, filters and facets. */
import { textKey } from '../domain/names.js';
import { z } from 'zod';
import type { ContractStatus } from '../domain/lifecycle.js';
import type { FacetCount, SEARCH_FIELDS, SearchFacets } from '../domain/search.js';
import type { ContractSearchHit } from '../storage/types.js';
import { builder } from './builder.js';
import { ContractRef, ContractStatusEnum } from './contracts.js';
import { connection, pageArgs, pageRequest, toResult } from './pagination.js';

const SearchFieldEnum = builder.enumType('ContractSearchField', {
  description: 'A searchable part of a contract.',
  values: {
    NAME: { value: 'name' },
    ODCS_ID: { value: 'odcsId', description: 'The ODCS `id` of the document.' },
    DESCRIPTION: { value: 'description', description: 'The contract description (purpose, usage, limitations).' },
    SCHEMA_NAMES: { value: 'schemaNames' },
    SCHEMA_DESCRIPTIONS: { value: 'schemaDescriptions' },
    BUSINESS_NAMES: { value: 'businessNames', description: '`businessName` of schemas and properties.' },
    PROPERTY_NAMES: { value: 'propertyNames' },
    PROPERTY_DESCRIPTIONS: { value: 'propertyDescriptions' },
    TAGS: { value: 'tags', description: 'Tags of the contract, its schemas and their properties.' },
    DOMAIN: { value: 'domain' },
    DATA_PRODUCT: { value: 'dataProduct' },
    TEAM: { value: 'team', description: 'The team name and the owner.' },
  } as const satisfies Record<string, { value: (typeof SEARCH_FIELDS)[number]; description?: string }>,
});

const ContractSearchHitRef = builder.objectRef<ContractSearchHit>('ContractSearchHit').implement({
  description: 'One contract found by `searchContracts`, with why it ranks where it does.',
  fields: (t) => ({
    contract: t.field({ type: ContractRef, description: 'The contract found.', resolve: (h) => h.contract }),
    score: t.exposeFloat('score', { description: 'Relevance; higher is better. Comparable within one search only.' }),
    matchedFields: t.field({ type: [SearchFieldEnum], description: 'The parts of the contract holding a query word, in ContractSearchField order.', resolve: (h) => h.matchedFields }),
  }),
});

const facetCount = 'How many hits have this value (at least 1).';
const StatusFacetRef = builder.objectRef<FacetCount<ContractStatus>>('ContractStatusFacet').implement({
  description: 'The number of search hits with one contract status.',
  fields: (t) => ({
    value: t.field({ type: ContractStatusEnum, description: 'The status counted.', resolve: (f) => f.value }),
    count: t.exposeInt('count', { description: facetCount }),
  }),
});
const StringFacetRef = builder.objectRef<FacetCount<string>>('StringFacet').implement({
  description: 'The number of search hits with one text value (an owner, a domain, a tag).',
  fields: (t) => ({
    value: t.exposeString('value', { description: 'The value counted, as written in the contracts.' }),
    count: t.exposeInt('count', { description: facetCount }),
  }),
});
const BooleanFacetRef = builder.objectRef<FacetCount<boolean>>('BooleanFacet').implement({
  description: 'The number of search hits with a yes/no value.',
  fields: (t) => ({
    value: t.exposeBoolean('value', { description: 'The value counted.' }),
    count: t.exposeInt('count', { description: facetCount }),
  }),
});

const SearchFacetsRef = builder.objectRef<SearchFacets>('ContractSearchFacets').implement({
  description:
    'How many hits each filter value has, most first. Each facet counts the hits of the query and of every OTHER filter, so the alternatives to a chosen value stay visible.',
  fields: (t) => ({
    status: t.field({ type: [StatusFacetRef], description: 'Hits per contract status.', resolve: (f) => f.status }),
    owner: t.field({ type: [StringFacetRef], description: 'Hits per owner (contracts without an owner are not counted).', resolve: (f) => f.owner }),
    domain: t.field({ type: [StringFacetRef], description: 'Hits per ODCS `domain` (contracts without one are not counted).', resolve: (f) => f.domain }),
    tag: t.field({ type: [StringFacetRef], description: 'Top-level tags of the contracts.', resolve: (f) => f.tag }),
    hasPii: t.field({ type: [BooleanFacetRef], description: 'Hits with and without personal data (as the catalog\'s `hasPii`).', resolve: (f) => f.hasPii }),
  }),
});

const ContractSearchConnection = connection<ContractSearchHit, { facets: () => Promise<SearchFacets> }>('ContractSearchHit', ContractSearchHitRef);

builder.objectField(ContractSearchConnection, 'facets', (t) =>
  t.field({ type: SearchFacetsRef, description: 'Facet counts over all hits (every page).', resolve: (r) => r.facets() }),
);

const SearchFilterInput = builder.inputType('ContractSearchFilter', {
  description: 'Narrows the hits of `searchContracts` to those matching every criterion given (facets still show the alternatives).',
  fields: (t) => ({
    status: t.field({ type: [ContractStatusEnum], required: false, description: 'Any of these statuses.' }),
    owner: t.string({ required: false, description: 'The owner (by default the team name), exactly.' }),
    domain: t.string({ required: false, description: 'The ODCS `domain`, ignoring case.' }),
    tag: t.string({ required: false, description: 'A top-level ODCS tag, ignoring case.' }),
    hasPii: t.boolean({ required: false, description: 'Whether a property of the contract is personal data (as in the catalog).' }),
  }),
});

builder.queryFields((t) => ({
  searchContracts: t.field({
    type: ContractSearchConnection,
    description:
      'Ranked full-text search over contract names, ODCS ids, descriptions, schema names and descriptions, business names, property names and descriptions, tags, domain, data product and team. ' +
      'Words are split at `_`, `-`, `.`, camelCase and digits (`customer_email` is found by "customer email"; the whole term is a word too, so an exact `customer_email` ranks first), ignoring case and accents; any word may match. ' +
      'Equal scores are ordered by an exact name match, then the weight of the best matched field, then the most recently updated.',
    args: {
      query: t.arg.string({
        required: true,
        description: 'The words to look for (at most 500 characters); split into words as described above, any of them may match.',
        validate: z.string().max(500, 'must be at most 500 characters'),
      }),
      filter: t.arg({ type: SearchFilterInput, required: false }),
      ...pageArgs,
    },
    resolve: async (_root, args, ctx) => {
      const f = args.filter;
      const page = await ctx.storage.contracts.search(args.query, pageRequest(args), {
        status: f?.status ?? null,
        owner: textKey(f?.owner?.trim()),
        domain: textKey(f?.domain),
        tag: textKey(f?.tag),
        hasPii: f?.hasPii ?? null,
      });
      return toResult(Promise.resolve(page), args, { facets: page.facets });
    },
  }),
}));

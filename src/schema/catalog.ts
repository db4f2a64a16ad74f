/** The schema catalog: one entry per (contract, schema), its query and its rebuild mutation. */
import type { CatalogProperty } from '../domain/catalog.js';
import type { CatalogEntry } from '../storage/types.js';
import type { Context } from '../context.js';
import { z } from 'zod';
import { builder } from './builder.js';
import { loadAll } from './loading.js';
import { ContractRef, ContractStatusEnum } from './contracts.js';
import { localId } from './ids.js';
import { connection, pageArgs, pageRequest, toResult } from './pagination.js';

const CatalogPropertyRef = builder.objectRef<CatalogProperty>('CatalogProperty').implement({
  fields: (t) => ({
    path: t.exposeString('path', { description: 'Dotted path inside the schema, e.g. `address.street`.' }),
    name: t.exposeString('name'),
    logicalType: t.exposeString('logicalType', { nullable: true }),
    physicalType: t.exposeString('physicalType', { nullable: true }),
    description: t.exposeString('description', { nullable: true }),
    required: t.exposeBoolean('required'),
    primaryKey: t.exposeBoolean('primaryKey'),
    classification: t.exposeString('classification', { nullable: true }),
    pii: t.exposeBoolean('pii'),
  }),
});

export const SchemaCatalogEntryRef = builder.loadableNodeRef('SchemaCatalogEntry', {
  id: { resolve: (e: CatalogEntry) => e.id },
  load: (ids: string[], ctx: Context) => loadAll(ctx.storage.schemaCatalog.getByIds(ids)),
});

SchemaCatalogEntryRef.implement({
  description: 'A schema of a contract, denormalized for discovery ("where is a PII email field defined?").',
  fields: (t) => ({
    schemaName: t.exposeString('schemaName'),
    physicalName: t.exposeString('physicalName', { nullable: true }),
    physicalType: t.exposeString('physicalType', { nullable: true }),
    description: t.exposeString('description', { nullable: true }),
    properties: t.field({ type: [CatalogPropertyRef], resolve: (e) => e.properties }),
    propertyCount: t.exposeInt('propertyCount'),
    hasPii: t.exposeBoolean('hasPii'),
    primaryKey: t.exposeStringList('primaryKey', { description: 'Primary-key property paths in key order.' }),
    contractName: t.exposeString('contractName'),
    contractVersion: t.exposeString('contractVersion'),
    contractStatus: t.field({ type: ContractStatusEnum, resolve: (e) => e.contractStatus }),
    contract: t.field({ type: ContractRef, nullable: true, resolve: (e) => e.contractId }),
    updatedAt: t.field({ type: 'DateTime', resolve: (e) => e.updatedAt }),
  }),
});

const SchemaCatalogConnection = connection<CatalogEntry>('SchemaCatalogEntry', SchemaCatalogEntryRef);

builder.objectField(ContractRef, 'catalogEntries', (t) =>
  t.field({
    type: [SchemaCatalogEntryRef],
    description: 'The schema catalog entries of this contract, one per schema.',
    resolve: (c, _args, ctx) => ctx.loaders.catalogByContract.load(c.id),
  }),
);

const SchemaCatalogFilterInput = builder.inputType('SchemaCatalogFilter', {
  fields: (t) => ({
    schemaNamePrefix: t.string({ required: false, description: 'Schema names starting with this (ignoring case).' }),
    propertyName: t.string({ required: false, description: 'Schemas with a property of this name or path (ignoring case).' }),
    propertyWord: t.string({
      required: false,
      description:
        'Schemas with a property whose name or path holds a word starting with this one, ignoring case: `email` finds `customer_email` and `contactEmail`, `cust` finds `customer_email`. Names are split into words at `_`, `-`, `.`, camelCase and digits, as search does; the whole name is a word too.',
      validate: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').regex(/^\S+$/, 'must be one word (no spaces)'),
    }),
    hasPii: t.boolean({ required: false }),
    contractId: t.id({ required: false }),
    contractStatus: t.field({ type: [ContractStatusEnum], required: false }),
  }),
});

builder.queryFields((t) => ({
  schemaCatalog: t.field({
    type: SchemaCatalogConnection,
    description: 'Every schema of every contract, ordered by schema name.',
    args: { filter: t.arg({ type: SchemaCatalogFilterInput, required: false }), ...pageArgs },
    resolve: (_root, args, ctx) => {
      const f = args.filter;
      return toResult(
        ctx.storage.schemaCatalog.list(
          {
            schemaNamePrefix: f?.schemaNamePrefix ?? null,
            propertyName: f?.propertyName ?? null,
            propertyWord: f?.propertyWord ?? null,
            hasPii: f?.hasPii ?? null,
            contractId: f?.contractId ? localId(f.contractId, 'Contract', 'filter.contractId') : null,
            contractStatus: f?.contractStatus ?? null,
          },
          pageRequest(args),
        ),
        args,
      );
    },
  }),
}));

const RebuildResult = builder.objectRef<{ contracts: number; entries: number }>('SchemaCatalogRebuild').implement({
  fields: (t) => ({
    contracts: t.exposeInt('contracts', { description: 'Contracts read.' }),
    entries: t.exposeInt('entries', { description: 'Catalog entries written.' }),
  }),
});

builder.mutationFields((t) => ({
  rebuildSchemaCatalog: t.field({
    type: RebuildResult,
    description: 'Regenerates the whole schema catalog from the contracts.',
    errors: { types: [], dataField: { name: 'rebuild' } },
    authScopes: { admin: true },
    resolve: (_root, _args, ctx) => ctx.storage.schemaCatalog.rebuild(),
  }),
}));

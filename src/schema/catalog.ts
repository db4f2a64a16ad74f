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
  description: 'A property of a catalogued schema, flattened from the served document (nested properties have their own entry).',
  fields: (t) => ({
    path: t.exposeString('path', { description: 'Dotted path inside the schema, e.g. `address.street`.' }),
    name: t.exposeString('name', { description: 'The property name (the last part of `path`).' }),
    logicalType: t.exposeString('logicalType', { nullable: true, description: 'The ODCS logical type (string, integer, date...); null when not stated.' }),
    physicalType: t.exposeString('physicalType', { nullable: true, description: 'The type in the data store as written (e.g. `VARCHAR(255)`); null when not stated.' }),
    description: t.exposeString('description', { nullable: true }),
    required: t.exposeBoolean('required', { description: 'ODCS `required` (false when not stated).' }),
    primaryKey: t.exposeBoolean('primaryKey', { description: 'Part of the primary key (ODCS `primaryKey`; false when not stated).' }),
    classification: t.exposeString('classification', { nullable: true, description: 'The data classification as written (e.g. `restricted`); null when not stated.' }),
    pii: t.exposeBoolean('pii', { description: 'Personal data: a sensitive classification, or a PII flag in customProperties.' }),
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
    physicalName: t.exposeString('physicalName', { nullable: true, description: 'The table, topic or file name in the data store; null when not stated.' }),
    physicalType: t.exposeString('physicalType', { nullable: true, description: 'What it is in the data store, as written (e.g. `table`, `topic`); null when not stated.' }),
    description: t.exposeString('description', { nullable: true }),
    properties: t.field({ type: [CatalogPropertyRef], description: 'Every property, nested ones included, in document order (a parent before its children).', resolve: (e) => e.properties }),
    propertyCount: t.exposeInt('propertyCount', { description: 'How many entries `properties` has (nested ones included).' }),
    hasPii: t.exposeBoolean('hasPii', { description: 'At least one property is personal data (`pii`).' }),
    primaryKey: t.exposeStringList('primaryKey', { description: 'Primary-key property paths in key order.' }),
    contractName: t.exposeString('contractName', { description: 'The name of the contract holding the schema.' }),
    contractVersion: t.exposeString('contractVersion', { description: 'The served version of the contract the entry was taken from (its `currentVersion`).' }),
    contractStatus: t.field({ type: ContractStatusEnum, description: 'The contract\'s status when the entry was last written.', resolve: (e) => e.contractStatus }),
    contract: t.field({ type: ContractRef, nullable: true, description: 'The contract holding the schema; null if it was deleted meanwhile.', resolve: (e) => e.contractId }),
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
  description: 'Which catalog entries to list: those matching every criterion given.',
  fields: (t) => ({
    schemaNamePrefix: t.string({ required: false, description: 'Schema names starting with this (ignoring case).' }),
    propertyName: t.string({ required: false, description: 'Schemas with a property of this name or path (ignoring case).' }),
    propertyWord: t.string({
      required: false,
      description:
        'Schemas with a property whose name or path holds a word starting with this one, ignoring case: `email` finds `customer_email` and `contactEmail`, `cust` finds `customer_email`. Names are split into words at `_`, `-`, `.`, camelCase and digits, as search does; the whole name is a word too.',
      validate: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').regex(/^\S+$/, 'must be one word (no spaces)'),
    }),
    hasPii: t.boolean({ required: false, description: 'true: only schemas with personal data; false: only schemas without.' }),
    contractId: t.id({ required: false }),
    contractStatus: t.field({ type: [ContractStatusEnum], required: false, description: 'Only schemas of contracts with any of these statuses.' }),
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
  description: 'What `rebuildSchemaCatalog` did.',
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

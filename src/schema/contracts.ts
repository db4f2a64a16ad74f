/** Contracts: the Contract and ContractVersion nodes, their typed ODCS view, the contract queries and mutations. */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { checkInput, revisionNumber } from './input.js';
import { type Context, versionKey } from '../context.js';
import { loadAll } from './loading.js';
import { COMPATIBILITY_MODES, type CompatibilityMode } from '../domain/compatibility.js';
import { CONTRACT_STATUSES, type ContractStatus, servedVersionNumber } from '../domain/lifecycle.js';
import { type JsonObject, type OdcsDocument, type OdcsProperty, type OdcsSchemaObject } from '../domain/odcs.js';
import { isPiiProperty } from '../domain/catalog.js';
import { nameForLookup } from '../domain/names.js';
import type { Contract, ContractVersion } from '../storage/types.js';
import { versionId } from '../domain/contracts.js';
import { servedDocument } from '../domain/odcs-served.js';
import { builder } from './builder.js';
import { AlreadyExistsError, ConflictError, IDEMPOTENCY_KEY_DESCRIPTION, idempotencyErrors, IncompatibleChangeError, InvalidStateError, NotFoundError, ValidationError } from './errors.js';
import * as writes from '../services/idempotent-writes.js';
import { localId } from './ids.js';
import { connection, pageArgs, pageRequest, toResult } from './pagination.js';

// ---------------------------------------------------------------------------------------------------------------
// Enums

export const ContractStatusEnum = builder.enumType('ContractStatus', {
  description: 'Where a contract is in its lifecycle: DRAFT → IN_REVIEW → ACTIVE → DEPRECATED → RETIRED (IN_REVIEW → DRAFT when rejected).',
  values: Object.fromEntries(CONTRACT_STATUSES.map((s) => [s.toUpperCase(), { value: s }])) as Record<
    Uppercase<ContractStatus>,
    { value: ContractStatus }
  >,
});

export const CompatibilityModeEnum = builder.enumType('CompatibilityMode', {
  description:
    'As in Confluent Schema Registry. BACKWARD: consumers using the new contract can read data produced under the previous one. FORWARD: consumers of the previous contract can read new data. FULL: both. *_TRANSITIVE: against every earlier version, not only the latest. NONE: no check.',
  values: Object.fromEntries(COMPATIBILITY_MODES.map((m) => [m, { value: m }])) as Record<CompatibilityMode, { value: CompatibilityMode }>,
});

const ChangeKindEnum = builder.enumType('ContractChangeKind', {
  description: 'What produced a version.',
  values: { CREATE: { value: 'create' }, UPDATE: { value: 'update' }, ROLLBACK: { value: 'rollback' } } as const,
});

const ContractOrderFieldEnum = builder.enumType('ContractOrderField', {
  description: 'What `contracts` sorts by; ties are broken by id, so pages never overlap.',
  values: { NAME: { value: 'name' }, CREATED_AT: { value: 'createdAt' }, UPDATED_AT: { value: 'updatedAt' } } as const,
});

export const OrderDirectionEnum = builder.enumType('OrderDirection', {
  description: 'Ascending or descending, for every `orderBy` of the schema.',
  values: { ASC: { value: 'asc' }, DESC: { value: 'desc' } } as const,
});

// ---------------------------------------------------------------------------------------------------------------
// The typed view of an ODCS document

interface PropertyView {
  property: OdcsProperty;
  path: string;
}

const ContractPropertyRef = builder.objectRef<PropertyView>('ContractProperty');
ContractPropertyRef.implement({
  description: 'A property (column, field) of an ODCS schema object, as typed fields. The raw form is in `document`.',
  fields: (t) => ({
    name: t.string({ description: 'The property name as written in the document (unique within its parent).', resolve: ({ property }) => property.name }),
    path: t.string({ description: 'Dotted path inside the schema, e.g. `address.street`.', resolve: ({ path }) => path }),
    logicalType: t.string({
      nullable: true,
      description: 'The ODCS logical type: string, date, timestamp, time, number, integer, object, array or boolean; null when not stated.',
      resolve: ({ property }) => str(property.logicalType),
    }),
    physicalType: t.string({ nullable: true, description: 'The type in the data store, as written (e.g. `VARCHAR(255)`); null when not stated.', resolve: ({ property }) => str(property.physicalType) }),
    physicalName: t.string({ nullable: true, description: 'The column or field name in the data store; null when not stated (then it is `name`).', resolve: ({ property }) => str(property.physicalName) }),
    description: t.string({ nullable: true, resolve: ({ property }) => str(property.description) }),
    businessName: t.string({ nullable: true, description: 'The name business people use; null when not stated.', resolve: ({ property }) => str(property.businessName) }),
    required: t.boolean({ description: 'Every record must have a value (ODCS `required`; false when not stated).', resolve: ({ property }) => property.required === true }),
    unique: t.boolean({ description: 'No two records share a value (ODCS `unique`; false when not stated).', resolve: ({ property }) => property.unique === true }),
    primaryKey: t.boolean({ description: 'Part of the primary key (ODCS `primaryKey`; false when not stated).', resolve: ({ property }) => property.primaryKey === true }),
    primaryKeyPosition: t.int({
      nullable: true,
      description: 'Its position in a composite primary key, from 1; null when not stated.',
      resolve: ({ property }) => (Number.isInteger(property.primaryKeyPosition) ? property.primaryKeyPosition! : null) }),
    classification: t.string({
      nullable: true,
      description: 'The data classification as written (e.g. `public`, `internal`, `restricted`, `confidential`); null when not stated.',
      resolve: ({ property }) => str(property.classification),
    }),
    pii: t.boolean({ description: 'Personal data: a sensitive classification, or a PII flag in customProperties.', resolve: ({ property }) => isPiiProperty(property) }),
    tags: t.stringList({ resolve: ({ property }) => stringList(property.tags) }),
    properties: t.field({
      type: [ContractPropertyRef],
      description: 'Nested properties (for object properties and arrays of objects).',
      resolve: ({ property, path }) => propertyViews([...(property.properties ?? []), ...((property.items as { properties?: OdcsProperty[] } | undefined)?.properties ?? [])], path),
    }),
  }),
});

const ContractSchemaRef = builder.objectRef<OdcsSchemaObject>('ContractSchema').implement({
  description: 'A schema object (table, topic, file…) of an ODCS document.',
  fields: (t) => ({
    name: t.string({ description: 'The schema object name as written (unique within the document).', resolve: (s) => s.name }),
    physicalName: t.string({ nullable: true, description: 'The table, topic or file name in the data store; null when not stated.', resolve: (s) => str(s.physicalName) }),
    physicalType: t.string({ nullable: true, description: 'What it is in the data store, as written (e.g. `table`, `view`, `topic`); null when not stated.', resolve: (s) => str(s.physicalType) }),
    businessName: t.string({ nullable: true, description: 'The name business people use; null when not stated.', resolve: (s) => str(s.businessName) }),
    description: t.string({ nullable: true, resolve: (s) => str(s.description) }),
    tags: t.stringList({ resolve: (s) => stringList(s.tags) }),
    properties: t.field({ type: [ContractPropertyRef], description: 'Its top-level properties, in document order (nested ones under each property).', resolve: (s) => propertyViews(s.properties ?? [], '') }),
  }),
});

function schemasOf(document: JsonObject): OdcsSchemaObject[] {
  const schema = (document as unknown as OdcsDocument).schema;
  return Array.isArray(schema) ? schema.filter((s) => s && typeof s.name === 'string') : [];
}

function propertyViews(properties: readonly OdcsProperty[], parent: string): PropertyView[] {
  return properties.filter((p) => p && typeof p.name === 'string').map((property) => ({ property, path: parent ? `${parent}.${property.name}` : property.name }));
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

// ---------------------------------------------------------------------------------------------------------------
// Nodes

export const ContractRef = builder.loadableNodeRef('Contract', {
  id: { resolve: (c: Contract) => c.id },
  load: (ids: string[], ctx: Context) => loadAll(ctx.storage.contracts.getByIds(ids)),
});

export const ContractVersionRef = builder.loadableNodeRef('ContractVersion', {
  id: { resolve: (v: ContractVersion) => v.id },
  load: (ids: string[], ctx: Context) => loadAll(ctx.storage.contracts.getVersionsByIds(ids)),
});

ContractRef.implement({
  description: 'A data contract: registry metadata beside the ODCS document it holds.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Unique name in the registry.' }),
    description: t.exposeString('description', { nullable: true, description: "The document's description (purpose, else usage)." }),
    owner: t.exposeString('owner', { nullable: true, description: 'Owning team (the document’s team name unless set explicitly).' }),
    status: t.field({ type: ContractStatusEnum, description: 'Where the contract is in its lifecycle (see ContractStatus).', resolve: (c) => c.status }),
    currentVersion: t.exposeString('version', { description: 'Semantic version of the served document (see `current`).' }),
    versionCount: t.exposeInt('versionCount', { description: 'How many versions the contract has.' }),
    revision: t.exposeInt('revision', { description: 'Optimistic-concurrency token: pass it as expectedRevision when writing.' }),
    autoOpenIssues: t.exposeBoolean('autoOpenIssues', { description: 'Failing checks in pushed validation records open data-quality issues.' }),
    current: t.field({
      type: ContractVersionRef,
      description: 'The version served as current: the active (last approved) version once there is one, else the newest.',
      resolve: (c) => versionId(c.id, servedVersionNumber(c)),
    }),
    odcsId: t.string({ description: 'The `id` inside the ODCS document.', resolve: (c) => String((c.document as { id?: unknown }).id ?? '') }),
    apiVersion: t.string({ description: 'The ODCS standard version of the document.', resolve: (c) => String((c.document as { apiVersion?: unknown }).apiVersion ?? '') }),
    document: t.field({
      type: 'JSON',
      description:
        'The served ODCS document as stored (key order preserved), agreeing with the registry: its `version` is `currentVersion`, and an active, deprecated or retired contract says so in `status` (see README, "The served document").',
      resolve: (c) => servedDocument(c),
    }),
    schemas: t.field({ type: [ContractSchemaRef], description: 'The schema objects (tables, topics...) of the served document, in document order.', resolve: (c) => schemasOf(c.document) }),
    createdAt: t.field({ type: 'DateTime', resolve: (c) => c.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (c) => c.updatedAt }),
    createdBy: t.exposeString('createdBy', { nullable: true }),
    updatedBy: t.exposeString('updatedBy', { nullable: true }),
    versions: t.field({
      type: ContractVersionConnection,
      description: 'Every version, newest first.',
      args: { ...pageArgs },
      resolve: (c, args, ctx) => toResult(ctx.storage.contracts.listVersions(c.id, pageRequest(args)), args),
    }),
    version: t.field({
      type: ContractVersionRef,
      nullable: true,
      description: 'One version by its semantic version, e.g. "1.2.0"; null when the contract has no such version.',
      args: { version: t.arg.string({ required: true, description: 'The semantic version, exactly as listed in `versions` (e.g. "1.2.0").' }) },
      resolve: (c, args, ctx) => ctx.loaders.versionByVersion.load(versionKey(c.id, args.version)),
    }),
  }),
});

ContractVersionRef.implement({
  description: 'An immutable snapshot of a contract document.',
  fields: (t) => ({
    number: t.exposeInt('number', { description: '1 for the first version, then 2, 3, … in write order.' }),
    version: t.exposeString('version', { description: 'Its semantic version (e.g. "1.2.0"), unique within the contract.' }),
    changeKind: t.field({ type: ChangeKindEnum, description: 'What wrote this version: create, update or rollback.', resolve: (v) => v.changeKind }),
    restoredFrom: t.exposeString('restoredFrom', { nullable: true, description: 'For a rollback: the version whose document was restored.' }),
    note: t.exposeString('note', { nullable: true }),
    document: t.field({ type: 'JSON', description: 'The ODCS document of this version as stored (key order preserved; its `version` is this version). Never changes.', resolve: (v) => v.document }),
    schemas: t.field({ type: [ContractSchemaRef], description: 'The schema objects of this version\'s document, in document order.', resolve: (v) => schemasOf(v.document) }),
    createdAt: t.field({ type: 'DateTime', resolve: (v) => v.createdAt }),
    createdBy: t.exposeString('createdBy', { nullable: true }),
    contract: t.field({ type: ContractRef, nullable: true, description: 'The contract it belongs to; null if the contract was deleted meanwhile.', resolve: (v) => v.contractId }),
  }),
});

const ContractVersionConnection = connection<ContractVersion>('ContractVersion', ContractVersionRef);
const ContractConnection = connection<Contract>('Contract', ContractRef);

// ---------------------------------------------------------------------------------------------------------------
// Queries

const ContractFilterInput = builder.inputType('ContractFilter', {
  description: 'Which contracts `contracts` lists: those matching every criterion given.',
  fields: (t) => ({
    status: t.field({ type: [ContractStatusEnum], required: false, description: 'Any of these statuses.' }),
    owner: t.string({ required: false, description: 'Only contracts of this owner (as in `Contract.owner`: case-sensitive; compared trimmed and NFC-normalized, as owners are stored).' }),
    schemaName: t.string({ required: false, description: 'Contracts defining a schema of this name (ignoring case).' }),
  }),
});

const ContractOrderInput = builder.inputType('ContractOrder', {
  description: 'The order of `contracts`; when omitted, by name ascending.',
  fields: (t) => ({
    field: t.field({ type: ContractOrderFieldEnum, required: true, description: 'What to sort by.' }),
    direction: t.field({ type: OrderDirectionEnum, required: false, defaultValue: 'asc', description: 'Ascending unless given.' }),
  }),
});

builder.queryFields((t) => ({
  contract: t.field({
    type: ContractRef,
    nullable: true,
    description: 'The contract with this global ID; null when there is none. Any role that may read (viewer, editor, approver, admin; anonymous callers when anonymous read is on).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args) => localId(args.id, 'Contract', 'id'),
  }),
  contractByName: t.field({
    type: ContractRef,
    nullable: true,
    description: 'The contract with this name (names are unique ignoring case); null when there is none. Any role that may read (viewer, editor, approver, admin; anonymous callers when anonymous read is on).',
    args: { name: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => ctx.loaders.contractByName.load(args.name),
  }),
  contracts: t.field({
    type: ContractConnection,
    description: 'Contracts, filtered and in a stable order (the sort field, then id).',
    args: {
      filter: t.arg({ type: ContractFilterInput, required: false }),
      orderBy: t.arg({ type: ContractOrderInput, required: false }),
      ...pageArgs,
    },
    resolve: (_root, args, ctx) =>
      toResult(
        ctx.storage.contracts.list(
          { status: args.filter?.status ?? null, owner: args.filter?.owner != null ? nameForLookup(args.filter.owner) : null, schemaName: args.filter?.schemaName ?? null },
          { field: args.orderBy?.field ?? 'name', direction: args.orderBy?.direction ?? 'asc' },
          pageRequest(args),
        ),
        args,
      ),
  }),
}));

// ---------------------------------------------------------------------------------------------------------------
// Mutations

const documentArg = { type: 'JSON', required: true, description: 'An ODCS v3.1 data contract as JSON. Stored exactly as given.' } as const;

const CreateContractInput = builder.inputType('CreateContractInput', {
  fields: (t) => ({
    document: t.field(documentArg),
    name: t.string({ required: false, description: "Unique name; defaults to the document's name." }),
    owner: t.string({ required: false, description: "Defaults to the document's team name." }),
    version: t.string({ required: false, description: "Semantic version; defaults to the document's version." }),
    note: t.string({ required: false, description: 'Why this version was written.' }),
    idempotencyKey: t.string({ required: false, description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const UpdateContractInput = builder.inputType('UpdateContractInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    expectedRevision: t.int({ required: true, description: 'The revision you read; a newer one makes this a ConflictError.' }),
    document: t.field(documentArg),
    name: t.string({ required: false, description: 'Rename the contract.' }),
    owner: t.string({ required: false, description: 'A new owning team (an empty string clears it); leave it out or null to keep the current owner.' }),
    version: t.string({ required: false, description: "Defaults to the document's version when you changed it, else the minimum bump the changes require." }),
    note: t.string({ required: false }),
    acceptBreakingChanges: t.boolean({ required: false, description: 'Write breaking or incompatible changes anyway (recorded on the version).' }),
    idempotencyKey: t.string({ required: false, description: `${IDEMPOTENCY_KEY_DESCRIPTION} A retry returns the contract (its current state) once the first update was written.` }),
  }),
});

const RollbackContractInput = builder.inputType('RollbackContractInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    expectedRevision: t.int({ required: true }),
    toVersion: t.string({ required: true, description: 'The version whose document becomes current again (as a new version).' }),
    note: t.string({ required: false }),
    acceptBreakingChanges: t.boolean({ required: false, description: 'Roll back even when that is a breaking change from the current version.' }),
  }),
});

const SetContractSettingsInput = builder.inputType('SetContractSettingsInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    expectedRevision: t.int({ required: true }),
    autoOpenIssues: t.boolean({ required: false, description: 'Open data-quality issues for failing checks.' }),
    compatibility: t.field({ type: CompatibilityModeEnum, required: false, description: 'The compatibility mode updates are checked with; null follows the registry default again.' }),
  }),
});

const DeleteContractInput = builder.inputType('DeleteContractInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    expectedRevision: t.int({ required: false, description: 'When given, the delete only happens at this revision.' }),
  }),
});

const DeleteContractPayload = builder.objectRef<{ contract: Contract }>('DeleteContractPayload').implement({
  description: 'What `deleteContract` removed (it can no longer be read).',
  fields: (t) => ({
    deletedContractId: t.field({ type: 'ID', description: 'The global ID the deleted contract had; reading it now gives null.', resolve: ({ contract }) => encodeGlobalID('Contract', contract.id) }),
    name: t.string({ description: 'The name it had (free again for a new contract).', resolve: ({ contract }) => contract.name }),
    versionCount: t.int({ description: 'How many versions were deleted with it.', resolve: ({ contract }) => contract.versionCount }),
  }),
});


const writeErrors = [ValidationError, NotFoundError, ConflictError, AlreadyExistsError];

builder.mutationFields((t) => ({
  createContract: t.field({
    type: ContractRef,
    description: 'Registers a new contract as a draft, with its version 1.',
    errors: { types: [ValidationError, AlreadyExistsError, NotFoundError, ...idempotencyErrors], dataField: { name: 'contract' } },
    args: { input: t.arg({ type: CreateContractInput, required: true }) },
    resolve: (_root, { input: { idempotencyKey, ...input } }, ctx) => writes.createContract(ctx.storage, { ...input, document: input.document }, ctx.caller.name, idempotencyKey),
  }),
  updateContract: t.field({
    type: ContractRef,
    description:
      'Writes a new version of a contract. On an active contract it is a draft revision: the active version stays served until the revision is approved. ConflictError when expectedRevision is stale; InvalidStateError while an approval request is open or once deprecated.',
    errors: { types: [...writeErrors, IncompatibleChangeError, InvalidStateError, ...idempotencyErrors], dataField: { name: 'contract' } },
    args: { input: t.arg({ type: UpdateContractInput, required: true }) },
    resolve: (_root, { input: { idempotencyKey, ...input } }, ctx) => {
      checkInput([['input.expectedRevision', revisionNumber, input.expectedRevision]]);
      return writes.updateContract(ctx.storage, { ...input, document: input.document, id: localId(input.id, 'Contract', 'input.id') }, ctx.caller.name, idempotencyKey);
    },
  }),
  rollbackContract: t.field({
    type: ContractRef,
    description: "Makes an earlier version's document current again, recorded as a new version.",
    errors: { types: [...writeErrors, IncompatibleChangeError, InvalidStateError], dataField: { name: 'contract' } },
    args: { input: t.arg({ type: RollbackContractInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      checkInput([['input.expectedRevision', revisionNumber, input.expectedRevision]]);
      return ctx.storage.contracts.rollback({ ...input, id: localId(input.id, 'Contract', 'input.id') }, ctx.caller.name);
    },
  }),
  setContractSettings: t.field({
    type: ContractRef,
    description: 'Changes registry settings of a contract. Writes no version.',
    errors: { types: writeErrors, dataField: { name: 'contract' } },
    args: { input: t.arg({ type: SetContractSettingsInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      checkInput([['input.expectedRevision', revisionNumber, input.expectedRevision]]);
      return ctx.storage.contracts.setSettings({ ...input, id: localId(input.id, 'Contract', 'input.id') }, ctx.caller.name);
    },
  }),
  deleteContract: t.field({
    type: DeleteContractPayload,
    description: 'Deletes a contract with all its versions and catalog entries.',
    errors: { types: [ValidationError, NotFoundError, ConflictError], directResult: false, dataField: { name: 'deleted' } },
    authScopes: { admin: true },
    args: { input: t.arg({ type: DeleteContractInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      checkInput([['input.expectedRevision', revisionNumber, input.expectedRevision ?? undefined]]);
      return {
      contract: await ctx.storage.contracts.delete(localId(input.id, 'Contract', 'input.id'), input.expectedRevision ?? null, ctx.caller.name),
    };
    },
  }),
}));

/**
 * Descriptions of the schema elements that are generated or repeated by convention, filled in where the
 * definition gave none: the result union and success type of each mutation (errors plugin), the input type of
 * each mutation, fields whose names mean the same everywhere (`revision`, `expectedRevision`, `createdAt`...), and
 * enum values from enum-values.ts.
 * Hand-written descriptions always win. Runs once, on the built schema, before it is printed or served.
 */
import { type GraphQLSchema, getNamedType, isEnumType, isInputObjectType, isInterfaceType, isObjectType, isUnionType } from 'graphql';
import { ENUM_VALUE_DESCRIPTIONS } from './enum-values.js';

/** Field and input-field names with one meaning across the schema. */
const BY_NAME: Record<string, string> = {
  id: 'The global ID (opaque; `node(id:)` reads the thing back).',
  revision: 'Increases by one with every write: pass it as `expectedRevision` to update without overwriting someone else\'s change.',
  expectedRevision: 'The `revision` you last read. If the thing was written since, the call returns a ConflictError and writes nothing.',
  createdAt: 'When it was created (UTC, ISO 8601).',
  updatedAt: 'When it was last written (UTC, ISO 8601).',
  createdBy: 'Who created it: the API key name or JWT subject of the caller; null when unknown (e.g. anonymous).',
  updatedBy: 'Who last wrote it: the API key name or JWT subject of the caller; null when unknown.',
  note: 'A free-text note kept with the change (shown in its history); optional.',
  totalCount: 'How many items match, across all pages.',
  description: 'Free text for people, as written by its author; null when there is none.',
  tags: 'Free-form labels, in the order written.',
  message: 'A human-readable explanation, in English.',
  propertyPath: 'The dotted path of the property within its schema object (e.g. `address.street`); null when it is about a whole schema or contract.',
  schemaName: 'The name of the schema object (table, topic...) within the contract; null when not about one schema object.',
  contractId: 'The global ID of the contract.',
  runId: 'The global ID of the run.',
  checkId: 'The id of the quality check, as the pipeline names it.',
};

/** Argument names with one meaning across the schema. */
const ARGS_BY_NAME: Record<string, string> = {
  id: 'The global ID of the thing to read (as returned in `id`).',
  ids: 'Global IDs to read; the result has one entry per ID, in the same order, null where nothing is found.',
  filter: 'Only the items matching every criterion given; all items when omitted.',
  orderBy: 'The order of the list; when omitted, the default order the field states.',
  environment: 'Only records of this environment (as the pipeline reported it, e.g. `prod`); all environments when omitted.',
  contractId: 'The global ID of the contract.',
  name: 'The contract name (unique, compared ignoring case).',
};

function sentenceCase(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

export function describeGenerated(schema: GraphQLSchema): void {
  const mutation = schema.getMutationType();
  for (const field of Object.values(mutation?.getFields() ?? {})) {
    const result = getNamedType(field.type);
    if (isUnionType(result) && !result.description) {
      result.description = `The result of \`${field.name}\`: the success type, or one of the Error types (switch on \`__typename\` or \`code\`); on an error nothing was written.`;
      for (const member of result.getTypes()) {
        if (member.name.endsWith('Success') && !member.description) member.description = `\`${field.name}\` succeeded.`;
        if (member.name.endsWith('Success')) {
          for (const f of Object.values(member.getFields())) if (!f.description) f.description = `The ${sentenceCase(f.name)}, as \`${field.name}\` left it.`;
        }
      }
    }
    for (const arg of field.args) {
      const input = getNamedType(arg.type);
      if (arg.name === 'input' && !arg.description) arg.description = `What \`${field.name}\` should do (see ${input.name}).`;
      if (isInputObjectType(input) && !input.description) input.description = `The input of \`${field.name}\`.`;
    }
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isEnumType(type)) {
      for (const v of type.getValues()) if (!v.description) v.description = ENUM_VALUE_DESCRIPTIONS[`${type.name}.${v.name}`];
    }
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const f of Object.values(type.getFields())) {
        if (!f.description && BY_NAME[f.name]) f.description = BY_NAME[f.name]!;
        if ('args' in f) for (const a of f.args) if (!a.description && ARGS_BY_NAME[a.name]) a.description = ARGS_BY_NAME[a.name]!;
      }
    }
  }
}

/**
 * The elements of a schema without a description, for people reading schema.graphql: types, fields, arguments,
 * input fields and enum values (built-in scalars and introspection types excepted), as `Type`, `Type.field`,
 * `Type.field(arg)` or `Enum.VALUE`. Used by test/schema/descriptions.test.ts; `npx tsx scripts/undocumented.ts`
 * prints the list of the committed schema.graphql.
 */
import { readFileSync } from 'node:fs';
import {
  buildSchema,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
} from 'graphql';

const has = (d: string | null | undefined) => !!d && d.trim().length > 0;

export function undocumented(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const t of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(t) || isSpecifiedScalarType(t)) continue;
    if (!has(t.description)) missing.push(t.name);
    if (isObjectType(t) || isInterfaceType(t) || isInputObjectType(t)) {
      for (const f of Object.values(t.getFields())) {
        if (!has(f.description)) missing.push(`${t.name}.${f.name}`);
        if ('args' in f) for (const a of f.args) if (!has(a.description)) missing.push(`${t.name}.${f.name}(${a.name})`);
      }
    }
    if (isEnumType(t)) for (const v of t.getValues()) if (!has(v.description)) missing.push(`${t.name}.${v.name}`);
  }
  return missing.sort();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const list = undocumented(buildSchema(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8')));
  console.log(list.join('\n'));
  console.error(`${list.length} undocumented`);
}

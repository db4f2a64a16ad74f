/**
 * What one field costs in an operation's cost (see src/http/limits.ts, which sums it with the Pothos complexity
 * plugin before execution). A connection field multiplies what it selects by the page it asks for (`first`, or
 * `last`, or the default page size); its `nodes`/`edges` lists then count once, since the connection already
 * multiplied. Any other list multiplies by LIST_MULTIPLIER (lists inside one document: properties, checks, …).
 */
import { type GraphQLField, getNamedType, getNullableType, isListType } from 'graphql';
import type { FieldComplexityValue } from '@pothos/plugin-complexity';

/** The page size assumed when a connection field is given neither `first` nor `last`. */
export const ASSUMED_PAGE_SIZE = 20;
/** The largest page counted: larger ones are refused by the argument's own check (MAX_PAGE_SIZE, pagination.ts). */
const LARGEST_PAGE = 100;
/** The size assumed for a plain list field. */
export const LIST_MULTIPLIER = 10;

function pageSize(args: Record<string, unknown>): number {
  for (const name of ['first', 'last'] as const) {
    const value = args[name];
    if (typeof value === 'number' && Number.isFinite(value)) return Math.min(LARGEST_PAGE, Math.max(0, value));
  }
  return ASSUMED_PAGE_SIZE;
}

/** Must read nothing but `args` and `field`: src/http/cost-cache.ts keeps a cost per operation and variables' shape, not per caller. */
export function fieldComplexity(args: Record<string, unknown>, _ctx: unknown, field: GraphQLField<unknown, any, any>): FieldComplexityValue {
  const named = getNamedType(field.type).name;
  if (named.endsWith('Connection')) return { field: 1, multiplier: pageSize(args) };
  if (isListType(getNullableType(field.type))) {
    // `nodes(ids:)`: one item per id asked for.
    if (Array.isArray(args.ids)) return { field: 1, multiplier: args.ids.length };
    // `nodes` and `edges` of a connection: the connection field above already counted the page.
    if (field.name === 'nodes' || field.name === 'edges') return { field: 1, multiplier: 1 };
    return { field: 1, multiplier: LIST_MULTIPLIER };
  }
  return 1;
}

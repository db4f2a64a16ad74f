/**
 * Relay connections with `totalCount`, paged forward (`first`, `after`) or backward (`last`, `before`), both at most
 * 100 items, with keyset cursors (offset cursors only for ranked search). Every list field of the schema is built
 * with `connection()` and takes `pageArgs`.
 */
import type { ObjectRef } from '@pothos/core';
import { z } from 'zod';
import { ValidationError } from '../domain/errors.js';
import type { Page, PageRequest } from '../storage/types.js';
import { builder } from './builder.js';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

const pageSizeArg = z.number().int().min(0, 'must be at least 0').max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`);

/** The `first`/`after` and `last`/`before` arguments of every connection field. */
export const pageArgs = builder.args((t) => ({
  first: t.int({
    required: false,
    description: `Page forward: how many items to return from the start of the list, or after \`after\` (0 to ${MAX_PAGE_SIZE}; ${DEFAULT_PAGE_SIZE} when neither \`first\` nor \`last\` is given). Not with \`last\` or \`before\`.`,
    validate: pageSizeArg,
  }),
  after: t.string({ required: false, description: 'Page forward from this cursor (an `endCursor` or edge `cursor` of this list, in the same order): the items after it.' }),
  last: t.int({
    required: false,
    description: `Page backward: how many items to return from the end of the list, or before \`before\` (0 to ${MAX_PAGE_SIZE}), still in list order. Not with \`first\` or \`after\`.`,
    validate: pageSizeArg,
  }),
  before: t.string({ required: false, description: 'Page backward from this cursor (a `startCursor` or edge `cursor` of this list, in the same order): the items before it.' }),
}));

/** The page the arguments ask for; mixing directions is a ValidationError naming the argument. */
export function pageRequest(args: PageArgs): PageRequest {
  const backward = args.last != null || args.before != null;
  if (backward && (args.first != null || args.after != null)) {
    const arg = args.first != null ? 'first' : 'after';
    throw ValidationError.single(arg, `cannot be combined with ${args.last != null ? 'last' : 'before'}: page forward (first, after) or backward (last, before)`, 'invalid_combination');
  }
  if (backward) return { last: args.last ?? DEFAULT_PAGE_SIZE, before: args.before ?? null };
  return { first: args.first ?? DEFAULT_PAGE_SIZE, after: args.after ?? null };
}

/** A page plus the request it answers. */
export interface PageResult<T> {
  page: Page<T>;
}

export async function toResult<T>(page: Promise<Page<T>>, args: PageArgs): Promise<PageResult<T>>;
export async function toResult<T, X extends object>(page: Promise<Page<T>>, args: PageArgs, extra: X): Promise<PageResult<T> & X>;
export async function toResult<T>(page: Promise<Page<T>>, _args: PageArgs, extra: object = {}): Promise<PageResult<T>> {
  return { ...extra, page: await page };
}

/**
 * The exact count of a page's list, computed only when a query selects `totalCount` (this resolver is the only
 * caller of Page.totalCount, which runs its count command when called) and at most once per page however often
 * the query selects it (aliases).
 */
const counts = new WeakMap<PageResult<unknown>, Promise<number>>();
function countOnce(result: PageResult<unknown>): Promise<number> {
  let count = counts.get(result);
  if (!count) {
    count = result.page.totalCount();
    counts.set(result, count);
  }
  return count;
}

// biome-ignore lint: generic refs
type AnyRef<T> = ObjectRef<any, T> | PothosSchemaTypes.ObjectRef<any, T> | any;

/** Defines `${name}Connection` and `${name}Edge` for items of type `node`. */
export function connection<T, X extends object = {}>(name: string, node: AnyRef<T>, description?: string): ObjectRef<any, PageResult<T> & X> {
  const edge = builder.objectRef<{ cursor: string; node: T }>(`${name}Edge`).implement({
    description: `One ${name} of a page, with its cursor.`,
    fields: (t) => ({
      cursor: t.exposeString('cursor', { description: 'Opaque position of this item in the list: pass it as `after` or `before` (same list, same order).' }),
      node: t.field({ type: node, description: `The ${name}.`, resolve: (e) => e.node as never }),
    }),
  });
  return builder.objectRef<PageResult<T> & X>(`${name}Connection`).implement({
    description: description ?? `A page of ${name} items.`,
    fields: (t) => ({
      edges: t.field({
        type: [edge],
        description: 'The items of the page with their cursors, in list order.',
        resolve: ({ page }) => page.items.map((item, i) => ({ node: item, cursor: page.cursors[i]! })),
      }),
      nodes: t.field({ type: [node], description: 'The items of the page, in list order (the `node` of each edge).', resolve: ({ page }) => page.items as never }),
      pageInfo: t.field({
        type: builder.pageInfoRef(),
        description: 'Where the page is in the list: cursors of its ends and whether items precede or follow it.',
        resolve: ({ page }) => ({
          hasNextPage: page.hasNextPage,
          hasPreviousPage: page.hasPreviousPage,
          startCursor: page.cursors[0] ?? null,
          endCursor: page.cursors[page.cursors.length - 1] ?? null,
        }),
      }),
      totalCount: t.int({
        description: 'How many items match, across all pages.',
        resolve: (result) => countOnce(result),
      }),
    }),
  });
}

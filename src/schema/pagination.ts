/**
 * Relay connections with `totalCount`, forward paging only (`first` ≤ 100, `after`). Every list field of the
 * schema is built with `connection()` and takes `pageArgs`.
 */
import type { ObjectRef } from '@pothos/core';
import { z } from 'zod';
import type { Page, PageRequest } from '../storage/types.js';
import { builder } from './builder.js';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** The `first` and `after` arguments of every connection field. */
export const pageArgs = builder.args((t) => ({
    first: t.int({
      required: false,
      defaultValue: DEFAULT_PAGE_SIZE,
      description: `How many items to return (0 to ${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE}).`,
      validate: z.number().int().min(0, 'must be at least 0').max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`),
    }),
    after: t.string({ required: false, description: 'Return the items after this cursor (an endCursor of an earlier page).' }),
}));

export function pageRequest(args: PageArgs): PageRequest {
  return { first: args.first ?? DEFAULT_PAGE_SIZE, after: args.after ?? null };
}

/** A page plus the request it answers (for hasPreviousPage). */
export interface PageResult<T> {
  page: Page<T>;
  after: string | null;
}

export async function toResult<T>(page: Promise<Page<T>>, args: PageArgs): Promise<PageResult<T>>;
export async function toResult<T, X extends object>(page: Promise<Page<T>>, args: PageArgs, extra: X): Promise<PageResult<T> & X>;
export async function toResult<T>(page: Promise<Page<T>>, args: PageArgs, extra: object = {}): Promise<PageResult<T>> {
  return { ...extra, page: await page, after: args.after ?? null };
}

// biome-ignore lint: generic refs
type AnyRef<T> = ObjectRef<any, T> | PothosSchemaTypes.ObjectRef<any, T> | any;

/** Defines `${name}Connection` and `${name}Edge` for items of type `node`. */
export function connection<T, X extends object = {}>(name: string, node: AnyRef<T>, description?: string): ObjectRef<any, PageResult<T> & X> {
  const edge = builder.objectRef<{ cursor: string; node: T }>(`${name}Edge`).implement({
    fields: (t) => ({
      cursor: t.exposeString('cursor'),
      node: t.field({ type: node, resolve: (e) => e.node as never }),
    }),
  });
  return builder.objectRef<PageResult<T> & X>(`${name}Connection`).implement({
    description: description ?? `A page of ${name} items.`,
    fields: (t) => ({
      edges: t.field({
        type: [edge],
        resolve: ({ page }) => page.items.map((item, i) => ({ node: item, cursor: page.cursors[i]! })),
      }),
      nodes: t.field({ type: [node], resolve: ({ page }) => page.items as never }),
      pageInfo: t.field({
        type: builder.pageInfoRef(),
        resolve: ({ page, after }) => ({
          hasNextPage: page.hasNextPage,
          hasPreviousPage: after !== null,
          startCursor: page.cursors[0] ?? null,
          endCursor: page.cursors[page.cursors.length - 1] ?? null,
        }),
      }),
      totalCount: t.int({
        description: 'How many items match, across all pages.',
        resolve: ({ page }) => page.totalCount(),
      }),
    }),
  });
}

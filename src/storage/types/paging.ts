/** Paging shared by every repository: forward or backward page requests and the page they answer. */

/** Forward, cursor-based paging. `after` is an opaque cursor returned by an earlier page. */
/**
 * A page of a list: forward, the `first` items after the `after` cursor (from the start without one); or backward,
 * the `last` items before the `before` cursor (up to the end without one), still in list order.
 */
export type PageRequest = ForwardPageRequest | BackwardPageRequest;

export interface ForwardPageRequest {
  first: number;
  after?: string | null;
}

export interface BackwardPageRequest {
  last: number;
  before?: string | null;
}

export interface Page<T> {
  items: T[];
  /** One opaque cursor per item, in the same order. */
  cursors: string[];
  /** Items follow the page: forward, known from one extra item read; backward, true when `before` was given. */
  hasNextPage: boolean;
  /** Items precede the page: backward, known from one extra item read; forward, true when `after` was given. */
  hasPreviousPage: boolean;
  /** How many items match the whole filter (not only this page); computed only when called. */
  totalCount(): Promise<number>;
}

export type SortDirection = 'asc' | 'desc';

/** The EventRepository: the change log (issue 14). */
import type { EventFilter, NewEvent, RegistryEvent } from '../../domain/events.js';

export interface EventListRequest {
  /** Events after this position (exclusive); from the oldest kept one without it. */
  after?: number | null;
  /** Events before this position (exclusive), for backward paging; the newest `last` before it. */
  before?: number | null;
  /** At most this many, ascending by position (with `before`: the last ones before it, still ascending). */
  first: number;
  filter?: EventFilter | null;
}

/** Called after an event was appended by this process (not for an append that found its key already stored). */
export type EventListener = (event: RegistryEvent) => void;

/**
 * The durable change log: one event per committed change, positions 1, 2, 3, … taken strictly in order (a
 * position is only taken once every lower one exists), so a reader that has seen position p has seen every
 * matching event up to p. The log is the source of truth; `onAppended` only wakes readers in this process, which
 * then read the log from their last position.
 */
export interface EventRepository {
  /** Appends at the next position; idempotent by key: an existing key returns the stored event, appending nothing. */
  append(event: NewEvent): Promise<RegistryEvent>;
  /** Several events at consecutive positions where possible (one write on MongoDB), each idempotent by key; in order. */
  appendMany(events: readonly NewEvent[]): Promise<RegistryEvent[]>;
  /**
   * Ascending by position. ExpiredCursorError when `after` points below what retention still keeps (the event
   * right after it has expired), so a reader never silently misses events.
   */
  list(request: EventListRequest): Promise<RegistryEvent[]>;
  /** The events at these positions, ordered like `positions`, null where missing (expired or never written). */
  getByPositions(positions: readonly number[]): Promise<(RegistryEvent | null)[]>;
  /** The stored event of each key, ordered like `keys`, null where missing. */
  getByKeys(keys: readonly string[]): Promise<(RegistryEvent | null)[]>;
  /** The highest position taken (0 for an empty log). */
  latest(): Promise<number>;
  /** How many kept events match the filter. */
  count(filter?: EventFilter | null): Promise<number>;
  /** Listens to appends made by this process; returns the unsubscribe function. */
  onAppended(listener: EventListener): () => void;
  /** Deletes events appended before `cutoff` (retention), always keeping the newest; returns how many. */
  prune(cutoff: Date): Promise<number>;
}

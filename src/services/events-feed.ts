/**
 * The change log as a feed (issue 14.2): cursors and pages in position order. A cursor is the event's position,
 * opaque (base64url of `e:<position>`); the position itself is also given (`RegistryEvent.position`). Subscriptions
 * resume with the same cursors (decodeEventCursor).
 */
import type { EventFilter, RegistryEvent } from '../domain/events.js';
import { ValidationError } from '../domain/errors.js';
import type { Page, PageRequest, StorageBackend } from '../storage/types.js';

export function encodeEventCursor(position: number): string {
  return Buffer.from(`e:${position}`).toString('base64url');
}

/** The position of a cursor; a cursor that is not one of the log's is a ValidationError naming `arg`. */
export function decodeEventCursor(cursor: string, arg = 'after'): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^e:(0|[1-9][0-9]{0,15})$/.exec(text);
  const position = match ? Number(match[1]) : Number.NaN;
  if (!Number.isSafeInteger(position)) throw ValidationError.single(arg, 'is not a cursor of the change log (an `endCursor` or edge `cursor` of `events`)', 'invalid_cursor');
  return position;
}

/** One page of the log, ascending by position, forward (`first` after `after`) or backward (`last` before `before`). */
export async function eventPage(storage: StorageBackend, filter: EventFilter, request: PageRequest): Promise<Page<RegistryEvent>> {
  const log = storage.events;
  let items: RegistryEvent[];
  let hasNextPage: boolean;
  let hasPreviousPage: boolean;
  if ('first' in request) {
    const after = request.after != null ? decodeEventCursor(request.after, 'after') : null;
    const read = await log.list({ after, first: request.first + 1, filter });
    hasNextPage = read.length > request.first;
    items = read.slice(0, request.first);
    hasPreviousPage = after !== null;
  } else {
    const before = request.before != null ? decodeEventCursor(request.before, 'before') : Number.MAX_SAFE_INTEGER;
    const read = await log.list({ before, first: request.last + 1, filter });
    hasPreviousPage = read.length > request.last;
    items = read.slice(Math.max(0, read.length - request.last));
    hasNextPage = request.before != null;
  }
  return {
    items,
    cursors: items.map((e) => encodeEventCursor(e.position)),
    hasNextPage,
    hasPreviousPage,
    totalCount: () => log.count(filter),
  };
}

/**
 * The live side of the change log on one instance. Each subscription is a follower with a position; the hub
 * reads the log's new events once per wake-up (the bus, an append in this process, or the poll timer) and hands
 * them to every follower, so N subscribers cost one log read per wake-up, not N.
 *
 * A follower first replays from the log (its own reads, with its filter) and then takes the hub's batches, skipping
 * what it has already seen; when a batch starts after its position (it was registered while the hub was ahead, or
 * its queue overflowed) it reads the gap from the log itself. Positions are gapless and taken in order (see
 * EventRepository), so reading "after p" never skips an event: no gap, no duplicate, and a lost wake-up only
 * delays.
 */
import type { EventFilter, RegistryEvent } from '../domain/events.js';
import { matchesEventFilter } from '../domain/events.js';
import { ExpiredCursorError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import type { EventRepository } from '../storage/types.js';
import type { WakeBus } from './bus.js';
import { SubscriptionLimitError, SubscriptionsClosedError } from './errors.js';
import type { LiveOptions } from './options.js';

/** How many events one log read fetches. */
const PAGE = 200;

interface Batch {
  /** The position the batch follows (its first event is the next one after it). */
  after: number;
  events: RegistryEvent[];
}

interface Follower {
  queue: Batch[];
  queued: number;
  /** The queue overflowed and was dropped: re-read from the log. */
  overflowed: boolean;
  wake: (() => void) | null;
  /** The stream was returned (the client went away): end at the next step, even while waiting. */
  stopped: boolean;
}

export interface FollowSpec {
  /** Replay the events after this position first (the log's latest position: only what is appended from now on). */
  after: number;
  /** The log's latest position, read before the stream opens (the hub starts there when it had no followers). */
  head: number;
  /** The log filter (index reads on MongoDB). */
  filter: EventFilter;
  /** A check the log filter cannot express (kept events only; the position still advances past the others). */
  keep?: (event: RegistryEvent) => boolean;
  /** Who holds the subscription: the per-principal cap counts by it. */
  principal: string;
  /** Called before each event goes out; resolves false to end the subscription (the caller may no longer read). */
  allowed?: (event: RegistryEvent) => Promise<Error | null> | Error | null;
  /** The request's signal: the stream ends when the client goes away, even while it waits for events. */
  signal?: AbortSignal;
}

/** What a subscription yields: an event, or its last item: why it ends (the caller may no longer read, the cursor expired). */
export type FollowItem = { event: RegistryEvent } | { end: Error };

export interface LiveHubStats {
  open: number;
  principals: number;
  bus: WakeBus['kind'];
}

export class LiveHub {
  private readonly followers = new Set<Follower>();
  private readonly perPrincipal = new Map<string, number>();
  private open = 0;
  /** The last position the hub has read; undefined while nobody follows. */
  private tail: number | undefined;
  private reading = false;
  private dirty = false;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly log: EventRepository,
    private readonly bus: WakeBus,
    private readonly options: LiveOptions,
    private readonly logger: Logger,
  ) {
    // Appends of this process go on the bus (Redis: to every instance; in-process: straight back here).
    this.unsubscribe.push(log.onAppended(() => bus.publish()));
    // With Redis this instance also wakes itself at once, not only when its own message comes back.
    if (bus.kind === 'redis') this.unsubscribe.push(log.onAppended(() => this.wake()));
    this.unsubscribe.push(bus.subscribe(() => this.wake()));
  }

  /** The poll timer runs while someone follows. */
  private polling(on: boolean): void {
    if (on && !this.timer) {
      this.timer = setInterval(() => this.wake(), this.options.pollMs);
      this.timer.unref();
    } else if (!on && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  get busKind(): WakeBus['kind'] {
    return this.bus.kind;
  }

  stats(): LiveHubStats {
    return { open: this.open, principals: this.perPrincipal.size, bus: this.bus.kind };
  }

  /** Resolves once wake-ups from other instances are heard. */
  ready(): Promise<void> {
    return this.bus.ready();
  }

  /**
   * Opens a subscription (the caps are checked now, before anything is read) and returns its stream. The stream
   * releases its place when it ends, is returned, or is dropped before it started.
   */
  follow(spec: FollowSpec): AsyncIterableIterator<FollowItem> {
    if (this.closed) throw new SubscriptionsClosedError();
    const held = this.perPrincipal.get(spec.principal) ?? 0;
    if (this.open >= this.options.maxSubscriptions) throw new SubscriptionLimitError('total', this.options.maxSubscriptions);
    if (held >= this.options.maxPerPrincipal) throw new SubscriptionLimitError('principal', this.options.maxPerPrincipal);
    this.open++;
    this.perPrincipal.set(spec.principal, held + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.open--;
      const left = (this.perPrincipal.get(spec.principal) ?? 1) - 1;
      if (left > 0) this.perPrincipal.set(spec.principal, left);
      else this.perPrincipal.delete(spec.principal);
    };
    const follower: Follower = { queue: [], queued: 0, overflowed: false, wake: null, stopped: false };
    const inner = this.run(spec, follower, release);
    const stop = () => {
      release();
      spec.signal?.removeEventListener('abort', stop);
      follower.stopped = true;
      this.followers.delete(follower);
      if (this.followers.size === 0) this.idle();
      follower.wake?.();
    };
    if (spec.signal?.aborted) stop();
    else spec.signal?.addEventListener('abort', stop, { once: true });
    return {
      next: () => inner.next(),
      return: async (value?: unknown) => {
        stop();
        return inner.return(value as never);
      },
      throw: async (error?: unknown) => {
        stop();
        return inner.throw(error);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** Ends every subscription (each stream completes) and refuses new ones. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.polling(false);
    for (const off of this.unsubscribe.splice(0)) off();
    for (const follower of this.followers) follower.wake?.();
    await this.bus.close();
  }

  private async *run(spec: FollowSpec, follower: Follower, release: () => void): AsyncGenerator<FollowItem> {
    const ended = () => this.closed || follower.stopped;
    try {
      if (ended()) return;
      // Registered before the first read: whatever the hub reads from now on is queued, and whatever it read
      // before was committed before our own read below.
      this.followers.add(follower);
      // Everything up to `head` was committed before our first read below; the hub reads what follows it.
      if (this.tail === undefined) this.tail = spec.head;
      this.polling(true);
      let last = spec.after;
      let replay = true;
      let upTo: number | null = spec.head;
      while (!ended()) {
        if (replay) {
          replay = false;
          follower.overflowed = false;
          // Every event up to the log's latest position read *before* the filtered reads is seen once they end:
          // a filtered follower then skips ahead instead of re-reading for each batch.
          const seenUpTo = upTo ?? (await this.retrying(follower, () => this.log.latest()));
          upTo = null;
          if (seenUpTo === null) return;
          if (seenUpTo instanceof Error) return yield { end: seenUpTo };
          for (;;) {
            const page = await this.retrying(follower, () => this.log.list({ after: last, first: PAGE, filter: spec.filter }));
            if (page instanceof Error) return yield { end: page };
            if (page === null) return;
            for (const event of page) {
              if (ended()) return;
              last = event.position;
              if (spec.keep && !spec.keep(event)) continue;
              const denied = spec.allowed ? await spec.allowed(event) : null;
              if (denied) return yield { end: denied };
              yield { event };
            }
            if (page.length < PAGE) break;
          }
          last = Math.max(last, seenUpTo);
          continue;
        }
        const batch = follower.queue.shift();
        if (!batch) {
          if (follower.overflowed) {
            replay = true;
            continue;
          }
          await new Promise<void>((resolve) => (follower.wake = resolve));
          follower.wake = null;
          continue;
        }
        follower.queued -= batch.events.length;
        if (batch.after > last) {
          // The batch starts past what we have seen: read the gap (and this batch) from the log.
          follower.queue.length = 0;
          follower.queued = 0;
          replay = true;
          continue;
        }
        for (const event of batch.events) {
          if (event.position <= last) continue;
          last = event.position;
          if (!matchesEventFilter(event, spec.filter) || (spec.keep && !spec.keep(event))) continue;
          if (ended()) return;
          const denied = spec.allowed ? await spec.allowed(event) : null;
          if (denied) return yield { end: denied };
          yield { event };
        }
      }
    } finally {
      this.followers.delete(follower);
      if (this.followers.size === 0) this.idle();
      release();
    }
  }

  /**
   * A log read for a follower: on a storage failure it waits (a wake-up or the poll interval) and tries
   * again; an expired cursor is returned (the subscription ends with it); null once the hub is closed.
   */
  private async retrying<T>(follower: Follower, read: () => Promise<T>): Promise<T | Error | null> {
    for (;;) {
      if (this.closed || follower.stopped) return null;
      try {
        return await read();
      } catch (error) {
        if (error instanceof ExpiredCursorError) return error;
        this.logger.warn({ err: error }, 'a subscription could not read the event log; retrying');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.pollMs);
          follower.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        follower.wake = null;
      }
    }
  }

  /** Nobody follows: stop reading (the next follower's head is where the hub starts again). */
  private idle(): void {
    this.tail = undefined;
    this.polling(false);
  }

  /** Reads what was appended since the hub's tail and hands it out; concurrent wake-ups coalesce. */
  wake(): void {
    if (this.closed || this.followers.size === 0 || this.tail === undefined) return;
    this.dirty = true;
    if (this.reading) return;
    this.reading = true;
    void this.drain();
  }

  /** Runs until no wake-up came during its last read; `reading` is cleared in the same step as the last check. */
  private async drain(): Promise<void> {
    try {
      await this.drainOnce();
    } finally {
      this.reading = false;
    }
    // A wake-up that came after the last read but before `reading` was cleared is not lost.
    if (this.dirty) this.wake();
  }

  private async drainOnce(): Promise<void> {
    while (this.dirty && !this.closed && this.tail !== undefined) {
      this.dirty = false;
      try {
        for (;;) {
          const after: number | undefined = this.tail;
          if (after === undefined) return;
          const events = await this.log.list({ after, first: PAGE });
          if (events.length === 0) break;
          if (this.tail !== after) break; // nobody followed for a moment: start again from the new tail
          this.tail = events[events.length - 1]!.position;
          this.deliver({ after, events });
          if (events.length < PAGE) break;
        }
      } catch (error) {
        // The next wake-up or poll tries again; followers wait meanwhile, nothing is lost.
        this.logger.warn({ err: error }, 'subscriptions could not read the event log; retrying on the next wake-up');
      }
    }
  }

  private deliver(batch: Batch): void {
    for (const follower of this.followers) {
      if (follower.overflowed) continue;
      if (follower.queued + batch.events.length > this.options.bufferSize) {
        // A slow reader: drop its queue, it re-reads from the log when it gets to it.
        follower.queue.length = 0;
        follower.queued = 0;
        follower.overflowed = true;
      } else {
        follower.queue.push(batch);
        follower.queued += batch.events.length;
      }
      follower.wake?.();
    }
  }
}

/**
 * The wake-up bus: after each append to the event log, every instance is told "the log grew" so that its
 * subscribers re-read it. With GRIOT_REDIS_URL the message goes through Redis pub/sub
 * (@graphql-yoga/redis-event-target over ioredis) to every instance on the same channel; without it, only this
 * instance hears it. The message carries nothing a subscriber relies on: the log stays the source of truth, so a
 * lost message only delays an event until the next wake-up or poll (LiveOptions.pollMs).
 */
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';

export interface WakeBus {
  readonly kind: 'redis' | 'in-process';
  /** Tells every listening instance (this one included) that the log grew. */
  publish(): void;
  /** Calls `listener` on each wake-up; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** Resolves once wake-ups from other instances are heard (Redis: the channel is subscribed). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface BusOptions {
  redisUrl: string | null;
  /** The Redis channel: one per database, so registries sharing a Redis do not wake each other. */
  channel: string;
  logger: Logger;
}

/** The bus for these options. */
export function createBus(options: BusOptions): WakeBus {
  return options.redisUrl ? redisBus(options.redisUrl, options.channel, options.logger) : inProcessBus();
}

function inProcessBus(): WakeBus {
  const listeners = new Set<() => void>();
  return {
    kind: 'in-process',
    publish() {
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async ready() {},
    async close() {
      listeners.clear();
    },
  };
}

function redisBus(url: string, channel: string, logger: Logger): WakeBus {
  // ioredis reconnects on its own; while Redis is away, each instance still wakes its own subscribers and the
  // others catch up by polling. One line per outage, not one per retry.
  let down = false;
  const connect = (role: string) => {
    const client = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: true });
    client.on('error', (error: Error) => {
      if (down) return;
      down = true;
      logger.warn({ err: { message: error.message }, role }, 'Redis for subscriptions is unreachable; subscribers on other instances fall back to polling the log');
    });
    client.on('ready', () => {
      if (!down) return;
      down = false;
      logger.info({ role }, 'Redis for subscriptions is back');
    });
    return client;
  };
  const publishClient = connect('publish');
  const subscribeClient = connect('subscribe');
  const target = createRedisEventTarget<CustomEvent>({ publishClient, subscribeClient });
  const listeners = new Map<() => void, EventListener>();
  return {
    kind: 'redis',
    publish() {
      // The payload is a time, for the logs only; nobody reads the log position from the bus.
      target.dispatchEvent(new CustomEvent(channel, { detail: Date.now() }));
    },
    subscribe(listener) {
      const wrapped: EventListener = () => listener();
      listeners.set(listener, wrapped);
      target.addEventListener(channel, wrapped);
      return () => {
        target.removeEventListener(channel, wrapped);
        listeners.delete(listener);
      };
    },
    async ready() {
      // Subscribing again to a channel is a no-op for Redis; awaiting it tells when the subscription is in place.
      await subscribeClient.subscribe(channel);
    },
    async close() {
      for (const wrapped of listeners.values()) target.removeEventListener(channel, wrapped);
      listeners.clear();
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  };
}

/**
 * Live updates of one server instance: the hub that follows the event log for every open subscription, and the
 * bus that wakes it (Redis across instances, else in-process). Built once per process, next to the storage; the
 * server's subscriptions use it, and the graceful shutdown closes it first so that every stream completes.
 */
import { type Logger, silentLogger } from '../observability/logger.js';
import type { StorageBackend } from '../storage/types.js';
import { createBus } from './bus.js';
import { LiveHub } from './hub.js';
import { DEFAULT_LIVE, type LiveOptions } from './options.js';

export { LiveHub } from './hub.js';
export { DEFAULT_LIVE, type LiveOptions } from './options.js';

export interface Live {
  readonly hub: LiveHub;
  readonly options: LiveOptions;
  /** Ends every open subscription (each stream completes) and refuses new ones; disconnects from Redis. */
  close(): Promise<void>;
}

export interface CreateLiveOptions {
  /** Redis channel name; one per database (default `griot-registry:events`). */
  channel?: string;
  logger?: Logger;
  /** Say at start-up which bus delivers events (default true). */
  announce?: boolean;
}

export function createLive(storage: StorageBackend, options: Partial<LiveOptions> = {}, extra: CreateLiveOptions = {}): Live {
  const settings: LiveOptions = { ...DEFAULT_LIVE, ...options };
  const logger = extra.logger ?? silentLogger();
  const bus = createBus({ redisUrl: settings.redisUrl, channel: extra.channel ?? 'griot-registry:events', logger });
  const hub = new LiveHub(storage.events, bus, settings, logger);
  if (extra.announce ?? true) {
    if (bus.kind === 'redis') logger.info({ bus: 'redis' }, 'subscriptions: events fan out to every instance through Redis (GRIOT_REDIS_URL)');
    else logger.info({ bus: 'in-process' }, 'subscriptions: in-process delivery, this instance only (set GRIOT_REDIS_URL to fan out across instances)');
  }
  return { hub, options: settings, close: () => hub.close() };
}

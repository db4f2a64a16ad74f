/**
 * The database as the observability plugins see it: the MongoDB driver's command monitoring (`monitorCommands`,
 * commandStarted/Succeeded/Failed) and connection-pool events (CMAP). Commands are attributed to the request whose
 * async call chain sent them (request-scope.ts). The in-memory backend has no client: it sends no commands.
 */
import type { CommandFailedEvent, CommandStartedEvent, CommandSucceededEvent, MongoClient } from 'mongodb';
import type { StorageBackend } from '../storage/types.js';
import { currentRequest } from './request-scope.js';

/** The driver client of a MongoDB backend, or null for a backend without one. */
export function mongoClientOf(storage: StorageBackend): MongoClient | null {
  const client = (storage as { client?: unknown }).client;
  return client && typeof (client as MongoClient).on === 'function' ? (client as MongoClient) : null;
}

export interface CommandHandlers {
  started?(event: CommandStartedEvent): void;
  succeeded?(event: CommandSucceededEvent): void;
  failed?(event: CommandFailedEvent): void;
}

/** Subscribes to the client's command events; returns the unsubscribe function. */
export function watchCommands(client: MongoClient, handlers: CommandHandlers): () => void {
  const { started, succeeded, failed } = handlers;
  if (started) client.on('commandStarted', started);
  if (succeeded) client.on('commandSucceeded', succeeded);
  if (failed) client.on('commandFailed', failed);
  return () => {
    if (started) client.off('commandStarted', started);
    if (succeeded) client.off('commandSucceeded', succeeded);
    if (failed) client.off('commandFailed', failed);
  };
}

const counted = new WeakSet<MongoClient>();

/** Counts every command into the request that sent it (once per client, whatever the number of servers). */
export function countRequestCommands(client: MongoClient): void {
  if (counted.has(client)) return;
  counted.add(client);
  watchCommands(client, {
    started() {
      const request = currentRequest();
      if (request) request.dbCommands++;
    },
  });
}

/** A key that pairs a command's started event with its succeeded/failed one. */
export function commandKey(event: { requestId: number; connectionId?: string | number; address: string }): string {
  return `${event.address}/${event.connectionId ?? ''}/${event.requestId}`;
}

/**
 * Request ids: a sane incoming `x-request-id` (from a proxy or the client) is kept so that one id follows the call
 * through every hop; anything else (missing, too long, characters outside [A-Za-z0-9._:-]) is replaced by a new
 * random UUID. The id is echoed in the response, in every log line of the request and in internal errors.
 */
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';
export const DEFAULT_REQUEST_ID_MAX_LENGTH = 128;

const SAFE = /^[A-Za-z0-9._:-]+$/;

export function requestIdOf(incoming: string | null, maxLength = DEFAULT_REQUEST_ID_MAX_LENGTH): string {
  if (incoming && incoming.length <= maxLength && SAFE.test(incoming)) return incoming;
  return randomUUID();
}

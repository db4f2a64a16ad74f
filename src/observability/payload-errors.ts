/**
 * Typed errors a mutation returns inside its payload (Pothos' errors plugin: `ValidationError`, `ConflictError`, …)
 * are the caller's errors, though the response has no `errors`. The plugin's `onResolvedError` hook
 * (src/schema/builder.ts) records each in the request scope (`payloadErrors`, its code); the request log and the
 * request metrics then say `user_error` for that request.
 */
import { currentRequest } from './request-scope.js';

export function recordPayloadError(error: Error): void {
  const code = (error as { code?: unknown }).code;
  currentRequest()?.payloadErrors.push(typeof code === 'string' ? code : error.name);
}

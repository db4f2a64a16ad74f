/**
 * Every machine-readable code the registry reports: the `code` of each typed mutation error and the
 * `extensions.code` of each GraphQL error. One table, so the GraphQL `ErrorCode` enum and the server agree;
 * add a code here before emitting it. Pure data.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: 'The input is invalid; the ValidationError lists every problem with its path. Nothing was written.',
  NOT_FOUND: 'The thing named by the call does not exist (or the caller may not see it).',
  CONFLICT: 'The revision given is not the current one: read again, then retry. Nothing was written.',
  ALREADY_EXISTS: 'A value that must be unique (a contract name, a version number) is taken. Nothing was written.',
  INVALID_TRANSITION: 'The contract lifecycle does not allow this status change. Nothing was written.',
  INCOMPATIBLE_CHANGE: 'The update holds breaking or incompatible changes and acceptBreakingChanges was not set. Nothing was written.',
  INVALID_STATE: 'The thing is not in a state that allows the action (e.g. an approval request is open). Nothing was written.',
  UNAUTHENTICATED: 'No valid credentials: send an x-api-key or an Authorization: Bearer header (or fix the one sent).',
  FORBIDDEN: "The caller's roles do not allow this field or mutation, or this action on this thing.",
  BAD_USER_INPUT: 'A variable or argument has the wrong type or shape (checked before any resolver runs).',
  GRAPHQL_PARSE_FAILED: 'The request is not a parseable GraphQL document.',
  GRAPHQL_VALIDATION_FAILED: 'The operation does not validate against the schema (unknown field or argument, wrong type...).',
  CSRF_HEADER_MISSING: 'A GET, form or plain-text request without the x-graphql-yoga-csrf header (cross-site request protection).',
  CURSOR_EXPIRED: 'The change-log cursor points at events that retention has already deleted: start again from the oldest kept event (no cursor) or a newer one.',
  RATE_LIMITED: 'Too many requests from this caller: wait and retry.',
  TIMEOUT: 'The request took longer than its time budget and was cancelled; nothing half-written is visible.',
  CANCELLED: 'The client closed the request before it finished; it was stopped (the client no longer reads this).',
  UNAVAILABLE: 'The storage did not answer in time or is down: retry later; nothing half-written is visible.',
  INTERNAL_SERVER_ERROR: 'An unexpected failure; the message is generic and the details are only in the server log.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes in table order. */
export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

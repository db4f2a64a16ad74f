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
  IDEMPOTENCY_KEY_REUSED: 'The idempotencyKey was already used by this caller for this mutation with a different input. Nothing was written; use a new key.',
  IDEMPOTENCY_KEY_IN_PROGRESS: 'An earlier request with the same idempotencyKey and input is still running. Nothing was written by this one; retry shortly.',
  UNAUTHENTICATED: 'No valid credentials: send an x-api-key or an Authorization: Bearer header (or fix the one sent).',
  FORBIDDEN: "The caller's roles do not allow this field or mutation, or this action on this thing.",
  BAD_USER_INPUT: 'A variable or argument has the wrong type or shape (checked before any resolver runs).',
  GRAPHQL_PARSE_FAILED: 'The request is not a parseable GraphQL document.',
  GRAPHQL_VALIDATION_FAILED: 'The operation does not validate against the schema (unknown field or argument, wrong type...).',
  CSRF_HEADER_MISSING: 'A GET, form or plain-text request without the x-graphql-yoga-csrf header (cross-site request protection).',
  CURSOR_EXPIRED: 'The change-log cursor points at events that retention has already deleted: start again from the oldest kept event (no cursor) or a newer one.',
  RATE_LIMITED: 'Too many requests from this caller: wait and retry.',
  TOO_MANY_SUBSCRIPTIONS: 'This caller (or this server, all callers together) holds as many open subscriptions as allowed: close one, or retry later.',
  TIMEOUT: 'The request took longer than its time budget and was cancelled; nothing half-written is visible.',
  CANCELLED: 'The client closed the request before it finished; it was stopped (the client no longer reads this).',
  UNAVAILABLE: 'The storage did not answer in time or is down: retry later; nothing half-written is visible.',
  INTERNAL_SERVER_ERROR: 'An unexpected failure; the message is generic and the details are only in the server log.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes in table order. */
export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

/**
 * Every `code` a ValidationIssue can carry: what is wrong with one input value. Closed: the registry's own checks
 * use these, and the document model (zod) reports its issue codes, which are all listed. Lower case, as always sent.
 */
export const VALIDATION_ISSUE_CODES = {
  required: 'A required value is missing (or blank).',
  invalid_type: 'The value has the wrong type (e.g. a string where a number or an object is expected).',
  invalid_value: 'The value is of the right type but not one that is accepted (e.g. outside an allowed list or range).',
  invalid_format: 'A string does not have the required form (e.g. not a semantic version, not a valid name).',
  invalid_syntax: 'Text does not parse in its format (YAML or JSON); the message says where.',
  invalid_id: 'Not a global ID, or the global ID of another type than expected.',
  invalid_cursor: 'A paging cursor that this list, in this order, did not return.',
  invalid_combination: 'Arguments that cannot be given together (e.g. `first` with `last`).',
  invalid: 'The value is well-formed but not allowed here (e.g. naming yourself as an approver).',
  too_big: 'Too long, too many items, or too large.',
  too_small: 'Too short, too few items, or too small.',
  out_of_range: 'A number outside the range the other inputs allow (e.g. more required approvals than approvers).',
  not_multiple_of: 'A number that is not a multiple of the step the document model requires.',
  unrecognized_keys: 'An object holds keys the document model does not allow.',
  invalid_union: 'The value matches none of the shapes allowed at this place.',
  invalid_key: 'A key of a map or record is not valid.',
  invalid_element: 'An element of a collection is not valid.',
  custom: 'A rule of the document model that fits no other code; the message says which.',
  duplicate: 'The value repeats one that must be unique in the input (e.g. two schemas with one name).',
  immutable: 'The value may not change once set (e.g. the ODCS `id` of a contract).',
  not_found: 'The value names something that does not exist (e.g. a version the contract does not have).',
  version_too_low: 'The version is not above the current one by at least the bump the changes require.',
} as const;

export type ValidationIssueCode = keyof typeof VALIDATION_ISSUE_CODES;

/** The issue codes in table order. */
export const VALIDATION_ISSUE_CODE_LIST = Object.keys(VALIDATION_ISSUE_CODES) as ValidationIssueCode[];

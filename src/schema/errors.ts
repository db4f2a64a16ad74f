/**
 * The typed errors of mutation results. Each domain error class is one GraphQL type implementing `Error`, so
 * clients can branch on `__typename` and read structured details, not just a message.
 */
import {
  AlreadyExistsError,
  ConflictError,
  IdempotencyKeyInProgressError,
  IdempotencyKeyReusedError,
  IncompatibleChangeError,
  type IncompatibleChange,
  InvalidStateError,
  InvalidTransitionError,
  NotAllowedError,
  NotFoundError,
  RegistryError,
  ValidationError,
  type ValidationIssue,
} from '../domain/errors.js';
import { ERROR_CODES, ERROR_CODE_LIST, type ErrorCode, VALIDATION_ISSUE_CODES, VALIDATION_ISSUE_CODE_LIST, type ValidationIssueCode } from '../domain/error-codes.js';
import { builder } from './builder.js';
import { ResourceTypeEnum, UniqueFieldEnum } from './closed-sets.js';

export const ErrorCodeRef = builder.enumType('ErrorCode', {
  description:
    'What went wrong, for programs: the `code` of every Error type in mutation results, and `extensions.code` of every entry in a response\'s `errors`. New codes may be added; treat an unknown one as a failure.',
  values: Object.fromEntries(ERROR_CODE_LIST.map((code) => [code, { value: code, description: ERROR_CODES[code] }])) as Record<
    ErrorCode,
    { value: ErrorCode; description: string }
  >,
});

export const ValidationIssueCodeRef = builder.enumType('ValidationIssueCode', {
  description:
    'What is wrong with one input value (`ValidationIssue.code`). Lower case, the values the field always carried as a String. New codes may be added; treat an unknown one like `invalid_value`.',
  values: Object.fromEntries(VALIDATION_ISSUE_CODE_LIST.map((code) => [code, { value: code, description: VALIDATION_ISSUE_CODES[code] }])) as Record<
    ValidationIssueCode,
    { value: ValidationIssueCode; description: string }
  >,
});

export const ErrorInterface = builder.interfaceRef<RegistryError>('Error').implement({
  description: 'An expected failure of a mutation, returned as its result instead of data. Nothing was written.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'A human-readable explanation, in English; do not parse it, switch on `code`.' }),
    code: t.field({ type: ErrorCodeRef, description: 'What went wrong, for programs: one ErrorCode per Error type.', resolve: (e) => e.code }),
  }),
});

/** `document.schema[0].properties[3]` -> ['document', 'schema', '0', 'properties', '3']; `(root)` -> []. */
export function pathSegmentsOf(path: string): string[] {
  if (path === '(root)' || path === '') return [];
  return path.split('.').flatMap((part) => {
    const [key, ...indexes] = part.split('[');
    return [...(key ? [key] : []), ...indexes.map((i) => i.replace(/\]$/, ''))];
  });
}

export const ValidationIssueRef = builder.objectRef<ValidationIssue>('ValidationIssue').implement({
  description: 'One problem with the input.',
  fields: (t) => ({
    path: t.exposeString('path', { description: 'Where, for people: e.g. `document.schema[0].properties[3].logicalType` or `input.name`; `(root)` for the whole input.' }),
    pathSegments: t.stringList({
      description:
        'Where, for programs: the same path as a list of object keys and array indexes (indexes as decimal strings), e.g. ["document", "schema", "0", "properties", "3", "logicalType"]; empty for the whole input.',
      resolve: (issue) => pathSegmentsOf(issue.path),
    }),
    message: t.exposeString('message', { description: 'What is wrong there, in English, for people (e.g. "must be at most 100").' }),
    code: t.field({ type: ValidationIssueCodeRef, description: 'The kind of problem, for programs: e.g. `required`, `invalid_type`, `too_big` (see ValidationIssueCode).', resolve: (issue) => issue.code }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input is invalid; every problem is listed with its path.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ValidationError,
  fields: (t) => ({
    issues: t.field({ type: [ValidationIssueRef], description: 'Every problem found (at least one), in input order.', resolve: (e) => e.issues }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'The thing the mutation acts on does not exist.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof NotFoundError,
  fields: (t) => ({
    resourceType: t.field({ type: ResourceTypeEnum, description: 'The kind of thing looked up: CONTRACT, CONTRACT_VERSION, RUN, VALIDATION_RECORD, ISSUE, COMMENT, APPROVAL_REQUEST.', resolve: (e) => e.resource }),
    resource: t.exposeString('resource', {
      description: 'The type of thing looked up: Contract, ContractVersion, Run, ValidationRecord, Issue, Comment, ApprovalRequest.',
      deprecationReason: 'Use resourceType, the same kind of thing as a ResourceType enum value.',
    }),
    key: t.exposeString('key', { description: 'What it was looked up by: the ID given, or `name@version` for a contract version.' }),
  }),
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: 'The revision named by the mutation is not the current one: read again, then retry.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ConflictError,
  fields: (t) => ({
    resourceType: t.field({ type: ResourceTypeEnum, description: 'The kind of thing written: CONTRACT, ISSUE, RUN, COMMENT or APPROVAL_REQUEST.', resolve: (e) => e.resource }),
    resource: t.exposeString('resource', {
      description: 'The type of thing written: Contract, Issue, Run, Comment or ApprovalRequest.',
      deprecationReason: 'Use resourceType, the same kind of thing as a ResourceType enum value.',
    }),
    expectedRevision: t.exposeInt('expectedRevision', { description: 'The revision the call expected (its `expectedRevision`).' }),
    actualRevision: t.exposeInt('actualRevision', {
      nullable: true,
      description: 'The current revision (read it again from there); null when another write landed while this one was in flight.',
    }),
  }),
});

builder.objectType(AlreadyExistsError, {
  name: 'AlreadyExistsError',
  description: 'A value that must be unique is taken.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof AlreadyExistsError,
  fields: (t) => ({
    resourceType: t.field({ type: ResourceTypeEnum, description: 'The kind of thing: CONTRACT, CONTRACT_VERSION or ISSUE.', resolve: (e) => e.resource }),
    resource: t.exposeString('resource', {
      description: 'The type of thing: Contract, ContractVersion or Issue.',
      deprecationReason: 'Use resourceType, the same kind of thing as a ResourceType enum value.',
    }),
    uniqueField: t.field({ type: UniqueFieldEnum, description: 'The unique field whose value is taken: NAME, ODCS_ID or ID of a contract, VERSION of a contract version, FINGERPRINT of an issue.', resolve: (e) => e.field }),
    field: t.exposeString('field', {
      description: 'The unique field: `name` or `odcsId` of a contract, `version` of a contract version, `fingerprint` of an issue.',
      deprecationReason: 'Use uniqueField, the same field as a UniqueField enum value.',
    }),
    value: t.exposeString('value', { description: 'The value that is taken, as given.' }),
  }),
});

builder.objectType(InvalidTransitionError, {
  name: 'InvalidTransitionError',
  description: 'The lifecycle does not allow this status change.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof InvalidTransitionError,
  fields: (t) => ({
    resourceType: t.field({ type: ResourceTypeEnum, description: 'The kind of thing: CONTRACT, ISSUE or RUN.', resolve: (e) => e.resource }),
    resource: t.exposeString('resource', {
      description: 'The type of thing: Contract, Issue or Run.',
      deprecationReason: 'Use resourceType, the same kind of thing as a ResourceType enum value.',
    }),
    from: t.exposeString('from', { description: 'Its current status, lower case as stored (e.g. `in_review`).' }),
    to: t.exposeString('to', { description: 'The status asked for, lower case.' }),
    allowed: t.exposeStringList('allowed', { description: 'The statuses reachable from `from`, lower case; empty when `from` is final.' }),
  }),
});

export const IncompatibleChangeRef = builder.objectRef<IncompatibleChange>('IncompatibleChange').implement({
  description: 'One change that made an update refused: breaking, or not allowed by the compatibility mode.',
  fields: (t) => ({
    ruleId: t.exposeString('ruleId', { description: 'The rule that judged it, e.g. property-removed (see ContractChange.ruleId).' }),
    level: t.exposeString('level', {
      description: 'The rule\'s level, lower case: breaking, warning or info (a warning can still break the compatibility mode).',
      deprecationReason: 'Use changeLevel, the same level as a ChangeLevel enum value.',
    }),
    readablePath: t.exposeString('readablePath', { description: 'Where, for people: e.g. `orders.customer_email.logicalType`.' }),
    explanation: t.exposeString('explanation', { description: 'What changed and why it matters to consumers, in English.' }),
    suggestion: t.exposeString('suggestion', { description: 'How to make the change without breaking consumers, in English.' }),
  }),
});

builder.objectType(IncompatibleChangeError, {
  name: 'IncompatibleChangeError',
  description: 'The update holds breaking or incompatible changes; pass acceptBreakingChanges to write it anyway.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof IncompatibleChangeError,
  fields: (t) => ({
    compatibility: t.exposeString('compatibility', {
      description: 'The compatibility mode the update was checked with, as a CompatibilityMode name (e.g. BACKWARD).',
      deprecationReason: 'Use compatibilityMode, the same mode as a CompatibilityMode enum value.',
    }),
    requiredBump: t.exposeString('requiredBump', {
      description: 'The version bump all the changes require, lower case: major, minor, patch or none.',
      deprecationReason: 'Use versionBump, the same bump as a VersionBump enum value.',
    }),
    changes: t.field({ type: [IncompatibleChangeRef], description: 'The offending changes (at least one): breaking ones first, then compatibility violations.', resolve: (e) => e.changes }),
  }),
});

builder.objectType(NotAllowedError, {
  name: 'NotAllowedError',
  description: 'The caller may call the mutation, but not on this thing (e.g. edit another author\'s comment).',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof NotAllowedError,
  fields: (t) => ({
    resourceType: t.field({ type: ResourceTypeEnum, description: 'The kind of thing: COMMENT, APPROVAL_REQUEST or CONTRACT.', resolve: (e) => e.resource }),
    resource: t.exposeString('resource', {
      description: 'The type of thing: Comment, ApprovalRequest or Contract.',
      deprecationReason: 'Use resourceType, the same kind of thing as a ResourceType enum value.',
    }),
    action: t.exposeString('action', { description: 'What the caller tried, e.g. `edit`, `delete`, `approve`, `withdraw`, `submit for review`.' }),
    reason: t.exposeString('reason', { description: 'Why not, in English: e.g. only its author may edit a comment, or the caller is not one of the approvers.' }),
  }),
});

builder.objectType(InvalidStateError, {
  name: 'InvalidStateError',
  description: 'The thing is not in a state that allows the action (e.g. a new version while an approval request is open).',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof InvalidStateError,
  fields: (t) => ({
    resourceType: t.field({ type: ResourceTypeEnum, description: 'The kind of thing: CONTRACT or APPROVAL_REQUEST.', resolve: (e) => e.resource }),
    resource: t.exposeString('resource', {
      description: 'The type of thing: Contract or ApprovalRequest.',
      deprecationReason: 'Use resourceType, the same kind of thing as a ResourceType enum value.',
    }),
    action: t.exposeString('action', { description: 'What was refused, e.g. `write a new version of`.' }),
    reason: t.exposeString('reason', { description: 'What is in the way, and what would allow the action.' }),
  }),
});

builder.objectType(IdempotencyKeyReusedError, {
  name: 'IdempotencyKeyReusedError',
  description: 'The idempotencyKey was already used by this caller for this mutation with a different input. Nothing was written: send a new key for a different request.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof IdempotencyKeyReusedError,
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The input field at fault: `input.idempotencyKey`.' }),
    key: t.exposeString('key', { description: 'The key as sent.' }),
    mutation: t.exposeString('mutation', { description: 'The mutation the key was first used for (keys are scoped per caller and per mutation).' }),
  }),
});

builder.objectType(IdempotencyKeyInProgressError, {
  name: 'IdempotencyKeyInProgressError',
  description: 'An earlier request with the same idempotencyKey and input is still running. This one wrote nothing: retry after a moment to get its result.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof IdempotencyKeyInProgressError,
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The input field concerned: `input.idempotencyKey`.' }),
    key: t.exposeString('key', { description: 'The key as sent.' }),
    mutation: t.exposeString('mutation', { description: 'The mutation the key belongs to.' }),
    retryAfterMs: t.exposeInt('retryAfterMs', { description: 'A suggested wait before retrying, in milliseconds.' }),
  }),
});

/** The description of the `idempotencyKey` input field of every mutation that takes one. */
export const IDEMPOTENCY_KEY_DESCRIPTION =
  'Optional, 1 to 200 characters, chosen by the caller (e.g. a UUID per logical request). A retry with the same key and the same input returns the first result and writes nothing; the same key with a different input is an IdempotencyKeyReusedError. Keys are scoped per caller and per mutation and are kept for GRIOT_IDEMPOTENCY_TTL_SECONDS.';

/** The error types every mutation with an idempotencyKey can answer. */
export const idempotencyErrors = [IdempotencyKeyReusedError, IdempotencyKeyInProgressError] as const;

export { IncompatibleChangeError, InvalidStateError };
export { AlreadyExistsError, ConflictError, InvalidTransitionError, NotAllowedError, NotFoundError, ValidationError };

/**
 * The typed errors of mutation results. Each domain error class is one GraphQL type implementing `Error`, so
 * clients can branch on `__typename` and read structured details, not just a message.
 */
import {
  AlreadyExistsError,
  ConflictError,
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
import { ERROR_CODES, ERROR_CODE_LIST, type ErrorCode } from '../domain/error-codes.js';
import { builder } from './builder.js';

export const ErrorCodeRef = builder.enumType('ErrorCode', {
  description:
    'What went wrong, for programs: the `code` of every Error type in mutation results, and `extensions.code` of every entry in a response\'s `errors`. New codes may be added; treat an unknown one as a failure.',
  values: Object.fromEntries(ERROR_CODE_LIST.map((code) => [code, { value: code, description: ERROR_CODES[code] }])) as Record<
    ErrorCode,
    { value: ErrorCode; description: string }
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
    message: t.exposeString('message'),
    code: t.exposeString('code', { description: 'The kind of problem, e.g. required, invalid_type, invalid_value.' }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input is invalid; every problem is listed with its path.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ValidationError,
  fields: (t) => ({
    issues: t.field({ type: [ValidationIssueRef], resolve: (e) => e.issues }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'The thing the mutation acts on does not exist.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof NotFoundError,
  fields: (t) => ({
    resource: t.exposeString('resource'),
    key: t.exposeString('key'),
  }),
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: 'The revision named by the mutation is not the current one: read again, then retry.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ConflictError,
  fields: (t) => ({
    resource: t.exposeString('resource'),
    expectedRevision: t.exposeInt('expectedRevision'),
    actualRevision: t.exposeInt('actualRevision', { nullable: true }),
  }),
});

builder.objectType(AlreadyExistsError, {
  name: 'AlreadyExistsError',
  description: 'A value that must be unique is taken.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof AlreadyExistsError,
  fields: (t) => ({
    resource: t.exposeString('resource'),
    field: t.exposeString('field'),
    value: t.exposeString('value'),
  }),
});

builder.objectType(InvalidTransitionError, {
  name: 'InvalidTransitionError',
  description: 'The lifecycle does not allow this status change.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof InvalidTransitionError,
  fields: (t) => ({
    resource: t.exposeString('resource'),
    from: t.exposeString('from'),
    to: t.exposeString('to'),
    allowed: t.exposeStringList('allowed'),
  }),
});

const IncompatibleChangeRef = builder.objectRef<IncompatibleChange>('IncompatibleChange').implement({
  fields: (t) => ({
    ruleId: t.exposeString('ruleId'),
    level: t.exposeString('level'),
    readablePath: t.exposeString('readablePath'),
    explanation: t.exposeString('explanation'),
    suggestion: t.exposeString('suggestion'),
  }),
});

builder.objectType(IncompatibleChangeError, {
  name: 'IncompatibleChangeError',
  description: 'The update holds breaking or incompatible changes; pass acceptBreakingChanges to write it anyway.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof IncompatibleChangeError,
  fields: (t) => ({
    compatibility: t.exposeString('compatibility'),
    requiredBump: t.exposeString('requiredBump'),
    changes: t.field({ type: [IncompatibleChangeRef], resolve: (e) => e.changes }),
  }),
});

builder.objectType(NotAllowedError, {
  name: 'NotAllowedError',
  description: 'The caller may call the mutation, but not on this thing (e.g. edit another author\'s comment).',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof NotAllowedError,
  fields: (t) => ({
    resource: t.exposeString('resource'),
    action: t.exposeString('action'),
    reason: t.exposeString('reason'),
  }),
});

builder.objectType(InvalidStateError, {
  name: 'InvalidStateError',
  description: 'The thing is not in a state that allows the action (e.g. a new version while an approval request is open).',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof InvalidStateError,
  fields: (t) => ({
    resource: t.exposeString('resource'),
    action: t.exposeString('action'),
    reason: t.exposeString('reason', { description: 'What is in the way, and what would allow the action.' }),
  }),
});

export { IncompatibleChangeError, InvalidStateError };
export { AlreadyExistsError, ConflictError, InvalidTransitionError, NotAllowedError, NotFoundError, ValidationError };

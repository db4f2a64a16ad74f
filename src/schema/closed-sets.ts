/**
 * Enums for fields that always held a closed set of values but were typed String (issue 13): the kind of thing an
 * error or an event is about, the unique field an AlreadyExistsError names, the storage backend, the Issue field an
 * activity entry changed. The String fields stay, @deprecated in favour of these (see CHANGELOG.md); each enum's
 * values are the domain's lists, in UPPER_SNAKE_CASE, with the old String value as the internal value.
 */
import { EVENT_SUBJECT_TYPES } from '../domain/events.js';
import { RESOURCE_TYPES, type ResourceType, UNIQUE_FIELDS, type UniqueField } from '../domain/errors.js';
import { ISSUE_CHANGE_FIELDS, type IssueChangeField } from '../domain/issues.js';
import { builder } from './builder.js';

/** `ContractVersion` -> `CONTRACT_VERSION`, `odcsId` -> `ODCS_ID`, `mongodb` -> `MONGODB`. */
export function enumName(value: string): string {
  return value.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

function valuesOf<T extends string>(list: readonly T[], describe: Record<T, string>): Record<string, { value: T; description: string }> {
  return Object.fromEntries(list.map((value) => [enumName(value), { value, description: describe[value] }]));
}

const RESOURCE_DESCRIPTIONS: Record<ResourceType, string> = {
  Contract: 'A data contract (type Contract).',
  ContractVersion: 'One version of a contract (type ContractVersion).',
  Run: 'A pipeline run (type Run).',
  ValidationRecord: 'A validation record (type ValidationRecord).',
  Issue: 'A data-quality issue (type Issue).',
  Comment: 'A comment or reply (type Comment).',
  ApprovalRequest: 'An approval request (type ApprovalRequest).',
};

export const ResourceTypeEnum = builder.enumType('ResourceType', {
  description: 'The kind of thing an error is about; each value names the GraphQL type of that thing. New kinds may be added.',
  values: valuesOf(RESOURCE_TYPES, RESOURCE_DESCRIPTIONS),
});

export const EventSubjectTypeEnum = builder.enumType('EventSubjectType', {
  description: 'The kind of thing an event is about; each value names the GraphQL type of its `subjectId`. New kinds may be added.',
  values: valuesOf(EVENT_SUBJECT_TYPES, RESOURCE_DESCRIPTIONS),
});

export const UniqueFieldEnum = builder.enumType('UniqueField', {
  description: 'The unique value an AlreadyExistsError says is taken.',
  values: valuesOf<UniqueField>(UNIQUE_FIELDS, {
    name: 'A contract\'s `name`.',
    odcsId: 'A contract\'s ODCS `id` (`odcsId`).',
    id: 'A contract\'s registry id.',
    version: 'A contract version\'s `version`.',
    fingerprint: 'An active issue\'s fingerprint: one active issue per failing check of a contract.',
  }),
});

export const STORAGE_BACKENDS = ['mongodb', 'memory'] as const;
export type StorageBackendKind = (typeof STORAGE_BACKENDS)[number];

export const StorageBackendKindEnum = builder.enumType('StorageBackendKind', {
  description: 'The kind of storage backend serving the registry.',
  values: valuesOf<StorageBackendKind>(STORAGE_BACKENDS, {
    mongodb: 'A MongoDB-wire server (MongoDB, or FerretDB); data persists.',
    memory: 'In process memory: nothing persists across restarts.',
  }),
});

export const IssueFieldEnum = builder.enumType('IssueField', {
  description: 'The Issue field an activity entry changed.',
  values: valuesOf<IssueChangeField>(ISSUE_CHANGE_FIELDS, {
    title: 'Issue.title.',
    description: 'Issue.description.',
    severity: 'Issue.severity.',
    category: 'Issue.category.',
    assignee: 'Issue.assignee.',
    tags: 'Issue.tags.',
    status: 'Issue.status.',
    resolution: 'Issue.resolution.',
    occurrences: 'Issue.occurrences (the issue was seen again).',
  }),
});

/** A stored value as one of a closed list; a value outside it is a bug, reported as an unexpected error (masked). */
export function closedValue<T extends string>(list: readonly T[], value: string, what: string): T {
  if ((list as readonly string[]).includes(value)) return value as T;
  throw new Error(`${what} ${JSON.stringify(value)} is not one of ${list.join(', ')}`);
}

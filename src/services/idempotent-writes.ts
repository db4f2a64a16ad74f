/**
 * The five mutations that take an `idempotencyKey` (recordValidation keeps its own, per contract: see
 * storage validations), each as the protocol of ./idempotency.ts over its repository: the result id chosen for the
 * key is the created thing's id (createContract, startRun, createIssue, addComment) or the write token of the version
 * an update writes (updateContract).
 */
import type { AddCommentInput, Comment } from '../domain/comments.js';
import type { Contract, CreateContractInput, UpdateContractInput } from '../domain/contracts.js';
import type { CreateIssueInput, Issue } from '../domain/issues.js';
import type { Run, StartRunInput } from '../domain/runs.js';
import type { StorageBackend } from '../storage/types.js';
import { idempotent } from './idempotency.js';

type Key = string | null | undefined;

export function createContract(storage: StorageBackend, input: CreateContractInput, actor: string | null, key: Key): Promise<Contract> {
  return idempotent(storage.idempotency, {
    principal: actor,
    mutation: 'createContract',
    key,
    input,
    resource: 'Contract',
    freshIdOnTakeOver: true,
    execute: (id) => storage.contracts.create({ ...input, id }, actor),
    find: (id) => storage.contracts.getById(id),
  });
}

export function updateContract(storage: StorageBackend, input: UpdateContractInput, actor: string | null, key: Key): Promise<Contract> {
  return idempotent(storage.idempotency, {
    principal: actor,
    mutation: 'updateContract',
    key,
    input,
    resource: 'ContractVersion',
    targetId: input.id,
    execute: (writeToken) => storage.contracts.update({ ...input, writeToken }, actor),
    find: async (writeToken) => ((await storage.idempotency.contractVersionWritten(input.id, writeToken)) ? storage.contracts.getById(input.id) : null),
  });
}

export function startRun(storage: StorageBackend, input: StartRunInput, actor: string | null, key: Key): Promise<Run> {
  return idempotent(storage.idempotency, {
    principal: actor,
    mutation: 'startRun',
    key,
    input,
    resource: 'Run',
    execute: (id) => storage.runs.start({ ...input, id }, actor),
    find: async (id) => (await storage.runs.getByIds([id]))[0] ?? null,
  });
}

export function createIssue(storage: StorageBackend, input: CreateIssueInput, actor: string | null, key: Key): Promise<Issue> {
  return idempotent(storage.idempotency, {
    principal: actor,
    mutation: 'createIssue',
    key,
    input,
    resource: 'Issue',
    execute: (id) => storage.issues.create({ ...input, id }, actor),
    find: async (id) => (await storage.issues.getByIds([id]))[0] ?? null,
  });
}

export function addComment(storage: StorageBackend, input: AddCommentInput, actor: string | null, key: Key): Promise<Comment> {
  return idempotent(storage.idempotency, {
    principal: actor,
    mutation: 'addComment',
    key,
    input,
    resource: 'Comment',
    execute: (id) => storage.comments.add({ ...input, id }, actor),
    find: async (id) => (await storage.comments.getByIds([id]))[0] ?? null,
  });
}

/**
 * Conformance: the contract lifecycle on every backend (domain/lifecycle) — deprecation and retirement.
 */
import { describe, expect, it } from 'vitest';
import type { ContractVersion } from '../../src/domain/contracts.js';
import {
  ConflictError,
  InvalidStateError,
  InvalidTransitionError,
  NotFoundError,
  ValidationError,
} from '../../src/domain/errors.js';
import type { JsonObject } from '../../src/domain/odcs.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { all, at, moveContractTo, rejection, useBackend } from './helpers.js';

const T = (n: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, n));

function doc(name: string, options: Omit<Parameters<typeof contractDocument>[0], 'name'> = {}): JsonObject {
  return contractDocument({ name, ...options });
}

async function versionsOf(storage: StorageBackend, contractId: string): Promise<ContractVersion[]> {
  return all((page) => storage.contracts.listVersions(contractId, page));
}

/** What a refused write must leave alone. */
async function snapshot(storage: StorageBackend, contractId: string) {
  return {
    contract: await storage.contracts.getById(contractId),
    versions: await versionsOf(storage, contractId),
    catalog: await storage.schemaCatalog.listByContractIds([contractId]),
    requests: await all((page) => storage.approvals.list({ contractId }, page)),
  };
}

function paths(error: ValidationError): string[] {
  return error.issues.map((i) => i.path);
}

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);
  const repo = () => storage().contracts;
  const approvals = () => storage().approvals;

  async function catalogOf(contractId: string) {
    return all((page) => storage().schemaCatalog.list({ contractId }, page));
  }

  // -------------------------------------------------------------------------------------------------------------
  describe('deprecate', () => {
    it('needs a reason, and a replacement that exists and is active; writes nothing otherwise', async () => {
      const created = await repo().create({ document: doc('orders') }, 'alice');
      const active = await moveContractTo(storage(), created.id, 'active');
      const draftOther = await repo().create({ document: doc('orders-draft') }, 'alice');
      const before = await snapshot(storage(), created.id);
      const deprecate = (input: { reason: string; replacedBy?: string | null }) => repo().deprecate({ id: created.id, expectedRevision: active.revision, ...input }, 'bob');

      expect(paths(await rejection(deprecate({ reason: '   ' }), ValidationError))).toEqual(['input.reason']);
      expect(paths(await rejection(deprecate({ reason: 'x'.repeat(2001) }), ValidationError))).toEqual(['input.reason']);
      const missing = await rejection(deprecate({ reason: 'old', replacedBy: 'no-such-contract' }), NotFoundError);
      expect([missing.resource, missing.key]).toEqual(['Contract', 'no-such-contract']);
      expect(paths(await rejection(deprecate({ reason: 'old', replacedBy: draftOther.id }), ValidationError))).toEqual(['input.replacedBy']);
      expect(paths(await rejection(deprecate({ reason: 'old', replacedBy: created.id }), ValidationError))).toEqual(['input.replacedBy']);
      expect(await snapshot(storage(), created.id)).toEqual(before);
      await rejection(repo().deprecate({ id: created.id, expectedRevision: active.revision - 1, reason: 'old' }, 'bob'), ConflictError);
      expect(await snapshot(storage(), created.id)).toEqual(before);

      const replacement = await moveContractTo(storage(), draftOther.id, 'active');
      const deprecated = await at(T(3), () => deprecate({ reason: '  replaced by orders-draft  ', replacedBy: replacement.id }));
      expect(deprecated).toMatchObject({
        status: 'deprecated',
        revision: active.revision + 1,
        deprecation: { reason: 'replaced by orders-draft', replacedBy: replacement.id },
        activeVersion: 1,
        version: '1.0.0',
      });
      expect(deprecated.statusHistory.at(-1)).toEqual({
        at: T(3),
        by: 'bob',
        from: 'active',
        to: 'deprecated',
        version: '1.0.0',
        versionNumber: 1,
        note: 'replaced by orders-draft',
        approvalRequestId: null,
      });
      expect(await repo().getById(created.id)).toEqual(deprecated);
      expect((await catalogOf(created.id)).map((e) => e.contractStatus)).toEqual(['deprecated']);
      // Deprecated once: not again.
      await rejection(repo().deprecate({ id: created.id, expectedRevision: deprecated.revision, reason: 'again' }, 'bob'), InvalidTransitionError);
      expect(await repo().getById(created.id)).toEqual(deprecated);
    });

    it('is refused for a draft or in-review contract, and for an active one with an open request', async () => {
      const created = await repo().create({ document: doc('orders') }, 'alice');
      const draft = await rejection(repo().deprecate({ id: created.id, expectedRevision: 1, reason: 'old' }, 'bob'), InvalidTransitionError);
      expect([draft.from, draft.to]).toEqual(['draft', 'deprecated']);
      const inReview = await moveContractTo(storage(), created.id, 'in_review');
      await rejection(repo().deprecate({ id: created.id, expectedRevision: inReview.revision, reason: 'old' }, 'bob'), InvalidTransitionError);

      const active = await moveContractTo(storage(), created.id, 'active');
      const revised = await repo().update({ id: created.id, expectedRevision: active.revision, document: doc('orders', { purpose: 'x' }) }, 'bob');
      const request = await approvals().submit({ contractId: created.id, expectedRevision: revised.revision, approvers: ['carol'], policy: 'all' }, 'bob');
      const before = await snapshot(storage(), created.id);
      await rejection(repo().deprecate({ id: created.id, expectedRevision: revised.revision + 1, reason: 'old' }, 'bob'), InvalidStateError);
      expect(await snapshot(storage(), created.id)).toEqual(before);
      // Once the request is withdrawn the active contract can be deprecated (its draft revision is left behind).
      await approvals().withdraw({ requestId: request.id }, { name: null, admin: true });
      const current = (await repo().getById(created.id))!;
      const deprecated = await repo().deprecate({ id: created.id, expectedRevision: current.revision, reason: 'old' }, 'bob');
      expect(deprecated).toMatchObject({ status: 'deprecated', activeVersion: 1, version: '1.0.0', versionCount: 2 });
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('retire', () => {
    it('only from deprecated; retired is final', async () => {
      const created = await repo().create({ document: doc('orders') }, 'alice');
      const fromDraft = await rejection(repo().retire({ id: created.id, expectedRevision: 1 }, 'bob'), InvalidTransitionError);
      expect([fromDraft.from, fromDraft.to]).toEqual(['draft', 'retired']);
      const inReview = await moveContractTo(storage(), created.id, 'in_review');
      await rejection(repo().retire({ id: created.id, expectedRevision: inReview.revision }, 'bob'), InvalidTransitionError);
      const active = await moveContractTo(storage(), created.id, 'active');
      const fromActive = await rejection(repo().retire({ id: created.id, expectedRevision: active.revision }, 'bob'), InvalidTransitionError);
      expect([fromActive.from, fromActive.to]).toEqual(['active', 'retired']);
      expect(await repo().getById(created.id)).toEqual(active);

      const deprecated = await moveContractTo(storage(), created.id, 'deprecated');
      const retired = await repo().retire({ id: created.id, expectedRevision: deprecated.revision, note: 'off' }, 'bob');
      expect(retired).toMatchObject({ status: 'retired', revision: deprecated.revision + 1 });
      expect(retired.statusHistory.at(-1)).toMatchObject({ from: 'deprecated', to: 'retired', note: 'off', by: 'bob' });
      expect((await catalogOf(created.id)).map((e) => e.contractStatus)).toEqual(['retired']);

      const before = await snapshot(storage(), created.id);
      const again = await rejection(repo().retire({ id: created.id, expectedRevision: retired.revision }, 'bob'), InvalidTransitionError);
      expect(again.allowed).toEqual([]);
      await rejection(repo().deprecate({ id: created.id, expectedRevision: retired.revision, reason: 'x' }, 'bob'), InvalidTransitionError);
      await rejection(repo().activate({ id: created.id, expectedRevision: retired.revision }, 'bob'), InvalidStateError);
      expect(await snapshot(storage(), created.id)).toEqual(before);
    });
  });

});

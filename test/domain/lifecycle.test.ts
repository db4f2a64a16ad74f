import { describe, expect, it } from 'vitest';
import {
  assertAcceptsNewVersion,
  type Contract,
  type ContractVersion,
  planActivation,
  planCreate,
  planDeprecation,
  planRetirement,
  planReviewClosed,
  planReviewOpened,
  planSettingsChange,
  planUpdate,
  type WriteContext,
} from '../../src/domain/contracts.js';
import { InvalidStateError, InvalidTransitionError, NotFoundError, ValidationError } from '../../src/domain/errors.js';
import {
  allowedContractTransitions,
  canTransitionContract,
  CONTRACT_STATUSES,
  draftVersionNumber,
  everActiveVersionNumbers,
  servedVersionNumber,
  type StatusChange,
} from '../../src/domain/lifecycle.js';
import { contractDocument } from '../support/fixtures.js';

const T = (n: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, n));
const ctx = (n: number, actor = 'bob'): WriteContext => ({ now: T(n), actor });

function entry(to: StatusChange['to'], versionNumber: number, from: StatusChange['from'] = 'in_review'): StatusChange {
  return { at: T(0), by: null, from, to, version: `1.0.${versionNumber}`, versionNumber, note: null, approvalRequestId: null };
}

/** A created contract and its version 1. */
function created(): { contract: Contract; v1: ContractVersion } {
  const write = planCreate({ document: contractDocument({ name: 'orders', purpose: 'one' }), note: 'first' }, 'c1', ctx(0, 'alice'));
  return { contract: write.contract, v1: write.version };
}

/** A contract whose version 1 is active (through a review r1). */
function active(): { contract: Contract; v1: ContractVersion } {
  const { contract, v1 } = created();
  const inReview = planReviewOpened(contract, 'r1', v1, ctx(1), null);
  return { contract: planReviewClosed(inReview, 'r1', 'approved', v1, ctx(2, 'carol'), 'ok')!, v1 };
}

describe('contract transitions', () => {
  it('allow draft → in_review → active → deprecated → retired, and in_review → draft; retired is final', () => {
    const allowed = Object.fromEntries(CONTRACT_STATUSES.map((s) => [s, allowedContractTransitions(s)]));
    expect(allowed).toEqual({ draft: ['in_review'], in_review: ['active', 'draft'], active: ['deprecated'], deprecated: ['retired'], retired: [] });
    expect(canTransitionContract('draft', 'active')).toBe(false);
    expect(canTransitionContract('active', 'draft')).toBe(false);
    expect(canTransitionContract('deprecated', 'active')).toBe(false);
    for (const to of CONTRACT_STATUSES) expect(canTransitionContract('retired', to)).toBe(false);
  });
});

describe('served, draft and ever-active version numbers', () => {
  it('serve the active version once there is one, else the newest', () => {
    expect(servedVersionNumber({ activeVersion: null, versionCount: 3 })).toBe(3);
    expect(servedVersionNumber({ activeVersion: 2, versionCount: 3 })).toBe(2);
    expect(servedVersionNumber({ activeVersion: 3, versionCount: 3 })).toBe(3);
  });

  it('call the newest version a draft unless it is the active one', () => {
    expect(draftVersionNumber({ activeVersion: null, versionCount: 1 })).toBe(1);
    expect(draftVersionNumber({ activeVersion: 2, versionCount: 3 })).toBe(3);
    expect(draftVersionNumber({ activeVersion: 3, versionCount: 3 })).toBeNull();
  });

  it('list the versions that were ever active, newest activation first, without repeats', () => {
    expect(everActiveVersionNumbers({ statusHistory: [entry('draft', 1, null)] })).toEqual([]);
    const history = [
      entry('draft', 1, null),
      entry('in_review', 1, 'draft'),
      entry('active', 1),
      entry('active', 3, 'active'),
      entry('active', 2, 'active'),
      entry('active', 3, 'active'),
      entry('deprecated', 3, 'active'),
    ];
    expect(everActiveVersionNumbers({ statusHistory: history })).toEqual([3, 2, 1]);
    // Reviewed but rejected versions were never active.
    expect(everActiveVersionNumbers({ statusHistory: [entry('in_review', 1, 'draft'), entry('draft', 1), entry('in_review', 2, 'draft'), entry('active', 2)] })).toEqual([2]);
  });
});

describe('reviews', () => {
  it('open: a draft moves to in_review with a history entry; an active contract only records the request', () => {
    const { contract, v1 } = created();
    expect(contract.statusHistory).toEqual([{ at: T(0), by: 'alice', from: null, to: 'draft', version: '1.0.0', versionNumber: 1, note: 'first', approvalRequestId: null }]);
    const inReview = planReviewOpened(contract, 'r1', v1, ctx(1), 'please');
    expect(inReview).toMatchObject({ status: 'in_review', openApprovalRequestId: 'r1', revision: 2, updatedAt: T(1), updatedBy: 'bob' });
    expect(inReview.statusHistory.at(-1)).toEqual({ at: T(1), by: 'bob', from: 'draft', to: 'in_review', version: '1.0.0', versionNumber: 1, note: 'please', approvalRequestId: 'r1' });
    expect(() => planReviewOpened(inReview, 'r2', v1, ctx(2), null)).toThrow(InvalidStateError);

    const { contract: act } = active();
    const write = planUpdate(act, { id: 'c1', expectedRevision: act.revision, document: contractDocument({ name: 'orders', purpose: 'two' }) }, ctx(3));
    const revised = write.contract;
    const opened = planReviewOpened(revised, 'r2', write.version, ctx(4), null);
    expect(opened).toMatchObject({ status: 'active', openApprovalRequestId: 'r2', revision: revised.revision + 1, activeVersion: 1 });
    expect(opened.statusHistory).toEqual(revised.statusHistory);
  });

  it('open: refuses a version that is not the newest, an active newest version, and deprecated contracts', () => {
    const { contract: act, v1 } = active();
    expect(() => planReviewOpened(act, 'r2', v1, ctx(3), null)).toThrow(InvalidStateError);
    const write = planUpdate(act, { id: 'c1', expectedRevision: act.revision, document: contractDocument({ name: 'orders', purpose: 'two' }) }, ctx(3));
    expect(() => planReviewOpened(write.contract, 'r2', v1, ctx(4), null)).toThrow(InvalidStateError);
    const deprecated = planDeprecation(act, { id: 'c1', expectedRevision: act.revision, reason: 'old' }, null, ctx(3));
    expect(() => planReviewOpened(deprecated, 'r2', v1, ctx(4), null)).toThrow(InvalidTransitionError);
  });

  it('close: approved activates the reviewed version; rejected or withdrawn goes back to draft; a stale request is a no-op', () => {
    const { contract, v1 } = created();
    const inReview = planReviewOpened(contract, 'r1', v1, ctx(1), null);
    const approved = planReviewClosed(inReview, 'r1', 'approved', v1, ctx(2, 'carol'), 'ok')!;
    expect(approved).toMatchObject({ status: 'active', activeVersion: 1, openApprovalRequestId: null, revision: 3, version: '1.0.0' });
    expect(approved.statusHistory.at(-1)).toEqual({ at: T(2), by: 'carol', from: 'in_review', to: 'active', version: '1.0.0', versionNumber: 1, note: 'ok', approvalRequestId: 'r1' });
    // Applied already (or another request): nothing to do.
    expect(planReviewClosed(approved, 'r1', 'approved', v1, ctx(3), null)).toBeNull();
    expect(planReviewClosed(inReview, 'other', 'approved', v1, ctx(3), null)).toBeNull();

    for (const outcome of ['rejected', 'withdrawn'] as const) {
      const back = planReviewClosed(inReview, 'r1', outcome, v1, ctx(2, 'dave'), 'why')!;
      expect(back).toMatchObject({ status: 'draft', activeVersion: null, openApprovalRequestId: null, revision: 3 });
      expect(back.statusHistory.at(-1)).toMatchObject({ from: 'in_review', to: 'draft', approvalRequestId: 'r1', note: 'why', by: 'dave' });
    }
  });

  it('close: an approved revision switches the served document (active → active); a rejected one keeps the active version', () => {
    const { contract: act } = active();
    const v2doc = contractDocument({ name: 'orders', purpose: 'two' });
    const write = planUpdate(act, { id: 'c1', expectedRevision: act.revision, document: v2doc }, ctx(3));
    expect(write.contract).toMatchObject({ version: '1.0.0', activeVersion: 1, versionCount: 2, description: 'one' });
    expect(write.version).toMatchObject({ number: 2, version: '1.0.1' });
    const opened = planReviewOpened(write.contract, 'r2', write.version, ctx(4), null);

    const approved = planReviewClosed(opened, 'r2', 'approved', write.version, ctx(5, 'carol'), null)!;
    expect(approved).toMatchObject({ status: 'active', activeVersion: 2, version: '1.0.1', description: 'two', openApprovalRequestId: null });
    expect(approved.document).toEqual(v2doc);
    expect(approved.statusHistory.at(-1)).toMatchObject({ from: 'active', to: 'active', versionNumber: 2, approvalRequestId: 'r2' });
    expect(everActiveVersionNumbers(approved)).toEqual([2, 1]);

    const rejected = planReviewClosed(opened, 'r2', 'rejected', write.version, ctx(5, 'carol'), 'no')!;
    expect(rejected).toMatchObject({ status: 'active', activeVersion: 1, version: '1.0.0', openApprovalRequestId: null, revision: opened.revision + 1 });
    expect(rejected.statusHistory).toEqual(opened.statusHistory);
  });
});

describe('new versions', () => {
  it('are refused while a request is open and once deprecated or retired', () => {
    const { contract, v1 } = created();
    expect(() => assertAcceptsNewVersion(contract)).not.toThrow();
    const inReview = planReviewOpened(contract, 'r1', v1, ctx(1), null);
    expect(() => assertAcceptsNewVersion(inReview)).toThrow(InvalidStateError);
    expect(() => planUpdate(inReview, { id: 'c1', expectedRevision: 2, document: contractDocument({ name: 'orders', purpose: 'x' }) }, ctx(2))).toThrow(InvalidStateError);
    const { contract: act } = active();
    expect(() => assertAcceptsNewVersion(act)).not.toThrow();
    const deprecated = planDeprecation(act, { id: 'c1', expectedRevision: act.revision, reason: 'old' }, null, ctx(3));
    expect(() => assertAcceptsNewVersion(deprecated)).toThrow(InvalidStateError);
    expect(() => assertAcceptsNewVersion(planRetirement(deprecated, { id: 'c1', expectedRevision: deprecated.revision }, ctx(4)))).toThrow(InvalidStateError);
  });

  it('are diffed and numbered against the head (the newest version), not the served one', () => {
    const { contract: act } = active();
    const head = { document: contractDocument({ name: 'orders', purpose: 'one', schemas: { orders: [{ name: 'order_id' }, { name: 'amount' }] } }), version: '1.1.0' };
    const next = planUpdate(act, { id: 'c1', expectedRevision: act.revision, document: contractDocument({ name: 'orders', purpose: 'changed', schemas: { orders: [{ name: 'order_id' }, { name: 'amount' }] } }) }, ctx(3), undefined, head);
    expect(next.version).toMatchObject({ version: '1.1.1', requiredBump: 'patch' });
    expect(next.contract).toMatchObject({ version: '1.0.0', activeVersion: 1 });
  });
});

describe('activation without approval', () => {
  it('needs approval waived; a draft passes through in_review (both recorded) with one revision', () => {
    const { contract, v1 } = created();
    expect(() => planActivation(contract, v1, { id: 'c1', expectedRevision: 1 }, ctx(1))).toThrow(InvalidStateError);
    const waived = planSettingsChange(contract, { id: 'c1', expectedRevision: 1, approvalRequired: false }, ctx(1, 'admin'));
    expect(waived).toMatchObject({ approvalRequired: false, revision: 2 });
    expect(planSettingsChange(waived, { id: 'c1', expectedRevision: 2 }, ctx(1)).approvalRequired).toBe(false);
    const activated = planActivation(waived, v1, { id: 'c1', expectedRevision: 2 }, ctx(2));
    expect(activated).toMatchObject({ status: 'active', activeVersion: 1, revision: 3 });
    expect(activated.statusHistory.slice(1).map((h) => [h.from, h.to, h.note, h.approvalRequestId])).toEqual([
      ['draft', 'in_review', 'approval waived', null],
      ['in_review', 'active', 'approval waived', null],
    ]);
    expect(() => planActivation(activated, v1, { id: 'c1', expectedRevision: 3 }, ctx(3))).toThrow(InvalidStateError);
  });
});

describe('deprecation and retirement', () => {
  it('deprecation needs a reason and an existing, active replacement other than itself', () => {
    const { contract: act } = active();
    const input = { id: 'c1', expectedRevision: act.revision };
    const issues = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).issues.map((i) => i.path);
      }
      throw new Error('expected a ValidationError');
    };
    expect(issues(() => planDeprecation(act, { ...input, reason: ' ' }, null, ctx(3)))).toEqual(['input.reason']);
    expect(issues(() => planDeprecation(act, { ...input, reason: 'old', replacedBy: 'c1' }, act, ctx(3)))).toEqual(['input.replacedBy']);
    const { contract: draftOther } = created();
    expect(issues(() => planDeprecation(act, { ...input, reason: 'old', replacedBy: 'c2' }, { ...draftOther, id: 'c2' }, ctx(3)))).toEqual(['input.replacedBy']);
    expect(() => planDeprecation(act, { ...input, reason: 'old', replacedBy: 'c9' }, null, ctx(3))).toThrow(NotFoundError);

    const replacement = { ...act, id: 'c2' };
    const deprecated = planDeprecation(act, { ...input, reason: ' old ', replacedBy: 'c2' }, replacement, ctx(3));
    expect(deprecated).toMatchObject({ status: 'deprecated', deprecation: { reason: 'old', replacedBy: 'c2' }, revision: act.revision + 1 });
    expect(deprecated.statusHistory.at(-1)).toEqual({ at: T(3), by: 'bob', from: 'active', to: 'deprecated', version: '1.0.0', versionNumber: 1, note: 'old', approvalRequestId: null });
    expect(() => planDeprecation(deprecated, { ...input, reason: 'again' }, null, ctx(4))).toThrow(InvalidTransitionError);
  });

  it('deprecation is refused from draft, and for an active contract with an open request', () => {
    const { contract } = created();
    expect(() => planDeprecation(contract, { id: 'c1', expectedRevision: 1, reason: 'old' }, null, ctx(1))).toThrow(InvalidTransitionError);
    const { contract: act } = active();
    const write = planUpdate(act, { id: 'c1', expectedRevision: act.revision, document: contractDocument({ name: 'orders', purpose: 'two' }) }, ctx(3));
    const opened = planReviewOpened(write.contract, 'r2', write.version, ctx(4), null);
    expect(() => planDeprecation(opened, { id: 'c1', expectedRevision: opened.revision, reason: 'old' }, null, ctx(5))).toThrow(InvalidStateError);
  });

  it('retirement only from deprecated, and only once', () => {
    const { contract } = created();
    expect(() => planRetirement(contract, { id: 'c1', expectedRevision: 1 }, ctx(1))).toThrow(InvalidTransitionError);
    const { contract: act } = active();
    expect(() => planRetirement(act, { id: 'c1', expectedRevision: act.revision }, ctx(3))).toThrow(InvalidTransitionError);
    const deprecated = planDeprecation(act, { id: 'c1', expectedRevision: act.revision, reason: 'old' }, null, ctx(3));
    const retired = planRetirement(deprecated, { id: 'c1', expectedRevision: deprecated.revision, note: 'off' }, ctx(4));
    expect(retired).toMatchObject({ status: 'retired', revision: deprecated.revision + 1 });
    expect(retired.statusHistory.at(-1)).toMatchObject({ from: 'deprecated', to: 'retired', note: 'off', versionNumber: 1 });
    expect(() => planRetirement(retired, { id: 'c1', expectedRevision: retired.revision }, ctx(5))).toThrow(InvalidTransitionError);
  });
});

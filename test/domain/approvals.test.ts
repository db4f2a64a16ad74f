import { describe, expect, it } from 'vitest';
import {
  type ApprovalRequest,
  approvalOutcome,
  MAX_APPROVERS,
  planApprovalRequest,
  planDecision,
  planWithdrawal,
  type SubmitForReviewInput,
} from '../../src/domain/approvals.js';
import { InvalidStateError, NotAllowedError, ValidationError } from '../../src/domain/errors.js';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const T1 = new Date('2030-01-01T00:00:01.000Z');
const T2 = new Date('2030-01-01T00:00:02.000Z');
const SUBJECT = { contractId: 'c1', versionNumber: 3, version: '1.2.0' };

function input(overrides: Partial<SubmitForReviewInput> = {}): SubmitForReviewInput {
  return { contractId: 'c1', expectedRevision: 4, approvers: ['carol', 'dave'], policy: 'all', ...overrides };
}

function request(overrides: Partial<SubmitForReviewInput> = {}): ApprovalRequest {
  return planApprovalRequest(input(overrides), SUBJECT, 'r1', 'bob', T0);
}

function paths(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => i.path);
  }
  throw new Error('expected a ValidationError');
}

describe('planApprovalRequest', () => {
  it('opens a request for the subject version, trimming names and the note', () => {
    const r = planApprovalRequest(input({ approvers: [' carol', 'dave '], note: '  look  ' }), SUBJECT, 'r1', 'bob', T0);
    expect(r).toEqual<ApprovalRequest>({
      id: 'r1',
      contractId: 'c1',
      versionNumber: 3,
      version: '1.2.0',
      approvers: ['carol', 'dave'],
      policy: 'all',
      requiredApprovals: 2,
      status: 'open',
      decisions: [],
      awaiting: ['carol', 'dave'],
      note: 'look',
      requestedBy: 'bob',
      requestedAt: T0,
      resolvedAt: null,
      resolvedBy: null,
      resolutionNote: null,
      revision: 1,
    });
    expect(planApprovalRequest(input({ note: '   ' }), SUBJECT, 'r1', 'bob', T0).note).toBeNull();
  });

  it('ANY needs 1 approval by default, or the number asked for', () => {
    expect(request({ policy: 'any' }).requiredApprovals).toBe(1);
    expect(request({ policy: 'any', requiredApprovals: 2 }).requiredApprovals).toBe(2);
    expect(request({ policy: 'all', requiredApprovals: 2 }).requiredApprovals).toBe(2);
  });

  it('reports each problem at its path', () => {
    expect(paths(() => request({ approvers: [] }))).toEqual(['input.approvers']);
    expect(paths(() => request({ approvers: Array.from({ length: MAX_APPROVERS + 1 }, (_, i) => `p${i}`) }))).toEqual(['input.approvers']);
    expect(request({ approvers: Array.from({ length: MAX_APPROVERS }, (_, i) => `p${i}`) }).approvers).toHaveLength(MAX_APPROVERS);
    expect(paths(() => request({ approvers: ['carol', ' carol '] }))).toEqual(['input.approvers[1]']);
    expect(paths(() => request({ approvers: ['bob', 'carol'] }))).toEqual(['input.approvers[0]']);
    expect(paths(() => request({ approvers: ['carol', ''] }))).toEqual(['input.approvers[1]']);
    expect(paths(() => request({ approvers: ['x'.repeat(201)] }))).toEqual(['input.approvers[0]']);
    expect(paths(() => request({ policy: 'any', requiredApprovals: 0 }))).toEqual(['input.requiredApprovals']);
    expect(paths(() => request({ policy: 'any', requiredApprovals: 3 }))).toEqual(['input.requiredApprovals']);
    expect(paths(() => request({ policy: 'any', requiredApprovals: 1.5 }))).toEqual(['input.requiredApprovals']);
    expect(paths(() => request({ policy: 'all', requiredApprovals: 1 }))).toEqual(['input.requiredApprovals']);
    expect(paths(() => request({ policy: 'some' as never }))).toEqual(['input.policy']);
    expect(paths(() => request({ note: 'x'.repeat(2001) }))).toEqual(['input.note']);
    // Several problems at once.
    expect(paths(() => request({ approvers: ['carol', 'carol'], policy: 'any', requiredApprovals: 5, note: 'x'.repeat(2001) }))).toEqual([
      'input.approvers[1]',
      'input.requiredApprovals',
      'input.note',
    ]);
  });

  it('refuses an anonymous requester', () => {
    expect(() => planApprovalRequest(input(), SUBJECT, 'r1', null, T0)).toThrow(NotAllowedError);
  });
});

describe('approvalOutcome', () => {
  const decisions = (...verdicts: ('approve' | 'reject')[]) => verdicts.map((verdict, i) => ({ approver: `p${i}`, verdict, note: null, at: T0 }));
  const three = ['p0', 'p1', 'p2'];

  it('ALL (required = every approver): approved when all approve, rejected on the first rejection', () => {
    expect(approvalOutcome({ approvers: three, requiredApprovals: 3, decisions: decisions('approve', 'approve') })).toBeNull();
    expect(approvalOutcome({ approvers: three, requiredApprovals: 3, decisions: decisions('approve', 'approve', 'approve') })).toBe('approved');
    expect(approvalOutcome({ approvers: three, requiredApprovals: 3, decisions: decisions('reject') })).toBe('rejected');
  });

  it('ANY n: approved on the n-th approval, rejected when too few approvers are left', () => {
    expect(approvalOutcome({ approvers: three, requiredApprovals: 2, decisions: [] })).toBeNull();
    expect(approvalOutcome({ approvers: three, requiredApprovals: 2, decisions: decisions('approve', 'reject') })).toBeNull();
    expect(approvalOutcome({ approvers: three, requiredApprovals: 2, decisions: decisions('approve', 'reject', 'approve') })).toBe('approved');
    expect(approvalOutcome({ approvers: three, requiredApprovals: 2, decisions: decisions('reject', 'reject') })).toBe('rejected');
    expect(approvalOutcome({ approvers: three, requiredApprovals: 1, decisions: decisions('reject', 'reject') })).toBeNull();
    expect(approvalOutcome({ approvers: three, requiredApprovals: 1, decisions: decisions('reject', 'reject', 'reject') })).toBe('rejected');
  });
});

describe('planDecision', () => {
  it('records a decision and keeps the request open until the policy is met', () => {
    const open = request();
    const next = planDecision(open, { requestId: 'r1', verdict: 'approve', note: ' fine ' }, 'carol', T1);
    expect(next).toEqual({ ...open, decisions: [{ approver: 'carol', verdict: 'approve', note: 'fine', at: T1 }], awaiting: ['dave'], revision: 2 });
    expect(open.decisions).toEqual([]);
    const done = planDecision(next, { requestId: 'r1', verdict: 'approve' }, 'dave', T2);
    expect(done).toMatchObject({ status: 'approved', awaiting: [], resolvedAt: T2, resolvedBy: 'dave', resolutionNote: null, revision: 3 });
    expect(done.decisions.map((d) => d.approver)).toEqual(['carol', 'dave']);
  });

  it('a rejection needs a reason (input.reason) and closes an ALL request with it', () => {
    const open = request();
    expect(paths(() => planDecision(open, { requestId: 'r1', verdict: 'reject' }, 'carol', T1))).toEqual(['input.reason']);
    expect(paths(() => planDecision(open, { requestId: 'r1', verdict: 'reject', note: '  ' }, 'carol', T1))).toEqual(['input.reason']);
    expect(paths(() => planDecision(open, { requestId: 'r1', verdict: 'reject', note: 'x'.repeat(2001) }, 'carol', T1))).toEqual(['input.reason']);
    expect(paths(() => planDecision(open, { requestId: 'r1', verdict: 'approve', note: 'x'.repeat(2001) }, 'carol', T1))).toEqual(['input.note']);
    const rejected = planDecision(open, { requestId: 'r1', verdict: 'reject', note: 'wrong' }, 'carol', T1);
    expect(rejected).toMatchObject({ status: 'rejected', awaiting: [], resolvedBy: 'carol', resolvedAt: T1, resolutionNote: 'wrong' });
  });

  it('only a listed approver decides, once; a closed request refuses decisions', () => {
    const open = request({ policy: 'any' });
    expect(() => planDecision(open, { requestId: 'r1', verdict: 'approve' }, 'mallory', T1)).toThrow(NotAllowedError);
    expect(() => planDecision(open, { requestId: 'r1', verdict: 'approve' }, 'bob', T1)).toThrow(NotAllowedError);
    expect(() => planDecision(open, { requestId: 'r1', verdict: 'approve' }, null, T1)).toThrow(NotAllowedError);
    const approved = planDecision(open, { requestId: 'r1', verdict: 'approve' }, 'carol', T1);
    expect(approved.status).toBe('approved');
    expect(() => planDecision(approved, { requestId: 'r1', verdict: 'approve' }, 'carol', T2)).toThrow(NotAllowedError);
    expect(() => planDecision(approved, { requestId: 'r1', verdict: 'approve' }, 'dave', T2)).toThrow(InvalidStateError);

    const twice = planDecision(request({ approvers: ['carol', 'dave', 'erin'], policy: 'any', requiredApprovals: 2 }), { requestId: 'r1', verdict: 'approve' }, 'carol', T1);
    expect(twice.status).toBe('open');
    expect(() => planDecision(twice, { requestId: 'r1', verdict: 'reject', note: 'no' }, 'carol', T2)).toThrow(NotAllowedError);
  });
});

describe('planWithdrawal', () => {
  it('lets the requester or an admin close an open request', () => {
    const open = request();
    const withdrawn = planWithdrawal(open, { requestId: 'r1', note: ' not ready ' }, { name: 'bob', admin: false }, T1);
    expect(withdrawn).toEqual({ ...open, status: 'withdrawn', awaiting: [], resolvedAt: T1, resolvedBy: 'bob', resolutionNote: 'not ready', revision: 2 });
    expect(planWithdrawal(open, { requestId: 'r1' }, { name: 'root', admin: true }, T1)).toMatchObject({ status: 'withdrawn', resolvedBy: 'root', resolutionNote: null });
  });

  it('refuses anyone else, a closed request, and a note that is too long', () => {
    const open = request();
    expect(() => planWithdrawal(open, { requestId: 'r1' }, { name: 'carol', admin: false }, T1)).toThrow(NotAllowedError);
    expect(() => planWithdrawal(open, { requestId: 'r1' }, { name: null, admin: false }, T1)).toThrow(NotAllowedError);
    expect(paths(() => planWithdrawal(open, { requestId: 'r1', note: 'x'.repeat(2001) }, { name: 'bob', admin: false }, T1))).toEqual(['input.note']);
    const withdrawn = planWithdrawal(open, { requestId: 'r1' }, { name: 'bob', admin: false }, T1);
    expect(() => planWithdrawal(withdrawn, { requestId: 'r1' }, { name: 'bob', admin: false }, T2)).toThrow(InvalidStateError);
    expect(() => planDecision(withdrawn, { requestId: 'r1', verdict: 'approve' }, 'carol', T2)).toThrow(InvalidStateError);
  });
});

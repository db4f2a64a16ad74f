/** Runs, validation records and data-quality issues through the GraphQL API, on the MongoDB backend. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ContractQualityDocument,
  CreateContractDocument,
  CreateIssueDocument,
  IssuesDocument,
  RecordValidationDocument,
  RunsDocument,
  SetContractSettingsDocument,
  StartRunDocument,
  TransitionIssueDocument,
  UpdateIssueDocument,
  UpdateRunDocument,
  ValidationRecordsDocument,
  ValidationStatsDocument,
} from '../gql/graphql.js';
import { mongoBackend } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

let client: TestClient;
let dispose: () => Promise<void>;
let contractId: string;
const unexpected: unknown[] = [];

async function newContract(name: string): Promise<string> {
  const r = await client.run(CreateContractDocument, { input: { document: contractDocument({ name }) } });
  if (r.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(r));
  return r.createContract.contract.id;
}

async function startRun(input: { contractId: string; pipelineId?: string; status?: 'PENDING' | 'RUNNING'; environment?: string; contractVersion?: string }) {
  const r = await client.run(StartRunDocument, { input: { pipelineId: 'nightly', ...input } });
  if (r.startRun.__typename !== 'StartRunSuccess') throw new Error(JSON.stringify(r));
  return r.startRun.run;
}

beforeAll(async () => {
  const backend = await mongoBackend.create();
  dispose = backend.dispose;
  client = createTestClient(backend.storage, (e) => unexpected.push(e));
  contractId = await newContract('quality_orders');
});

afterAll(async () => {
  expect(unexpected).toEqual([]);
  await dispose();
});

describe('runs', () => {
  it('starts a run for the current version and walks its lifecycle, stamping each transition', async () => {
    const run = await startRun({ contractId, status: 'PENDING', environment: 'prod' });
    expect(run).toMatchObject({ status: 'PENDING', version: '1.0.0', environment: 'prod', startedAt: null, endedAt: null, durationMs: null, contract: { id: contractId } });
    const running = await client.run(UpdateRunDocument, { input: { id: run.id, status: 'RUNNING' } });
    expect(running.updateRun).toMatchObject({ __typename: 'UpdateRunSuccess', run: { status: 'RUNNING' } });
    const done = await client.run(UpdateRunDocument, { input: { id: run.id, status: 'SUCCEEDED', result: { rows: 10 } } });
    if (done.updateRun.__typename !== 'UpdateRunSuccess') throw new Error(JSON.stringify(done));
    expect(done.updateRun.run).toMatchObject({ status: 'SUCCEEDED', result: { rows: 10 } });
    expect(done.updateRun.run.endedAt).not.toBeNull();
    expect(done.updateRun.run.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('refuses illegal transitions and unknown contracts or versions with typed errors', async () => {
    const run = await startRun({ contractId });
    const back = await client.run(UpdateRunDocument, { input: { id: run.id, status: 'PENDING' } });
    expect(back.updateRun).toMatchObject({ __typename: 'InvalidTransitionError', from: 'running', to: 'pending' });
    const missingContract = await client.run(StartRunDocument, { input: { contractId: Buffer.from('Contract:nope').toString('base64'), pipelineId: 'p' } });
    expect(missingContract.startRun).toMatchObject({ __typename: 'NotFoundError', resourceType: 'CONTRACT' });
    const missingVersion = await client.run(StartRunDocument, { input: { contractId, pipelineId: 'p', contractVersion: '9.9.9' } });
    expect(missingVersion.startRun).toMatchObject({ __typename: 'NotFoundError', resourceType: 'CONTRACT_VERSION' });
    const noPipeline = await client.run(StartRunDocument, { input: { contractId, pipelineId: ' ' } });
    expect(noPipeline.startRun).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.pipelineId' }] });
    const finished = await client.run(StartRunDocument, { input: { contractId, pipelineId: 'p', status: 'SUCCEEDED' } });
    expect(finished.startRun).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.status' }] });
  });

  it('lists runs with filters and totalCount', async () => {
    const other = await newContract('quality_runs_list');
    await startRun({ contractId: other, pipelineId: 'a', environment: 'dev' });
    await startRun({ contractId: other, pipelineId: 'b', environment: 'prod' });
    const all = await client.run(RunsDocument, { filter: { contractId: other } });
    expect(all.runs.totalCount).toBe(2);
    expect(all.runs.nodes.map((r) => r.pipelineId)).toEqual(['b', 'a']);
    const prod = await client.run(RunsDocument, { filter: { contractId: other, environment: 'prod' } });
    expect(prod.runs.nodes.map((r) => r.pipelineId)).toEqual(['b']);
  });
});

describe('validation records and issues', () => {
  it('computes the error rate, opens an issue for a failing check, and folds repeats into it', async () => {
    const contract = await newContract('quality_checks');
    const run = await startRun({ contractId: contract });
    const push = (key: string | null) =>
      client.run(RecordValidationDocument, {
        input: {
          contractId: contract,
          runId: run.id,
          schemaName: 'orders',
          passed: false,
          rowCount: 200,
          errorCount: 5,
          durationMs: 1200,
          environment: 'prod',
          idempotencyKey: key,
          checks: [
            { checkId: 'order_id_not_null', propertyPath: 'order_id', status: 'PASSED' },
            { checkId: 'amount_positive', propertyPath: 'amount', status: 'FAILED', observedValue: 5, threshold: 0, message: '5 negative amounts' },
          ],
          sampleErrors: [{ order_id: 'o-1', amount: -3 }],
        },
      });
    const first = await push('batch-1');
    if (first.recordValidation.__typename !== 'RecordValidationSuccess') throw new Error(JSON.stringify(first));
    const record = first.recordValidation.result.record;
    expect(first.recordValidation.result.created).toBe(true);
    expect(record).toMatchObject({ errorRate: 0.025, contractVersion: '1.0.0', run: { id: run.id }, sampleErrors: [{ order_id: 'o-1', amount: -3 }] });
    expect(record.checks[0]!.issue).toBeNull();
    const issue = record.checks[1]!.issue!;
    expect(issue).toMatchObject({ occurrences: 1, status: 'OPEN' });
    expect(record.issues.map((i) => i.id)).toEqual([issue.id]);

    const retry = await push('batch-1');
    if (retry.recordValidation.__typename !== 'RecordValidationSuccess') throw new Error(JSON.stringify(retry));
    expect(retry.recordValidation.result).toMatchObject({ created: false, record: { id: record.id } });

    const repeat = await push('batch-2');
    if (repeat.recordValidation.__typename !== 'RecordValidationSuccess') throw new Error(JSON.stringify(repeat));
    expect(repeat.recordValidation.result.record.checks[1]!.issue).toMatchObject({ id: issue.id, occurrences: 2 });

    const quality = await client.run(ContractQualityDocument, { id: contract, days: 7 });
    expect(quality.contract).toMatchObject({ openIssueCount: 1, latestRun: { id: run.id }, validationRecords: { totalCount: 2 }, issues: { totalCount: 1 } });
    expect(quality.contract!.validationStats).toMatchObject({ total: 2, passed: 0, failed: 2, passRate: 0, rows: 400, errors: 10, avgDurationMs: 1200, p95DurationMs: 1200 });
    expect(quality.contract!.validationStats.timeline).toEqual([{ day: new Date().toISOString().slice(0, 10), total: 2, passed: 0, failed: 2, rows: 400, errors: 10 }]);
  });

  it('refuses bad records with typed errors naming the path, and writes nothing', async () => {
    const contract = await newContract('quality_bad_records');
    const base = { contractId: contract, passed: true, rowCount: 10, errorCount: 0 };
    const tooManyErrors = await client.run(RecordValidationDocument, { input: { ...base, errorCount: 11 } });
    expect(tooManyErrors.recordValidation).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.errorCount' }] });
    const tooManySamples = await client.run(RecordValidationDocument, { input: { ...base, sampleErrors: Array.from({ length: 21 }, (_, i) => ({ i })) } });
    expect(tooManySamples.recordValidation).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.sampleErrors' }] });
    const oversize = await client.run(RecordValidationDocument, { input: { ...base, sampleErrors: [{ blob: 'x'.repeat(5000) }] } });
    expect(oversize.recordValidation).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.sampleErrors[0]' }] });
    // Counts are SafeInt: a fraction is refused while the variables are read, naming the field.
    const fractional = await client.request(RecordValidationDocument, { input: { ...base, rowCount: 1.5 } });
    expect(fractional.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(fractional.errors?.[0]?.message).toContain('input.rowCount');
    const list = await client.run(ValidationRecordsDocument, { filter: { contractId: contract } });
    expect(list.validationRecords.totalCount).toBe(0);
  });

  it('does not open issues when the contract turns auto-open off', async () => {
    const contract = await newContract('quality_no_auto');
    const off = await client.run(SetContractSettingsDocument, { input: { id: contract, expectedRevision: 1, autoOpenIssues: false } });
    expect(off.setContractSettings).toMatchObject({ __typename: 'SetContractSettingsSuccess', contract: { autoOpenIssues: false, revision: 2 } });
    const r = await client.run(RecordValidationDocument, { input: { contractId: contract, passed: false, rowCount: 1, errorCount: 1, checks: [{ checkId: 'c', status: 'FAILED' }] } });
    if (r.recordValidation.__typename !== 'RecordValidationSuccess') throw new Error(JSON.stringify(r));
    expect(r.recordValidation.result.record.checks[0]!.issue).toBeNull();
    const issues = await client.run(IssuesDocument, { filter: { contractId: contract } });
    expect(issues.issues.totalCount).toBe(0);
  });

  it('filters stats by version and environment and refuses an impossible window', async () => {
    const contract = await newContract('quality_stats');
    for (const [environment, passed] of [['prod', true], ['prod', false], ['dev', true]] as const) {
      await client.run(RecordValidationDocument, { input: { contractId: contract, passed, rowCount: 10, errorCount: passed ? 0 : 2, environment } });
    }
    const prod = await client.run(ValidationStatsDocument, { contractId: contract, environment: 'prod' });
    expect(prod.validationStats).toEqual({ total: 2, passed: 1, passRate: 0.5 });
    const otherVersion = await client.run(ValidationStatsDocument, { contractId: contract, version: '2.0.0' });
    expect(otherVersion.validationStats).toEqual({ total: 0, passed: 0, passRate: null });
    const bad = await client.request(ValidationStatsDocument, { contractId: contract, days: 0 });
    expect(bad.errors?.[0]).toMatchObject({ extensions: { code: 'VALIDATION_FAILED' } });
    expect(bad.errors?.[0]?.message).toContain('days');
  });
});

describe('issue workflow', () => {
  it('creates, edits and moves an issue, keeping who did what in its activity', async () => {
    const created = await client.run(CreateIssueDocument, {
      input: { contractId, title: 'Late deliveries', severity: 'HIGH', category: 'SLA_BREACH', tags: ['sla'] },
    });
    if (created.createIssue.__typename !== 'CreateIssueSuccess') throw new Error(JSON.stringify(created));
    const issue = created.createIssue.issue;
    expect(issue).toMatchObject({ status: 'OPEN', revision: 1, occurrences: 1, activity: [{ action: 'CREATED' }] });

    const edited = await client.run(UpdateIssueDocument, { input: { id: issue.id, expectedRevision: 1, assignee: 'ana', severity: 'CRITICAL' } });
    if (edited.updateIssue.__typename !== 'UpdateIssueSuccess') throw new Error(JSON.stringify(edited));
    expect(edited.updateIssue.issue.activity[1]).toMatchObject({
      action: 'UPDATED',
      changes: [
        { issueField: 'SEVERITY', from: 'high', to: 'critical' },
        { issueField: 'ASSIGNEE', from: null, to: 'ana' },
      ],
    });

    const stale = await client.run(TransitionIssueDocument, { input: { id: issue.id, expectedRevision: 1, status: 'ACKNOWLEDGED' } });
    expect(stale.transitionIssue).toMatchObject({ __typename: 'ConflictError', expectedRevision: 1, actualRevision: 2 });
    const noResolution = await client.run(TransitionIssueDocument, { input: { id: issue.id, expectedRevision: 2, status: 'RESOLVED' } });
    expect(noResolution.transitionIssue).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.resolution' }] });
    const resolved = await client.run(TransitionIssueDocument, { input: { id: issue.id, expectedRevision: 2, status: 'RESOLVED', resolution: 'FIXED', note: 'carrier fixed' } });
    expect(resolved.transitionIssue).toMatchObject({ __typename: 'TransitionIssueSuccess', issue: { status: 'RESOLVED', resolution: 'FIXED', revision: 3 } });
    const illegal = await client.run(TransitionIssueDocument, { input: { id: issue.id, expectedRevision: 3, status: 'IN_PROGRESS' } });
    expect(illegal.transitionIssue).toMatchObject({ __typename: 'InvalidTransitionError', from: 'resolved', to: 'in_progress', allowed: ['open'] });
    const reopened = await client.run(TransitionIssueDocument, { input: { id: issue.id, expectedRevision: 3, status: 'OPEN' } });
    expect(reopened.transitionIssue).toMatchObject({ __typename: 'TransitionIssueSuccess', issue: { status: 'OPEN', resolution: null } });
  });

  it('filters, sorts by severity and summarises the whole filtered set', async () => {
    const contract = await newContract('quality_issue_list');
    for (const [title, severity] of [['a broken', 'LOW'], ['b broken', 'CRITICAL'], ['c fine', 'MEDIUM'], ['d broken', 'CRITICAL']] as const) {
      await client.run(CreateIssueDocument, { input: { contractId: contract, title, severity, category: 'OTHER' } });
    }
    const page = await client.run(IssuesDocument, { filter: { contractId: contract, text: 'broken' }, orderBy: { field: 'SEVERITY' }, first: 2 });
    expect(page.issues.totalCount).toBe(3);
    expect(page.issues.nodes.map((n) => n.title)).toEqual(['d broken', 'b broken']);
    expect(page.issues.summary.bySeverity).toEqual([
      { severity: 'CRITICAL', count: 2 },
      { severity: 'HIGH', count: 0 },
      { severity: 'MEDIUM', count: 0 },
      { severity: 'LOW', count: 1 },
      { severity: 'INFO', count: 0 },
    ]);
    expect(page.issues.summary.byStatus.find((s) => s.status === 'OPEN')?.count).toBe(3);
    const next = await client.run(IssuesDocument, { filter: { contractId: contract, text: 'broken' }, orderBy: { field: 'SEVERITY' }, first: 2, after: page.issues.pageInfo.endCursor });
    expect(next.issues.nodes.map((n) => n.title)).toEqual(['a broken']);
  });
});

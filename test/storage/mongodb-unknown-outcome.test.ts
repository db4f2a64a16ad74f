/**
 * Contract writes whose contract step has an unknown outcome: the driver gave up on the answer (a socket time
 * limit), yet the command reaches the server later and lands. Under the `claims` write protocol the write's claim
 * is what tells other writers that it may still be in flight, so it must stay live until its lease ends, and what
 * the step points at must stay:
 *  - a create: released at once, another create of the same ODCS id took the id over while the first contract was
 *    about to land, and two contracts held one ODCS id;
 *  - an update: it removed its new version and released the claim, so another update of that revision wrote, and
 *    the late replace then overwrote it (a lost update) with a contract whose version was gone.
 * A command that ran but whose connection broke before its answer came back must not be undone either: an update
 * removed the version its landed replace pointed at.
 * A validation push whose answer was lost before its record was sent (its rollup write) gives its issues back.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { AlreadyExistsError, ConflictError } from '../../src/domain/errors.js';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { testDatabaseName } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { commandOn, startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

/** The lease of both instances: long enough to outlast the held command (HOLD_MS) after the driver gave up. */
const LEASE_MS = 8_000;
/** The driver gives up on an answer a second past the operation limit (index.ts socketTimeoutMS), so at 2 s. */
const OPERATION_TIMEOUT_MS = 1_000;
/** How long the proxy holds the contract command back: past the driver's time limit, well within the lease. */
const HOLD_MS = 3_500;

/** The proxy's hold or cut, which fails the test (rather than hang it) when the command never reached the proxy. */
function reached(done: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the held command never reached the proxy')), HOLD_MS + 10_000);
  });
  return Promise.race([done, late]).finally(() => clearTimeout(timer));
}

let proxy: TcpProxy;
let slow: MongoStorageBackend;
let other: MongoStorageBackend;
let database: string;

beforeAll(async () => {
  database = testDatabaseName();
  proxy = await startTcpProxy(inject('mongodbUri'));
  const common = { database, claimLeaseMs: LEASE_MS, repairIntervalMs: 0 };
  slow = await createMongoStorage({ ...common, uri: proxy.uri, operationTimeoutMs: OPERATION_TIMEOUT_MS });
  other = await createMongoStorage({ ...common, uri: inject('mongodbUri') });
});
afterAll(async () => {
  await other.dropDatabase();
  await other.close();
  await slow.close();
  await proxy.close();
});

it('keeps a create whose contract insert went unanswered in flight until its lease ends, so its ODCS id is not given to another create', async () => {
  expect(slow.capabilities.writeProtocol).toBe('claims');
  const odcsId = 'urn:test:unknown-create';
  const delivered = proxy.holdCommand(commandOn('insert', 'contracts'), HOLD_MS);
  const started = Date.now();
  const first = slow.contracts.create({ document: contractDocument({ id: odcsId, name: 'unknown_create_first' }) }, 'test');
  await expect(first).rejects.toThrow();
  const unanswered = Date.now() - started;
  expect(unanswered).toBeLessThan(HOLD_MS); // the driver gave up before the insert reached the server

  // Another instance creates a contract with the same ODCS id (and another name) right away.
  let settledAt = 0;
  const second = other.contracts
    .create({ document: contractDocument({ id: odcsId, name: 'unknown_create_second' }) }, 'test')
    .then(
      (contract) => ({ contract, error: null }),
      (error: unknown) => ({ contract: null, error }),
    )
    .finally(() => (settledAt = Date.now()));
  await reached(delivered);
  const deliveredAt = Date.now();
  const outcome = await second;
  // It waited for the first contract to land, not for the rest of the first create's lease (claim-waits.ts).
  expect(settledAt - deliveredAt).toBeLessThan(2_000);
  // Wait for the held insert to land (the server runs it once it arrives).
  let holders: { _id: string; name: string }[] = [];
  for (let i = 0; i < 100; i++) {
    holders = await other.db.collection<{ _id: string; name: string }>('contracts').find({ odcsId }, { projection: { name: 1 } }).toArray();
    if (holders.some((h) => h.name === 'unknown_create_first')) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(holders.map((h) => h.name)).toContain('unknown_create_first'); // the first create did land
  expect(outcome.contract?.name ?? null).toBeNull();
  expect(outcome.error).toBeInstanceOf(AlreadyExistsError);
  expect(holders).toHaveLength(1);
  expect((await other.contracts.getByOdcsId(odcsId))?.name).toBe('unknown_create_first');
}, 60_000);

it('keeps an update whose contract replace went unanswered in flight until its lease ends, and keeps the version it points at', async () => {
  const created = await other.contracts.create({ document: contractDocument({ name: 'unknown_update' }) }, 'test');
  const update = (storage: MongoStorageBackend, version: string) =>
    storage.contracts.update({ id: created.id, expectedRevision: created.revision, document: contractDocument({ name: 'unknown_update', version, purpose: `At ${version}.` }) }, 'test');
  const delivered = proxy.holdCommand(commandOn('update', 'contracts'), HOLD_MS);
  const started = Date.now();
  await expect(update(slow, '1.1.0')).rejects.toThrow();
  expect(Date.now() - started).toBeLessThan(HOLD_MS);

  // The same instance updates the same revision right away (its own claim looks dead to it as soon as it is no
  // longer in flight there): it must not write over the replace still in flight.
  const outcome = await update(slow, '1.2.0').then(
    (contract) => ({ contract, error: null }),
    (error: unknown) => ({ contract: null, error }),
  );
  await reached(delivered);
  let now = await other.contracts.getById(created.id);
  for (let i = 0; i < 100 && now?.version !== '1.1.0'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    now = await other.contracts.getById(created.id);
  }
  expect(now?.version).toBe('1.1.0'); // the late replace landed
  expect(outcome.contract?.version ?? null).toBeNull();
  expect(outcome.error).toBeInstanceOf(ConflictError);
  expect(now?.revision).toBe(created.revision + 1);
  // The version it points at is there, with its document.
  const [version] = await other.contracts.getVersions([{ contractId: created.id, version: '1.1.0' }]);
  expect(version?.document).toMatchObject({ version: '1.1.0', description: { purpose: 'At 1.1.0.' } });
  expect((await other.contracts.listVersions(created.id, { first: 10 })).items.map((v) => v.version)).toEqual(expect.arrayContaining(['1.0.0', '1.1.0']));
}, 60_000);

it('keeps a batch create whose contract insert went unanswered in flight to its own instance too, so a create of one of its ODCS ids there waits', async () => {
  const odcsId = 'urn:test:unknown-batch';
  const delivered = proxy.holdCommand(commandOn('insert', 'contracts'), HOLD_MS);
  const batch = slow.contracts.createMany(
    [
      { document: contractDocument({ id: odcsId, name: 'unknown_batch_first' }) },
      { document: contractDocument({ id: `${odcsId}:2`, name: 'unknown_batch_second' }) },
    ],
    'test',
  );
  await expect(batch).rejects.toThrow();
  // The same instance creates a contract with the first item's ODCS id right away (its own claims look dead to it
  // as soon as they are no longer in flight there).
  const outcome = await slow.contracts.create({ document: contractDocument({ id: odcsId, name: 'unknown_batch_again' }) }, 'test').then(
    (contract) => ({ contract, error: null }),
    (error: unknown) => ({ contract: null, error }),
  );
  await reached(delivered);
  let holders: { _id: string; name: string }[] = [];
  for (let i = 0; i < 100; i++) {
    holders = await other.db.collection<{ _id: string; name: string }>('contracts').find({ odcsId }, { projection: { name: 1 } }).toArray();
    if (holders.some((h) => h.name === 'unknown_batch_first')) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(holders.map((h) => h.name)).toContain('unknown_batch_first');
  expect(outcome.contract?.name ?? null).toBeNull();
  expect(outcome.error).toBeInstanceOf(AlreadyExistsError);
  expect(holders).toHaveLength(1);
}, 60_000);

it('lets the next update of that revision go on once the lease ended when the unanswered replace never lands, its version removed', async () => {
  const created = await other.contracts.create({ document: contractDocument({ name: 'unknown_lost' }) }, 'test');
  const update = (storage: MongoStorageBackend, version: string) =>
    storage.contracts.update({ id: created.id, expectedRevision: created.revision, document: contractDocument({ name: 'unknown_lost', version, purpose: `At ${version}.` }) }, 'test');
  const lost = proxy.holdCommand(commandOn('update', 'contracts'), HOLD_MS, { drop: true });
  await expect(update(slow, '1.1.0')).rejects.toThrow();
  const started = Date.now();
  const next = await update(other, '1.2.0');
  await reached(lost);
  expect(Date.now() - started).toBeLessThan(2 * LEASE_MS); // it waited for the claim's lease, not for ever
  expect(next).toMatchObject({ version: '1.2.0', revision: created.revision + 1 });
  const now = await other.contracts.getById(created.id);
  expect(now).toMatchObject({ version: '1.2.0', revision: created.revision + 1, versionCount: 2 });
  // The lost write's version was removed as an orphan when its claim was taken over: 1.1.0 is not a version.
  expect((await other.contracts.listVersions(created.id, { first: 10 })).items.map((v) => v.version)).toEqual(expect.arrayContaining(['1.0.0', '1.2.0']));
  expect(await other.contracts.getVersions([{ contractId: created.id, version: '1.1.0' }])).toEqual([null]);
}, 60_000);

it('keeps the version of an update whose replace ran but whose answer was cut, and lets the next update go on at once', async () => {
  const created = await other.contracts.create({ document: contractDocument({ name: 'unknown_cut' }) }, 'test');
  const document = (version: string) => contractDocument({ name: 'unknown_cut', version, purpose: `At ${version}.` });
  const cut = proxy.cutReplyTo(commandOn('update', 'contracts'));
  await expect(slow.contracts.update({ id: created.id, expectedRevision: created.revision, document: document('1.1.0') }, 'test')).rejects.toThrow();
  await reached(cut);
  const now = await other.contracts.getById(created.id);
  expect(now).toMatchObject({ version: '1.1.0', revision: created.revision + 1, versionCount: 2 }); // it ran
  const [version] = await other.contracts.getVersions([{ contractId: created.id, version: '1.1.0' }]);
  expect(version?.document).toMatchObject({ version: '1.1.0', description: { purpose: 'At 1.1.0.' } });
  // A broken connection is not a command that may land later: the next update does not wait for the lease.
  const started = Date.now();
  const next = await slow.contracts.update({ id: created.id, expectedRevision: now!.revision, document: document('1.2.0') }, 'test');
  expect(Date.now() - started).toBeLessThan(LEASE_MS / 2);
  expect(next).toMatchObject({ version: '1.2.0', revision: created.revision + 2, versionCount: 3 });
}, 60_000);

it('gives back the issue a validation push opened when its rollup write lost its answer: its record was never sent', async () => {
  const created = await other.contracts.create({ document: contractDocument({ name: 'unknown_rollup' }) }, 'test');
  const failing = { contractId: created.id, passed: false, rowCount: 10, errorCount: 2, idempotencyKey: 'load-1', checks: [{ checkId: 'orders.order_id.unique', status: 'failed' as const }] };
  const cut = proxy.cutReplyTo(commandOn('update', 'validation_daily'));
  await expect(slow.validations.record(failing, 'pipeline')).rejects.toThrow();
  await reached(cut);
  expect((await other.validations.list({ contractId: created.id }, 'asc', { first: 10 })).items).toEqual([]); // no record
  // No issue is left pointing at a record that was never sent.
  const page = () => other.issues.list({ contractId: created.id }, { field: 'detectedAt', direction: 'asc' }, { first: 10 });
  expect((await page()).items).toEqual([]);
  // The pipeline's retry of the same key opens the issue once, with one occurrence and its ISSUE_OPENED event.
  const before = await other.events.latest();
  const retry = await other.validations.record(failing, 'pipeline');
  expect(retry.created).toBe(true);
  const [issue] = await other.issues.getByIds([retry.record.checks[0]!.issueId!]);
  expect(issue).toMatchObject({ occurrences: 1, revision: 1, validationRecordId: retry.record.id });
  const events = (await other.events.list({ after: before, first: 100 })).filter((e) => e.subjectId === issue!.id);
  expect(events.map((e) => e.type)).toEqual(['ISSUE_OPENED']);
}, 60_000);

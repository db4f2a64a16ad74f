/**
 * Subscriptions over SSE (graphql-sse on /graphql/stream), through the server, on every backend: each event type
 * on its subscription, resuming with a cursor (exactly the missed events), who receives what (a viewer, an
 * anonymous caller, an expired token, approvals addressed to someone else), the caps, heartbeats, and the clean
 * end when the hub closes (graceful shutdown).
 */
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import type { Role } from '../../src/auth/principal.js';
import { createLive, type Live, type LiveOptions } from '../../src/live/index.js';
import type { StorageBackend } from '../../src/storage/types.js';
import {
  LiveAddCommentDocument,
  LiveApproveDocument,
  LiveCommentAddedDocument,
  LiveContractChangedDocument,
  LiveCreateContractDocument,
  LiveCreateIssueDocument,
  LiveEventsDocument,
  LiveIssueChangedDocument,
  LiveMyApprovalRequestsDocument,
  LiveRecordValidationDocument,
  LiveRegistryEventsDocument,
  LiveSubmitForReviewDocument,
  LiveUpdateContractDocument,
  LiveValidationRecordedDocument,
  type LiveEventFragment,
} from '../gql/graphql.js';
import { backends } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';
import { subscribe, type Subscription } from '../support/sse.js';

const PEOPLE = { ana: 'editor', carol: 'approver', dave: 'approver', vic: 'viewer' } as const satisfies Record<string, Role>;
type Person = keyof typeof PEOPLE;
const JWT_SECRET = randomBytes(32).toString('hex');

function fail(e: unknown): never {
  throw e;
}

interface World {
  storage: StorageBackend;
  live: Live;
  clients: Record<Person, TestClient>;
  headers: Record<Person, Record<string, string>>;
  /** A server on the same storage and hub for callers with other credentials (a token, none). */
  other: TestClient;
  open: Subscription<unknown>[];
}

function world(storage: StorageBackend, options: Partial<LiveOptions> = {}): World {
  // Polling is slowed right down, so that a lost wake-up would show as a failure here rather than a delay.
  const live = createLive(storage, { heartbeatMs: 60_000, pollMs: 600_000, ...options }, { announce: false });
  const keys = Object.entries(PEOPLE).map(([name, role]) => ({ name: name as Person, role, key: randomBytes(24).toString('base64url') }));
  const apiKeys = keys.map(({ name, role, key }) => ({ name, roles: [role as Role], sha256: hashApiKey(key) }));
  const auth = { apiKeys, jwt: { secret: JWT_SECRET } };
  const headers = Object.fromEntries(keys.map(({ name, key }) => [name, { 'x-api-key': key } as Record<string, string>])) as Record<Person, Record<string, string>>;
  const clients = Object.fromEntries(
    keys.map(({ name }) => [name, createTestClient(storage, fail, { as: { headers: headers[name] }, auth, server: { live } })]),
  ) as Record<Person, TestClient>;
  return { storage, live, clients, headers, other: createTestClient(storage, fail, { as: null, auth, server: { live } }), open: [] };
}

function on<R, V>(w: World, who: Person | Record<string, string>, document: Parameters<typeof subscribe<R, V>>[2], variables?: V): Subscription<R> {
  const headers = typeof who === 'string' ? w.headers[who] : who;
  const yoga = typeof who === 'string' ? w.clients[who].yoga : w.other.yoga;
  const s = subscribe(yoga, headers, document, variables);
  w.open.push(s as Subscription<unknown>);
  return s;
}

/** The next event of a stream (fails on errors). */
async function nextEvent<R>(s: Subscription<R>): Promise<LiveEventFragment> {
  const t0 = Date.now();
  const r = await s.next();
  if (process.env.LIVE_DEBUG) console.log('nextEvent', Date.now() - t0, JSON.stringify(r).slice(0, 120));
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return Object.values(r.data as Record<string, LiveEventFragment>)[0]!;
}

async function createContract(c: TestClient, name: string) {
  const r = await c.run(LiveCreateContractDocument, { input: { document: contractDocument({ name }) } });
  if (r.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(r));
  return r.createContract.contract;
}

/** A minor version `1.N.0` adds fields f1…fN (compatible with every earlier one). */
async function updateContract(c: TestClient, id: string, revision: number, name: string, version: string) {
  const added = Array.from({ length: Number(version.split('.')[1]) }, (_, i) => ({ name: `f${i + 1}` }));
  const r = await c.run(LiveUpdateContractDocument, {
    input: { id, expectedRevision: revision, document: contractDocument({ name, version, schemas: { orders: [{ name: 'order_id', primaryKey: true }, ...added] } }) },
  });
  if (r.updateContract.__typename !== 'UpdateContractSuccess') throw new Error(JSON.stringify(r));
  return r.updateContract.contract;
}

/**
 * Waits until every stream opened so far is live (SSE streams start asynchronously): the server has answered each
 * one, which it does once the subscription has its starting point. A fixed pause here (150 ms before) lost the
 * race on a loaded machine: a write before the subscription read the log's head was never delivered.
 */
const settle = (w: World) => Promise.all(w.open.map((s) => s.started()));
/** Waits until the hub counts `n` open subscriptions (a client that went away is noticed asynchronously). */
const openCount = (w: World, n: number) => vi.waitFor(() => expect(w.live.hub.stats().open).toBe(n), { timeout: 10_000, interval: 20 });

describe.each(backends)('subscriptions on $name', (backend) => {
  let storage: StorageBackend;
  let dispose: () => Promise<void>;
  let w: World;

  beforeEach(async () => {
    ({ storage, dispose } = await backend.create());
    w = world(storage);
  });

  afterEach(async () => {
    for (const s of w.open) await s.end().catch(() => undefined);
    await w.live.close();
    await dispose();
  });

  it('each event type arrives on its subscription, and registryEvents sees them all in position order', async () => {
    const contract = await createContract(w.clients.ana, 'live_types');
    const head = (await w.clients.vic.run(LiveEventsDocument, { first: 100 })).events.nodes.at(-1)!.position;
    const all = on(w, 'vic', LiveRegistryEventsDocument, {});
    const changed = on(w, 'vic', LiveContractChangedDocument, { id: contract.id });
    const validations = on(w, 'vic', LiveValidationRecordedDocument, { contractId: contract.id });
    const issues = on(w, 'vic', LiveIssueChangedDocument, { contractId: contract.id });
    const comments = on(w, 'vic', LiveCommentAddedDocument, { target: contract.id });
    const carolInbox = on(w, 'carol', LiveMyApprovalRequestsDocument, {});
    const anaInbox = on(w, 'ana', LiveMyApprovalRequestsDocument, {});
    await settle(w);

    const updated = await updateContract(w.clients.ana, contract.id, contract.revision, 'live_types', '1.1.0');
    expect((await nextEvent(changed)).type).toBe('CONTRACT_VERSION_PUBLISHED');

    await w.clients.ana.run(LiveRecordValidationDocument, { input: { contractId: contract.id, passed: false, rowCount: 10, errorCount: 2 } });
    const validation = await nextEvent(validations);
    expect(validation).toMatchObject({ type: 'VALIDATION_RECORDED', contractId: contract.id, actor: 'ana' });

    const issue = await w.clients.ana.run(LiveCreateIssueDocument, { input: { contractId: contract.id, title: 'late rows', severity: 'LOW', category: 'OTHER' } });
    expect(issue.createIssue.__typename).toBe('CreateIssueSuccess');
    expect((await nextEvent(issues)).type).toBe('ISSUE_OPENED');

    await w.clients.ana.run(LiveAddCommentDocument, { input: { contractId: contract.id, body: 'please look @carol' } });
    const comment = await nextEvent(comments);
    expect(comment).toMatchObject({ type: 'COMMENT_ADDED', actor: 'ana' });

    const submitted = await w.clients.ana.run(LiveSubmitForReviewDocument, { input: { contractId: contract.id, expectedRevision: updated.revision, approvers: ['carol'] } });
    if (submitted.submitForReview.__typename !== 'SubmitForReviewSuccess') throw new Error(JSON.stringify(submitted));
    const request = await nextEvent(carolInbox);
    expect(request).toMatchObject({ type: 'APPROVAL_REQUESTED', audience: ['carol'], actor: 'ana' });
    expect((await nextEvent(changed)).type).toBe('CONTRACT_STATUS_CHANGED');

    await w.clients.carol.run(LiveApproveDocument, { input: { requestId: submitted.submitForReview.approvalRequest.id } });
    expect(await nextEvent(anaInbox)).toMatchObject({ type: 'APPROVAL_DECIDED', audience: ['ana'], actor: 'carol' });
    // Approved: the version became active.
    expect(await nextEvent(changed)).toMatchObject({ type: 'CONTRACT_STATUS_CHANGED', actor: 'carol' });

    // The whole feed, live, is the log: the same events, in position order, none missing, none twice.
    const log = await w.clients.vic.run(LiveEventsDocument, { first: 100 });
    const expected = log.events.nodes.filter((e) => e.position > head);
    const seen: LiveEventFragment[] = [];
    while (seen.length < expected.length) seen.push(await nextEvent(all));
    expect(seen.map((e) => e.position)).toEqual(expected.map((e) => e.position));
    expect(seen).toEqual(expected);
    expect(new Set(seen.map((e) => e.type))).toEqual(
      new Set(['CONTRACT_VERSION_PUBLISHED', 'VALIDATION_RECORDED', 'ISSUE_OPENED', 'COMMENT_ADDED', 'APPROVAL_REQUESTED', 'CONTRACT_STATUS_CHANGED', 'APPROVAL_DECIDED']),
    );
    // Nothing leaked onto the narrower feeds.
    for (const s of [changed, validations, issues, comments, carolInbox, anaInbox]) expect(await s.drain(100)).toEqual([]);
  });

  it('a subscriber that disconnects and resumes with its cursor gets exactly the events it missed, then live ones', async () => {
    const first = on(w, 'vic', LiveRegistryEventsDocument, {});
    await settle(w);
    const a = await createContract(w.clients.ana, 'live_resume_a');
    const seen = [await nextEvent(first)];
    await first.end();

    // Missed while away: three events.
    const b = await createContract(w.clients.ana, 'live_resume_b');
    await updateContract(w.clients.ana, a.id, a.revision, 'live_resume_a', '1.1.0');
    await updateContract(w.clients.ana, b.id, b.revision, 'live_resume_b', '1.1.0');

    const log = await w.clients.vic.run(LiveEventsDocument, { after: seen[0]!.cursor, first: 100 });
    expect(log.events.nodes.length).toBeGreaterThanOrEqual(3);
    const resumed = on(w, 'vic', LiveRegistryEventsDocument, { after: seen[0]!.cursor });
    const missed: LiveEventFragment[] = [];
    while (missed.length < log.events.nodes.length) missed.push(await nextEvent(resumed));
    expect(missed).toEqual(log.events.nodes);
    expect(missed.map((e) => e.position)).toEqual(missed.map((_, i) => seen[0]!.position + 1 + i));

    // Then live, continuing from there, with no duplicate of what was replayed.
    await createContract(w.clients.ana, 'live_resume_c');
    const live = await nextEvent(resumed);
    expect(live.position).toBe(missed.at(-1)!.position + 1);
    expect(live.type).toBe('CONTRACT_CREATED');
    expect(await resumed.drain(150)).toEqual([]);
  });

  it('resuming with a filter and a cursor replays only matching events', async () => {
    const a = await createContract(w.clients.ana, 'live_filter_a');
    const b = await createContract(w.clients.ana, 'live_filter_b');
    const log = await w.clients.vic.run(LiveEventsDocument, { first: 100 });
    const start = log.events.nodes[0]!.cursor;
    await updateContract(w.clients.ana, b.id, b.revision, 'live_filter_b', '1.1.0');
    await updateContract(w.clients.ana, a.id, a.revision, 'live_filter_a', '1.1.0');
    const onlyA = on(w, 'vic', LiveRegistryEventsDocument, { after: start, filter: { contractId: a.id } });
    expect(await nextEvent(onlyA)).toMatchObject({ type: 'CONTRACT_VERSION_PUBLISHED', contractId: a.id });
    await updateContract(w.clients.ana, b.id, b.revision + 1, 'live_filter_b', '1.2.0');
    expect(await onlyA.drain(200)).toEqual([]);
  });

  it('a bad or expired cursor is a typed error at the start', async () => {
    const bad = on(w, 'vic', LiveRegistryEventsDocument, { after: 'not-a-cursor' });
    const r = await bad.next();
    expect(r.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(r.errors?.[0]?.message).toMatch(/after/);
    await bad.completed();
  });

  it('a caller receives nothing it may not read', async () => {
    // No credentials (anonymous read is off): refused at the start.
    const anonymous = on(w, {}, LiveRegistryEventsDocument, {});
    const refused = await anonymous.next();
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(refused.data ?? null).toBeNull();
    await anonymous.completed();

    // A key that does not verify: refused too.
    const wrong = on(w, { 'x-api-key': 'nope' }, LiveRegistryEventsDocument, {});
    expect((await wrong.next()).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    // Approval requests addressed to carol never reach dave's inbox.
    const contract = await createContract(w.clients.ana, 'live_private');
    const dave = on(w, 'dave', LiveMyApprovalRequestsDocument, {});
    const carol = on(w, 'carol', LiveMyApprovalRequestsDocument, {});
    await settle(w);
    await w.clients.ana.run(LiveSubmitForReviewDocument, { input: { contractId: contract.id, expectedRevision: contract.revision, approvers: ['carol'] } });
    expect((await nextEvent(carol)).type).toBe('APPROVAL_REQUESTED');
    expect(await dave.drain(200)).toEqual([]);

    // myApprovalRequests without credentials: refused.
    const anonymousInbox = on(w, {}, LiveMyApprovalRequestsDocument, {});
    expect((await anonymousInbox.next()).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('credentials are checked again for each event: a token that expires stops the events', async () => {
    // The token expires when the test says so, not after a wall-clock interval: with a 2 s token, a loaded machine
    // took longer than that to deliver the first event, which was then already refused. Only Date is faked (the
    // server verifies the expiry against it); timers stay real.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const exp = Math.floor(Date.now() / 1000) + 60;
      const token = await new SignJWT({ roles: ['viewer'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('tom').setExpirationTime(exp).sign(new TextEncoder().encode(JWT_SECRET));
      const s = on(w, { authorization: `Bearer ${token}` }, LiveRegistryEventsDocument, {});
      await settle(w);
      await createContract(w.clients.ana, 'live_token_1');
      expect((await nextEvent(s)).type).toBe('CONTRACT_CREATED');
      vi.setSystemTime((exp + 1) * 1000); // the token has expired
      await createContract(w.clients.ana, 'live_token_2');
      const denied = await s.next();
      expect(denied.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(denied)).not.toContain('live_token_2');
      await s.completed();
    } finally {
      vi.useRealTimers();
    }
  });

  it('ends every subscription cleanly when the hub closes (graceful shutdown), and refuses new ones', async () => {
    const a = on(w, 'vic', LiveRegistryEventsDocument, {});
    const b = on(w, 'carol', LiveMyApprovalRequestsDocument, {});
    await settle(w);
    expect(w.live.hub.stats().open).toBe(2);
    await w.live.close();
    await a.completed(3_000);
    await b.completed(3_000);
    expect(w.live.hub.stats().open).toBe(0);
    const late = on(w, 'vic', LiveRegistryEventsDocument, {});
    expect((await late.next()).errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
  });
});

describe('subscription limits and heartbeats', () => {
  let storage: StorageBackend;
  let dispose: () => Promise<void>;
  let w: World;

  beforeEach(async () => {
    ({ storage, dispose } = await backends[0]!.create());
  });

  afterEach(async () => {
    for (const s of w.open) await s.end().catch(() => undefined);
    await w.live.close();
    await dispose();
  });

  it('caps subscriptions per principal and in total, and frees a place when one ends', async () => {
    w = world(storage, { maxPerPrincipal: 2, maxSubscriptions: 3 });
    const v1 = on(w, 'vic', LiveRegistryEventsDocument, {});
    const v2 = on(w, 'vic', LiveRegistryEventsDocument, {});
    await settle(w);
    const v3 = on(w, 'vic', LiveRegistryEventsDocument, {});
    const over = await v3.next();
    expect(over.errors?.[0]?.extensions?.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    expect(over.errors?.[0]?.message).toMatch(/GRIOT_SUBSCRIPTIONS_PER_PRINCIPAL/);
    on(w, 'carol', LiveRegistryEventsDocument, {});
    await settle(w);
    const total = await on(w, 'dave', LiveRegistryEventsDocument, {}).next();
    expect(total.errors?.[0]?.extensions?.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    expect(total.errors?.[0]?.message).toMatch(/GRIOT_SUBSCRIPTIONS_MAX/);
    expect(w.live.hub.stats().open).toBe(3);

    // A client that goes away frees its place.
    await v1.end();
    await openCount(w, 2);
    const again = on(w, 'vic', LiveRegistryEventsDocument, {});
    await settle(w);
    await createContract(w.clients.ana, 'live_caps');
    expect((await nextEvent(again)).type).toBe('CONTRACT_CREATED');
    expect((await nextEvent(v2)).type).toBe('CONTRACT_CREATED');
  });

  it('sends a heartbeat comment on every open stream at the configured interval, on both routes', async () => {
    w = world(storage, { heartbeatMs: 100 });
    for (const path of ['/graphql/stream', '/graphql']) {
      const client = new AbortController();
      const response = await w.clients.vic.fetch(path, {
        method: 'POST',
        signal: client.signal,
        headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
        body: JSON.stringify({ query: LiveRegistryEventsDocument.toString(), variables: {} }),
      });
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = response.body!.getReader();
      const started = Date.now();
      let text = '';
      while ((text.match(/^: heartbeat$/gm) ?? []).length < 3) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      const elapsed = Date.now() - started;
      expect((text.match(/^: heartbeat$/gm) ?? []).length, text).toBeGreaterThanOrEqual(3);
      // Three beats at 100 ms take about 300 ms: neither bunched up nor the transport's own 12 s keep-alive.
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(5_000);
      // The client goes away: its subscription ends and frees its place.
      client.abort();
      await reader.cancel().catch(() => undefined);
    }
    await openCount(w, 0);
  });
});

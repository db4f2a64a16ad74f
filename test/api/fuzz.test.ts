/**
 * Seeded fuzzing of the API (issue 10.5): over a thousand hostile requests through yoga.fetch — wrong variable
 * types, object-valued filters, invalid global ids, deep and wide queries, deeply nested documents, YAML alias
 * bombs, bad names, versions and counts, malformed bodies. Every answer must be the caller's error: no 5xx, no
 * INTERNAL_SERVER_ERROR, a code from the ErrorCode table, no stack text, nothing logged at error level, and
 * nothing written. It runs on memory (FUZZ_REQUESTS, 1,200) and on FerretDB (FUZZ_REQUESTS_MONGODB, 1,000), where
 * "nothing written" is also checked by the driver's commands (no write command during the run) and by the document
 * count of every collection before and after. Repeat a run with FUZZ_SEED=<seed> (the seed is in the test name).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODE_LIST } from '../../src/domain/error-codes.js';
import type { MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { ContractsDocument, CreateContractDocument, ValidationRecordsDocument } from '../gql/graphql.js';
import { backends } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';
import { captureLog } from '../support/log.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
/** Requests per backend: FerretDB answers each in a few ms more, so it gets fewer (both together stay well over 1,000). */
const REQUESTS: Record<string, number> = {
  memory: Number(process.env.FUZZ_REQUESTS ?? 1200),
  mongodb: Number(process.env.FUZZ_REQUESTS_MONGODB ?? process.env.FUZZ_REQUESTS ?? 1000),
};
/** Driver commands that write; a failed request must send none of them. */
const WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify', 'bulkWrite', 'createIndexes', 'drop', 'dropIndexes', 'create']);

/** mulberry32: a small seeded generator, so a failing run can be repeated exactly. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof generator>;

interface Hostile {
  kind: string;
  body: string;
  contentType?: string;
}

const NASTY_STRINGS = ['', ' ', '\u0000', 'a\u202Eb', 'zw\u200Bj', '\uD800', '\uFEFF', '../..', '$where', '{"$ne":null}', 'x'.repeat(5000), '\n\r\t', '<script>', "'; drop", '%00'];
const nastyScalar = (r: Rng): unknown =>
  r.pick<unknown>([
    'x',
    1e308,
    -1,
    1.5,
    2 ** 53,
    -(2 ** 31) - 1,
    true,
    [],
    [1, 'a', null],
    {},
    { $ne: null },
    { $gt: '' },
    { $where: 'sleep(1000)' },
    r.pick(NASTY_STRINGS),
    { a: { b: { c: [] } } },
  ]);

function json(query: string, variables: Record<string, unknown> = {}): string {
  return JSON.stringify({ query, variables });
}

function nested(depth: number, leaf = '{}'): string {
  return `${'{"x":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
}

function laughs(levels: number): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < levels; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  return lines.join('\n');
}

/** A contract document that must be refused: a bad name, version or shape. */
function badDocument(r: Rng): unknown {
  const base = contractDocument({ name: `fuzz-${r.int(1e6)}` }) as Record<string, unknown>;
  return r.pick<() => unknown>([
    () => ({ ...base, name: `bad${r.pick(['\u0000', '\u202E', '\u200B', '\uD800', '\u0007', '\uFEFF'])}name` }),
    () => ({ ...base, name: 'n'.repeat(201 + r.int(500)) }),
    () => ({ ...base, version: `1.0.0-${'a'.repeat(65 + r.int(5000))}` }),
    () => ({ ...base, version: r.pick(['1', 'v1.0.0', '1.0', '01.0.0', '', 'latest']) }),
    () => ({ ...base, apiVersion: nastyScalar(r) === 'x' ? 7 : 'v0' }),
    () => nastyScalar(r),
    () => ({ ...base, schema: 'not a list' }),
    () => ({ ...base, name: { $ne: null } }),
  ])();
}

const GLOBAL_ID_JUNK = (r: Rng) =>
  r.pick([
    '!!!',
    '',
    'Q29udHJhY3Q6',
    Buffer.from(`Contract:${r.int(1e9)}`).toString('base64'),
    Buffer.from(`NoSuchType:${r.int(9)}`).toString('base64'),
    Buffer.from('\u0000\u0001').toString('base64'),
    'x'.repeat(2000),
    Buffer.from(`Contract:${'x'.repeat(300)}`).toString('base64'),
  ]);

function hostile(r: Rng, contractId: string, revision: number): Hostile {
  const cases: (() => Hostile)[] = [
    () => ({ kind: 'int variable', body: json('query($v: Int){ contracts(first: $v) { totalCount } }', { v: nastyScalar(r) }) }),
    () => ({ kind: 'filter object', body: json('query($f: ContractFilter){ contracts(filter: $f) { totalCount } }', { f: { [r.pick(['owner', 'schemaName', 'status'])]: nastyScalar(r) } }) }),
    () => ({ kind: 'filter whole', body: json('query($f: ContractFilter){ contracts(filter: $f) { totalCount } }', { f: nastyScalar(r) }) }),
    () => ({ kind: 'node id', body: json('query($id: ID!){ node(id: $id) { id } }', { id: r.next() < 0.5 ? GLOBAL_ID_JUNK(r) : nastyScalar(r) }) }),
    () => ({ kind: 'nodes ids', body: json('query($ids: [ID!]!){ nodes(ids: $ids) { id } }', { ids: Array.from({ length: 1 + r.int(5) }, () => GLOBAL_ID_JUNK(r)) }) }),
    () => ({ kind: 'contract id', body: json('query($id: ID!){ contract(id: $id) { name } }', { id: GLOBAL_ID_JUNK(r) }) }),
    () => ({ kind: 'name', body: json('query($n: String!){ contractByName(name: $n) { id } }', { n: nastyScalar(r) }) }),
    () => ({ kind: 'order', body: json('query($o: ContractOrder){ contracts(orderBy: $o) { totalCount } }', { o: { field: r.pick(['NAM', 'name', 1, null]), direction: nastyScalar(r) } }) }),
    () => ({ kind: 'cursor', body: json('query($a: String){ contracts(after: $a) { totalCount } }', { a: r.pick(['garbage', Buffer.from('{"$ne":1}').toString('base64'), '\u0000', 'x'.repeat(3000)]) }) }),
    () => ({ kind: 'deep query', body: json(`{ ${'viewer { '.repeat(r.next() < 0.1 ? 2000 : 13 + r.int(200))}name }`) }),
    () => ({ kind: 'aliases', body: json(`{ ${Array.from({ length: 31 + r.int(100) }, (_, i) => `a${i}: viewer { name }`).join(' ')} }`) }),
    () => ({ kind: 'cost', body: json('query($n: Int){ contracts(first: $n) { nodes { versions(first: $n) { nodes { contract { versions(first: $n) { nodes { version } } } } } } } }', { n: 100 }) }),
    () => ({ kind: 'directives', body: json(`{ viewer { ${Array.from({ length: 51 + r.int(100) }, () => '__typename @include(if: true)').join(' ')} } }`) }),
    () => ({ kind: 'introspection', body: json('{ __schema { types { name fields { name } } } }') }),
    () => ({ kind: 'garbage query', body: json(Array.from({ length: 1 + r.int(30) }, () => r.pick(['{', '}', '(', ')', 'query', 'mutation', '$', '...', 'on', '@', '"', '#', ':', 'contracts', '!', '[', ']', '=', '\u0000'])).join(' ')) }),
    () => ({ kind: 'create bad document', body: json(CreateContractDocument.toString(), { input: { document: badDocument(r) } }) }),
    () => ({ kind: 'create deep document', body: json(CreateContractDocument.toString(), { input: { document: '__DEEP__' } }).replace('"__DEEP__"', nested(r.next() < 0.05 ? 100_000 : 65 + r.int(2000))) }),
    () => ({
      kind: 'update bad',
      body: json('mutation($i: UpdateContractInput!){ updateContract(input: $i) { __typename } }', {
        i: r.pick<Record<string, unknown>>([
          { id: GLOBAL_ID_JUNK(r), expectedRevision: revision, document: contractDocument({ name: 'x' }) },
          { id: contractId, expectedRevision: nastyScalar(r), document: contractDocument({ name: 'x' }) },
          { id: contractId, expectedRevision: revision + 1 + r.int(5), document: contractDocument({ name: 'x' }) },
          { id: contractId, expectedRevision: revision, document: badDocument(r) },
        ]),
      }),
    }),
    () => ({
      kind: 'import bad',
      body: json('mutation($i: ImportContractInput!){ importContract(input: $i) { __typename } }', {
        i: { text: r.pick([laughs(6 + r.int(4)), `${'['.repeat(100 + r.int(3000))}`, ': : :', '{"a":', '[1,2]', '"just a string"', '- a\n- b', nested(200)]), format: r.pick(['YAML', 'JSON', null]) },
      }),
    }),
    () => ({
      kind: 'record counts',
      body: json('mutation($i: RecordValidationInput!){ recordValidation(input: $i) { __typename } }', {
        i: { contractId, passed: true, rowCount: r.pick([1e308, -1, 1.5, 2 ** 53, 'x', null, { $gt: 0 }]), errorCount: 0 },
      }),
    }),
    () => ({ kind: 'record errors', body: json('mutation($i: RecordValidationInput!){ recordValidation(input: $i) { __typename } }', { i: { contractId, passed: true, rowCount: 5, errorCount: 6 + r.int(100) } }) }),
    () => ({ kind: 'record contract', body: json('mutation($i: RecordValidationInput!){ recordValidation(input: $i) { __typename } }', { i: { contractId: GLOBAL_ID_JUNK(r), passed: true, rowCount: 1, errorCount: 0 } }) }),
    () => ({ kind: 'body', body: r.pick(['{"query": ', 'not json', '[]', '[{"query":"{ viewer { name } }"}]', '{"query": 5}', '{"query": "{ viewer { name } }", "variables": "x"}', '{"query": null}', '\u0000\u0001\u0002', '{"extensions": {"persistedQuery": {}}}']) }),
    () => ({ kind: 'content type', body: json('{ viewer { name } }'), contentType: r.pick(['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'application/json; charset=utf-7']) }),
  ];
  return r.pick(cases)();
}

const STACK = /\bat [\w$.<>]+ \(|\.(ts|js|mjs):\d+:\d+|node_modules|originalError/;

/**
 * An error names what was wrong: the argument or input path (`extensions.argument`/`field`/`path`, or the
 * message naming a `$variable`, an argument or an input path), the limit that was passed, or where in the
 * request text it is (`locations`).
 */
function namesWhere(error: GraphQLErrorBody): boolean {
  const ext = error.extensions ?? {};
  if (error.locations?.length || error.path?.length) return true;
  if (['argument', 'field', 'path', 'limit'].some((key) => ext[key] !== undefined)) return true;
  const named = /\$\w+|argument|\binput\b|\bat [\w.[\]]+|variable|body|content|syntax|query|request|batch/i.test(error.message ?? '');
  if (named && process.env.FUZZ_TRACE) console.log('named by message:', error.message?.slice(0, 120));
  return named;
}

interface GraphQLErrorBody {
  message?: string;
  locations?: unknown[];
  path?: unknown[];
  extensions?: Record<string, unknown> & { code?: unknown };
}

describe.each(backends)('fuzzed hostile requests on $name (FUZZ_SEED=' + SEED + ')', (backend) => {
  const requests = REQUESTS[backend.name]!;
  let storage: StorageBackend;
  let dispose: () => Promise<void>;
  let client: TestClient;
  const log = captureLog('debug');
  const unexpected: unknown[] = [];
  const writes: string[] = [];
  let watching = false;
  let current = '';

  beforeAll(async () => {
    ({ storage, dispose } = await backend.create({ monitorCommands: true }));
    client = createTestClient(storage, (e) => unexpected.push(e), { logger: log.logger });
    if (backend.name === 'mongodb') {
      (storage as MongoStorageBackend).client.on('commandStarted', (event: { commandName: string; command: Record<string, unknown> }) => {
        if (!watching || !WRITE_COMMANDS.has(event.commandName)) return;
        // Not even the change log's intent (write-gate.ts: it goes out before a write's first write command).
        writes.push(`${current}: ${event.commandName} ${String(event.command[event.commandName])}`);
      });
    }
  }, 60_000);
  afterAll(() => dispose());

  /** What the API counts, and on MongoDB the documents of every collection. */
  async function counts() {
    const contracts = await client.run(ContractsDocument, {});
    const records = await client.run(ValidationRecordsDocument, {});
    const documents: Record<string, number> = {};
    if (backend.name === 'mongodb') {
      const { db } = storage as MongoStorageBackend;
      for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) documents[name] = await db.collection(name).countDocuments();
    }
    return { contracts: contracts.contracts.totalCount, records: records.validationRecords.totalCount, documents };
  }

  it(`answers each of ${requests} as the caller’s error, naming where, and writes nothing`, async () => {
    const seeded = await client.run(CreateContractDocument, { input: { document: contractDocument({ name: 'fuzz-target' }) } });
    if (seeded.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(seeded));
    const { id, revision } = seeded.createContract.contract;
    const before = await counts();
    const r = generator(SEED);
    const failures: string[] = [];
    const kinds = new Map<string, number>();
    const time = new Map<string, number>();
    watching = true;
    for (let n = 0; n < requests; n++) {
      const request = hostile(r, id, revision);
      current = `${request.kind} ${request.body.slice(0, 160)}`;
      kinds.set(request.kind, (kinds.get(request.kind) ?? 0) + 1);
      const started = performance.now();
      const response = await client.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': request.contentType ?? 'application/json', accept: 'application/graphql-response+json' },
        body: request.body,
      });
      const text = await response.text();
      time.set(request.kind, (time.get(request.kind) ?? 0) + performance.now() - started);
      const where = `#${n} ${request.kind} (${request.body.slice(0, 80)}, content-type ${request.contentType ?? 'json'})`;
      if (response.status >= 500) failures.push(`${where}: HTTP ${response.status}`);
      if (STACK.test(text)) failures.push(`${where}: stack text in ${text.slice(0, 200)}`);
      let body: { errors?: GraphQLErrorBody[] } = {};
      try {
        body = JSON.parse(text);
      } catch {
        // Only a refusal before GraphQL (e.g. 415 for a content type it does not read) may come without a body.
        if (response.status < 400 || text.trim()) failures.push(`${where}: HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
      }
      for (const error of body.errors ?? []) {
        const code = error.extensions?.code;
        if (code === 'INTERNAL_SERVER_ERROR' || !ERROR_CODE_LIST.includes(code as never)) failures.push(`${where}: code ${String(code)}: ${error.message}`);
        else if (!namesWhere(error)) failures.push(`${where}: names no argument, path or limit: ${JSON.stringify(error).slice(0, 200)}`);
      }
    }
    watching = false;
    if (process.env.FUZZ_TRACE) console.log([...time].sort((a, b) => b[1] - a[1]).map(([k, ms]) => `${k}: ${Math.round(ms)} ms / ${kinds.get(k)}`).join('\n'));
    // One line per kind of failure, short: a long diff would bury the cause.
    const firstOfEach = [...new Map(failures.map((f) => [f.replace(/^#\d+ /, '').replace(/\(.*?\)/, '').slice(0, 60), f.slice(0, 300)])).values()];
    expect(firstOfEach).toEqual([]);
    expect(unexpected).toEqual([]);
    expect(log.lines().filter((line) => Number(line.level) >= 50)).toEqual([]);
    expect(writes).toEqual([]);
    expect(await counts()).toEqual(before);
    // Every kind of hostile request was sent (the generator covers them all at this size), writes among them.
    expect(kinds.size).toBe(24);
    expect(['create bad document', 'update bad', 'import bad', 'record counts'].every((kind) => (kinds.get(kind) ?? 0) >= 10)).toBe(true);
  }, 300_000);
});

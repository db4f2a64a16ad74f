/**
 * What writes cost in database commands (issue 15.2), counted on the driver's command monitor while the operation
 * runs through the server:
 *  - recordValidation with no failing check: the contract's `_id` point read, the daily rollup write, the record
 *    insert and its event (4 commands: no change-log intent); the same with an idempotency key, whose repeat returns the first record; the rollup loses nothing
 *    under concurrent pushes and never counts a repeat;
 *  - createContract and updateContract: the same commands, of the same kinds, whether the database holds few
 *    contracts or many, and every read or write they filter is by `_id` alone (the one filter every MongoDB-wire
 *    server serves from its index; FerretDB 1.x scans for any other: capabilities.ts batchReads/idConditions); an
 *    update reads back neither the version it published nor its contract (events/written.ts);
 *  - recordValidation likewise: the same commands at any size, each an `_id` point read or an insert.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import {
  AccessActivateContractDocument,
  AccessAddCommentDocument,
  AccessCreateIssueDocument,
  AccessDeleteContractDocument,
  AccessStartRunDocument,
  CreateContractLeanDocument,
  RecordValidationLeanDocument,
  SetContractSettingsDocument,
  UpdateContractLeanDocument,
  ValidationStatsDocument,
} from '../gql/graphql.js';
import { mongoBackend } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

let storage: MongoStorageBackend;
let client: TestClient;
let dispose: () => Promise<void>;

interface Sent {
  name: string;
  collection: string;
  /** How the command selects documents: `_id` (one `_id` equality), `insert`, or the filter's keys. */
  selects: string[];
}

/** The commands `run` sends, in order, with what each one selects. */
async function commandsOf(run: () => Promise<unknown>): Promise<Sent[]> {
  const sent: Sent[] = [];
  const listener = (event: { commandName: string; command: Record<string, any> }) => {
    const c = event.command;
    const name = event.commandName;
    const collection = String(c[name] ?? '');
    const filters: unknown[] =
      name === 'find' || name === 'count' ? [c.filter ?? {}]
      : name === 'findAndModify' ? [c.query ?? {}]
      : name === 'update' ? (c.updates ?? []).map((u: any) => u.q)
      : name === 'delete' ? (c.deletes ?? []).map((d: any) => d.q)
      : name === 'aggregate' ? [c.pipeline]
      : [];
    const selects = name === 'insert' ? ['insert'] : filters.map(shapeOf);
    sent.push({ name, collection, selects });
  };
  storage.client.on('commandStarted', listener);
  try {
    await run();
  } finally {
    storage.client.off('commandStarted', listener);
  }
  return sent;
}

function shapeOf(filter: unknown): string {
  if (filter && typeof filter === 'object' && !Array.isArray(filter)) {
    const keys = Object.keys(filter);
    if (keys.length === 1 && keys[0] === '_id' && typeof (filter as { _id: unknown })._id === 'string') return '_id';
    return keys.sort().join(',') || '{}';
  }
  return JSON.stringify(filter);
}

/** The change log (issue 14) adds the same commands to every write: an intent (inserted, then deleted) and the event. */
const CHANGE_LOG_COLLECTIONS = ['event_intents', 'events'];
const CHANGE_LOG = /^\S+ (event_intents|events) /;

const summary = (sent: Sent[]) => sent.map((s) => `${s.name} ${s.collection} [${s.selects.join(' ')}]`).sort();

async function newContract(name: string): Promise<string> {
  const r = await client.run(CreateContractLeanDocument, { input: { document: contractDocument({ name, schemas: { [`${name}_t`]: [{ name: 'id' }, { name: 'amount' }] } }) } });
  if (r.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(r));
  return r.createContract.contract.id;
}

async function stats(contractId: string): Promise<number> {
  const r = await client.run(ValidationStatsDocument, { contractId, days: 1 });
  return r.validationStats.total;
}

beforeAll(async () => {
  const backend = await mongoBackend.create({ monitorCommands: true });
  storage = backend.storage as MongoStorageBackend;
  dispose = backend.dispose;
  client = createTestClient(storage);
});
afterAll(() => dispose());

describe('recordValidation', () => {
  let contractId: string;
  const push = (extra: Record<string, unknown> = {}) =>
    client.run(RecordValidationLeanDocument, {
      input: { contractId, passed: true, rowCount: 100, errorCount: 0, durationMs: 12, environment: 'prod', checks: [{ checkId: 'not_null', status: 'PASSED' }], ...extra },
    });
  beforeAll(async () => {
    contractId = await newContract('write_costs_records');
  });

  it('costs the contract point read, the rollup write and the record insert', async () => {
    const sent = await commandsOf(async () => {
      const r = await push();
      expect(r.recordValidation).toMatchObject({ __typename: 'RecordValidationSuccess', result: { created: true } });
    });
    expect(summary(sent).filter((c) => !CHANGE_LOG.test(c))).toEqual(['find contracts [_id]', 'insert validation_records [insert]', 'update validation_daily [_id]']);
    // plus its event (issue 14), and no intent: the repair pass finds a record without its event (recent-repair.ts)
    expect(summary(sent).filter((c) => CHANGE_LOG.test(c))).toEqual(['insert events [insert]']);
    expect(sent).toHaveLength(4);
  });

  it('sends the same commands at any size of the database, each an `_id` point read or an insert', async () => {
    const few = await commandsOf(() => push());
    for (let i = 0; i < 20; i++) {
      const other = await newContract(`write_costs_records_fill_${i}`);
      await client.run(RecordValidationLeanDocument, { input: { contractId: other, passed: true, rowCount: 1, errorCount: 0, environment: 'prod' } });
      await push();
    }
    const many = await commandsOf(() => push());
    expect(summary(many)).toEqual(summary(few));
    // FerretDB 1.x serves no other filter from an index (capabilities.ts): nothing here may grow with the data's shape.
    for (const s of many) expect({ ...s, selects: s.selects.filter((x) => x !== '_id' && x !== 'insert') }).toEqual({ ...s, selects: [] });
  });

  it('with an idempotency key costs the same, and a repeat returns the first record', async () => {
    let firstId = '';
    const sent = await commandsOf(async () => {
      const r = await push({ idempotencyKey: 'write-costs-1' });
      if (r.recordValidation.__typename !== 'RecordValidationSuccess') throw new Error(JSON.stringify(r));
      expect(r.recordValidation.result.created).toBe(true);
      firstId = r.recordValidation.result.record.id;
    });
    expect(sent.filter((c) => !CHANGE_LOG_COLLECTIONS.includes(c.collection))).toHaveLength(3);
    const before = await stats(contractId);
    const repeat = await push({ idempotencyKey: 'write-costs-1', rowCount: 5 });
    if (repeat.recordValidation.__typename !== 'RecordValidationSuccess') throw new Error(JSON.stringify(repeat));
    expect(repeat.recordValidation.result).toMatchObject({ created: false, record: { id: firstId, rowCount: 100 } });
    // the repeat's rollup write named a record that was not stored: it is not counted
    expect(await stats(contractId)).toBe(before);
  });

  it('counts every one of many concurrent pushes, whose records and rollups are written in groups (and concurrent repeats of one key once)', async () => {
    const other = await newContract('write_costs_concurrent');
    const pushTo = (extra: Record<string, unknown>) =>
      client.run(RecordValidationLeanDocument, { input: { contractId: other, passed: true, rowCount: 1, errorCount: 0, environment: 'prod', ...extra } });
    let results: Awaited<ReturnType<typeof pushTo>>[] = [];
    const sent = await commandsOf(async () => {
      results = await Promise.all([
        ...Array.from({ length: 24 }, () => pushTo({})),
        ...Array.from({ length: 6 }, () => pushTo({ idempotencyKey: 'same-key' })),
      ]);
    });
    // The records of pushes that wait while another's insert is in flight go out together (group commit).
    const inserts = sent.filter((c) => c.name === 'insert' && c.collection === 'validation_records');
    expect(inserts.length).toBeGreaterThanOrEqual(1);
    expect(inserts.length).toBeLessThan(30);
    // and so do their rollup writes (one replace statement each, several to a command)
    const rollups = sent.filter((c) => c.name === 'update' && c.collection === 'validation_daily');
    expect(rollups.length).toBeGreaterThanOrEqual(1);
    expect(rollups.length).toBeLessThan(30);
    expect(results.every((r) => r.recordValidation.__typename === 'RecordValidationSuccess')).toBe(true);
    const keyed = results.slice(24).map((r) => (r.recordValidation.__typename === 'RecordValidationSuccess' ? r.recordValidation.result : null));
    expect(keyed.filter((r) => r?.created)).toHaveLength(1);
    expect(new Set(keyed.map((r) => r?.record.id)).size).toBe(1);
    expect(await stats(other)).toBe(25);
  });

  it('may cost more when a failing check opens an issue, and a repeat of its key writes no second issue', async () => {
    const failing = { passed: false, checks: [{ checkId: 'unique_id', status: 'FAILED' }], idempotencyKey: 'write-costs-failing' };
    const first = await push(failing);
    if (first.recordValidation.__typename !== 'RecordValidationSuccess') throw new Error(JSON.stringify(first));
    const issue = first.recordValidation.result.record.checks[0]!.issue;
    expect(issue).toMatchObject({ occurrences: 1 });
    const repeat = await push(failing);
    if (repeat.recordValidation.__typename !== 'RecordValidationSuccess') throw new Error(JSON.stringify(repeat));
    expect(repeat.recordValidation.result).toMatchObject({ created: false, record: { id: first.recordValidation.result.record.id } });
    expect(repeat.recordValidation.result.record.checks[0]!.issue).toMatchObject({ id: issue!.id, occurrences: 1 });
  });

  it('with auto-open off, a failing check costs no more than a passing one', async () => {
    const quiet = await newContract('write_costs_quiet');
    const set = await client.run(SetContractSettingsDocument, { input: { id: quiet, expectedRevision: 1, autoOpenIssues: false } });
    expect(set.setContractSettings.__typename).toBe('SetContractSettingsSuccess');
    const sent = await commandsOf(() =>
      client.run(RecordValidationLeanDocument, { input: { contractId: quiet, passed: false, rowCount: 1, errorCount: 1, checks: [{ checkId: 'c', status: 'FAILED' }] } }),
    );
    expect(sent.filter((c) => !CHANGE_LOG_COLLECTIONS.includes(c.collection))).toHaveLength(3);
  });
});

describe('createContract and updateContract', () => {
  const update = (id: string, name: string, expectedRevision: number) =>
    client.run(UpdateContractLeanDocument, {
      input: { id, expectedRevision, document: contractDocument({ name, version: '1.1.0', schemas: { [`${name}_t`]: [{ name: 'id' }, { name: 'amount' }, { name: 'note' }] } }) },
    });
  // write_claims and catalog_pending hold only marks of writes in flight (claims.ts, repair.ts: each is deleted when
  // its write is done), so their `{_id, token}` releases do not grow with the data; every other collection is
  // selected by `_id` alone, or by `_id` with a condition (`{_id, revision}`, `{_id, contractRevision}`) where the
  // server serves that from its `_id` index (capabilities.idConditions: FerretDB on PostgreSQL).
  const IN_FLIGHT = ['write_claims', 'catalog_pending'];
  const expectById = (sent: Sent[]) => {
    const byId = (x: string) => x === '_id' || (storage.capabilities.idConditions && x.split(',').includes('_id'));
    const selecting = sent.filter((s) => s.name !== 'insert' && !IN_FLIGHT.includes(s.collection));
    expect(selecting.length).toBeGreaterThan(0);
    for (const s of selecting) expect({ ...s, selects: s.selects.filter((x) => !byId(x)) }).toEqual({ ...s, selects: [] });
  };

  it('a create takes its ODCS id, name and first version keys in one insert, and a refused one leaves none of its keys', async () => {
    await newContract('write_costs_keys_warm');
    let globalId = '';
    const created = await commandsOf(async () => (globalId = await newContract('write_costs_keys')));
    const onKeys = created.filter((s) => s.collection === 'contract_keys');
    expect(onKeys.map((s) => s.name)).toEqual(['insert']);
    const keysOf = async (contractId: string) => (await storage.db.collection('contract_keys').find({ contractId }).toArray()).map((k) => k._id).sort();
    const id = Buffer.from(globalId, 'base64').toString().replace(/^Contract:/, '');
    expect(await keysOf(id)).toEqual([`name/=write_costs_keys`, `odcs/=urn:test:write_costs_keys`, `version/${id}/=1.0.0`]);
    // Refused for its name (its ODCS id is free) and for its ODCS id (its name is free): the keys it stored go again.
    const before = await storage.db.collection('contract_keys').countDocuments();
    const refusals = [
      contractDocument({ name: 'write_costs_keys', id: 'urn:test:write_costs_keys_other' }),
      contractDocument({ name: 'write_costs_keys_other', id: 'urn:test:write_costs_keys' }),
    ];
    for (const document of refusals) {
      const r = await client.run(CreateContractLeanDocument, { input: { document } });
      expect(r.createContract).toMatchObject({ __typename: 'AlreadyExistsError' });
    }
    expect(await storage.db.collection('contract_keys').countDocuments()).toBe(before);
  });

  it('a create takes its keys in order (ODCS id, name, version): one refused for its ODCS id stores none of them', async () => {
    // Holding a later key while waiting for an earlier one let two creates wait for each other (create-keys.ts).
    await newContract('write_costs_order_a');
    const sentTo = new Map<number, string>();
    const stored: number[] = [];
    const started = (e: { requestId: number; commandName: string; command: Record<string, unknown> }) => {
      if (e.commandName === 'insert' && e.command.insert === 'contract_keys') sentTo.set(e.requestId, 'contract_keys');
    };
    const succeeded = (e: { requestId: number; reply: unknown }) => {
      if (sentTo.has(e.requestId)) stored.push((e.reply as { n: number }).n);
    };
    storage.client.on('commandStarted', started);
    storage.client.on('commandSucceeded', succeeded);
    try {
      const refused = await client.run(CreateContractLeanDocument, { input: { document: contractDocument({ name: 'write_costs_order_b', id: 'urn:test:write_costs_order_a' }) } });
      expect(refused.createContract).toMatchObject({ __typename: 'AlreadyExistsError' });
    } finally {
      storage.client.off('commandStarted', started);
      storage.client.off('commandSucceeded', succeeded);
    }
    expect(stored[0]).toBe(0); // the first insert stopped at the ODCS id: no name, no version key
    // The name it never held is free.
    const other = await client.run(CreateContractLeanDocument, { input: { document: contractDocument({ name: 'write_costs_order_b' }) } });
    expect(other.createContract.__typename).toBe('CreateContractSuccess');
  });

  it('an update writes its schemas\' catalog entries with one update command, not one per schema', async () => {
    const schemas = (extra: boolean) => Object.fromEntries(['a', 'b', 'c'].map((s) => [`write_costs_three_${s}`, [{ name: 'id' }, ...(extra ? [{ name: 'note' }] : [])]]));
    const r = await client.run(CreateContractLeanDocument, { input: { document: contractDocument({ name: 'write_costs_three', schemas: schemas(false) }) } });
    if (r.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(r));
    const id = r.createContract.contract.id;
    const sent = await commandsOf(async () => {
      const u = await client.run(UpdateContractLeanDocument, { input: { id, expectedRevision: 1, document: contractDocument({ name: 'write_costs_three', version: '1.1.0', schemas: schemas(true) }) } });
      expect(u.updateContract.__typename).toBe('UpdateContractSuccess');
    });
    const onCatalog = sent.filter((s) => s.collection === 'schema_catalog' && s.name !== 'find');
    expect(onCatalog.map((s) => `${s.name} [${s.selects.join(' ')}]`)).toEqual([
      storage.capabilities.idConditions ? expect.stringMatching(/^update /) : 'update [_id _id _id]',
      ...(storage.capabilities.idConditions ? [expect.stringMatching(/^delete /)] : []),
    ]);
  });

  it('send the same commands at any size of the database, each selecting by `_id` alone', async () => {
    await newContract('write_costs_warm'); // indexes and capabilities are in place
    const few = await commandsOf(() => newContract('write_costs_at_few'));
    const fewId = await newContract('write_costs_upd_few');
    const fewUpdate = await commandsOf(async () => expect((await update(fewId, 'write_costs_upd_few', 1)).updateContract.__typename).toBe('UpdateContractSuccess'));
    for (let i = 0; i < 30; i++) await newContract(`write_costs_fill_${i}`);
    const many = await commandsOf(() => newContract('write_costs_at_many'));
    const manyId = await newContract('write_costs_upd_many');
    const manyUpdate = await commandsOf(async () => expect((await update(manyId, 'write_costs_upd_many', 1)).updateContract.__typename).toBe('UpdateContractSuccess'));
    expect(summary(many)).toEqual(summary(few));
    expect(summary(manyUpdate)).toEqual(summary(fewUpdate));
    // The change log's writer takes the published version from the update (events/written.ts): after the contract
    // step nothing reads the version back (nor, then, its contract for the version's visibility; the catalog step
    // may still read the contract's revision when another write marked it meanwhile: catalog.ts settleCatalog).
    const step = manyUpdate.map((s) => `${s.name} ${s.collection}`).lastIndexOf('update contracts');
    expect(step).toBeGreaterThan(0);
    expect(manyUpdate.slice(step + 1).filter((s) => s.name === 'find' && s.collection === 'contract_versions')).toEqual([]);
    // Outstanding (reported, issue 15): where idConditions holds (FerretDB on PostgreSQL) the catalog step deletes
    // the previous revision's entries by {contractId, contractRevision} (catalog.ts), an index read there only with
    // the companion indexes (README "FerretDB on PostgreSQL"). Any other non-`_id` filter fails here.
    const catalogDelete = (s: Sent) => s.collection === 'schema_catalog' && s.name === 'delete' && s.selects.join() === 'contractId,contractRevision';
    expectById(many.filter((s) => !catalogDelete(s)));
    // The update's version reads are `_id` reads too (the head and the history by `<contract>@<number>`): no
    // `{contractId, number}` range is left.
    expectById(manyUpdate.filter((s) => !catalogDelete(s)));
  });
});

describe('a refused write', () => {
  const WRITES = new Set(['insert', 'update', 'delete', 'findAndModify', 'bulkWrite']);
  const missing = (type: string) => Buffer.from(`${type}:00000000-0000-4000-8000-000000000000`).toString('base64');
  let contractId: string;
  beforeAll(async () => {
    contractId = await newContract('write_costs_refused');
  });

  it('sends no write command (bad input, conflict, not found), not even the change log’s intent', async () => {
    const refusals: [string, () => Promise<{ typename: string }>][] = [
      ['create: bad name', async () => ({ typename: (await client.run(CreateContractLeanDocument, { input: { document: contractDocument({ name: 'bad\u0000name' }) } })).createContract.__typename })],
      ['update: stale revision', async () => ({ typename: (await client.run(UpdateContractLeanDocument, { input: { id: contractId, expectedRevision: 9, document: contractDocument({ name: 'write_costs_refused', version: '2.0.0' }) } })).updateContract.__typename })],
      ['update: no such contract', async () => ({ typename: (await client.run(UpdateContractLeanDocument, { input: { id: missing('Contract'), expectedRevision: 1, document: contractDocument({ name: 'x' }) } })).updateContract.__typename })],
      ['activate: stale revision', async () => ({ typename: (await client.run(AccessActivateContractDocument, { input: { id: contractId, expectedRevision: 9 } })).activateContract.__typename })],
      ['delete: stale revision', async () => ({ typename: (await client.run(AccessDeleteContractDocument, { input: { id: contractId, expectedRevision: 9 } })).deleteContract.__typename })],
      ['recordValidation: no such contract', async () => ({ typename: (await client.run(RecordValidationLeanDocument, { input: { contractId: missing('Contract'), passed: true, rowCount: 1, errorCount: 0 } })).recordValidation.__typename })],
      ['recordValidation: more errors than rows', async () => ({ typename: (await client.run(RecordValidationLeanDocument, { input: { contractId, passed: true, rowCount: 1, errorCount: 2 } })).recordValidation.__typename })],
      ['startRun: no such contract', async () => ({ typename: (await client.run(AccessStartRunDocument, { input: { contractId: missing('Contract'), pipelineId: 'p' } })).startRun.__typename })],
      ['createIssue: no such contract', async () => ({ typename: (await client.run(AccessCreateIssueDocument, { input: { contractId: missing('Contract'), title: 't', category: 'OTHER', severity: 'LOW' } })).createIssue.__typename })],
      ['addComment: no such issue', async () => ({ typename: (await client.run(AccessAddCommentDocument, { input: { issueId: missing('Issue'), body: 'hello' } })).addComment.__typename })],
    ];
    for (const [what, run] of refusals) {
      let typename = '';
      const sent = await commandsOf(async () => {
        typename = (await run()).typename;
      });
      expect({ what, refused: !typename.endsWith('Success') }).toEqual({ what, refused: true });
      expect({ what, writes: sent.filter((s) => WRITES.has(s.name)).map((s) => `${s.name} ${s.collection}`) }).toEqual({ what, writes: [] });
    }
  });

  // Outstanding (reported): a create takes its claim `@0` before its keys (contract-writes.ts), so a name in use
  // costs the claim's insert and delete around the refused key inserts: the create's keys in one ordered insert
  // (create-keys.ts), which stops at the ODCS id (this fixture's id is taken too, and comes first) and so stores
  // nothing, then the ODCS id's claim once more; no change-log intent, no data written.
  it('a name in use is found by its key insert (refused as a duplicate, keys.ts): no intent and no data written', async () => {
    let typename = '';
    const sent = await commandsOf(async () => {
      typename = (await client.run(CreateContractLeanDocument, { input: { document: contractDocument({ name: 'write_costs_refused' }) } })).createContract.__typename;
    });
    expect(typename).toBe('AlreadyExistsError');
    expect(sent.filter((s) => WRITES.has(s.name)).map((s) => `${s.name} ${s.collection}`)).toEqual(['insert write_claims', 'insert contract_keys', 'insert contract_keys', 'delete write_claims']);
  });
});

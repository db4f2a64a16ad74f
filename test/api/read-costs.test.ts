/**
 * What contract reads fetch (issue 15.1): a read by id, by name, by ODCS id, a list page and a search page fetch a
 * contract without its derived fields (search terms and postings, facets, lower-cased schema names), which are a
 * third of a stored contract and which no answer needs. Observed on the replies the driver receives from the
 * `contracts` collection while the query runs through the server; the answer still carries the whole document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { ContractReadsEveryWayDocument, type ContractReadsEveryWayQuery, CreateContractDocument } from '../gql/graphql.js';
import { mongoBackend } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

const DERIVED = ['searchTerms', 'searchPostings', 'searchFacets', 'searchVersion', 'schemaNamesLower'];

let storage: MongoStorageBackend;
let client: TestClient;
let dispose: () => Promise<void>;

beforeAll(async () => {
  const backend = await mongoBackend.create({ monitorCommands: true });
  storage = backend.storage;
  dispose = backend.dispose;
  client = createTestClient(storage, (e) => {
    throw e;
  });
});

afterAll(async () => dispose());

/** The documents the `contracts` collection sent back while `run` ran (first batches of its finds). */
async function contractReplies(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const finds = new Set<number>();
  const docs: Record<string, unknown>[] = [];
  const started = (event: { requestId: number; commandName: string; command: Record<string, unknown> }) => {
    if (event.commandName === 'find' && event.command.find === 'contracts') finds.add(event.requestId);
  };
  const succeeded = (event: { requestId: number; reply: unknown }) => {
    if (!finds.has(event.requestId)) return;
    const cursor = (event.reply as { cursor?: { firstBatch?: Record<string, unknown>[] } }).cursor;
    docs.push(...(cursor?.firstBatch ?? []));
  };
  storage.client.on('commandStarted', started);
  storage.client.on('commandSucceeded', succeeded);
  try {
    await run();
  } finally {
    storage.client.off('commandStarted', started);
    storage.client.off('commandSucceeded', succeeded);
  }
  return docs;
}

describe('contract reads (MongoDB wire)', () => {
  it('fetch no derived field by id, name, ODCS id, list page or search page, and answer the whole document', async () => {
    const document = contractDocument({
      id: 'urn:test:read-costs',
      name: 'read_costs',
      purpose: 'Parcels handed to the carrier',
      schemas: { parcels: [{ name: 'parcel_id', primaryKey: true }, { name: 'recipient_email', classification: 'restricted' }] },
    });
    const created = await client.run(CreateContractDocument, { input: { document } });
    if (created.createContract.__typename !== 'CreateContractSuccess') throw new Error(created.createContract.__typename);
    const id = created.createContract.contract.id;
    // The stored contract does have its derived fields (they are what search and the schema filter query).
    const stored = await storage.db.collection('contracts').findOne({});
    for (const field of ['searchTerms', 'searchPostings', 'schemaNamesLower']) expect(stored, field).toHaveProperty(field);

    let result: ContractReadsEveryWayQuery | undefined;
    const replies = await contractReplies(async () => {
      result = await client.run(ContractReadsEveryWayDocument, { id, name: 'read_costs', odcsId: 'urn:test:read-costs', word: 'parcels' });
    });
    expect(result?.byId?.document).toEqual(document);
    expect(result?.byName?.document).toEqual(document);
    expect(result?.byOdcsId?.document).toEqual(document);
    expect(result?.page.nodes.map((n) => [n.id, n.document])).toEqual([[id, document]]);
    expect(result?.hits.nodes.map((n) => n.contract.document)).toEqual([document]);
    // Every way read this contract from the collection (search may also read its own candidates' fields).
    const full = replies.filter((doc) => typeof doc.documentJson === 'string');
    expect(full.length).toBeGreaterThanOrEqual(5);
    for (const doc of full) for (const field of DERIVED) expect(Object.keys(doc), field).not.toContain(field);
  });
});

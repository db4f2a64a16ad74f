/**
 * The raw-driver floor: a `node:http` handler doing the minimal driver call for each operation on the registry's own
 * collections and answering the same JSON shape. It is what the registry could cost at best on this server.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Db, Document } from 'mongodb';
import { keysOf, nameKeyId } from '../src/storage/mongodb/keys.js';

export type FloorOp = 'detail' | 'byName' | 'list' | 'lightList' | 'search' | 'create' | 'update' | 'recordValidation';

/** Starts the floor on a free loopback port; POST /<op> with a JSON body of that op's arguments. */
export async function startFloor(db: Db): Promise<{ url: string; server: Server }> {
  const contracts = db.collection<Document & { _id: string }>('contracts');
  const versions = db.collection<Document & { _id: string }>('contract_versions');
  const records = db.collection<Document & { _id: string }>('validation_records');
  const daily = db.collection<Document & { _id: string }>('validation_daily');
  const keys = keysOf(db);
  const writer = randomUUID().slice(0, 8);
  const dailySlots = new Map<string, { id: string; busy: boolean; total: number; passed: number }[]>();
  const withDocument = (d: Document | null) => d && { id: d._id, name: d.name, document: JSON.parse(d.documentJson as string) };
  // Only what the answer holds: every MongoDB-wire server sends (and the driver decodes) only the projected fields.
  const answered = { projection: { name: 1, documentJson: 1 } };
  const handlers: Record<FloorOp, (a: Record<string, unknown>) => Promise<unknown>> = {
    detail: async (a) => ({ contract: withDocument(await contracts.findOne({ _id: a.id as string }, answered)) }),
    // The name's key document, then the contract: two `_id` point reads (a `find({name})` scans on FerretDB/SQLite).
    byName: async (a) => {
      const key = await keys.findOne({ _id: nameKeyId(a.name as string) });
      return { contractByName: key ? withDocument(await contracts.findOne({ _id: key.contractId as string }, answered)) : null };
    },
    list: async () => ({ contracts: { nodes: (await contracts.find({}, answered).sort({ updatedAt: -1, _id: -1 }).limit(100).toArray()).map(withDocument) } }),
    lightList: async () => ({
      contracts: {
        nodes: (await contracts.find({}, { projection: { name: 1, version: 1, status: 1 } }).sort({ updatedAt: -1, _id: -1 }).limit(100).toArray()).map(
          (d) => ({ id: d._id, name: d.name, currentVersion: d.version, status: d.status }),
        ),
      },
    }),
    search: async (a) => ({
      searchContracts: { nodes: (await contracts.find({ searchTerms: a.word as string }, { projection: { name: 1 } }).limit(20).toArray()).map((d) => ({ contract: { name: d.name } })) },
    }),
    // Writes: the same stored documents the registry writes, inserted directly.
    create: async (a) => {
      const contract = a.contract as Document;
      const id = randomUUID();
      await versions.insertOne({ ...(a.version as Document), _id: `${id}@1`, contractId: id });
      await contracts.insertOne({ ...contract, _id: id, name: `${contract.name as string}_${id.slice(0, 8)}` });
      return { createContract: { contract: { id } } };
    },
    update: async (a) => {
      await contracts.replaceOne({ _id: a.id as string }, a.contract as Document);
      return { updateContract: { contract: { id: a.id } } };
    },
    // The record, then its contract's daily sums. Concurrent `$inc` upserts of one document race on FerretDB (two
    // inserts: E11000; and its updates are read-modify-write, so an increment can be lost): each daily document has
    // one writer at a time (a slot of this process; a busy slot makes the push take another), which knows its sums
    // and writes them whole with a replace by `_id` (upserted). Readers would sum the slots of a day.
    recordValidation: async (a) => {
      const id = randomUUID();
      const record = a.record as Document;
      await records.insertOne({ ...record, _id: id });
      const day = new Date().toISOString().slice(0, 10);
      const key = `${a.contractId as string}/${day}`;
      const slots = dailySlots.get(key) ?? [];
      dailySlots.set(key, slots);
      let slot = slots.find((s) => !s.busy);
      if (!slot) slots.push((slot = { id: `floor/${key}#${writer}#${slots.length}`, busy: false, total: 0, passed: 0 }));
      slot.busy = true;
      try {
        const sums = { total: slot.total + 1, passed: slot.passed + (record.passed ? 1 : 0) };
        await daily.replaceOne({ _id: slot.id }, { contractId: a.contractId, day, ...sums }, { upsert: true });
        Object.assign(slot, sums);
      } finally {
        slot.busy = false;
      }
      return { recordValidation: { record: { id } } };
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const op = (req.url ?? '/').slice(1) as FloorOp;
      const handler = handlers[op];
      const args = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      if (!handler) {
        res.writeHead(404).end();
        return;
      }
      handler(args).then(
        (data) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data })),
        (error: unknown) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: String(error) }] })),
      );
    });
  });
  server.requestTimeout = 0; // no limit of its own (Node's default is 300 s): a slow page is measured, not cut
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('floor: no port');
  return { url: `http://127.0.0.1:${address.port}`, server };
}

/**
 * Every main list filter and sort of the MongoDB backend is served by an index. Where the server explains its plans
 * the MongoDB way (queryPlanner.winningPlan), the plan must use an index and never scan the collection; on servers
 * that explain differently (FerretDB), an index whose leading keys are the filter's fields followed by the sort's
 * must exist. Both checks fail when an index is dropped or a query changes shape.
 */
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { mongoBackend } from '../support/backends.js';

let storage: MongoStorageBackend;
let dispose: () => Promise<void>;

beforeAll(async () => {
  const backend = await mongoBackend.create();
  storage = backend.storage;
  dispose = backend.dispose;
});
afterAll(() => dispose());

interface Case {
  collection: string;
  filter: Document;
  sort: Document;
}

const cases: Record<string, Case> = {
  'contracts by status, by name': { collection: 'contracts', filter: { status: { $in: ['draft'] } }, sort: { name: 1, _id: 1 } },
  'contracts by owner, by name': { collection: 'contracts', filter: { owner: 'team' }, sort: { name: 1, _id: 1 } },
  'contracts by updatedAt': { collection: 'contracts', filter: {}, sort: { updatedAt: -1, _id: -1 } },
  'contracts defining a schema': { collection: 'contracts', filter: { schemaNamesLower: 'orders' }, sort: {} },
  'catalog by schema name': { collection: 'schema_catalog', filter: {}, sort: { schemaNameLower: 1, _id: 1 } },
  'catalog PII entries': { collection: 'schema_catalog', filter: { hasPii: true }, sort: { schemaNameLower: 1 } },
  'catalog by property': { collection: 'schema_catalog', filter: { propertyKeys: 'email' }, sort: {} },
  'catalog by property word prefix': { collection: 'schema_catalog', filter: { propertyWords: { $regex: '^ema' } }, sort: {} },
  'contracts by search word': { collection: 'contracts', filter: { searchTerms: { $in: ['customer', 'email'] } }, sort: {} },
  'contracts with outdated search fields': { collection: 'contracts', filter: { searchVersion: { $exists: false } }, sort: {} },
  'versions of a contract': { collection: 'contract_versions', filter: { contractId: 'c' }, sort: { number: -1 } },
  'runs of a contract': { collection: 'runs', filter: { contractId: 'c' }, sort: { createdAt: -1, _id: -1 } },
  'runs by status': { collection: 'runs', filter: { status: { $in: ['failed'] } }, sort: { createdAt: -1 } },
  'runs by pipeline': { collection: 'runs', filter: { pipelineId: 'p' }, sort: { createdAt: -1 } },
  'validation records of a contract': { collection: 'validation_records', filter: { contractId: 'c' }, sort: { recordedAt: -1, _id: -1 } },
  'comment threads of a target': { collection: 'comments', filter: { targetKey: 'contract:c', parentId: null }, sort: { createdAt: -1, _id: -1 } },
  'replies of threads': { collection: 'comments', filter: { parentId: { $in: ['a', 'b'] } }, sort: { createdAt: 1, _id: 1 } },
  'reactions of comments': { collection: 'comment_reactions', filter: { commentId: { $in: ['a'] } }, sort: {} },
  'validation records of a run': { collection: 'validation_records', filter: { runId: 'r' }, sort: { recordedAt: 1 } },
  'issues of a contract': { collection: 'issues', filter: { contractId: 'c' }, sort: { detectedAt: -1, _id: -1 } },
  'issues by status': { collection: 'issues', filter: { status: { $in: ['open'] } }, sort: { detectedAt: -1 } },
  'issues by severity': { collection: 'issues', filter: {}, sort: { severityRank: 1, detectedAt: -1, _id: -1 } },
  'issues by assignee': { collection: 'issues', filter: { assignee: 'ana' }, sort: { detectedAt: -1 } },
  'issues by text': { collection: 'issues', filter: { textTerms: { $all: ['late'] } }, sort: {} },
  'approval requests, newest first': { collection: 'approval_requests', filter: {}, sort: { requestedAt: -1, _id: -1 } },
  'approval requests of a contract': { collection: 'approval_requests', filter: { contractId: 'c' }, sort: { requestedAt: -1, _id: -1 } },
  'approval requests by status': { collection: 'approval_requests', filter: { status: { $in: ['open'] } }, sort: { requestedAt: -1, _id: -1 } },
  'approval requests of an approver': { collection: 'approval_requests', filter: { approvers: 'ana' }, sort: { requestedAt: -1, _id: -1 } },
  'approval requests awaiting a principal': { collection: 'approval_requests', filter: { awaiting: 'ana' }, sort: { requestedAt: -1, _id: -1 } },
  'approval requests by requester': { collection: 'approval_requests', filter: { requestedBy: 'bo' }, sort: { requestedAt: -1, _id: -1 } },
};

function stages(plan: Document | undefined): string[] {
  if (!plan) return [];
  const children = [plan.inputStage, ...(plan.inputStages ?? [])].filter(Boolean) as Document[];
  return [String(plan.stage), ...children.flatMap(stages)];
}

describe('MongoDB indexes', () => {
  it.each(Object.entries(cases))('%s is served by an index', async (_label, { collection, filter, sort }) => {
    const col = storage.db.collection(collection);
    const explained = await col.find(filter).sort(sort).limit(21).explain();
    const winning = (explained.queryPlanner as Document | undefined)?.winningPlan as Document | undefined;
    if (winning && typeof winning.stage === 'string') {
      const used = stages((winning.queryPlan as Document | undefined) ?? winning);
      expect(used, JSON.stringify(winning)).toContain('IXSCAN');
      expect(used).not.toContain('COLLSCAN');
      return;
    }
    const wanted = [...Object.keys(filter), ...Object.keys(sort)];
    const indexes = await col.listIndexes().toArray();
    const match = indexes.find((index) => {
      const keys = Object.keys(index.key as Document);
      return wanted.every((field, i) => keys[i] === field);
    });
    expect(match, `no index on ${collection} starting with ${wanted.join(', ')}; have ${indexes.map((i) => JSON.stringify(i.key)).join(' ')}`).toBeDefined();
  });
});

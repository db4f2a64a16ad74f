/**
 * The operations of the side-by-side benchmark (bench/compare.ts): for each, the registry's GraphQL request and the
 * raw-driver floor's call (bench/floor.ts) doing the same work. Each has a short id (what BENCH_OPS selects) and a
 * label (what the table prints).
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { FloorOp } from './floor.js';
import { benchDocument, benchName } from './seed.js';

export interface RegistryRequest {
  query: string;
  variables?: Record<string, unknown>;
  /** Throws when the answer is not a success (a typed error in a payload). */
  check?: (data: any) => void;
}

export interface BenchOperation {
  id: OperationId;
  label: string;
  write: boolean;
  /** The request of one worker (0 .. concurrency-1); no two requests of one worker overlap. */
  registry: (worker: number) => RegistryRequest;
  floor: (worker: number) => { op: FloorOp; args?: Record<string, unknown> };
  /** After a failed registry request of a worker: bring its state back in line (an update re-reads its revision). */
  recover?: (worker: number) => Promise<void>;
}

export const OPERATION_IDS = ['detail', 'byName', 'list', 'listLight', 'search', 'create', 'update', 'recordValidation'] as const;
export type OperationId = (typeof OPERATION_IDS)[number];

/** A contract one worker updates through the registry, and the floor's copy of it. */
export interface UpdateTarget {
  gid: string;
  name: string;
  revision: number;
  patch: number;
  floorId: string;
}

export interface OperationContext {
  /** The seeded contracts' ids (grows with the growth run). */
  ids: () => string[];
  targets: UpdateTarget[];
  /** Stored shapes (without _id) of a contract and its version, for the floor's direct inserts. */
  floorContract: Record<string, unknown>;
  floorVersion: Record<string, unknown>;
  gql: (query: string, variables?: Record<string, unknown>) => Promise<any>;
}

const CONTRACT_QUERY = 'query($id: ID!) { contract(id: $id) { id name document } }';

export function benchOperations(ctx: OperationContext): BenchOperation[] {
  const pick = () => ctx.ids()[Math.floor(Math.random() * ctx.ids().length)]!;
  const pickName = () => benchName(Math.floor(Math.random() * ctx.ids().length));
  let created = 0;
  const target = (worker: number) => {
    const t = ctx.targets[worker % Math.max(1, ctx.targets.length)];
    if (!t) throw new Error('no update target (creating them failed)');
    return t;
  };
  const success = (field: string, typename: string) => (d: any) => {
    if (d[field].__typename !== typename) throw new Error(`${field} answered ${d[field].__typename}`);
  };
  return [
    {
      id: 'detail',
      label: 'detail (by id, with document)',
      write: false,
      registry: () => ({ query: CONTRACT_QUERY, variables: { id: encodeGlobalID('Contract', pick()) }, check: (d) => d.contract.id }),
      floor: () => ({ op: 'detail', args: { id: pick() } }),
    },
    {
      id: 'byName',
      label: 'by name (with document)',
      write: false,
      registry: () => ({ query: 'query($n: String!) { contractByName(name: $n) { id name document } }', variables: { n: pickName() }, check: (d) => d.contractByName.id }),
      floor: () => ({ op: 'byName', args: { name: pickName() } }),
    },
    {
      id: 'list',
      label: 'list 100 with documents',
      write: false,
      registry: () => ({ query: '{ contracts(first: 100, orderBy: { field: UPDATED_AT, direction: DESC }) { nodes { id name document } } }' }),
      floor: () => ({ op: 'list' }),
    },
    {
      id: 'listLight',
      label: 'list 100 light fields',
      write: false,
      registry: () => ({ query: '{ contracts(first: 100, orderBy: { field: UPDATED_AT, direction: DESC }) { nodes { id name currentVersion status } } }' }),
      floor: () => ({ op: 'lightList' }),
    },
    {
      id: 'search',
      label: 'search (one word, 20)',
      write: false,
      registry: () => ({ query: 'query($q: String!) { searchContracts(query: $q, first: 20) { nodes { score contract { name } } } }', variables: { q: 'payments' } }),
      floor: () => ({ op: 'search', args: { word: 'payments' } }),
    },
    {
      id: 'create',
      label: 'createContract',
      write: true,
      registry: () => {
        const i = created++;
        return {
          query: 'mutation($input: CreateContractInput!) { createContract(input: $input) { __typename } }',
          variables: { input: { document: benchDocument(`bench_new_${process.pid}_${i}`, i) } },
          check: success('createContract', 'CreateContractSuccess'),
        };
      },
      floor: () => ({ op: 'create', args: { contract: ctx.floorContract, version: ctx.floorVersion } }),
    },
    {
        id: 'update',
        label: 'updateContract (new version)',
        write: true,
        registry: (worker) => {
          const t = target(worker);
          t.patch++;
          return {
            query:
              'mutation($input: UpdateContractInput!) { updateContract(input: $input) { __typename ... on UpdateContractSuccess { contract { revision } } } }',
            variables: { input: { id: t.gid, expectedRevision: t.revision, document: benchDocument(t.name, 3, `1.0.${t.patch}`, ` Revision ${t.patch}.`) } },
            check: (d: any) => {
              if (d.updateContract.__typename !== 'UpdateContractSuccess') throw new Error(`updateContract answered ${d.updateContract.__typename}`);
              t.revision = d.updateContract.contract.revision;
            },
          };
        },
        floor: (worker) => {
          const t = target(worker);
          return { op: 'update', args: { id: t.floorId, contract: { ...ctx.floorContract, name: `${t.name}_floor` } } };
        },
        // A failed update may still have committed (a timeout): take the contract's current revision.
        recover: async (worker) => {
          const t = target(worker);
          const d = await ctx.gql('query($id: ID!) { contract(id: $id) { revision } }', { id: t.gid });
          if (d?.contract?.revision) t.revision = d.contract.revision;
        },
    },
    {
      id: 'recordValidation',
      label: 'recordValidation (passing)',
      write: true,
      registry: () => ({
        query: 'mutation($input: RecordValidationInput!) { recordValidation(input: $input) { __typename } }',
        variables: {
          input: {
            contractId: encodeGlobalID('Contract', pick()),
            passed: true,
            rowCount: 1000,
            errorCount: 0,
            durationMs: 120,
            environment: 'prod',
            checks: [{ checkId: 'not_null', propertyPath: 'id', status: 'PASSED' }],
          },
        },
        check: success('recordValidation', 'RecordValidationSuccess'),
      }),
      floor: () => ({
        op: 'recordValidation',
        args: { contractId: pick(), record: { passed: true, rowCount: 1000, errorCount: 0, durationMs: 120, environment: 'prod', checks: [{ checkId: 'not_null', status: 'passed' }] } },
      }),
    },
  ];
}

/** How runs are stored (collections `runs` and `run_heads`) and the mapping. */
import type { JsonObject } from '../../../domain/odcs.js';
import type { Run, RunStatus } from '../../../domain/runs.js';
import { dateOrNull, toDate } from './values.js';

/** Free-form JSON of pipelines (metadata, result) is stored as JSON text, like contract documents. */
export interface StoredRun {
  _id: string;
  contractId: string;
  contractVersion: string;
  pipelineId: string;
  environment: string | null;
  trigger: string | null;
  metadataJson: string | null;
  resultJson: string | null;
  status: RunStatus;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  durationMs: number | null;
  createdBy: string | null;
  updatedAt: Date;
  updatedBy: string | null;
  /** Compare-and-set counter of the stored run (+1 on every write); not part of the record. */
  revision: number;
}

/**
 * The newest run of a contract (by createdAt, then id): one document per contract, `_id` = the contract id. `seq`:
 * the highest slot (StoredRunSlot) taken in; absent on heads written before slots (read as 0). `runId` null: a head
 * created before the contract's first run, so the start-up pass finds every contract that has slots (run-heads.ts).
 */
export interface StoredRunHead {
  _id: string;
  runId: string | null;
  createdAt: Date;
  seq?: number;
}

/**
 * One start of a run of a contract, in order: `_id` = `${contractId}#${seq}` (seq 1, 2, …, dense), with the run's
 * id and createdAt (a slot whose run has another createdAt was taken by a retried start of one id). run-heads.ts.
 */
export interface StoredRunSlot {
  _id: string;
  runId: string;
  createdAt: Date;
}

export function toStoredRun(run: Run, revision: number): StoredRun {
  return {
    _id: run.id,
    contractId: run.contractId,
    contractVersion: run.contractVersion,
    pipelineId: run.pipelineId,
    environment: run.environment,
    trigger: run.trigger,
    metadataJson: run.metadata === null ? null : JSON.stringify(run.metadata),
    resultJson: run.result === null ? null : JSON.stringify(run.result),
    status: run.status,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    durationMs: run.durationMs,
    createdBy: run.createdBy,
    updatedAt: run.updatedAt,
    updatedBy: run.updatedBy,
    revision,
  };
}

/** The record, with its keys in the order the domain creates them. */
export function fromStoredRun(doc: StoredRun): Run {
  return {
    id: doc._id,
    contractId: doc.contractId,
    contractVersion: doc.contractVersion,
    pipelineId: doc.pipelineId,
    environment: doc.environment ?? null,
    trigger: doc.trigger ?? null,
    metadata: doc.metadataJson == null ? null : (JSON.parse(doc.metadataJson) as JsonObject),
    result: doc.resultJson == null ? null : (JSON.parse(doc.resultJson) as JsonObject),
    status: doc.status,
    createdAt: toDate(doc.createdAt),
    startedAt: dateOrNull(doc.startedAt),
    endedAt: dateOrNull(doc.endedAt),
    durationMs: doc.durationMs ?? null,
    createdBy: doc.createdBy ?? null,
    updatedAt: toDate(doc.updatedAt),
    updatedBy: doc.updatedBy ?? null,
  };
}

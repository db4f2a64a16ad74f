/**
 * Fault injection for tests: a hook the MongoDB backend calls after each step of a contract write, given only as an
 * option of createMongoStorage (never set in production, where every call is one `undefined` check). A test stops
 * a write at a step by never resolving (a process killed there) or by throwing (the database lost there), then
 * checks what the next writer and every reader see.
 */

/** The steps of each kind of contract write, in order. A hook runs after the step it names. */
export const WRITE_STEPS = {
  create: ['claimed', 'version', 'contract', 'catalog'],
  update: ['claimed', 'version', 'contract', 'catalog'],
  metadata: ['claimed', 'contract', 'catalog'],
  delete: ['claimed', 'contract', 'versions', 'catalog', 'approval'],
  /** A batch create (contract-batch.ts): the hook gets the batch's first contract id. */
  createMany: ['claimed', 'keys', 'versions', 'contracts', 'catalog'],
} as const;

export type WriteKind = keyof typeof WRITE_STEPS;
export type WriteStep = { [K in WriteKind]: `${K}:${(typeof WRITE_STEPS)[K][number]}` }[WriteKind];

/** Called after each step of a contract write, with the contract's id. */
export type FaultHook = (step: WriteStep, contractId: string) => void | Promise<void>;

/**
 * The steps of a run start (runs.ts, run-heads.ts), in order; a hook runs after the step it names. `planned`: its
 * createdAt is taken, nothing is written yet.
 */
export const RUN_START_STEPS = ['planned', 'slot', 'run', 'head'] as const;
export type RunStartStep = `startRun:${(typeof RUN_START_STEPS)[number]}`;

/** Called after each step of a run start, with the contract's id. */
export type RunFaultHook = (step: RunStartStep, contractId: string) => void | Promise<void>;

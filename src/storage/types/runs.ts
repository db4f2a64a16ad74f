/** The RunRepository: pipeline runs against a contract version. */
import type { Run, RunStatus, StartRunInput, UpdateRunInput } from '../../domain/runs.js';
import type { PageRequest, Page, SortDirection } from './paging.js';

export interface RunFilter {
  contractId?: string | null;
  contractVersion?: string | null;
  status?: RunStatus[] | null;
  pipelineId?: string | null;
  environment?: string | null;
  /** createdAt ≥ from */
  from?: Date | null;
  /** createdAt < to */
  to?: Date | null;
}

export interface RunRepository {
  /** NotFoundError('Contract', id) for an unknown contract, NotFoundError('ContractVersion', `${name}@${version}`) for an unknown version. */
  start(input: StartRunInput, actor: string | null): Promise<Run>;
  /** Status changes follow domain/runs; a concurrent change of the same run is a ConflictError (nothing written). */
  update(input: UpdateRunInput, actor: string | null): Promise<Run>;
  getByIds(ids: readonly string[]): Promise<(Run | null)[]>;
  /** Ordered by createdAt (then id). */
  list(filter: RunFilter, direction: SortDirection, page: PageRequest): Promise<Page<Run>>;
  /** The newest run (by createdAt, then id) of each contract, null where none. */
  latestByContracts(contractIds: readonly string[]): Promise<(Run | null)[]>;
}

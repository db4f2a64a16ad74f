/** Pipeline runs in memory. Every rule is in domain/runs; this only stores. */
import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../domain/errors.js';
import { planRunStart, planRunUpdate, type Run, type StartRunInput, type UpdateRunInput } from '../../domain/runs.js';
import type { Page, PageRequest, RunFilter, RunRepository, SortDirection } from '../types.js';
import { keysetPage } from './paging.js';
import { copy, type MemoryState } from './state.js';

export class MemoryRunRepository implements RunRepository {
  constructor(private readonly state: MemoryState) {}

  async start(input: StartRunInput, actor: string | null): Promise<Run> {
    const contract = this.state.contracts.get(input.contractId);
    if (!contract) throw new NotFoundError('Contract', input.contractId);
    if (input.contractVersion != null && !this.state.hasVersion(contract.id, input.contractVersion)) {
      throw new NotFoundError('ContractVersion', `${contract.name}@${input.contractVersion}`);
    }
    const run = planRunStart(input, input.id ?? randomUUID(), input.contractVersion ?? contract.version, new Date(), actor);
    this.state.runs.set(run.id, copy(run));
    return run;
  }

  async update(input: UpdateRunInput, actor: string | null): Promise<Run> {
    const current = this.state.runs.get(input.id);
    if (!current) throw new NotFoundError('Run', input.id);
    // No await between the read and the write: a concurrent update sees this one's result.
    const next = planRunUpdate(copy(current), input, new Date(), actor);
    this.state.runs.set(next.id, copy(next));
    return next;
  }

  async getByIds(ids: readonly string[]): Promise<(Run | null)[]> {
    return ids.map((id) => {
      const run = this.state.runs.get(id);
      return run ? copy(run) : null;
    });
  }

  async list(filter: RunFilter, direction: SortDirection, page: PageRequest): Promise<Page<Run>> {
    const matches = [...this.state.runs.values()].filter((r) => matchesRun(r, filter));
    const result = keysetPage(matches, (r) => r.createdAt, direction, page, 'createdAt');
    return { ...result, items: result.items.map(copy) };
  }

  async latestByContracts(contractIds: readonly string[]): Promise<(Run | null)[]> {
    const latest = new Map<string, Run>();
    for (const run of this.state.runs.values()) {
      const best = latest.get(run.contractId);
      if (!best || newer(run, best)) latest.set(run.contractId, run);
    }
    return contractIds.map((id) => {
      const run = latest.get(id);
      return run ? copy(run) : null;
    });
  }
}

/** Newest by createdAt, then id (the last item of the createdAt ascending order). */
function newer(a: Run, b: Run): boolean {
  const d = a.createdAt.getTime() - b.createdAt.getTime();
  return d > 0 || (d === 0 && a.id > b.id);
}

function matchesRun(r: Run, f: RunFilter): boolean {
  return (
    (f.contractId == null || r.contractId === f.contractId) &&
    (f.contractVersion == null || r.contractVersion === f.contractVersion) &&
    (!f.status?.length || f.status.includes(r.status)) &&
    (f.pipelineId == null || r.pipelineId === f.pipelineId) &&
    (f.environment == null || r.environment === f.environment) &&
    (f.from == null || r.createdAt.getTime() >= f.from.getTime()) &&
    (f.to == null || r.createdAt.getTime() < f.to.getTime())
  );
}

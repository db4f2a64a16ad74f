import { randomUUID } from 'node:crypto';
import { type CatalogEntry, deriveCatalogEntries, matchesPropertyWord, propertyWordsOf } from '../../domain/catalog.js';
import {
  type ActivateContractInput,
  type Contract,
  type ContractVersion,
  type CreateContractInput,
  type DeprecateContractInput,
  effectiveCompatibility,
  type HeadVersion,
  planActivation,
  planCreate,
  planDeprecation,
  planRetirement,
  planRollback,
  planSettingsChange,
  planUpdate,
  type RetireContractInput,
  type RollbackContractInput,
  type SetContractSettingsInput,
  type UpdateContractInput,
} from '../../domain/contracts.js';
import { isTransitive } from '../../domain/compatibility.js';
import { DEFAULT_POLICY, type RegistryPolicy } from '../../domain/evolution.js';
import { servesNewestVersion, transitiveBaseline } from '../../domain/lifecycle.js';
import type { JsonObject } from '../../domain/odcs.js';
import { odcsIdOf } from '../../domain/odcs-identity.js';
import { caseKey } from '../../domain/names.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../domain/errors.js';
import { queryTerms, rankCandidates, type SearchCandidate, type SearchFilter, searchTextOf } from '../../domain/search.js';
import type {
  BatchCreateOutcome,
  CatalogFilter,
  ContractFilter,
  ContractOrder,
  ContractRepository,
  ContractSearchHit,
  ContractSearchPage,
  Page,
  PageRequest,
  SchemaCatalogRepository,
} from '../types.js';
import { createEach } from './contract-batch.js';
import { keysetPage, offsetPage } from './paging.js';
import { searchIndexOf } from './search-index.js';
import { copy, type MemoryState } from './state.js';

/** Replaces the catalog entries of a contract by those of its served document (they carry its status and revision). */
export function syncCatalog(state: MemoryState, contract: Contract): void {
  for (const [key, entry] of state.catalog) if (entry.contractId === contract.id) state.catalog.delete(key);
  for (const entry of deriveCatalogEntries(contract)) state.catalog.set(entry.id, copy(entry));
}

/** A stored version of a contract by its number (a copy); NotFoundError when missing. */
export function versionByNumber(state: MemoryState, contract: Pick<Contract, 'id' | 'name'>, number: number): ContractVersion {
  const found = (state.versions.get(contract.id) ?? []).find((v) => v.number === number);
  if (!found) throw new NotFoundError('ContractVersion', `${contract.name}@${number}`);
  return copy(found);
}

export class MemoryContractRepository implements ContractRepository {
  readonly catalog: SchemaCatalogRepository;

  constructor(
    private readonly state: MemoryState,
    private readonly policy: RegistryPolicy = DEFAULT_POLICY,
  ) {
    this.catalog = new MemoryCatalogRepository(state);
  }

  /** The newest version, when it is not the served one (a draft revision of an active contract). */
  private head(current: Contract): ContractVersion | undefined {
    if (servesNewestVersion(current)) return undefined;
    return versionByNumber(this.state, current, current.versionCount);
  }

  /**
   * Earlier documents, newest first, as far back as the contract's compatibility mode looks: the newest version, then
   * (transitive modes) every version that was ever active.
   */
  private history(current: Contract, head: HeadVersion): JsonObject[] {
    const documents = [copy(head.document)];
    if (!isTransitive(effectiveCompatibility(current, this.policy))) return documents;
    for (const number of transitiveBaseline(current)) documents.push(versionByNumber(this.state, current, number).document);
    return documents;
  }

  async create(input: CreateContractInput, actor: string | null): Promise<Contract> {
    const write = planCreate(input, input.id ?? randomUUID(), { now: new Date(), actor, policy: this.policy });
    this.assertOdcsIdFree(odcsIdOf(write.version.document), write.contract.id);
    if (this.findByName(write.contract.name)) throw new AlreadyExistsError('Contract', 'name', write.contract.name);
    this.claimOdcsId(write.version.document, write.contract.id);
    this.state.contracts.set(write.contract.id, copy(write.contract));
    this.state.versions.set(write.contract.id, [copy(write.version)]);
    syncCatalog(this.state, write.contract);
    return write.contract;
  }

  async createMany(inputs: readonly CreateContractInput[], actor: string | null): Promise<BatchCreateOutcome[]> {
    return createEach((input, by) => this.create(input, by), inputs, actor);
  }

  async update(input: UpdateContractInput, actor: string | null): Promise<Contract> {
    const current = this.current(input.id, input.expectedRevision);
    const head: HeadVersion = this.head(current) ?? current;
    const write = planUpdate(current, input, { now: new Date(), actor, policy: this.policy }, this.history(current, head), head);
    const other = this.findByName(write.contract.name);
    if (other && other.id !== current.id) throw new AlreadyExistsError('Contract', 'name', write.contract.name);
    const written = this.commit(write.contract, write.version);
    if (input.writeToken) this.state.writeTokens.set(input.writeToken, write.version.id);
    return written;
  }

  async rollback(input: RollbackContractInput, actor: string | null): Promise<Contract> {
    const current = this.current(input.id, input.expectedRevision);
    const target = (this.state.versions.get(input.id) ?? []).find((v) => v.version === input.toVersion);
    if (!target) throw new NotFoundError('ContractVersion', `${current.name}@${input.toVersion}`);
    const head: HeadVersion = this.head(current) ?? current;
    const write = planRollback(current, copy(target), input, { now: new Date(), actor, policy: this.policy }, this.history(current, head), head);
    return this.commit(write.contract, write.version);
  }

  async activate(input: ActivateContractInput, actor: string | null): Promise<Contract> {
    const current = this.current(input.id, input.expectedRevision);
    const next = planActivation(current, versionByNumber(this.state, current, current.versionCount), input, { now: new Date(), actor });
    return this.save(next);
  }

  async deprecate(input: DeprecateContractInput, actor: string | null): Promise<Contract> {
    const current = this.current(input.id, input.expectedRevision);
    const replacement = input.replacedBy != null ? (this.state.contracts.get(input.replacedBy) ?? null) : null;
    const next = planDeprecation(current, input, replacement ? copy(replacement) : null, { now: new Date(), actor });
    return this.save(next);
  }

  async retire(input: RetireContractInput, actor: string | null): Promise<Contract> {
    const current = this.current(input.id, input.expectedRevision);
    return this.save(planRetirement(current, input, { now: new Date(), actor }));
  }

  async setSettings(input: SetContractSettingsInput, actor: string | null): Promise<Contract> {
    const current = this.current(input.id, input.expectedRevision);
    // The catalog entries carry the contract's revision.
    return this.save(planSettingsChange(current, input, { now: new Date(), actor }));
  }

  async delete(id: string, expectedRevision: number | null, actor: string | null): Promise<Contract> {
    const current = expectedRevision === null ? this.mustGet(id) : this.current(id, expectedRevision);
    const open = current.openApprovalRequestId !== null ? this.state.approvals.get(current.openApprovalRequestId) : undefined;
    if (open && open.status === 'open') {
      const now = new Date();
      this.state.approvals.set(open.id, {
        ...copy(open),
        status: 'withdrawn',
        awaiting: [],
        resolvedAt: now,
        resolvedBy: actor,
        resolutionNote: 'contract deleted',
        revision: open.revision + 1,
      });
    }
    this.state.contracts.delete(id);
    this.state.versions.delete(id);
    for (const [odcsId, holder] of this.state.odcsIds) if (holder === id) this.state.odcsIds.delete(odcsId);
    for (const [key, entry] of this.state.catalog) if (entry.contractId === id) this.state.catalog.delete(key);
    return current;
  }

  async getById(id: string): Promise<Contract | null> {
    const c = this.state.contracts.get(id);
    return c ? copy(c) : null;
  }

  async getByIds(ids: readonly string[]): Promise<(Contract | null)[]> {
    return ids.map((id) => {
      const c = this.state.contracts.get(id);
      return c ? copy(c) : null;
    });
  }

  async getByName(name: string): Promise<Contract | null> {
    const c = this.findByName(name);
    return c ? copy(c) : null;
  }

  async getByOdcsId(odcsId: string): Promise<Contract | null> {
    const holder = this.state.odcsIds.get(odcsId);
    const c = holder === undefined ? undefined : this.state.contracts.get(holder);
    return c ? copy(c) : null;
  }

  /** AlreadyExistsError naming the contract that holds `odcsId`, unless it is free or held by `contractId`. */
  private assertOdcsIdFree(odcsId: string | null, contractId: string): void {
    if (odcsId === null) return;
    const holder = this.state.odcsIds.get(odcsId);
    const other = holder !== undefined && holder !== contractId ? this.state.contracts.get(holder) : undefined;
    if (other) throw new AlreadyExistsError('Contract', 'odcsId', odcsId, { id: other.id, name: other.name });
  }

  private claimOdcsId(document: JsonObject, contractId: string): void {
    const odcsId = odcsIdOf(document);
    if (odcsId !== null) this.state.odcsIds.set(odcsId, contractId);
  }

  async getByNames(names: readonly string[]): Promise<(Contract | null)[]> {
    return Promise.all(names.map((n) => this.getByName(n)));
  }

  async list(filter: ContractFilter, order: ContractOrder, page: PageRequest): Promise<Page<Contract>> {
    const schemaName = (filter.schemaName != null ? caseKey(filter.schemaName) : undefined);
    const matches = [...this.state.contracts.values()].filter(
      (c) =>
        (!filter.status?.length || filter.status.includes(c.status)) &&
        (filter.owner == null || c.owner === filter.owner) &&
        (schemaName == null || searchTextOf(c.name, c.document).schemaNames.some((s) => caseKey(s) === schemaName)),
    );
    const result = keysetPage(matches, (c) => (order.field === 'name' ? c.name : c[order.field]), order.direction, page, order.field);
    return { ...result, items: result.items.map(copy) };
  }

  async search(query: string, page: PageRequest, filter: SearchFilter = {}): Promise<ContractSearchPage> {
    const terms = queryTerms(query);
    const candidates: SearchCandidate[] = [];
    for (const c of this.state.contracts.values()) {
      const { postings, facets } = searchIndexOf(c);
      if (terms.some((t) => postings.has(t))) candidates.push({ id: c.id, name: c.name, updatedAt: c.updatedAt, postings, facets });
    }
    const { hits, facets } = rankCandidates(candidates, query, filter);
    const result = await offsetPage(hits, page);
    // Only the page's contracts are copied out.
    const items: ContractSearchHit[] = result.items.map((h) => ({ contract: copy(this.state.contracts.get(h.id)!), score: h.score, matchedFields: h.matchedFields }));
    return { ...result, items, facets: async () => facets };
  }

  async listVersions(contractId: string, page: PageRequest): Promise<Page<ContractVersion>> {
    const result = keysetPage(this.state.versions.get(contractId) ?? [], (v) => v.number, 'desc', page, 'number');
    return { ...result, items: result.items.map(copy) };
  }

  async getVersionsByIds(ids: readonly string[]): Promise<(ContractVersion | null)[]> {
    return ids.map((id) => {
      const at = id.lastIndexOf('@');
      const found = (this.state.versions.get(id.slice(0, at)) ?? []).find((v) => v.id === id);
      return found ? copy(found) : null;
    });
  }

  async getVersions(keys: readonly { contractId: string; version: string }[]): Promise<(ContractVersion | null)[]> {
    return keys.map(({ contractId, version }) => {
      const found = (this.state.versions.get(contractId) ?? []).find((v) => v.version === version);
      return found ? copy(found) : null;
    });
  }

  private findByName(name: string): Contract | undefined {
    for (const c of this.state.contracts.values()) if (c.name === name) return c;
    return undefined;
  }

  private mustGet(id: string): Contract {
    const current = this.state.contracts.get(id);
    if (!current) throw new NotFoundError('Contract', id);
    return copy(current);
  }

  private current(id: string, expectedRevision: number): Contract {
    const current = this.mustGet(id);
    if (current.revision !== expectedRevision) throw new ConflictError('Contract', id, expectedRevision, current.revision);
    return current;
  }

  private commit(contract: Contract, version: ContractVersion): Contract {
    const versions = this.state.versions.get(contract.id) ?? [];
    if (versions.some((v) => v.version === version.version)) throw new AlreadyExistsError('ContractVersion', 'version', version.version);
    // A contract without an ODCS id (stored with warnings) takes the one its new version gains.
    this.assertOdcsIdFree(odcsIdOf(version.document), contract.id);
    this.claimOdcsId(version.document, contract.id);
    versions.push(copy(version));
    this.state.versions.set(contract.id, versions);
    return this.save(contract);
  }

  /** Writes the contract (no version) and its catalog entries. */
  private save(contract: Contract): Contract {
    this.state.contracts.set(contract.id, copy(contract));
    syncCatalog(this.state, contract);
    return contract;
  }
}

class MemoryCatalogRepository implements SchemaCatalogRepository {
  constructor(private readonly state: MemoryState) {}

  async list(filter: CatalogFilter, page: PageRequest): Promise<Page<CatalogEntry>> {
    const prefix = (filter.schemaNamePrefix != null ? caseKey(filter.schemaNamePrefix) : undefined);
    const property = (filter.propertyName != null ? caseKey(filter.propertyName) : undefined);
    const matches = [...this.state.catalog.values()].filter(
      (e) =>
        (prefix == null || caseKey(e.schemaName).startsWith(prefix)) &&
        (property == null || e.properties.some((p) => caseKey(p.name) === property || caseKey(p.path) === property)) &&
        (filter.propertyWord == null || matchesPropertyWord(propertyWordsOf(e), filter.propertyWord)) &&
        (filter.hasPii == null || e.hasPii === filter.hasPii) &&
        (filter.contractId == null || e.contractId === filter.contractId) &&
        (!filter.contractStatus?.length || filter.contractStatus.includes(e.contractStatus)),
    );
    const result = keysetPage(matches, (e) => caseKey(e.schemaName), 'asc', page, 'schemaNameLower');
    return { ...result, items: result.items.map(copy) };
  }

  async getByIds(ids: readonly string[]): Promise<(CatalogEntry | null)[]> {
    return ids.map((id) => {
      const e = this.state.catalog.get(id);
      return e ? copy(e) : null;
    });
  }

  async listByContractIds(contractIds: readonly string[]): Promise<CatalogEntry[][]> {
    return contractIds.map((id) =>
      [...this.state.catalog.values()].filter((e) => e.contractId === id).sort((a, b) => cmp(caseKey(a.schemaName), caseKey(b.schemaName))).map(copy),
    );
  }

  async rebuild(): Promise<{ contracts: number; entries: number }> {
    this.state.catalog.clear();
    let entries = 0;
    for (const contract of this.state.contracts.values()) {
      for (const entry of deriveCatalogEntries(contract)) {
        this.state.catalog.set(entry.id, copy(entry));
        entries++;
      }
    }
    return { contracts: this.state.contracts.size, entries };
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

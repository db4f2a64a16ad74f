/**
 * The change log in memory: an array in position order (positions are its indexes + the first kept position) and
 * a key index. Appends are synchronous between awaits, so positions are taken strictly in order.
 */
import { type EventFilter, matchesEventFilter, type NewEvent, type RegistryEvent } from '../../domain/events.js';
import { ExpiredCursorError } from '../../domain/errors.js';
import { AppendListeners } from '../events/listeners.js';
import type { EventListRequest, EventListener, EventRepository } from '../types.js';
import { copy } from './state.js';

export class MemoryEventRepository implements EventRepository {
  /** Kept events, ascending by position (gapless: log[i].position === first + i). */
  private log: RegistryEvent[] = [];
  private readonly byKey = new Map<string, RegistryEvent>();
  private last = 0;
  private readonly listeners = new AppendListeners();

  async append(event: NewEvent): Promise<RegistryEvent> {
    const existing = this.byKey.get(event.key);
    if (existing) return copy(existing);
    const stored: RegistryEvent = { ...copy(event), position: ++this.last, loggedAt: new Date() };
    this.log.push(stored);
    this.byKey.set(stored.key, stored);
    const out = copy(stored);
    this.listeners.emit(copy(stored));
    return out;
  }

  async appendMany(events: readonly NewEvent[]): Promise<RegistryEvent[]> {
    const out: RegistryEvent[] = [];
    for (const event of events) out.push(await this.append(event));
    return out;
  }

  async list(request: EventListRequest): Promise<RegistryEvent[]> {
    const filter: EventFilter | null | undefined = request.filter;
    const oldest = this.log[0]?.position ?? null;
    const after = request.after ?? null;
    if (after !== null && after < this.last && (oldest === null || after + 1 < oldest)) {
      throw new ExpiredCursorError('after', after, oldest);
    }
    const out: RegistryEvent[] = [];
    if (request.before != null) {
      for (let i = this.log.length - 1; i >= 0 && out.length < request.first; i--) {
        const e = this.log[i]!;
        if (e.position >= request.before) continue;
        if (after !== null && e.position <= after) break;
        if (matchesEventFilter(e, filter)) out.unshift(copy(e));
      }
      return out;
    }
    const start = oldest === null ? 0 : Math.max(0, (after ?? 0) + 1 - oldest);
    for (let i = start; i < this.log.length && out.length < request.first; i++) {
      const e = this.log[i]!;
      if (matchesEventFilter(e, filter)) out.push(copy(e));
    }
    return out;
  }

  async getByPositions(positions: readonly number[]): Promise<(RegistryEvent | null)[]> {
    const oldest = this.log[0]?.position ?? 0;
    return positions.map((p) => {
      const e = Number.isInteger(p) ? this.log[p - oldest] : undefined;
      return e ? copy(e) : null;
    });
  }

  async getByKeys(keys: readonly string[]): Promise<(RegistryEvent | null)[]> {
    return keys.map((k) => {
      const e = this.byKey.get(k);
      return e ? copy(e) : null;
    });
  }

  async latest(): Promise<number> {
    return this.last;
  }

  async count(filter?: EventFilter | null): Promise<number> {
    return this.log.filter((e) => matchesEventFilter(e, filter)).length;
  }

  onAppended(listener: EventListener): () => void {
    return this.listeners.add(listener);
  }

  async prune(cutoff: Date): Promise<number> {
    let n = 0;
    while (this.log.length > 1 && this.log[0]!.loggedAt.getTime() < cutoff.getTime()) {
      this.byKey.delete(this.log.shift()!.key);
      n++;
    }
    return n;
  }

  clear(): void {
    this.log = [];
    this.byKey.clear();
  }
}

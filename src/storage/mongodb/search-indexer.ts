/**
 * Keeps the word index (search-index.ts) close behind the change log: every server runs one, in the background
 * (every GRIOT_SEARCH_INDEX_INTERVAL_MS, and when a search found its words lagging). Nothing in a write waits
 * for it, and it needs no lock: everything it writes that a reader trusts is an insert-only version, valid on
 * its own, so two indexers (two servers, or a paused one that woke up) can only both insert a version, and the
 * second insert fails harmlessly.
 *
 * The first search starts it (and its timer): a server never searched does no index work.
 *
 * A step: the progress version `g` says the index is complete up to position G. The log positions G+1 … to (at
 * most GRIOT_SEARCH_INDEX_BATCH) name the contracts changed; their stored state is read (after the events:
 * every change logged up to `to` is in it), and every word they hold now, or held when last indexed (`k:`
 * records), gets a new version valid up to `to`: its entries with those contracts replaced by their state. A
 * word whose newest version is older than G first merges the positions in between too (or, when that is more
 * than GRIOT_SEARCH_TAIL_MAX, is rebuilt from the contracts holding it). Then the progress version `to` is
 * inserted. The first step of an empty index, of one whose log positions expired before they were indexed, or
 * of a new SEARCH_VERSION, builds every word from all contracts.
 */
import { AsyncResource } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { Collection } from 'mongodb';
import type { RegistryEvent } from '../../domain/events.js';
import type { Intent } from '../events/intents.js';
import type { StoredContract } from './documents/index.js';
import type { BatchReads } from './point-reads.js';
import { readByIds } from './point-reads.js';
import { SEARCH_VERSION, type StoredCandidate } from './search-fields.js';
import {
  contractRecord,
  type Entry,
  entryOf,
  fullEntries,
  insertVersions,
  type Known,
  mergeEntries,
  newestVersion,
  newestWords,
  PROGRESS,
  progress,
  type SearchIndexCollection,
  settleVersions,
  TRUTH_PROJECTION,
  updateInSmallCommands,
  type Version,
  versionDocs,
  wordChain,
  wordsOf,
} from './search-index.js';

export interface SearchIndexOptions {
  /** How often the indexer runs (ms); 0: only when a search finds its words lagging. */
  intervalMs: number;
  /** Log positions one indexer step takes at most. */
  batch: number;
  /** Log positions (and open write intents) a search merges at most; beyond, it reads its candidates directly. */
  tailMax: number;
  /** A search that merged at least this many positions starts the indexer. */
  lag: number;
  /** Entries in the head of a word's version (search-index.ts); the others go to its rest. Default 200. */
  headEntries?: number;
}

export const DEFAULT_HEAD_ENTRIES = 200;
export const DEFAULT_SEARCH_INDEX: SearchIndexOptions = { intervalMs: 5_000, batch: 500, tailMax: 1_000, lag: 32, headEntries: DEFAULT_HEAD_ENTRIES };

/** What the index reads of the change log and of writes in flight (MongoEventRepository, IntentStore). */
export interface LogReader {
  latest(): Promise<number>;
  getByPositions(positions: readonly number[]): Promise<(RegistryEvent | null)[]>;
}
export interface IntentReader {
  olderThan(cutoff: Date, limit?: number): Promise<Intent[]>;
}

export function positionsBetween(after: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - after) }, (_, i) => after + 1 + i);
}

export class SearchIndexer {
  /** Version numbers seen by this process (readers and the indexer share them). */
  readonly known: Known = new Map();
  private running: Promise<void> | null = null;
  private again = false;
  private readonly lagging = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Runs a function in the context this indexer was made in (start-up): never under a request's limits. */
  private readonly detached = AsyncResource.bind((run: () => void) => run());
  private readonly detachedTimer = AsyncResource.bind((run: () => void, ms: number) => setInterval(run, ms));

  constructor(
    readonly index: SearchIndexCollection,
    private readonly contracts: Collection<StoredContract>,
    readonly log: LogReader,
    readonly intents: IntentReader,
    private readonly batchReads: BatchReads,
    readonly options: SearchIndexOptions = DEFAULT_SEARCH_INDEX,
  ) {}

  /** Nothing runs before the first search (a server that is never searched does no index work). */
  start(): void {}

  /** Runs the indexer soon (once more if it is running), also bringing `words` up to the head. */
  kick(words: Iterable<string> = []): void {
    for (const w of words) this.lagging.add(w);
    if (this.closed) return;
    if (this.options.intervalMs > 0 && !this.timer) {
      this.timer = this.detachedTimer(() => this.kick(), this.options.intervalMs);
      this.timer.unref();
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.detached(() => {
      this.running = this.loop().finally(() => {
        this.running = null;
      });
    });
  }

  /** Until the index has every position logged when called (tests, benchmarks). */
  async catchUp(): Promise<void> {
    const head = await this.log.latest();
    for (let guard = 0; guard < 10_000 && !this.closed; guard++) {
      await this.running?.catch(() => undefined);
      const g = await progress(this.index, this.known);
      if (g && g.upTo >= head && this.lagging.size === 0) return;
      await this.step();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async loop(): Promise<void> {
    try {
      for (let guard = 0; guard < 1_000 && !this.closed; guard++) {
        this.again = false;
        const more = await this.step();
        if (!more && !this.again) return;
      }
    } catch {
      // Derived state: the next run (timer or search) goes on from what is stored.
    }
  }

  /** One step; true when there is more to do. */
  private async step(): Promise<boolean> {
    const g = await progress(this.index, this.known);
    if (!g) {
      const any = await newestVersion(this.index, PROGRESS, this.known);
      await this.buildAll((any?.n ?? 0) + 1);
      return false;
    }
    const head = await this.log.latest();
    const to = Math.min(head, g.upTo + this.options.batch);
    const requested = [...this.lagging];
    this.lagging.clear();
    if (to <= g.upTo && requested.length === 0) return false;
    const logged = await this.log.getByPositions(positionsBetween(g.upTo, to));
    if (logged.some((e) => e === null)) {
      await this.buildAll(g.n + 1); // positions expired before they were indexed
      return false;
    }
    const touched = new Set(logged.flatMap((e) => (e?.contractId ? [e.contractId] : [])));
    const truth = await this.readTruth(touched);
    const records = await readByIds(this.index, [...touched].map(contractRecord), this.batchReads);
    const words = new Set(requested);
    for (const doc of truth.values()) for (const w of wordsOf(doc)) words.add(w);
    for (const r of records.values()) for (const w of r.words ?? []) words.add(w);
    await this.refreshWords([...words], g.upTo, to, touched, truth);
    const writes = [...touched].map((id) => {
      const doc = truth.get(id);
      return doc
        ? { replaceOne: { filter: { _id: contractRecord(id) }, replacement: { words: wordsOf(doc) }, upsert: true } }
        : { deleteOne: { filter: { _id: contractRecord(id) } } };
    });
    await updateInSmallCommands(this.index, writes).catch(() => undefined); // best effort (file comment)
    if (to > g.upTo) {
      await insertVersions(this.index, [{ _id: `${PROGRESS}#${g.n + 1}`, upTo: to, searchVersion: SEARCH_VERSION }]);
      await settleVersions(this.index, [{ chain: PROGRESS, n: g.n + 1 }], this.known);
    }
    return to < head;
  }

  /**
   * New versions of `words`, valid up to `to`, given the contracts changed in (g, to] and their state. A word
   * whose version is older than g merges the positions in between as well, or is rebuilt when they are too many.
   */
  private async refreshWords(words: string[], g: number, to: number, touched: Set<string>, truth: Map<string, StoredCandidate>): Promise<void> {
    if (words.length === 0) return;
    const bases = await newestWords(this.index, words, this.known);
    const from = (w: string) => bases.get(w)?.upTo ?? g;
    words = words.filter((w) => from(w) < to); // a newer version (another indexer ahead) stays
    const rebuild = words.filter((w) => from(w) < to - this.options.tailMax);
    const merged = words.filter((w) => from(w) >= to - this.options.tailMax);
    const low = Math.min(g, ...merged.map(from));
    if (low < g) {
      const older = await this.log.getByPositions(positionsBetween(low, g));
      if (older.some((e) => e === null)) {
        rebuild.push(...merged.filter((w) => from(w) < g));
        merged.splice(0, merged.length, ...merged.filter((w) => from(w) >= g));
      } else {
        const more = older.flatMap((e) => (e?.contractId && !touched.has(e.contractId) ? [e.contractId] : []));
        for (const [id, doc] of await this.readTruth(new Set(more))) truth.set(id, doc);
        for (const id of more) touched.add(id);
      }
    }
    // The bases in full: head and rest. A base whose rest is gone (stubbed meanwhile: a newer version is in) is rebuilt.
    const baseDocs = merged.flatMap((w) => bases.get(w)?.doc ?? []);
    const full = await fullEntries(this.index, baseDocs, this.batchReads);
    const versions: { word: string; base: Version | null; entries: Entry[]; upTo: number }[] = [];
    for (const word of merged) {
      const base = bases.get(word) ?? null;
      const entries = base ? full.get(base.doc._id) : [];
      if (entries) versions.push({ word, base, entries: mergeEntries(entries, word, touched, truth), upTo: to });
      else rebuild.push(word);
    }
    if (rebuild.length > 0) versions.push(...(await this.scanWords(rebuild, bases)));
    await this.insertAll(versions);
  }

  /** Versions of `words` from the contracts holding them (one scan), valid up to the head read before it. */
  private async scanWords(words: string[], bases: Map<string, Version | null>): Promise<{ word: string; base: Version | null; entries: Entry[]; upTo: number }[]> {
    const head = await this.log.latest();
    const byWord = new Map<string, Entry[]>(words.map((w) => [w, []]));
    const filter = words.length === 1 ? { searchTerms: words[0] } : { searchTerms: { $in: words } };
    for await (const doc of this.contracts.find(filter as never, { projection: TRUTH_PROJECTION })) {
      for (const w of words) {
        const entry = entryOf(doc as unknown as StoredCandidate, w);
        if (entry) byWord.get(w)!.push(entry);
      }
    }
    return words.map((word) => ({ word, base: bases.get(word) ?? null, entries: byWord.get(word)!, upTo: head }));
  }

  /** Every word from every contract, valid up to the head read before the scan; then progress version `n`. */
  private async buildAll(n: number): Promise<void> {
    const head = await this.log.latest();
    const byWord = new Map<string, Entry[]>();
    for await (const doc of this.contracts.find({}, { projection: TRUTH_PROJECTION, batchSize: 500 })) {
      const candidate = doc as unknown as StoredCandidate;
      for (const w of wordsOf(candidate)) {
        const entry = entryOf(candidate, w);
        if (!entry) continue;
        let list = byWord.get(w);
        if (!list) byWord.set(w, (list = []));
        list.push(entry);
      }
    }
    const words = [...byWord.keys()];
    // Words indexed before (a rebuild): their next version; new words: version 1 (taken ones are looked up).
    const bases = n > 1 ? await newestWords(this.index, words, this.known) : new Map<string, Version | null>();
    await this.insertAll(words.map((word) => ({ word, base: bases.get(word) ?? null, entries: byWord.get(word)!, upTo: head })));
    await insertVersions(this.index, [{ _id: `${PROGRESS}#${n}`, upTo: head, searchVersion: SEARCH_VERSION }]);
    await settleVersions(this.index, [{ chain: PROGRESS, n }], this.known);
  }

  /**
   * Inserts each word's next version: first the rests (search-index.ts versionDocs), then the heads, which commit
   * them. Where the number was taken by another builder its version stays (valid too) and this builder's rest is
   * deleted, except for a version 1 guessed without reading the chain: that one is retried after the newest.
   */
  private async insertAll(versions: { word: string; base: Version | null; entries: Entry[]; upTo: number }[]): Promise<void> {
    const headEntries = this.options.headEntries ?? DEFAULT_HEAD_ENTRIES;
    let pending = versions;
    for (let attempt = 0; pending.length > 0 && attempt < 5; attempt++) {
      const token = randomBytes(6).toString('hex');
      const written = pending.map((v) => versionDocs(v.word, `${wordChain(v.word)}#${(v.base?.n ?? 0) + 1}`, v.upTo, v.entries, headEntries, token));
      const rests = written.flatMap((w) => (w.rest ? [w.rest] : []));
      await insertVersions(this.index, rests);
      const docs = written.map((w) => w.head);
      const taken = await insertVersions(this.index, docs);
      const orphans = written.flatMap((w) => (w.rest && taken.has(w.head._id) ? [{ deleteOne: { filter: { _id: w.rest._id } } }] : []));
      await updateInSmallCommands(this.index, orphans).catch(() => undefined); // best effort: an orphan is never read
      const settled = pending.filter((_, i) => !taken.has(docs[i]!._id) || pending[i]!.base !== null);
      await settleVersions(this.index, settled.map((v) => ({ chain: wordChain(v.word), n: (v.base?.n ?? 0) + 1, rest: v.base?.doc.rest?._id })), this.known);
      const retry = pending.filter((v, i) => taken.has(docs[i]!._id) && v.base === null);
      if (retry.length === 0) return;
      const newest = await newestWords(this.index, retry.map((v) => v.word), this.known);
      pending = retry.flatMap((v) => {
        const base = newest.get(v.word) ?? null;
        return base && base.upTo >= v.upTo ? [] : [{ ...v, base }];
      });
    }
  }

  private async readTruth(ids: Set<string>): Promise<Map<string, StoredCandidate>> {
    const docs = await readByIds(this.contracts, [...ids], this.batchReads, { projection: TRUTH_PROJECTION });
    return docs as unknown as Map<string, StoredCandidate>;
  }
}

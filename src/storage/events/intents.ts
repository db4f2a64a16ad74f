/**
 * Intents of the change log's writer (recorder.ts): what a write is about to touch and when it began, kept until
 * its events are appended. One left behind means a crash (or a failed append) between a write and its events.
 */
import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { Locator } from './collect.js';
import { upsertRacing } from '../mongodb/upserts.js';

export interface Intent {
  id: string;
  where: Locator;
  since: Date;
}

export interface IntentStore {
  begin(where: Locator, since: Date): Promise<string>;
  end(id: string): Promise<void>;
  /** Several intents in one write (a batch create); their ids in order. */
  beginMany?(wheres: readonly Locator[], since: Date): Promise<string[]>;
  /** Several intents ended in one write. */
  endMany?(ids: readonly string[]): Promise<void>;
  /** The intents begun before `cutoff`, oldest first (at most `limit`). */
  olderThan(cutoff: Date, limit?: number): Promise<Intent[]>;
  /** How far the repair pass of writes without intents (recent-repair.ts) has looked, per kind; null: never. */
  repairedUpTo(kind: string): Promise<Date | null>;
  /** Records that the pass has looked up to `upTo` (never moves back). */
  advanceRepairedUpTo(kind: string, upTo: Date): Promise<void>;
}

interface StoredIntent {
  _id: string;
  where: Locator;
  since: Date;
}

export const INTENT_COLLECTION = 'event_intents';
/** One document per kind of write logged without an intent: how far the repair pass has looked. */
export const REPAIR_WINDOW_COLLECTION = 'event_repair_windows';

export class MongoIntentStore implements IntentStore {
  private readonly intents: Collection<StoredIntent>;
  private readonly windows: Collection<{ _id: string; upTo: Date }>;

  constructor(db: Db) {
    this.intents = db.collection<StoredIntent>(INTENT_COLLECTION);
    this.windows = db.collection<{ _id: string; upTo: Date }>(REPAIR_WINDOW_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.intents.createIndexes([{ key: { since: 1 }, name: 'event_intents_since' }]);
  }

  async begin(where: Locator, since: Date): Promise<string> {
    const id = randomUUID();
    await this.intents.insertOne({ _id: id, where: JSON.parse(JSON.stringify(where)) as Locator, since });
    return id;
  }

  async beginMany(wheres: readonly Locator[], since: Date): Promise<string[]> {
    const docs = wheres.map((where) => ({ _id: randomUUID(), where: JSON.parse(JSON.stringify(where)) as Locator, since }));
    if (docs.length > 0) await this.intents.insertMany(docs, { ordered: false });
    return docs.map((d) => d._id);
  }

  async endMany(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.intents.deleteMany({ _id: { $in: [...ids] } });
  }

  async end(id: string): Promise<void> {
    await this.intents.deleteOne({ _id: id });
  }

  async repairedUpTo(kind: string): Promise<Date | null> {
    return (await this.windows.findOne({ _id: kind }))?.upTo ?? null;
  }

  async advanceRepairedUpTo(kind: string, upTo: Date): Promise<void> {
    await upsertRacing(() => this.windows.updateOne({ _id: kind }, { $max: { upTo } }, { upsert: true }));
  }

  async olderThan(cutoff: Date, limit = 1000): Promise<Intent[]> {
    const docs = await this.intents.find({ since: { $lt: cutoff } }).sort({ since: 1 }).limit(limit).toArray();
    return docs.map((d) => ({ id: d._id, where: d.where, since: d.since }));
  }
}

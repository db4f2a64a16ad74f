/**
 * Group commit: one write at a time per queue, and the items that queued up while it ran go out together as the
 * next write. Nothing waits for company: an item with nothing in flight is written at once (alone), and when a
 * write settles everything queued by then (up to `maxItems` items) is the next write, so N concurrent callers cost
 * far fewer than N commands, with no timer and no added latency. Each caller gets its own results (in the order
 * of its items); the items of a write are in call order; a failed write rejects exactly its callers, and the queue
 * goes on with the next. Used by the change log's appends (events.ts) and the validation records' inserts
 * (validations.ts, with insertEach below) and their daily rollups (daily-rollup.ts, with replaceEach).
 */
import { type Collection, type Document, type Filter, MongoBulkWriteError, MongoServerError, type OptionalUnlessRequiredId, type WithoutId } from 'mongodb';
import { bulkWriteInCommands } from './bulk.js';

/** Writes items in one go and returns their results in their order. */
export type WriteItems<I, R> = (items: readonly I[]) => Promise<R[]>;

interface Waiting<I, R> {
  items: readonly I[];
  resolve: (results: R[]) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<I, R> {
  private readonly waiting: Waiting<I, R>[] = [];
  private writing = false;

  /** `maxItems`: at most this many items per write, except a caller's own batch larger than that, written alone. */
  constructor(
    private readonly write: WriteItems<I, R>,
    private readonly maxItems: number,
  ) {}

  /** Queues a caller's items; resolves to their results once the write they went out with has succeeded. */
  add(items: readonly I[]): Promise<R[]> {
    return new Promise<R[]>((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.take();
        try {
          const results = await this.write(batch.flatMap((w) => w.items));
          let offset = 0;
          for (const w of batch) {
            w.resolve(results.slice(offset, offset + w.items.length));
            offset += w.items.length;
          }
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** The callers of the next write: the oldest waiting one, and those after it while the items fit in maxItems. */
  private take(): Waiting<I, R>[] {
    let count = this.waiting[0]!.items.length;
    let n = 1;
    while (n < this.waiting.length && count + this.waiting[n]!.items.length <= this.maxItems) count += this.waiting[n++]!.items.length;
    return this.waiting.splice(0, n);
  }
}

/**
 * Inserts documents with one unordered `insertMany` and gives each its own outcome: null (inserted) or the error
 * the server refused it with (a MongoServerError of that write's code and message, so a duplicate key is still
 * recognized as one). Any other failure (the command failed, the connection broke) may have inserted some of them
 * and is thrown: every caller of the write hears it, as it would have from its own insert.
 */
export async function insertEach<T extends Document>(collection: Collection<T>, docs: readonly OptionalUnlessRequiredId<T>[]): Promise<(MongoServerError | null)[]> {
  const outcomes: (MongoServerError | null)[] = docs.map(() => null);
  if (docs.length === 0) return outcomes;
  try {
    await collection.insertMany([...docs], { ordered: false });
  } catch (error) {
    if (!(error instanceof MongoBulkWriteError) || error.err) throw error;
    const refused = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    if (refused.length === 0) throw error;
    for (const write of refused) {
      if (typeof write.index !== 'number' || write.index < 0 || write.index >= docs.length) throw error;
      outcomes[write.index] = new MongoServerError({ message: write.errmsg ?? 'write refused', errmsg: write.errmsg, code: write.code });
    }
  }
  return outcomes;
}

/**
 * Replaces (upserting) documents by `_id` with unordered bulk writes of at most the collection's statements per
 * command (bulk.ts), and gives each its own outcome: null (written) or the error of its statement, or of its whole
 * command when that failed otherwise (it may or may not have been written: the caller treats it as unknown).
 */
export async function replaceEach<T extends Document & { _id: string }>(collection: Collection<T>, docs: readonly T[]): Promise<(Error | null)[]> {
  const outcomes: (Error | null)[] = docs.map(() => null);
  const operations = docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id } as Filter<T>, replacement: doc as WithoutId<T>, upsert: true } }));
  await bulkWriteInCommands(collection, operations, (error, chunk, offset) => {
    const refused = error instanceof MongoBulkWriteError && !error.err ? (Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors]) : [];
    const known = refused.length > 0 && refused.every((w) => typeof w.index === 'number' && w.index >= 0 && w.index < chunk.length);
    if (!known) {
      for (let i = 0; i < chunk.length; i++) outcomes[offset + i] = error instanceof Error ? error : new Error(String(error));
      return;
    }
    for (const write of refused) outcomes[offset + write.index] = new MongoServerError({ message: write.errmsg ?? 'write refused', errmsg: write.errmsg, code: write.code });
  });
  return outcomes;
}

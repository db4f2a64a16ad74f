/**
 * Group commit of the change log's appends (events.ts): one write at a time per process, and the appends that
 * queued up while it ran go out together as the next write. Nothing waits for company: an append with nothing in
 * flight is written at once (alone), and when a write settles everything queued by then (up to `maxEvents`
 * events) is the next write, so N concurrent appends cost far fewer than N insert commands, with no timer and no
 * added latency. Each caller gets its own results (in the order of its events); the events of a write are in call
 * order; a failed write rejects exactly its callers, and the queue goes on with the next.
 */

/** Writes events in one go (events.ts appendManyNow) and returns their results in their order. */
export type WriteEvents<E, R> = (events: readonly E[]) => Promise<R[]>;

interface Waiting<E, R> {
  events: readonly E[];
  resolve: (results: R[]) => void;
  reject: (error: unknown) => void;
}

export class AppendQueue<E, R> {
  private readonly waiting: Waiting<E, R>[] = [];
  private writing = false;

  /** `maxEvents`: at most this many events per write, except a caller's own batch larger than that, written alone. */
  constructor(
    private readonly write: WriteEvents<E, R>,
    private readonly maxEvents: number,
  ) {}

  /** Queues a caller's events; resolves to their results once the write they went out with has succeeded. */
  add(events: readonly E[]): Promise<R[]> {
    return new Promise<R[]>((resolve, reject) => {
      this.waiting.push({ events, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.take();
        try {
          const results = await this.write(batch.flatMap((w) => w.events));
          let offset = 0;
          for (const w of batch) {
            w.resolve(results.slice(offset, offset + w.events.length));
            offset += w.events.length;
          }
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** The callers of the next write: the oldest waiting one, and those after it while the events fit in maxEvents. */
  private take(): Waiting<E, R>[] {
    let count = this.waiting[0]!.events.length;
    let n = 1;
    while (n < this.waiting.length && count + this.waiting[n]!.events.length <= this.maxEvents) count += this.waiting[n++]!.events.length;
    return this.waiting.splice(0, n);
  }
}

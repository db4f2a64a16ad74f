/**
 * Cooperative cancellation for long loops in pure code (search scoring, diffs, imports): `stopPoint()` throws when
 * the work being done is no longer wanted — its request's client left or its time budget is spent — and does
 * nothing otherwise. What "wanted" means is registered once by the server (src/http/cancellation.ts), so this
 * module stays free of I/O and of any request machinery; outside a server nothing is registered and it is a no-op.
 */
export interface StopHooks {
  /** Throws the error to end the current work with, when it was stopped. */
  check(): void;
  /** The abort signal reads may pass to the database driver, when the current work is a read. */
  readSignal(): AbortSignal | undefined;
}

let hooks: StopHooks | null = null;

export function setStopHooks(next: StopHooks | null): void {
  hooks = next;
}

/** Throws when the current work was stopped (cheap: call it once per item of a long loop). */
export function stopPoint(): void {
  hooks?.check();
}

export function readSignal(): AbortSignal | undefined {
  return hooks?.readSignal();
}

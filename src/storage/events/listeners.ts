/** The process-local notification of the change log: listeners called after each append made in this process. */
import type { RegistryEvent } from '../../domain/events.js';
import type { EventListener } from '../types.js';

export class AppendListeners {
  private readonly listeners = new Set<EventListener>();

  add(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Calls every listener; one that throws does not stop the others nor fail the write (the log has the event). */
  emit(event: RegistryEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own: the event is durable and readers re-read the log.
      }
    }
  }
}

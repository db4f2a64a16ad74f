/**
 * Writes logged without an intent (issue 15.2): a validation record is its own commit point and everything its
 * events are derived from is in it (its id, hence its event key `validation:<id>`, its recordedAt, its checks'
 * issues), so the writer sends no intent before it (no insert and delete of `event_intents` per push). A crash
 * between the record and its event is found here instead: the records recorded in a recent time window (a range
 * of the `(recordedAt, _id)` index, paged), whose event keys are looked up in one read per page; a record without
 * its event gets the events the writer would have appended (collect.ts, the same keys: exactly once).
 *
 * The window runs from where the last pass looked (kept per kind in `event_repair_windows`, shared by instances)
 * minus the grace period, to now minus the grace period: a record is left alone while its writer may still be
 * appending, and one recorded just before the last pass's end but committed after it is looked at again. It never
 * reaches back more than half the event retention (an event older than that may have been pruned, and must not be
 * appended again).
 */
import { validationRecordedEvent } from '../../domain/events.js';
import type { EventRepository, StorageBackend } from '../types.js';
import { collectEvents } from './collect.js';
import type { IntentStore } from './intents.js';

const PAGE = 100;
export const VALIDATION_WINDOW = 'validation';

export interface WindowRepairOptions {
  graceMs: number;
  retentionMs: number;
}

/** Appends the missing events of the validation records of the window; returns how many records it completed. */
export async function repairRecentValidations(storage: StorageBackend, log: EventRepository, store: IntentStore, options: WindowRepairOptions): Promise<number> {
  const now = Date.now();
  const to = new Date(now - options.graceMs);
  const last = await store.repairedUpTo(VALIDATION_WINDOW);
  const from = new Date(Math.max((last ?? to).getTime() - options.graceMs, now - options.retentionMs / 2));
  let repaired = 0;
  let after: string | null = null;
  while (from < to) {
    const page = await storage.validations.list({ from, to }, 'asc', { first: PAGE, after });
    const logged = await log.getByKeys(page.items.map((record) => validationRecordedEvent(record).key));
    for (const [i, record] of page.items.entries()) {
      if (logged[i]) continue;
      const where = { op: 'validation' as const, contractId: record.contractId, subjectId: record.id, actor: record.createdBy };
      for (const event of await collectEvents(storage, where, record.recordedAt, { record })) await log.append(event);
      repaired++;
    }
    if (!page.hasNextPage) break;
    after = page.cursors[page.cursors.length - 1] ?? null;
  }
  await store.advanceRepairedUpTo(VALIDATION_WINDOW, to);
  return repaired;
}

/** Time windows of the API: whole UTC days, as the statistics are kept per day. */
import { ValidationError } from '../domain/errors.js';

const DAY_MS = 24 * 60 * 60 * 1000;
export const MAX_STATS_DAYS = 366;

/** The last `days` whole UTC days including today: [start of the first day, start of tomorrow). */
export function lastDays(days: number, now = new Date(), path = 'days'): { from: Date; to: Date } {
  if (!Number.isInteger(days) || days < 1 || days > MAX_STATS_DAYS) {
    throw ValidationError.single(path, `must be a whole number of days from 1 to ${MAX_STATS_DAYS}`, 'invalid_value');
  }
  const tomorrow = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY_MS;
  return { from: new Date(tomorrow - days * DAY_MS), to: new Date(tomorrow) };
}

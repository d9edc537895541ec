import type { Store } from './types.js';

/** Decision events are kept this long by default (AU-11: about 13 months covers an annual audit). */
export const DEFAULT_RETENTION_DAYS = 400;
const DAY = 86_400_000;

/** Deletes events older than `days` before `now`; returns how many were deleted. */
export async function applyRetention(store: Store, now: number, days = DEFAULT_RETENTION_DAYS): Promise<number> {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`retention must be a whole number of days >= 1, got ${days}`);
  return store.deleteEventsBefore(now - days * DAY);
}

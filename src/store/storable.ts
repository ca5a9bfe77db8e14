/**
 * What the store can keep. PostgreSQL refuses dates that do not exist (2026-02-30), year 0 and NUL bytes in
 * text, and an item it refuses must be found invalid before it reaches the store, not turn into a 5xx.
 */

/** The instants accepted anywhere a client gives one (feedback timestamps, report ranges). */
export const EARLIEST_YEAR = 1900;
export const LATEST_YEAR = 2999;

const DATE_PART = /^(\d{4})-(\d{2})-(\d{2})/;

/**
 * Whether the calendar date at the start of `value` (YYYY-MM-DD…) exists and lies in the accepted years.
 * @param value - an ISO 8601 date or date-time
 */
export function isStorableDate(value: string): boolean {
  const match = DATE_PART.exec(value);
  if (!match) {
    return false;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < EARLIEST_YEAR || year > LATEST_YEAR || month < 1 || month > 12 || day < 1) {
    return false;
  }
  // Day 0 of the next month is the last day of this one.
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** PostgreSQL text cannot contain U+0000. */
export function hasNul(value: string): boolean {
  return value.includes('\u0000');
}

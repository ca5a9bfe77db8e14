/**
 * Calendar arithmetic at day granularity. Clinical windows ("within 7 days", "6 months") are counted in
 * calendar days of the date the clinician recorded, not in hours: a temperature taken on 14 November is
 * "7 days ago" on 21 November whatever its time of day or time zone.
 */

/** A calendar day as a count of days since 1970-01-01. */
export type DayNumber = number;

const DAY_MS = 86_400_000;
const FHIR_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/;

/**
 * The calendar day of a FHIR date or dateTime, as written (the local date of a dateTime with offset).
 * Partial dates count from their first day (`2026-11` → 1 November).
 * @returns undefined for anything that is not a FHIR date
 */
export function toDay(value: unknown): DayNumber | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  const match = FHIR_DATE.exec(value);
  if (!match) {
    return undefined;
  }
  const year = Number(match[1]);
  const month = match[2] === undefined ? 1 : Number(match[2]);
  const day = match[3] === undefined ? 1 : Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) {
    return undefined;
  }
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** The calendar day (UTC) of an instant. */
export function dayOf(instant: Date): DayNumber {
  return Math.floor(instant.getTime() / DAY_MS);
}

/** ISO date (YYYY-MM-DD) of a day number. */
export function isoDay(day: DayNumber): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The same calendar day `months` months earlier (clamped to the month's last day). */
export function monthsBefore(day: DayNumber, months: number): DayNumber {
  const date = new Date(day * DAY_MS);
  const target = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return Math.floor(target.getTime() / DAY_MS);
}

/** Whole years between a birth day and another day (the age on that day). */
export function yearsBetween(birth: DayNumber, on: DayNumber): number {
  const b = new Date(birth * DAY_MS);
  const d = new Date(on * DAY_MS);
  let years = d.getUTCFullYear() - b.getUTCFullYear();
  if (d.getUTCMonth() < b.getUTCMonth() || (d.getUTCMonth() === b.getUTCMonth() && d.getUTCDate() < b.getUTCDate())) {
    years--;
  }
  return years;
}

/** A look-back window in days or calendar months, as rule files express it. */
export interface Window {
  readonly days?: number;
  readonly months?: number;
}

/** The first day inside the window that ends on `today` (inclusive): 7 days → today−7 … today. */
export function windowStart(today: DayNumber, window: Window): DayNumber {
  if (window.months !== undefined) {
    return monthsBefore(today, window.months);
  }
  return today - (window.days ?? 0);
}

/**
 * True when `day` lies within the window ending today. A day up to one day in the future counts as today:
 * clocks and time zones of EHRs differ, and a just-recorded finding must not be missed.
 */
export function isWithin(day: DayNumber | undefined, today: DayNumber, window: Window): boolean {
  return day !== undefined && day >= windowStart(today, window) && day <= today + 1;
}

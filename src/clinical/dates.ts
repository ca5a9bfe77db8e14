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

const formatters = new Map<string, Intl.DateTimeFormat>();

/** True when the name is a time zone this runtime knows (`Europe/Amsterdam`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The calendar day of an instant in a time zone: 23:30 UTC on 14 November is 15 November in Amsterdam. */
export function localDayOf(instant: Date, timeZone: string): DayNumber {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, format);
  }
  let year = 0;
  let month = 0;
  let day = 0;
  for (const part of format.formatToParts(instant)) {
    if (part.type === 'year') {
      year = Number(part.value);
    } else if (part.type === 'month') {
      month = Number(part.value);
    } else if (part.type === 'day') {
      day = Number(part.value);
    }
  }
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** The days a FHIR date may mean: one day, or every day of a partial date's month or year. */
export interface DaySpan {
  readonly first: DayNumber;
  readonly last: DayNumber;
}

const FHIR_DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:\d{2})?)?)?)?$/;
/** Day-month-year as Dutch and Belgian systems write it in free-text dates (`14-11-2026`, `14/11/2026`). */
const DUTCH_DATE = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/;

const utcDay = (year: number, month: number, day: number): DayNumber =>
  Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
const lastOfMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * The days a FHIR date, dateTime or instant may mean, in the EHR's local time zone (docs/clinical-specification.md
 * RW-04): a dateTime with an offset is moved to that zone's calendar day, one without is taken as written;
 * `2026` spans the whole year and `2026-11` the whole month. Also reads day-month-year (`14-11-2026`), as
 * written in `onsetString`.
 * @returns undefined for anything that is not a date
 */
export function toDaySpan(value: unknown, timeZone: string): DaySpan | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  const text = value.trim();
  const dutch = DUTCH_DATE.exec(text);
  if (dutch) {
    const [day, month, year] = [Number(dutch[1]), Number(dutch[2]), Number(dutch[3])];
    if (month < 1 || month > 12 || day < 1 || day > lastOfMonth(year, month)) {
      return undefined;
    }
    const only = utcDay(year, month, day);
    return { first: only, last: only };
  }
  const match = FHIR_DATE_TIME.exec(text);
  if (!match) {
    return undefined;
  }
  const year = Number(match[1]);
  if (match[2] === undefined) {
    return { first: utcDay(year, 1, 1), last: utcDay(year, 12, 31) };
  }
  const month = Number(match[2]);
  if (month < 1 || month > 12) {
    return undefined;
  }
  if (match[3] === undefined) {
    return { first: utcDay(year, month, 1), last: utcDay(year, month, lastOfMonth(year, month)) };
  }
  const day = Number(match[3]);
  if (day < 1 || day > lastOfMonth(year, month)) {
    return undefined;
  }
  if (match[4] !== undefined && match[5] !== undefined) {
    const instant = new Date(text);
    if (!Number.isNaN(instant.getTime())) {
      const local = localDayOf(instant, timeZone);
      return { first: local, last: local };
    }
  }
  const only = utcDay(year, month, day);
  return { first: only, last: only };
}

/**
 * The day of a span nearest to `today`: a partial date that may lie inside a window ending today counts
 * inside it (safety first: "2026-11" may be last week).
 */
export function nearestDay(span: DaySpan | undefined, today: DayNumber): DayNumber | undefined {
  return span === undefined ? undefined : Math.min(Math.max(today, span.first), span.last);
}

/** isoDay's answers: every finding and card date goes through it, and a record has few distinct days. */
const isoDays = new Map<DayNumber, string>();

/** ISO date (YYYY-MM-DD) of a day number. */
export function isoDay(day: DayNumber): string {
  let iso = isoDays.get(day);
  if (iso === undefined) {
    iso = new Date(day * DAY_MS).toISOString().slice(0, 10);
    // Bounded: days beyond the ones records commonly name are recomputed.
    if (isoDays.size < 100_000) {
      isoDays.set(day, iso);
    }
  }
  return iso;
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

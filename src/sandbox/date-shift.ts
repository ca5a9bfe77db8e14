import { tryGetDataType } from '@medplum/core';
import type { InternalTypeSchema } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { ensureFhirDefinitionsIndexed } from './fhir-definitions';

/**
 * Moves the sample patients' dates to today. Every clinical date in fhir-resources/sample-patients is written
 * relative to `Bundle.timestamp` (the reference date), so "temperature two days ago" must stay two days ago on
 * whatever day the server starts (fhir-resources/sample-patients/README.md, "Reference date").
 *
 * The rule, precisely:
 * - **Which values.** Every value whose FHIR type is `date`, `dateTime` or `instant` according to the R4
 *   StructureDefinitions, found by walking the resource with its type: plain elements (`birthDate`,
 *   `recordedDate`, `authoredOn`, `issued`, `meta.lastUpdated`, `Bundle.timestamp`), choice elements by their
 *   suffix (`onsetDateTime`, `effectiveDateTime`, `valueDateTime` of an extension), inside complex types
 *   (`Period.start`/`end`, `Annotation.time`, `Timing.event`), backbone elements, contained resources, Bundle
 *   entries, and extensions of primitives (`_birthDate.extension`). Nothing else is touched, however much it
 *   looks like a date: codes, systems, urls, references, ids, identifier values, strings and narrative keep
 *   their text, because their type is not a date type. Elements unknown to R4 are left alone.
 * - **Which text.** The value must match the FHIR dateTime pattern (which includes the date and instant
 *   patterns) and name a real calendar day; anything else is left as it is.
 * - **How far.** By `days` whole calendar days. A full date moves its calendar date; the time of day and the
 *   UTC offset (or `Z`) of a dateTime/instant are kept as written, so the instant moves by exactly
 *   `days` × 24 h.
 * - **Partial dates** (`YYYY`, `YYYY-MM`) keep their precision: the first day of the year (month) is moved by
 *   `days`, and the result is the year (month) whose first day is nearest to it (a tie goes to the later
 *   one). So `2026-11` becomes `2026-12` from +15 days and `2026-10` from −16 days, and `2016` changes year from
 *   ±183 days. Readers of partial dates (the clinical rules, `calculateAge`) count from the first
 *   day, so the interval they compute drifts by at most half a month (year), never a whole one.
 */

const DAY_MS = 86_400_000;
const DATE_TYPES: ReadonlySet<string> = new Set(['date', 'dateTime', 'instant']);
/** The FHIR R4 dateTime pattern (date and instant are subsets), with the parts captured. */
const FHIR_DATE_TIME =
  /^(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01])(T(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$/;

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The UTC calendar day of an instant, as days since 1970-01-01. */
function utcDay(epochMs: number): number {
  return Math.floor(epochMs / DAY_MS);
}

/**
 * Whole calendar days (UTC) from the reference instant to now: the shift that keeps "n days ago" true.
 * @param reference - the Bundle's `timestamp` (an instant)
 * @param now - the server's today
 * @returns now's UTC day minus the reference's UTC day
 */
export function calendarDaysBetween(reference: Date, now: Date): number {
  return utcDay(now.getTime()) - utcDay(reference.getTime());
}

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/** The start of the year or month (UTC ms) nearest to `target`; ties go to the later one. */
function nearestPeriodStart(target: number, unit: 'year' | 'month'): Date {
  const at = new Date(target);
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  const [earlier, later] =
    unit === 'year'
      ? [Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1)]
      : [Date.UTC(year, month, 1), Date.UTC(year, month + 1, 1)];
  return new Date(target - earlier < later - target ? earlier : later);
}

/**
 * Shifts one FHIR date, dateTime or instant by whole days (see the rule above).
 * @param value - the text of the value
 * @param days - calendar days to add (negative moves back)
 * @returns the shifted text, or `value` itself when it is not a valid FHIR date/dateTime/instant
 */
export function shiftDateValue(value: string, days: number): string {
  const match = FHIR_DATE_TIME.exec(value);
  if (!match || days === 0) {
    return value;
  }
  const [, yearText, monthText, dayText, time] = match;
  const year = Number(yearText);
  if (year < 1) {
    return value;
  }
  if (monthText === undefined) {
    const shifted = nearestPeriodStart(Date.UTC(year, 0, 1) + days * DAY_MS, 'year');
    return inRange(shifted) ? pad(shifted.getUTCFullYear(), 4) : value;
  }
  const month = Number(monthText);
  if (dayText === undefined) {
    const shifted = nearestPeriodStart(Date.UTC(year, month - 1, 1) + days * DAY_MS, 'month');
    return inRange(shifted) ? `${pad(shifted.getUTCFullYear(), 4)}-${pad(shifted.getUTCMonth() + 1, 2)}` : value;
  }
  const day = Number(dayText);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1) {
    return value; // 31 April and the like: not a calendar day
  }
  const shifted = new Date(date.getTime() + days * DAY_MS);
  if (!inRange(shifted)) {
    return value;
  }
  const text = `${pad(shifted.getUTCFullYear(), 4)}-${pad(shifted.getUTCMonth() + 1, 2)}-${pad(shifted.getUTCDate(), 2)}`;
  return text + (time ?? '');
}

function inRange(date: Date): boolean {
  const year = date.getUTCFullYear();
  return year >= 1 && year <= 9999;
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** The FHIR type of `key` inside an element of `schema`, or undefined when R4 does not define it. */
function childType(schema: InternalTypeSchema, key: string): string | undefined {
  if (key.startsWith('_')) {
    // The id and extensions of a primitive (`_birthDate`): an Element.
    return 'Element';
  }
  const element = schema.elements[key];
  if (element) {
    return element.type.length === 1 ? element.type[0]?.code : undefined;
  }
  for (const [name, choice] of Object.entries(schema.elements)) {
    if (name.endsWith('[x]')) {
      const prefix = name.slice(0, -3);
      if (key.startsWith(prefix)) {
        const suffix = key.slice(prefix.length);
        const type = choice.type.find((candidate) => capitalize(candidate.code) === suffix);
        if (type) {
          return type.code;
        }
      }
    }
  }
  return undefined;
}

function shiftNode(value: unknown, type: string | undefined, days: number): unknown {
  if (Array.isArray(value)) {
    return value.map((item: unknown) => shiftNode(item, type, days));
  }
  if (type !== undefined && DATE_TYPES.has(type)) {
    return typeof value === 'string' ? shiftDateValue(value, days) : value;
  }
  if (!isObject(value)) {
    return value;
  }
  const schemaName = type === undefined || type === 'Resource' || type === 'DomainResource' ? value.resourceType : type;
  const schema = typeof schemaName === 'string' ? tryGetDataType(schemaName) : undefined;
  const result: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    result[key] = schema ? shiftNode(child, childType(schema, key), days) : structuredClone(child);
  }
  return result;
}

/**
 * Returns a copy of a resource (a Bundle with its entries included) with every date, dateTime and instant
 * moved by `days` calendar days; the input is not changed.
 * @param resource - any FHIR R4 resource
 * @param days - calendar days to add (0 returns an unchanged copy)
 */
export function shiftResourceDates<T extends Resource>(resource: T, days: number): T {
  ensureFhirDefinitionsIndexed();
  return shiftNode(resource, resource.resourceType, days) as T;
}

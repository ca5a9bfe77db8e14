import type { Resource } from '@medplum/fhirtypes';
import type { DayNumber } from '../dates';
import { isoDay } from '../dates';
import type { RecordDates } from '../record-dates';
import type { Coder, Json } from './codes';
import { refOf } from './codes';
import type { DataNote, RecordText } from './types';

/**
 * What every resource reader of record/ shares: the coder and the record's calendar, the shape of one resource's
 * reading, and the rule that one unreadable resource costs that resource only.
 */

/** What the readers need to know about the record as a whole. */
export interface ReadContext {
  readonly coder: Coder;
  readonly dates: RecordDates;
  readonly today: DayNumber;
  readonly birthDay?: DayNumber;
}

/** One resource, read: its item, its free texts and the data-quality notes it raised. */
export interface Reading<T> {
  readonly item: T;
  readonly texts: readonly RecordText[];
  readonly notes: readonly DataNote[];
}

/**
 * Reads each resource alone. One that cannot be read (a field of the wrong type that a reader did not expect)
 * is left out and reported as data not obtained, like a search that failed, so the GP loses that resource and
 * not the answer. A reader returns undefined for a resource that does not count (entered in error).
 * @param resources - the resources of one kind
 * @param read - reads one resource; may throw on malformed data
 * @param unreadable - receives one note per resource that could not be read
 */
export function readEach<R extends Resource, Read extends Reading<unknown>>(
  resources: readonly R[],
  read: (resource: R) => Read | undefined,
  unreadable: DataNote[]
): Read[] {
  const readings: Read[] = [];
  for (const resource of resources) {
    let reading: Read | undefined;
    try {
      reading = read(resource);
    } catch {
      // Said like a gathering problem, and by its type only: the card counts what could not be read.
      unreadable.push({
        code: 'data-not-obtained',
        detail: { issue: 'unreadable', resourceType: resource.resourceType },
      });
      continue;
    }
    if (reading) {
      readings.push(reading);
    }
  }
  return readings;
}

/**
 * The free texts of a resource, dated by the resource's day unless a text has its own time (a note's
 * Annotation.time), read in the EHR's local day like every other date.
 */
export function textsOf(
  resource: Resource,
  fields: readonly (readonly [string, string | undefined, string?])[],
  resourceDay: DayNumber | undefined,
  current: boolean,
  dates: RecordDates
): RecordText[] {
  const reference = refOf(resource);
  return fields
    .filter(
      (entry): entry is readonly [string, string, string?] => typeof entry[1] === 'string' && entry[1].trim() !== ''
    )
    .map(([field, text, time]) => {
      const day = (time === undefined ? undefined : dates.day(time)) ?? resourceDay;
      const date = day === undefined ? undefined : isoDay(day);
      return { source: { reference, field, text, ...(date ? { date } : {}) }, day, current };
    });
}

/** The resource as plain JSON, for readers of fields whose type real data does not keep to. */
export const asJson = (resource: Resource): Json => resource as unknown as Json;

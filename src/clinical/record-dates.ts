import type { Condition, Observation } from '@medplum/fhirtypes';
import type { DaySpan, DayNumber } from './dates';
import { monthsBefore, nearestDay, toDaySpan } from './dates';

/**
 * The days of a record's clinical dates, read in the EHR's local time zone (docs/clinical-specification.md RW-04).
 * A partial date is a span of days; which day of it counts depends on what is asked, always safety first:
 * for "when" the day nearest today (so a date that may lie inside a recent window counts inside), for the
 * end of a problem the last possible day (not over until it surely is), for the start of a use the first.
 */
export class RecordDates {
  constructor(
    readonly today: DayNumber,
    private readonly timeZone: string
  ) {}

  span(value: unknown): DaySpan | undefined {
    return toDaySpan(value, this.timeZone);
  }

  /** The day of the date nearest today. */
  day(value: unknown): DayNumber | undefined {
    return nearestDay(this.span(value), this.today);
  }

  first(value: unknown): DayNumber | undefined {
    return this.span(value)?.first;
  }

  last(value: unknown): DayNumber | undefined {
    return this.span(value)?.last;
  }

  /** The day of a period nearest today: a measurement over several days counts on each of them. */
  periodDay(period: { start?: string; end?: string } | undefined): DayNumber | undefined {
    const start = this.span(period?.start);
    const end = this.span(period?.end);
    const first = start?.first ?? end?.first;
    const last = end?.last ?? start?.last;
    return first === undefined || last === undefined ? undefined : nearestDay({ first, last }, this.today);
  }

  /** effectiveDateTime, effectivePeriod, effectiveInstant, and `issued` when none is given. */
  effectiveDay(observation: Observation): DayNumber | undefined {
    return (
      this.day(observation.effectiveDateTime) ??
      this.periodDay(observation.effectivePeriod) ??
      this.day(observation.effectiveInstant) ??
      this.day(observation.issued)
    );
  }

  /** onsetDateTime, onsetPeriod, onsetAge (with the birth date), or a date written in onsetString. */
  onsetDay(condition: Condition, birthDay: DayNumber | undefined): DayNumber | undefined {
    return (
      this.day(condition.onsetDateTime) ??
      this.periodDay(condition.onsetPeriod) ??
      this.ageDay(condition.onsetAge, birthDay) ??
      this.day(condition.onsetString)
    );
  }

  /** The last day a problem may have lasted: a partial abatement date ends with its month or year. */
  abatementDay(condition: Condition): DayNumber | undefined {
    return (
      this.last(condition.abatementDateTime) ??
      this.last(condition.abatementPeriod?.end ?? condition.abatementPeriod?.start)
    );
  }

  /** The span of days an age denotes (45 years: from the 45th birthday to the day before the 46th), nearest today. */
  private ageDay(age: Condition['onsetAge'], birthDay: DayNumber | undefined): DayNumber | undefined {
    const unit = AGE_UNITS[age?.code ?? age?.unit ?? ''];
    if (typeof age?.value !== 'number' || !(age.value >= 0) || unit === undefined || birthDay === undefined) {
      return undefined;
    }
    if (unit === 'd' || unit === 'wk') {
      const days = unit === 'd' ? 1 : 7;
      const first = birthDay + Math.floor(age.value * days);
      return nearestDay({ first, last: first + days - 1 }, this.today);
    }
    const months = unit === 'a' ? 12 : 1;
    const from = Math.floor(age.value * months);
    return nearestDay({ first: addMonths(birthDay, from), last: addMonths(birthDay, from + months) - 1 }, this.today);
  }
}

/** The same calendar day `months` months later (clamped to the month's last day). */
function addMonths(day: DayNumber, months: number): DayNumber {
  return monthsBefore(day, -months);
}

/** UCUM age units (and the words systems print) as the unit they denote. */
const AGE_UNITS: Readonly<Record<string, 'a' | 'mo' | 'wk' | 'd'>> = {
  a: 'a',
  year: 'a',
  years: 'a',
  jaar: 'a',
  mo: 'mo',
  month: 'mo',
  months: 'mo',
  maanden: 'mo',
  wk: 'wk',
  week: 'wk',
  weeks: 'wk',
  weken: 'wk',
  d: 'd',
  day: 'd',
  days: 'd',
  dagen: 'd',
};

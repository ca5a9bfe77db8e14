import type { Condition } from '@medplum/fhirtypes';
import { noteTexts } from '../text/record-texts';
import type { Coder } from './codes';
import { conceptKeys, displayOf, hasUsableCode, refOf, statusCode } from './codes';
import type { ConditionItem, DataNote } from './types';
import type { ReadContext, Reading } from './reading';
import { asJson, readEach, textsOf } from './reading';
import type { RecordDates } from '../record-dates';
import type { DayNumber } from '../dates';

/**
 * Conditions (docs/clinical-specification.md §2): entered-in-error and refuted ones are gone, unconfirmed ones
 * are suspected, a missing clinicalStatus counts as current, and of two records of one concept in one episode
 * that disagree the later one wins (RW-07).
 */

const SUSPECTED = new Set(['unconfirmed', 'provisional', 'differential']);
const CURRENT_STATUS = new Set(['active', 'recurrence', 'relapse']);

/** A Condition read alone, with the concepts it names, for comparing it with the others. */
interface ConditionReading extends Reading<ConditionItem> {
  readonly concepts: readonly string[];
}

function conditionItem(condition: Condition, coder: Coder, dates: RecordDates, birthDay?: DayNumber): ConditionItem {
  const status = statusCode(condition.clinicalStatus);
  const abatementDay = dates.abatementDay(condition);
  const abated = abatementDay !== undefined && abatementDay <= dates.today;
  const onsetDay = dates.onsetDay(condition, birthDay);
  const recordedDay = dates.day(condition.recordedDate);
  const valueSets = coder.valueSets(condition.code);
  return {
    reference: refOf(condition),
    display: displayOf(condition.code),
    valueSets,
    recognised: valueSets.size > 0,
    suspected: SUSPECTED.has(statusCode(condition.verificationStatus) ?? ''),
    // A missing clinicalStatus counts as current (safety-first): only an explicit status or a past abatement ends it.
    current: (status === undefined || CURRENT_STATUS.has(status)) && !abated,
    onsetDay,
    recordedDay,
    day: onsetDay ?? recordedDay,
    onsetUncertain: onsetDay === undefined,
    abatementDay,
  };
}

function readCondition(condition: Condition, context: ReadContext): ConditionReading | undefined {
  const verification = statusCode(condition.verificationStatus);
  if (verification === 'entered-in-error' || verification === 'refuted') {
    return undefined;
  }
  const item = conditionItem(condition, context.coder, context.dates, context.birthDay);
  const notes: DataNote[] = hasUsableCode(condition.code)
    ? []
    : [{ code: 'unreadable-code', reference: item.reference, detail: { issue: 'no-usable-code' } }];
  const fields = [['code.text', condition.code?.text] as const, ...noteTexts(asJson(condition))];
  const texts = textsOf(condition, fields, item.day, item.current, context.dates);
  return { item, texts, notes, concepts: conceptKeys(condition.code) };
}

/**
 * The latest clinical date of a record (RW-07): abatement, recorded date or onset. Never `meta.lastUpdated`:
 * migrations and bulk edits touch it without saying anything about the patient.
 */
function clinicalDay(item: ConditionItem): number | undefined {
  const days = [item.abatementDay, item.recordedDay, item.onsetDay].filter((day): day is number => day !== undefined);
  return days.length === 0 ? undefined : Math.max(...days);
}

/**
 * Two records of one concept describe different episodes when the ended one ended (abatement, else the day
 * its status was recorded) before the current one began, or began before it: a back pain that resolved in
 * 2019 does not contradict a new one in 2026, and an earlier episode never ends a later one.
 */
function separateEpisodes(ended: ConditionItem, current: ConditionItem): boolean {
  const end = ended.abatementDay ?? ended.recordedDay;
  const start = current.onsetDay ?? current.recordedDay;
  if (end !== undefined && start !== undefined && end < start) {
    return true;
  }
  return ended.onsetDay !== undefined && current.onsetDay !== undefined && ended.onsetDay < current.onsetDay;
}

interface Contradictions {
  /** Records another record of the same episode shows to be out of date. */
  readonly dropped: ReadonlySet<number>;
  /** Current records contradicted by an ended one whose dates do not show which is later. */
  readonly unclear: ReadonlySet<number>;
}

/**
 * Resolves records of the same concept (same system and code) in the same episode that disagree on whether it
 * is current (RW-07): the one whose clinical dates are later wins; when the dates cannot tell, the current one
 * stays (labelled "status unclear"), so a red flag is never removed on a guess. It compares readings only, never
 * the raw resources, so a malformed one cannot stop it.
 */
function findContradictions(readings: readonly ConditionReading[]): Contradictions {
  const byConcept = new Map<string, number[]>();
  readings.forEach((reading, index) => {
    for (const key of reading.concepts) {
      const indexes = byConcept.get(key);
      if (indexes) {
        indexes.push(index);
      } else {
        byConcept.set(key, [index]);
      }
    }
  });
  const itemAt = (index: number) => (readings[index] as ConditionReading).item;
  const dropped = new Set<number>();
  const unclear = new Set<number>();
  for (const indexes of byConcept.values()) {
    // Only a current and an ended record can contradict each other: a record with 10,000 active Conditions of one
    // code compares nothing, instead of every pair.
    const currents = indexes.filter((index) => itemAt(index).current);
    const endeds = currents.length === 0 ? [] : indexes.filter((index) => !itemAt(index).current);
    for (const i of currents) {
      for (const j of endeds) {
        const current = itemAt(i);
        const ended = itemAt(j);
        if (separateEpisodes(ended, current)) {
          continue;
        }
        const currentDay = clinicalDay(current);
        const endedDay = clinicalDay(ended);
        if (currentDay === undefined || endedDay === undefined || currentDay === endedDay) {
          unclear.add(i);
        } else {
          dropped.add(endedDay > currentDay ? i : j);
        }
      }
    }
  }
  for (const index of dropped) {
    unclear.delete(index);
  }
  return { dropped, unclear };
}

/**
 * The Conditions of the record, each read alone, less those another record shows to be out of date.
 * @param conditions - every Condition of the gathered record
 * @param context - coder and calendar
 * @param unreadable - receives a note per Condition that could not be read
 */
export function readConditions(
  conditions: readonly Condition[],
  context: ReadContext,
  unreadable: DataNote[]
): Reading<ConditionItem>[] {
  const readings = readEach(conditions, (condition) => readCondition(condition, context), unreadable);
  const { dropped, unclear } = findContradictions(readings);
  return readings
    .map((reading, index) =>
      unclear.has(index) ? { ...reading, item: { ...reading.item, statusUnclear: true } } : reading
    )
    .filter((_reading, index) => !dropped.has(index));
}

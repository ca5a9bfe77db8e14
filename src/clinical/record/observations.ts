import type { CodeableConcept, Observation, ObservationComponent } from '@medplum/fhirtypes';
import type { DayNumber } from '../dates';
import { isoDay } from '../dates';
import { noteTexts } from '../text/record-texts';
import { observationValue } from '../values';
import { codings, displayOf, hasUsableCode, isEnteredInError, objects, refOf } from './codes';
import type { ReadContext, Reading } from './reading';
import { asJson, textsOf } from './reading';
import type { DataNote, ObservationItem, ObservationMeasurement } from './types';

/**
 * Observations: quantities in °C, kg and mmHg whatever unit they were recorded in, a panel's components read like
 * values of their own (RW-03), and a vital sign under a code the rules do not know named rather than ignored.
 */

/** The value of an Observation or of one of its components, read the same way (RW-03). */
function measurement(
  code: CodeableConcept | undefined,
  valueSets: ReadonlySet<string>,
  value: Pick<Observation, 'valueQuantity' | 'valueString' | 'valueInteger'>
): ObservationMeasurement {
  const quantity = observationValue(value);
  return {
    display: displayOf(code),
    valueSets,
    celsius: quantity?.celsius,
    kg: quantity?.kg,
    mmHg: quantity?.mmHg,
    number: quantity?.value ?? (typeof value.valueInteger === 'number' ? value.valueInteger : undefined),
    quantity: quantity
      ? {
          value: quantity.value,
          unit: quantity.unit,
          ...(quantity.comparator ? { comparator: quantity.comparator } : {}),
        }
      : undefined,
  };
}

/** A measurement the rules could not place: its code, words and value, for the GP to find it in the chart. */
function notUnderstood(
  concept: CodeableConcept | undefined,
  item: ObservationMeasurement,
  reference: string,
  day: DayNumber | undefined
): DataNote {
  const code = codings(concept).find((c) => c.code)?.code;
  return {
    code: 'measurement-not-understood',
    reference,
    detail: { issue: 'measurement-not-understood', ...(code ? { code } : {}) },
    ...(item.display ? { text: item.display } : {}),
    ...(item.quantity ? { value: `${item.quantity.value} ${item.quantity.unit}`.trim() } : {}),
    ...(day === undefined ? {} : { date: isoDay(day) }),
  };
}

/** The notes of an Observation: a code nothing can be attributed to, or a vital sign under a local code. */
function notesOfObservation(observation: Observation, item: ObservationItem): DataNote[] {
  if (!hasUsableCode(observation.code)) {
    // Its value cannot be attributed to anything (a temperature? a weight?), so the GP is told it was ignored.
    return [{ code: 'unreadable-code', reference: item.reference, detail: { issue: 'no-usable-code' } }];
  }
  // A vital sign under a local code (SC-06, RW-02), as the Observation's value or a panel component: present but
  // not understood, so it is named, not ignored.
  const measured = [observation, ...objects<ObservationComponent>(observation.component)];
  return [item, ...item.components].flatMap((value, k) =>
    value.valueSets.size === 0 && (value.celsius !== undefined || value.kg !== undefined)
      ? [notUnderstood(measured[k]?.code, value, item.reference, item.day)]
      : []
  );
}

/**
 * One Observation; undefined when it does not count (entered in error, cancelled).
 * @param observation - as gathered
 * @param context - coder and calendar
 */
export function readObservation(observation: Observation, context: ReadContext): Reading<ObservationItem> | undefined {
  if (isEnteredInError(observation.status) || observation.status === 'cancelled') {
    return undefined;
  }
  const { coder, dates } = context;
  const components = objects<ObservationComponent>(observation.component).map((component) =>
    measurement(component.code, coder.valueSets(component.code), component)
  );
  const item: ObservationItem = {
    reference: refOf(observation),
    suspected: false,
    day: dates.effectiveDay(observation),
    ...measurement(observation.code, coder.valueSets(observation.code, observation.valueCodeableConcept), observation),
    components,
  };
  const fields = [['valueString', observation.valueString] as const, ...noteTexts(asJson(observation))];
  return {
    item,
    notes: notesOfObservation(observation, item),
    texts: textsOf(observation, fields, item.day, true, dates),
  };
}

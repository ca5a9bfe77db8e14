import { z } from 'zod';
import { isoDay, isWithin } from '../dates';
import type { Evidence } from '../finding';
import type { ObservationItem } from '../record';
import { measurementsOf } from '../record';
import type { FactDefinition } from './context';
import { inRange, outOfRange, rangeSchema, round2, unreadableUnits, valueSetId, windowSchema } from './context';

/**
 * Measured vital signs within a look-back window. Only dated measurements count here: a temperature
 * without a date says nothing about the last 7 days. Units were converted to °C and mmHg when the record
 * was read; a unit that was not understood, and a value outside the plausible range (a typing error or a
 * room temperature), is a data-quality note, never a value (RW-03).
 */

const temperatureParams = z.strictObject({
  valueSet: valueSetId,
  within: windowSchema,
  /** Body temperatures outside this range (°C) are not physiological: reported, never used. */
  plausibleCelsius: rangeSchema,
});

export interface TemperatureFact {
  /**
   * Highest temperature in the window, in °C, rounded to 0.01. A value known only as "> v" counts as
   * v + 0.01 (it is certainly above v); "≥ v" as v; "< v" and "≤ v" give no value (not certainly above anything).
   */
  readonly maxCelsius?: number;
  /** Number of temperatures in the window (DQ-01: none measured), bounds included. */
  readonly count: number;
  readonly evidence: readonly Evidence[];
  /** Temperatures in the window whose unit was not understood (DQ-01). */
  readonly unreadableCount: number;
  readonly unreadable: readonly Evidence[];
  /** Temperatures in the window outside the plausible range (DQ-01). */
  readonly implausibleCount: number;
  readonly implausible: readonly Evidence[];
}

/** The smallest step a rounded temperature keeps: "> 38" is at least 38.01 for a rule that asks "> 38.0". */
const STEP = 0.01;

/** The value a measurement certainly reaches, or undefined when it is only an upper bound. */
function certainCelsius(item: ObservationItem & { celsius: number }): number | undefined {
  switch (item.quantity?.comparator) {
    case '<':
    case '<=':
      return undefined;
    case '>':
      return item.celsius + STEP;
    case '>=':
    case undefined:
      return item.celsius;
  }
}

/** `temperature` (RF-03): the highest body temperature within the window. */
export const temperature: FactDefinition<z.infer<typeof temperatureParams>> = {
  id: 'temperature',
  params: temperatureParams,
  references: (params) => ({ valueSets: [params.valueSet] }),
  compute: (params, context): TemperatureFact => {
    const { record } = context;
    const url = context.knowledge.valueSetUrl(params.valueSet);
    // A temperature is the value of its own Observation or a component of a vital-signs panel.
    const inWindow = record.observations
      .flatMap(measurementsOf)
      .filter((item) => item.valueSets.has(url) && isWithin(item.day, record.today, params.within));
    // A number without a unit in a temperature field is read as °C when it is plausible as °C ("38,5").
    const celsiusOf = (item: ObservationItem) =>
      item.celsius ??
      (item.quantity?.unit === '' && inRange(item.quantity.value, params.plausibleCelsius)
        ? item.quantity.value
        : undefined);
    const unreadable = unreadableUnits(inWindow, celsiusOf, 'temperature');
    const read = inWindow
      .map((item) => ({ ...item, celsius: celsiusOf(item) }))
      .filter((item): item is ObservationItem & { celsius: number; day: number } => item.celsius !== undefined);
    const implausible = outOfRange(read, (item) => item.celsius, params.plausibleCelsius, '°C', 'temperature');
    const measured = read.filter((item) => inRange(item.celsius, params.plausibleCelsius));
    const counts = {
      count: measured.length,
      unreadableCount: unreadable.length,
      unreadable,
      implausibleCount: implausible.length,
      implausible,
    };
    const valued = measured
      .map((item) => ({ item, celsius: certainCelsius(item) }))
      .filter((entry): entry is { item: (typeof measured)[number]; celsius: number } => entry.celsius !== undefined);
    if (valued.length === 0) {
      return { ...counts, evidence: [] };
    }
    const highest = valued.reduce((max, entry) => (entry.celsius > max.celsius ? entry : max));
    const recorded = highest.item.quantity;
    const bound = recorded?.comparator ? `${recorded.comparator} ` : '';
    // A value recorded without a unit is read as °C when plausible; the card says the unit was assumed.
    const unitAssumed = recorded !== undefined && !recorded.unit;
    const asRecorded =
      recorded && recorded.unit && !/^(cel|°c)$/i.test(recorded.unit)
        ? ` (${bound}${recorded.value} ${recorded.unit})`
        : '';
    return {
      ...counts,
      maxCelsius: round2(highest.celsius),
      evidence: [
        {
          kind: 'temperature',
          reference: highest.item.reference,
          value: `${bound}${round2(highest.item.celsius).toFixed(1)} °C${asRecorded}`,
          date: isoDay(highest.item.day),
          ...(unitAssumed ? { unitAssumed } : {}),
        },
      ],
    };
  },
};

const bloodPressureParams = z.strictObject({
  systolicValueSet: valueSetId,
  diastolicValueSet: valueSetId,
  within: windowSchema,
});

export interface BloodPressureFact {
  readonly systolic?: number;
  readonly diastolic?: number;
  readonly evidence: readonly Evidence[];
  /** Pressures in the window whose unit was not understood (DQ-01). */
  readonly unreadableCount: number;
  readonly unreadable: readonly Evidence[];
}

/**
 * `bloodPressure` (CL-01): the latest blood pressure within the window, from single systolic/diastolic
 * Observations or the components of a panel. Several readings on the latest day: the highest counts.
 */
export const bloodPressure: FactDefinition<z.infer<typeof bloodPressureParams>> = {
  id: 'bloodPressure',
  params: bloodPressureParams,
  references: (params) => ({ valueSets: [params.systolicValueSet, params.diastolicValueSet] }),
  compute: (params, context): BloodPressureFact => {
    const { record, knowledge } = context;
    const systolicUrl = knowledge.valueSetUrl(params.systolicValueSet);
    const diastolicUrl = knowledge.valueSetUrl(params.diastolicValueSet);
    const pressure = (item: ObservationItem, url: string): number | undefined =>
      item.valueSets.has(url) && item.mmHg !== undefined
        ? item.mmHg
        : item.components.find((component) => component.valueSets.has(url) && component.mmHg !== undefined)?.mmHg;
    const inWindow = record.observations.filter((item): item is ObservationItem & { day: number } =>
      isWithin(item.day, record.today, params.within)
    );
    const unreadable = unreadableUnits(
      inWindow.filter((item) => item.valueSets.has(systolicUrl) || item.valueSets.has(diastolicUrl)),
      (item) => item.mmHg,
      'blood-pressure'
    );
    const readings = inWindow
      .map((item) => ({ item, systolic: pressure(item, systolicUrl), diastolic: pressure(item, diastolicUrl) }))
      .filter((reading) => reading.systolic !== undefined || reading.diastolic !== undefined);
    if (readings.length === 0) {
      return { evidence: [], unreadableCount: unreadable.length, unreadable };
    }
    const latestDay = Math.max(...readings.map((reading) => reading.item.day));
    const latest = readings.filter((reading) => reading.item.day === latestDay);
    const max = (values: (number | undefined)[]) => {
      const known = values.filter((value): value is number => value !== undefined);
      return known.length > 0 ? Math.max(...known) : undefined;
    };
    const systolic = max(latest.map((reading) => reading.systolic));
    const diastolic = max(latest.map((reading) => reading.diastolic));
    return {
      ...(systolic === undefined ? {} : { systolic }),
      ...(diastolic === undefined ? {} : { diastolic }),
      unreadableCount: unreadable.length,
      unreadable,
      evidence: latest.map((reading) => ({
        kind: 'blood-pressure' as const,
        reference: reading.item.reference,
        value: `${reading.systolic ?? '?'}/${reading.diastolic ?? '?'} mmHg`,
        date: isoDay(latestDay),
      })),
    };
  },
};

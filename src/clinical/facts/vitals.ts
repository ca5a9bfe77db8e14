import { z } from 'zod';
import { isoDay, isWithin } from '../dates';
import type { Evidence } from '../finding';
import type { ObservationItem } from '../record';
import type { FactDefinition } from './context';
import { round2, unreadableUnits, valueSetId, windowSchema } from './context';

/**
 * Measured vital signs within a look-back window. Only dated measurements count here: a temperature
 * without a date says nothing about the last 7 days. Units were converted to °C and mmHg when the record
 * was read; a unit that was not understood is a data-quality note, never a value.
 */

const temperatureParams = z.strictObject({ valueSet: valueSetId, within: windowSchema });

export interface TemperatureFact {
  /** Highest temperature in the window, in °C, rounded to 0.01. */
  readonly maxCelsius?: number;
  /** Number of temperatures in the window (DQ-01: none measured). */
  readonly count: number;
  readonly evidence: readonly Evidence[];
  /** Temperatures in the window whose unit was not understood (DQ-01). */
  readonly unreadableCount: number;
  readonly unreadable: readonly Evidence[];
}

/** `temperature` (RF-03): the highest body temperature within the window. */
export const temperature: FactDefinition<z.infer<typeof temperatureParams>> = {
  id: 'temperature',
  params: temperatureParams,
  references: (params) => ({ valueSets: [params.valueSet] }),
  compute: (params, context): TemperatureFact => {
    const { record } = context;
    const url = context.knowledge.valueSetUrl(params.valueSet);
    const inWindow = record.observations.filter(
      (item) => item.valueSets.has(url) && isWithin(item.day, record.today, params.within)
    );
    const unreadable = unreadableUnits(inWindow, (item) => item.celsius);
    const measured = inWindow.filter(
      (item): item is ObservationItem & { celsius: number; day: number } => item.celsius !== undefined
    );
    if (measured.length === 0) {
      return { count: 0, evidence: [], unreadableCount: unreadable.length, unreadable };
    }
    const highest = measured.reduce((max, item) => (item.celsius > max.celsius ? item : max));
    const celsius = round2(highest.celsius);
    const recorded = highest.quantity;
    const asRecorded = recorded && !/^(cel|°c)$/i.test(recorded.unit) ? ` (${recorded.value} ${recorded.unit})` : '';
    return {
      maxCelsius: celsius,
      count: measured.length,
      unreadableCount: unreadable.length,
      unreadable,
      evidence: [
        {
          kind: 'temperature',
          reference: highest.reference,
          value: `${celsius.toFixed(1)} °C${asRecorded}`,
          date: isoDay(highest.day),
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
      (item) => item.mmHg
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

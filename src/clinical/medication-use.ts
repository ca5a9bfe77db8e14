import type {
  CodeableConcept,
  Dosage,
  Duration,
  Medication,
  MedicationRequest,
  MedicationStatement,
} from '@medplum/fhirtypes';
import type { DayNumber } from './dates';
import type { RecordDates } from './record-dates';

/**
 * When a medication was used, and how it was given (docs/clinical-specification.md RW-05, SF-2), from the shapes
 * practice systems send:
 * - MedicationStatement: `effectivePeriod`; an active statement with only `effectiveDateTime` (or
 *   `dateAsserted`) is ongoing since that date; a completed one is a course of one day; dosage bounds end it.
 * - MedicationRequest: from the dosage bounds, else `dispenseRequest.validityPeriod.start`, else `authoredOn`;
 *   it lasts the dosage bounds, else `expectedSupplyDuration` × (1 + `numberOfRepeatsAllowed`), else the
 *   dispensed `quantity` ÷ the daily dose × (1 + repeats), else until the end of `validityPeriod`.
 * A start that is a partial date counts from its first day and an end to its last (the longest possible use).
 */
export interface MedicationUse {
  /** medicationCodeableConcept, or the code of a contained Medication. */
  readonly code?: CodeableConcept;
  readonly startDay?: DayNumber;
  /** Last day of use; undefined = ongoing or unknown. */
  readonly endDay?: DayNumber;
  /** Routes of the dosages and the form of a contained Medication, to tell systemic from local use. */
  readonly routes: readonly CodeableConcept[];
  /** Texts that say how it is given: route and form texts and displays, dosage texts. */
  readonly routeTexts: readonly string[];
}

/** Days per UCUM time unit (and the plain words systems print). */
const UNIT_DAYS: Readonly<Record<string, number>> = {
  min: 1 / 1440,
  h: 1 / 24,
  d: 1,
  day: 1,
  dag: 1,
  wk: 7,
  week: 7,
  mo: 30,
  month: 30,
  maand: 30,
  a: 365,
  year: 365,
  jaar: 365,
};

const unitDays = (unit: string | undefined): number | undefined =>
  unit === undefined
    ? undefined
    : (UNIT_DAYS[
        unit
          .trim()
          .toLowerCase()
          .replace(/(s|en)$/, '')
      ] ?? UNIT_DAYS[unit.trim()]);

/** A duration in whole days (at least one), or undefined when it has no value or an unknown unit. */
export function durationDays(duration: Duration | undefined): number | undefined {
  if (typeof duration?.value !== 'number' || !(duration.value > 0)) {
    return undefined;
  }
  const factor = unitDays(duration.code) ?? unitDays(duration.unit);
  return factor === undefined ? undefined : Math.max(1, Math.round(duration.value * factor));
}

/** The amount taken per day by a dosage: dose × frequency ÷ period. */
function dailyDose(dosage: Dosage | undefined): { amount: number; unit?: string } | undefined {
  const dose = dosage?.doseAndRate?.find((rate) => rate.doseQuantity ?? rate.doseRange)?.doseQuantity;
  const repeat = dosage?.timing?.repeat;
  const periodDays = (repeat?.period ?? 1) * (unitDays(repeat?.periodUnit ?? 'd') ?? Number.NaN);
  const amount = ((dose?.value ?? Number.NaN) * (repeat?.frequencyMax ?? repeat?.frequency ?? 1)) / periodDays;
  return Number.isFinite(amount) && amount > 0 ? { amount, unit: dose?.code ?? dose?.unit } : undefined;
}

const sameUnit = (a: string | undefined, b: string | undefined) =>
  a === undefined || b === undefined || a.trim().toLowerCase() === b.trim().toLowerCase();

function containedMedication(resource: MedicationStatement | MedicationRequest): Medication | undefined {
  const reference = resource.medicationReference?.reference;
  if (!reference?.startsWith('#')) {
    return undefined;
  }
  const contained = (resource.contained ?? []).find((r) => r.id === reference.slice(1));
  return contained?.resourceType === 'Medication' ? contained : undefined;
}

function textsOf(concept: CodeableConcept | undefined): string[] {
  return [
    concept?.text,
    ...(Array.isArray(concept?.coding) ? concept.coding.map((coding) => coding.display) : []),
  ].filter((text): text is string => typeof text === 'string' && text.trim() !== '');
}

const inclusiveEnd = (start: DayNumber | undefined, days: number | undefined) =>
  start !== undefined && days !== undefined ? start + days - 1 : undefined;

/** Reads the use period and the route of a MedicationStatement or MedicationRequest. */
export function medicationUse(resource: MedicationStatement | MedicationRequest, dates: RecordDates): MedicationUse {
  const medication = containedMedication(resource);
  const code = resource.medicationCodeableConcept ?? medication?.code;
  const dosages: Dosage[] = Array.isArray(
    resource.resourceType === 'MedicationStatement' ? resource.dosage : resource.dosageInstruction
  )
    ? ((resource.resourceType === 'MedicationStatement' ? resource.dosage : resource.dosageInstruction) as Dosage[])
    : [];
  const bounds = dosages.find((dosage) => dosage.timing?.repeat)?.timing?.repeat;
  const routes = [...dosages.map((dosage) => dosage.route), medication?.form].filter(
    (concept): concept is CodeableConcept => concept !== undefined
  );
  const routeTexts = [
    ...routes.flatMap(textsOf),
    ...dosages.map((dosage) => dosage.text).filter((text): text is string => typeof text === 'string'),
  ];
  let startDay: DayNumber | undefined;
  let endDay: DayNumber | undefined;
  if (resource.resourceType === 'MedicationStatement') {
    startDay =
      dates.first(resource.effectivePeriod?.start) ??
      dates.first(bounds?.boundsPeriod?.start) ??
      dates.first(resource.effectiveDateTime) ??
      dates.first(resource.dateAsserted);
    endDay =
      dates.last(resource.effectivePeriod?.end) ??
      dates.last(bounds?.boundsPeriod?.end) ??
      inclusiveEnd(startDay, durationDays(bounds?.boundsDuration)) ??
      // Only a statement that is no longer active ends on its single date; an active one is still in use.
      (resource.effectivePeriod === undefined && resource.status !== 'active' ? startDay : undefined);
  } else {
    const dispense = resource.dispenseRequest;
    startDay =
      dates.first(bounds?.boundsPeriod?.start) ??
      dates.first(dispense?.validityPeriod?.start) ??
      dates.first(resource.authoredOn);
    const fills = 1 + (typeof dispense?.numberOfRepeatsAllowed === 'number' ? dispense.numberOfRepeatsAllowed : 0);
    const supplied = durationDays(dispense?.expectedSupplyDuration);
    const perDay = dailyDose(dosages[0]);
    const quantity = dispense?.quantity;
    const byQuantity =
      perDay !== undefined &&
      typeof quantity?.value === 'number' &&
      sameUnit(quantity.code ?? quantity.unit, perDay.unit)
        ? Math.ceil(quantity.value / perDay.amount)
        : undefined;
    endDay =
      dates.last(bounds?.boundsPeriod?.end) ??
      inclusiveEnd(startDay, durationDays(bounds?.boundsDuration)) ??
      inclusiveEnd(startDay, supplied === undefined ? undefined : supplied * fills) ??
      inclusiveEnd(startDay, byQuantity === undefined ? undefined : byQuantity * fills) ??
      dates.last(dispense?.validityPeriod?.end);
  }
  return {
    ...(code ? { code } : {}),
    ...(startDay === undefined ? {} : { startDay }),
    ...(endDay === undefined ? {} : { endDay }),
    routes,
    routeTexts,
  };
}

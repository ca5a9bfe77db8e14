import type {
  CodeableConcept,
  Coding,
  Condition,
  MedicationStatement,
  Observation,
  Patient,
  Procedure,
  Resource,
  ServiceRequest,
} from '@medplum/fhirtypes';
import { TODAY } from '../support/app';

/**
 * Builders for FHIR R4 resources in the shapes Dutch and Belgian practice systems send (see README.md for the
 * documentation each shape is taken from): nl-core-Problem episodes coded ICPC-1-NL with the GP's own episode title
 * in code.text, be-problem diagnoses in ICPC-2/ICD-10 with Dutch or French text, the FHIR/nl-core vital-signs
 * Observations (body temperature, body weight), zib MedicationUse as MedicationStatement, HIS journal lines (SOEP)
 * as Observations with a valueString. Each builder writes exactly what it is given: a record leaves out what the
 * real export leaves out.
 */

/** Code systems by their FHIR URI and, where Dutch/Belgian exports use it, their OID form (RW-01). */
export const SYSTEM = {
  sct: 'http://snomed.info/sct',
  loinc: 'http://loinc.org',
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  icd10nl: 'http://hl7.org/fhir/sid/icd-10-nl',
  icpc2: 'http://hl7.org/fhir/sid/icpc-2',
  icpc1nl: 'http://hl7.org/fhir/sid/icpc-1-nl',
  atc: 'http://www.whocc.no/atc',
  ucum: 'http://unitsofmeasure.org',
} as const;

export type SystemName = keyof typeof SYSTEM;

export const OID: Readonly<Record<SystemName, string>> = {
  sct: 'urn:oid:2.16.840.1.113883.6.96',
  loinc: 'urn:oid:2.16.840.1.113883.6.1',
  icd10: 'urn:oid:2.16.840.1.113883.6.3',
  icd10nl: 'urn:oid:2.16.840.1.113883.6.3.2',
  icpc2: 'urn:oid:2.16.840.1.113883.6.139',
  icpc1nl: 'urn:oid:2.16.840.1.113883.2.4.4.31.1',
  atc: 'urn:oid:2.16.840.1.113883.6.73',
  ucum: 'urn:oid:2.16.840.1.113883.6.8',
};

/** The G-Standaard HPK (handelsproduct) code system, as Dutch medication exports send it next to ATC. */
export const G_STANDAARD_HPK = 'urn:oid:2.16.840.1.113883.2.4.4.7';
/** HIS journal line types S/O/E/P (Journaalregeltypen). */
export const JOURNAL_LINE_TYPE = 'urn:oid:2.16.840.1.113883.2.4.4.32.2';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The calendar date `days` before the evaluation date (TODAY), as `YYYY-MM-DD`. */
export function daysAgo(days: number): string {
  return new Date(TODAY.getTime() - days * DAY_MS).toISOString().slice(0, 10);
}

/** A consultation time `days` before TODAY, in Dutch local time as HIS exports write it. */
export function dateTimeAgo(days: number, time = '09:40:00'): string {
  return `${daysAgo(days)}T${time}+01:00`;
}

/** A Coding; `system` is a short name of SYSTEM or a full URI/OID. */
export const coding = (system: string, code: string, display?: string): Coding => ({
  system: system in SYSTEM ? SYSTEM[system as SystemName] : system,
  code,
  ...(display ? { display } : {}),
});

export const concept = (codings: Coding[], text?: string): CodeableConcept => ({
  ...(codings.length > 0 ? { coding: codings } : {}),
  ...(text ? { text } : {}),
});

export function patient(
  id: string,
  birthDate: string,
  gender: Patient['gender'],
  country: 'NL' | 'BE' = 'NL'
): Patient {
  return {
    resourceType: 'Patient',
    id,
    identifier: [{ system: 'http://example.org/fhir/sid/demo-patient', value: `${id}-demo` }],
    name: [{ family: 'Test', given: [id] }],
    gender,
    birthDate,
    address: [{ country }],
  };
}

/** When a problem started, in any of the shapes of Condition.onset[x] (RW-04). */
export type Onset =
  { dateTime: string } | { period: { start?: string; end?: string } } | { age: number } | { string: string };

export interface ProblemSpec {
  readonly id: string;
  readonly patientId: string;
  readonly code: CodeableConcept;
  readonly clinical?: 'active' | 'recurrence' | 'relapse' | 'inactive' | 'remission' | 'resolved';
  readonly verification?: 'confirmed' | 'unconfirmed' | 'provisional' | 'differential' | 'refuted';
  readonly onset?: Onset;
  readonly recorded?: string;
  readonly abatement?: string;
  readonly note?: string;
  readonly lastUpdated?: string;
  /** nl-core-Problem uses SNOMED 55607006 "Probleem"; be-problem and US-built systems use the HL7 category. */
  readonly category?: 'nl-problem' | 'problem-list-item' | 'encounter-diagnosis';
}

const CATEGORY: Record<NonNullable<ProblemSpec['category']>, Coding> = {
  'nl-problem': coding('sct', '55607006', 'Probleem'),
  'problem-list-item': {
    system: 'http://terminology.hl7.org/CodeSystem/condition-category',
    code: 'problem-list-item',
  },
  'encounter-diagnosis': {
    system: 'http://terminology.hl7.org/CodeSystem/condition-category',
    code: 'encounter-diagnosis',
  },
};

function onsetOf(onset: Onset | undefined): Partial<Condition> {
  if (!onset) {
    return {};
  }
  if ('dateTime' in onset) {
    return { onsetDateTime: onset.dateTime };
  }
  if ('period' in onset) {
    return { onsetPeriod: onset.period };
  }
  if ('age' in onset) {
    return { onsetAge: { value: onset.age, unit: 'jaar', system: SYSTEM.ucum, code: 'a' } };
  }
  return { onsetString: onset.string };
}

/** A problem or episode (nl-core-Problem / be-problem shape). */
export function problem(spec: ProblemSpec): Condition {
  return {
    resourceType: 'Condition',
    id: spec.id,
    ...(spec.lastUpdated ? { meta: { lastUpdated: spec.lastUpdated } } : {}),
    ...(spec.clinical
      ? {
          clinicalStatus: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: spec.clinical }],
          },
        }
      : {}),
    verificationStatus: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
          code: spec.verification ?? 'confirmed',
        },
      ],
    },
    category: [{ coding: [CATEGORY[spec.category ?? 'nl-problem']] }],
    code: spec.code,
    subject: { reference: `Patient/${spec.patientId}` },
    ...onsetOf(spec.onset),
    ...(spec.abatement ? { abatementDateTime: spec.abatement } : {}),
    ...(spec.recorded ? { recordedDate: spec.recorded } : {}),
    ...(spec.note ? { note: [{ text: spec.note }] } : {}),
  };
}

/** Observation.effective[x] and issued in the shapes real systems send (RW-04). */
export type Effective =
  { dateTime: string } | { period: { start: string; end?: string } } | { instant: string } | { issued: string };

function effectiveOf(effective: Effective): Partial<Observation> {
  if ('dateTime' in effective) {
    return { effectiveDateTime: effective.dateTime };
  }
  if ('period' in effective) {
    return { effectivePeriod: effective.period };
  }
  if ('instant' in effective) {
    return { effectiveInstant: effective.instant };
  }
  return { issued: effective.issued };
}

/** An Observation value in the shapes of value[x] (RW-03). */
export type Value =
  | { quantity: number; unit: string; code?: string; comparator?: '<' | '<=' | '>=' | '>' }
  | { string: string }
  | { integer: number }
  | { concept: CodeableConcept };

export function valueOf(value: Value | undefined): Partial<Observation> {
  if (!value) {
    return {};
  }
  if ('quantity' in value) {
    return {
      valueQuantity: {
        value: value.quantity,
        ...(value.comparator ? { comparator: value.comparator } : {}),
        unit: value.unit,
        ...(value.code ? { system: SYSTEM.ucum, code: value.code } : {}),
      },
    };
  }
  if ('string' in value) {
    return { valueString: value.string };
  }
  if ('integer' in value) {
    return { valueInteger: value.integer };
  }
  return { valueCodeableConcept: value.concept };
}

export interface ObservationSpec {
  readonly id: string;
  readonly patientId: string;
  readonly code: CodeableConcept;
  readonly effective: Effective;
  readonly value?: Value;
  readonly note?: string;
  readonly category?: 'vital-signs' | 'social-history' | 'survey' | 'exam';
  readonly status?: Observation['status'];
  readonly method?: CodeableConcept;
  readonly bodySite?: CodeableConcept;
}

export function observation(spec: ObservationSpec): Observation {
  return {
    resourceType: 'Observation',
    id: spec.id,
    status: spec.status ?? 'final',
    ...(spec.category
      ? {
          category: [
            {
              coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: spec.category }],
            },
          ],
        }
      : {}),
    code: spec.code,
    subject: { reference: `Patient/${spec.patientId}` },
    ...effectiveOf(spec.effective),
    ...valueOf(spec.value),
    ...(spec.method ? { method: spec.method } : {}),
    ...(spec.bodySite ? { bodySite: spec.bodySite } : {}),
    ...(spec.note ? { note: [{ text: spec.note }] } : {}),
  };
}

/** Body temperature per the FHIR bodytemp profile: LOINC 8310-5, UCUM Cel. */
export const bodyTemperatureCode = (): CodeableConcept =>
  concept([coding('loinc', '8310-5', 'Body temperature')], 'Lichaamstemperatuur');

/** Body weight per the FHIR bodyweight profile and nl-core-BodyWeight: LOINC 29463-7, UCUM kg. */
export const bodyWeightCode = (): CodeableConcept => concept([coding('loinc', '29463-7', 'Body weight')], 'Gewicht');

export function temperature(
  id: string,
  patientId: string,
  celsius: number,
  effective: Effective,
  extra: Partial<ObservationSpec> = {}
): Observation {
  return observation({
    id,
    patientId,
    code: bodyTemperatureCode(),
    effective,
    value: { quantity: celsius, unit: '°C', code: 'Cel' },
    category: 'vital-signs',
    ...extra,
  });
}

export function weight(id: string, patientId: string, kg: number, days: number): Observation {
  return observation({
    id,
    patientId,
    code: bodyWeightCode(),
    effective: { dateTime: dateTimeAgo(days) },
    value: { quantity: kg, unit: 'kg', code: 'kg' },
    category: 'vital-signs',
  });
}

/**
 * A HIS journal line (SOEP: S = subjectief, O = objectief, E = evaluatie, P = plan) as a FHIR export carries it:
 * an Observation whose code is the line type and whose valueString is the GP's free text.
 */
export function journalLine(
  id: string,
  patientId: string,
  line: 'S' | 'O' | 'E' | 'P',
  text: string,
  days: number
): Observation {
  const names = { S: 'Subjectief', O: 'Objectief', E: 'Evaluatie', P: 'Plan' } as const;
  return observation({
    id,
    patientId,
    code: concept([coding(JOURNAL_LINE_TYPE, line, names[line])], names[line]),
    effective: { dateTime: dateTimeAgo(days) },
    value: { string: text },
  });
}

export interface MedicationSpec {
  readonly id: string;
  readonly patientId: string;
  readonly atc: string;
  readonly display: string;
  readonly status?: MedicationStatement['status'];
  readonly start?: string;
  readonly end?: string;
  /** Only effectiveDateTime, as many HIS exports of a chronic medication send it (RW-05). */
  readonly onlyDateTime?: boolean;
  readonly route?: CodeableConcept;
  readonly atcSystem?: string;
}

/** zib MedicationUse (MedicationStatement) with a G-Standaard product code next to the ATC code. */
export function medicationUse(spec: MedicationSpec): MedicationStatement {
  const start = spec.start ?? daysAgo(200);
  return {
    resourceType: 'MedicationStatement',
    id: spec.id,
    status: spec.status ?? 'active',
    medicationCodeableConcept: concept(
      [{ system: G_STANDAARD_HPK, code: '1234567', display: spec.display }, coding(spec.atcSystem ?? 'atc', spec.atc)],
      spec.display
    ),
    subject: { reference: `Patient/${spec.patientId}` },
    ...(spec.onlyDateTime
      ? { effectiveDateTime: start }
      : { effectivePeriod: { start, ...(spec.end ? { end: spec.end } : {}) } }),
    dateAsserted: start,
    ...(spec.route ? { dosage: [{ route: spec.route, text: spec.display }] } : {}),
  };
}

export function procedure(
  id: string,
  patientId: string,
  text: string,
  performed: string,
  bodySite?: string
): Procedure {
  return {
    resourceType: 'Procedure',
    id,
    status: 'completed',
    code: { text },
    subject: { reference: `Patient/${patientId}` },
    performedDateTime: performed,
    ...(bodySite ? { bodySite: [{ text: bodySite }] } : {}),
  };
}

/** A draft order for order-select / order-sign (context.draftOrders). */
export function draftOrder(id: string, patientId: string, code: CodeableConcept, note?: string): ServiceRequest {
  return {
    resourceType: 'ServiceRequest',
    id,
    status: 'draft',
    intent: 'order',
    code,
    subject: { reference: `Patient/${patientId}` },
    authoredOn: daysAgo(0),
    ...(note ? { note: [{ text: note }] } : {}),
  };
}

export const lumbarMri = (id: string, patientId: string, note?: string): ServiceRequest =>
  draftOrder(id, patientId, concept([coding('sct', '433141005', 'MRI of lumbar and sacral spine')], 'MRI LWK'), note);

export const physioReferral = (id: string, patientId: string): ServiceRequest =>
  draftOrder(
    id,
    patientId,
    concept([coding('sct', '308447003', 'Referral to physiotherapist')], 'Verwijzing fysiotherapie')
  );

/** The resources of a record, with the Patient first. */
export type RecordResources = readonly Resource[];

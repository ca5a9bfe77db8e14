import type {
  Bundle,
  CodeableConcept,
  Condition,
  MedicationRequest,
  MedicationStatement,
  Observation,
  Patient,
  Procedure,
  QuestionnaireResponse,
  Resource,
  ServiceRequest,
} from '@medplum/fhirtypes';
import type { GatheredRecord } from '../../src/clinical/gathered-record';

/**
 * Expands the compact clinical cases of test/clinical/cases/*.json into real FHIR R4 resources.
 * Dates are written relative to the evaluation date ("daysAgo", "monthsAgo"), so a case reads like a
 * clinical vignette and stays correct whatever day the tests run.
 *
 * Codes are written `system|code` with short system names: sct, loinc, icd-10, icd-10-nl, icd-10-cm, icpc-2,
 * icpc-1-nl, atc (e.g. `icpc-2|A03`); `|code` is a code without a system.
 */

export const SYSTEMS: Readonly<Record<string, string>> = {
  sct: 'http://snomed.info/sct',
  loinc: 'http://loinc.org',
  'icd-10': 'http://hl7.org/fhir/sid/icd-10',
  'icd-10-nl': 'http://hl7.org/fhir/sid/icd-10-nl',
  'icd-10-cm': 'http://hl7.org/fhir/sid/icd-10-cm',
  'icpc-2': 'http://hl7.org/fhir/sid/icpc-2',
  'icpc-1-nl': 'http://hl7.org/fhir/sid/icpc-1-nl',
  atc: 'http://www.whocc.no/atc',
  cpt: 'http://www.ama-assn.org/go/cpt',
};

/** When something happened: `daysAgo` or `monthsAgo` before the evaluation date. */
export interface When {
  daysAgo?: number;
  monthsAgo?: number;
}

export interface ConditionSpec {
  /** `system|code`, or `text` for a Condition with only code.text. */
  condition: string;
  /** code.text (for text-only Conditions, or extra words next to a code). */
  text?: string;
  status?: 'active' | 'recurrence' | 'relapse' | 'inactive' | 'remission' | 'resolved' | 'none';
  verification?: 'confirmed' | 'unconfirmed' | 'provisional' | 'differential' | 'refuted' | 'entered-in-error';
  onset?: When;
  recorded?: When;
  abatement?: When;
  note?: string;
}

export interface ObservationSpec {
  /** `system|code` of Observation.code; shortcuts below set it. */
  observation?: string;
  temperature?: number;
  weight?: number;
  /** [systolic, diastolic] as a LOINC 85354-9 panel. */
  bp?: [number, number];
  /** A single systolic or diastolic Observation. */
  systolic?: number;
  diastolic?: number;
  value?: number;
  unit?: string;
  /** `system|code` of valueCodeableConcept. */
  valueCode?: string;
  valueString?: string;
  note?: string;
  status?: string;
  at?: When;
}

export interface MedicationSpec {
  medication: string;
  kind?: 'statement' | 'request';
  status?: string;
  start?: When;
  end?: When;
  /** Request only: days of supply (dispenseRequest.expectedSupplyDuration). */
  supplyDays?: number;
  note?: string;
}

export interface ProcedureSpec {
  /** `system|code`, or `text` for a Procedure with only code.text. */
  procedure: string;
  text?: string;
  bodySite?: string;
  status?: string;
  at?: When;
}

/** A free-text note in the record (an Observation with a valueString). */
export interface TextSpec {
  freeText: string;
  at?: When;
}

/**
 * A completed STarT Back QuestionnaireResponse: the nine item scores in Keele order (1 = agree, or for item 9
 * "very much"/"extremely"); `null` leaves an item unanswered.
 */
export interface StartBackSpec {
  startBack: (0 | 1 | null)[];
  at?: When;
  status?: 'completed' | 'in-progress' | 'amended';
}

/**
 * A FHIR resource written out as a practice system sends it (RW-01…RW-05), for shapes the shortcuts above cannot
 * express. Dates are relative: a string `@8d` is the date 8 days ago, `@8dT23:30:00Z` that date with a time,
 * `@1mo` the year and month of one month ago (a partial date), `@2y` the year two years ago. `id` and `subject` are
 * filled in when missing.
 */
export interface FhirSpec {
  fhir: Record<string, unknown> & { resourceType: string };
}

export type RecordSpec =
  ConditionSpec | ObservationSpec | MedicationSpec | ProcedureSpec | TextSpec | StartBackSpec | FhirSpec;

const RELATIVE_DAY = /^@(\d+)d(T.*)?$/;
const RELATIVE_MONTH = /^@(\d+)mo$/;
const RELATIVE_YEAR = /^@(\d+)y$/;

/** Replaces the relative dates of a {@link FhirSpec} by real ones. */
export function resolveDates(value: unknown, today: Date): unknown {
  if (typeof value === 'string') {
    const day = RELATIVE_DAY.exec(value);
    if (day) {
      return `${dateOf(today, { daysAgo: Number(day[1]) }) ?? ''}${day[2] ?? ''}`;
    }
    const month = RELATIVE_MONTH.exec(value);
    if (month) {
      return new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - Number(month[1]), 1))
        .toISOString()
        .slice(0, 7);
    }
    const year = RELATIVE_YEAR.exec(value);
    return year ? String(today.getUTCFullYear() - Number(year[1])) : value;
  }
  if (Array.isArray(value)) {
    return value.map((item) => resolveDates(item, today));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveDates(item, today)]));
  }
  return value;
}

export interface CaseSpec {
  name: string;
  /** Age in years at the evaluation date, or an explicit birth date; `birthDate: null` = unknown. */
  patient?: { age?: number; birthDate?: string | null };
  /**
   * The low back pain Condition every case has by default (SNOMED 279039007, active, onset 120 days ago).
   * Set to null for no LBP, or override code, onset or status.
   */
  lbp?: Partial<ConditionSpec> | null;
  record?: RecordSpec[];
  /** The hook that is called (default patient-view). */
  hook?: 'patient-view' | 'order-select' | 'order-sign';
  /** Draft orders for the order hooks. */
  orders?: { code?: string; text?: string; reasonCode?: string; reasonText?: string }[];
  /** Whether the rule of the file fires. */
  fires: boolean;
  /** Other rule ids that must fire too, or must not. */
  alsoFires?: string[];
  alsoNotFires?: string[];
  /** DQ-01 note codes expected on the data-quality finding. */
  notes?: string[];
}

export interface RuleCases {
  rule: string;
  description: string;
  cases: CaseSpec[];
}

const DAY_MS = 86_400_000;

export function dateOf(today: Date, when: When | undefined): string | undefined {
  if (when === undefined) {
    return undefined;
  }
  if (when.monthsAgo !== undefined) {
    const date = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - when.monthsAgo, today.getUTCDate()));
    return date.toISOString().slice(0, 10);
  }
  return new Date(today.getTime() - (when.daysAgo ?? 0) * DAY_MS).toISOString().slice(0, 10);
}

export function concept(code: string | undefined, text?: string): CodeableConcept {
  const coding =
    code && code !== 'text'
      ? (() => {
          const [alias = '', value = ''] = code.split('|');
          if (alias === '') {
            return [{ code: value }]; // `|code`: a code without a system, which no value set can place
          }
          const system = SYSTEMS[alias];
          if (system === undefined) {
            throw new Error(`Unknown system "${alias}" in "${code}" (use ${Object.keys(SYSTEMS).join(', ')})`);
          }
          return [{ system, code: value }];
        })()
      : undefined;
  return { ...(coding ? { coding } : {}), ...(text ? { text } : {}) };
}

const ref = (resource: Resource) => `${resource.resourceType}/${resource.id ?? ''}`;

export interface BuiltCase {
  readonly patient: Patient;
  readonly resources: Resource[];
  readonly orders: ServiceRequest[];
  readonly gathered: GatheredRecord;
  /** Everything as one Bundle, for validation and the sample-patient files. */
  readonly bundle: Bundle;
}

/**
 * Builds the FHIR record of a case.
 * @param spec - the case
 * @param today - the evaluation date
 */
export function buildCase(spec: CaseSpec, today: Date): BuiltCase {
  let next = 0;
  const id = (prefix: string) => `${prefix}-${++next}`;
  const patientSpec = spec.patient ?? { age: 40 };
  const birthDate =
    patientSpec.birthDate === null
      ? undefined
      : (patientSpec.birthDate ??
        new Date(Date.UTC(today.getUTCFullYear() - (patientSpec.age ?? 40), today.getUTCMonth(), today.getUTCDate()))
          .toISOString()
          .slice(0, 10));
  const patient: Patient = {
    resourceType: 'Patient',
    id: 'case-patient',
    gender: 'female',
    ...(birthDate ? { birthDate } : {}),
  };
  const subject = { reference: ref(patient) };

  const condition = (c: ConditionSpec): Condition => ({
    resourceType: 'Condition',
    id: id('cond'),
    subject,
    ...(c.status === 'none'
      ? {}
      : {
          clinicalStatus: {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: c.status ?? 'active' },
            ],
          },
        }),
    ...(c.verification
      ? {
          verificationStatus: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: c.verification }],
          },
        }
      : {}),
    code: concept(c.condition, c.text),
    ...(c.onset ? { onsetDateTime: dateOf(today, c.onset) } : {}),
    ...(c.recorded ? { recordedDate: dateOf(today, c.recorded) } : {}),
    ...(c.abatement ? { abatementDateTime: dateOf(today, c.abatement) } : {}),
    ...(c.note ? { note: [{ text: c.note }] } : {}),
  });

  const quantity = (value: number, unit: string) => ({
    value,
    unit,
    system: 'http://unitsofmeasure.org',
    code: unit,
  });

  const observation = (o: ObservationSpec): Observation => {
    let code = o.observation;
    let value: Observation['valueQuantity'];
    let component: Observation['component'];
    if (o.temperature !== undefined) {
      code ??= 'loinc|8310-5';
      value = quantity(o.temperature, o.unit ?? 'Cel');
    } else if (o.weight !== undefined) {
      code ??= 'loinc|29463-7';
      value = quantity(o.weight, o.unit ?? 'kg');
    } else if (o.bp !== undefined) {
      code ??= 'loinc|85354-9';
      component = [
        { code: concept('loinc|8480-6'), valueQuantity: quantity(o.bp[0], 'mm[Hg]') },
        { code: concept('loinc|8462-4'), valueQuantity: quantity(o.bp[1], 'mm[Hg]') },
      ];
    } else if (o.systolic !== undefined) {
      code ??= 'loinc|8480-6';
      value = quantity(o.systolic, 'mm[Hg]');
    } else if (o.diastolic !== undefined) {
      code ??= 'loinc|8462-4';
      value = quantity(o.diastolic, 'mm[Hg]');
    } else if (o.value !== undefined) {
      value = quantity(o.value, o.unit ?? '1');
    }
    return {
      resourceType: 'Observation',
      id: id('obs'),
      status: (o.status ?? 'final') as Observation['status'],
      subject,
      code: concept(code, code ? undefined : 'Notitie'),
      effectiveDateTime: dateOf(today, o.at ?? { daysAgo: 0 }),
      ...(value ? { valueQuantity: value } : {}),
      ...(component ? { component } : {}),
      ...(o.valueCode ? { valueCodeableConcept: concept(o.valueCode) } : {}),
      ...(o.valueString ? { valueString: o.valueString } : {}),
      ...(o.note ? { note: [{ text: o.note }] } : {}),
    };
  };

  const medication = (m: MedicationSpec): MedicationStatement | MedicationRequest => {
    const start = dateOf(today, m.start);
    const end = dateOf(today, m.end);
    if (m.kind === 'request') {
      return {
        resourceType: 'MedicationRequest',
        id: id('medreq'),
        status: (m.status ?? 'active') as MedicationRequest['status'],
        intent: 'order',
        subject,
        medicationCodeableConcept: concept(m.medication),
        ...(start ? { authoredOn: start } : {}),
        ...(m.supplyDays
          ? {
              dispenseRequest: {
                expectedSupplyDuration: {
                  value: m.supplyDays,
                  unit: 'days',
                  system: 'http://unitsofmeasure.org',
                  code: 'd',
                },
              },
            }
          : {}),
      };
    }
    return {
      resourceType: 'MedicationStatement',
      id: id('medstat'),
      status: (m.status ?? 'active') as MedicationStatement['status'],
      subject,
      medicationCodeableConcept: concept(m.medication),
      ...(start || end ? { effectivePeriod: { ...(start ? { start } : {}), ...(end ? { end } : {}) } } : {}),
      ...(m.note ? { note: [{ text: m.note }] } : {}),
    };
  };

  const procedure = (p: ProcedureSpec): Procedure => ({
    resourceType: 'Procedure',
    id: id('proc'),
    status: (p.status ?? 'completed') as Procedure['status'],
    subject,
    code: concept(p.procedure, p.text),
    ...(p.at ? { performedDateTime: dateOf(today, p.at) } : {}),
    ...(p.bodySite ? { bodySite: [{ text: p.bodySite }] } : {}),
  });

  const startBack = (q: StartBackSpec): QuestionnaireResponse => ({
    resourceType: 'QuestionnaireResponse',
    id: id('qr'),
    questionnaire: 'https://ruggensteun.org/fhir/Questionnaire/start-back|2026.11.0',
    status: q.status ?? 'completed',
    subject,
    authored: dateOf(today, q.at ?? { daysAgo: 0 }),
    item: q.startBack.flatMap((score, index) => {
      if (score === null) {
        return [];
      }
      const code = index === 8 ? (score === 1 ? 'very-much' : 'slightly') : score === 1 ? 'agree' : 'disagree';
      return [
        {
          linkId: `sbst-${index + 1}`,
          answer: [{ valueCoding: { system: 'https://ruggensteun.org/fhir/CodeSystem/sbst-answer', code } }],
        },
      ];
    }),
  });

  const resources: Resource[] = [];
  if (spec.lbp !== null) {
    resources.push(
      condition({
        condition: 'sct|279039007',
        onset: { daysAgo: 120 },
        recorded: { daysAgo: 110 },
        ...(spec.lbp ?? {}),
      })
    );
  }
  for (const item of spec.record ?? []) {
    if ('fhir' in item) {
      resources.push({
        id: id(item.fhir.resourceType.toLowerCase()),
        ...(item.fhir.resourceType === 'Patient' ? {} : { subject }),
        ...(resolveDates(item.fhir, today) as object),
      } as Resource);
    } else if ('startBack' in item) {
      resources.push(startBack(item));
    } else if ('freeText' in item) {
      resources.push(observation({ valueString: item.freeText, at: item.at }));
    } else if ('medication' in item) {
      resources.push(medication(item));
    } else if ('procedure' in item) {
      resources.push(procedure(item));
    } else if ('condition' in item) {
      resources.push(condition(item));
    } else {
      resources.push(observation(item));
    }
  }
  const orders: ServiceRequest[] = (spec.orders ?? []).map((order) => ({
    resourceType: 'ServiceRequest',
    id: id('order'),
    status: 'draft',
    intent: 'order',
    subject,
    code: concept(order.code, order.text),
    ...(order.reasonCode || order.reasonText ? { reasonCode: [concept(order.reasonCode, order.reasonText)] } : {}),
  }));

  const byType = (type: string) => resources.filter((resource) => resource.resourceType === type);
  const data = (type: string) => ({ resources: byType(type), source: 'prefetch' as const, complete: true });
  const gathered: GatheredRecord = {
    patient,
    data: {
      patient: { resources: [patient], source: 'prefetch', complete: true },
      conditions: data('Condition'),
      observations: data('Observation'),
      medicationStatements: data('MedicationStatement'),
      medicationRequests: data('MedicationRequest'),
      procedures: data('Procedure'),
      questionnaireResponses: data('QuestionnaireResponse'),
    },
    problems: [],
  };
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [patient, ...resources, ...orders].map((resource) => ({ resource })),
  };
  return { patient, resources, orders, gathered, bundle };
}

import type { Bundle, CodeableConcept, Condition, Resource, ServiceRequest } from '@medplum/fhirtypes';
import { coding, concept, daysAgo, journalLine, OID, patient, problem } from './fhir';
import type { Onset, SystemName } from './fhir';

/**
 * One record of the real-world corpus: a patient's data in the shape a practice system sends it, and what the GP
 * must see. A red-flag record names its flag; its negative twin has the same shape with the flag absent, negated,
 * long resolved, in the family history or below the threshold, and must not produce a critical card.
 */

/** The red flags (and the specific-LBP exclusion) whose sensitivity the corpus measures. */
export const FLAGS = ['RF-01', 'RF-02', 'RF-03', 'RF-04', 'RF-05', 'RF-06', 'RF-07', 'RF-08', 'RF-C', 'EX-06'] as const;
export type Flag = (typeof FLAGS)[number];

export type RwId = 'RW-01' | 'RW-02' | 'RW-03' | 'RW-04' | 'RW-05' | 'RW-06' | 'RW-07' | 'RW-08' | 'RW-09' | 'RW-10';

export interface Expectation {
  /** Rule ids that must be findings of a critical card. */
  readonly critical?: readonly string[];
  /** Rule ids (or `EX-*` for any exclusion) that must be findings of a warning card. */
  readonly warning?: readonly string[];
  /** Rule ids that must be findings of some card, whatever its indicator (an exclusion noted on the red-flag card). */
  readonly anyCard?: readonly string[];
  /** Rule ids that must not appear on any card. */
  readonly absent?: readonly string[];
  /** No card may be critical (every negative twin). */
  readonly noCritical?: true;
  /** No exercise CarePlan may be suggested (a red flag or exclusion fired, or data that could hide one is missing). */
  readonly noCarePlan?: true;
  /** Words the data-quality (info) card must contain, e.g. the resource type that could not be obtained. */
  readonly dataQuality?: readonly string[];
}

export interface RealWorldRecord {
  readonly id: string;
  /** What the record is and which real-world shape it carries. */
  readonly title: string;
  readonly rw: readonly RwId[];
  /** Set on a red-flag record: the flag that must be found. */
  readonly flag?: Flag;
  /** Set on a negative twin: the id of the red-flag record it mirrors. */
  readonly twinOf?: string;
  /** The Patient first, then the record. */
  readonly resources: readonly Resource[];
  /** Search Bundles exactly as the EHR/FHIR server answers them, when they are not plain complete searchsets. */
  readonly searches?: Readonly<Partial<Record<string, Bundle>>>;
  /** The draft order: the record is also sent on order-sign (and order-select) with it. */
  readonly order?: ServiceRequest;
  /** The expectation holds on the order hooks only (the evidence is in the draft order itself). */
  readonly orderHooksOnly?: true;
  readonly expect: Expectation;
}

/** A coding in the FHIR URI form, or in the OID form Dutch/Belgian exports use. */
export const coded = (system: SystemName, code: string, display?: string, oid = false) =>
  oid ? { system: OID[system], code, ...(display ? { display } : {}) } : coding(system, code, display);

export interface EpisodeOptions {
  readonly onsetDays?: number;
  readonly onset?: Onset;
  readonly oid?: boolean;
  readonly note?: string;
  readonly clinical?: 'active' | 'resolved';
  readonly recordedDays?: number;
  readonly abatementDays?: number;
  readonly lastUpdated?: string;
  readonly id?: string;
}

function episode(patientId: string, code: CodeableConcept, options: EpisodeOptions, suffix: string): Condition {
  const onsetDays = options.onsetDays ?? 21;
  return problem({
    id: options.id ?? `${patientId}-${suffix}`,
    patientId,
    code,
    clinical: options.clinical ?? 'active',
    onset: options.onset ?? { dateTime: daysAgo(onsetDays) },
    recorded: daysAgo(options.recordedDays ?? onsetDays),
    ...(options.abatementDays !== undefined ? { abatement: daysAgo(options.abatementDays) } : {}),
    ...(options.note ? { note: options.note } : {}),
    ...(options.lastUpdated ? { lastUpdated: options.lastUpdated } : {}),
  });
}

/** A Dutch HIS low-back-pain episode: ICPC-1-NL L03 with the GP's episode title. */
export const lbpEpisode = (patientId: string, options: EpisodeOptions = {}): Condition =>
  episode(
    patientId,
    concept([coded('icpc1nl', 'L03', 'Lage-rugpijn zonder uitstraling', options.oid)], 'Lage rugpijn'),
    options,
    'lbp'
  );

/** A Belgian low-back-pain diagnosis: ICPC-2 L03 with ICD-10 M54.5 and Dutch or French text. */
export const beLbp = (patientId: string, language: 'nl' | 'fr', options: EpisodeOptions = {}): Condition =>
  episode(
    patientId,
    concept(
      [coded('icpc2', 'L03', 'Low back symptom/complaint'), coded('icd10', 'M54.5', 'Low back pain')],
      language === 'nl' ? 'Lage rugpijn' : 'Lombalgie'
    ),
    options,
    'lbp'
  );

/** A Dutch HIS sciatica episode: ICPC-1-NL L86, the only back code in the record. */
export const sciaticaEpisode = (patientId: string, options: EpisodeOptions = {}): Condition =>
  episode(
    patientId,
    concept([coded('icpc1nl', 'L86', 'Lumbosacraal radiculair syndroom', options.oid)], 'Ischias links'),
    options,
    'lrs'
  );

/** Any other problem of the record, coded as given. */
export const otherProblem = (
  patientId: string,
  suffix: string,
  code: CodeableConcept,
  options: EpisodeOptions = {}
): Condition => episode(patientId, code, options, suffix);

/** SOFT flags show as a warning card; the others as a critical card with no CarePlan. */
const isSoft = (flag: Flag) => flag === 'RF-06' || flag === 'RF-08';

/** A red-flag record and its negative twin (`<id>-twin`): the same shape, built by two functions of the patient id. */
export function redFlagPair(
  flag: Flag,
  id: string,
  rw: readonly RwId[],
  title: string,
  positive: (patientId: string) => readonly Resource[],
  twinTitle: string,
  twin: (patientId: string) => readonly Resource[]
): RealWorldRecord[] {
  const soft = isSoft(flag);
  return [
    {
      id,
      title,
      rw,
      flag,
      resources: positive(id),
      expect: soft ? { warning: [flag] } : { critical: [flag], noCarePlan: true },
    },
    {
      id: `${id}-twin`,
      title: twinTitle,
      rw,
      twinOf: id,
      resources: twin(`${id}-twin`),
      expect: soft ? { noCritical: true, absent: [flag] } : { noCritical: true },
    },
  ];
}

/** A red flag written in one SOEP journal line, and its twin line (negated, hypothetical…), on an LBP episode. */
export function journalPair(
  flag: Flag,
  id: string,
  rw: readonly RwId[],
  [line, text]: ['S' | 'O' | 'E' | 'P', string],
  [twinLine, twinText]: ['S' | 'O' | 'E' | 'P', string],
  days: number
): RealWorldRecord[] {
  const record = (pid: string, type: 'S' | 'O' | 'E' | 'P', words: string) => [
    patient(pid, '1980-07-07', 'female'),
    lbpEpisode(pid, { onsetDays: 10 }),
    journalLine(`${pid}-${type.toLowerCase()}1`, pid, type, words, days),
  ];
  return redFlagPair(
    flag,
    id,
    rw,
    `SOEP ${line}-line: "${text}"`,
    (pid) => record(pid, line, text),
    `Twin: the ${twinLine}-line says "${twinText}"`,
    (pid) => record(pid, twinLine, twinText)
  );
}

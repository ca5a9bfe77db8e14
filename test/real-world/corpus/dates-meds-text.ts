import type { MedicationRequest, QuestionnaireResponse } from '@medplum/fhirtypes';
import {
  concept,
  dateTimeAgo,
  daysAgo,
  G_STANDAARD_HPK,
  journalLine,
  observation,
  patient,
  temperature,
} from '../fhir';
import { coded, lbpEpisode, otherProblem } from '../record';
import type { RealWorldRecord } from '../record';

/**
 * Local-day windows (RW-04), medication exposure from prescriptions (RW-05), free text in questionnaire answers
 * (RW-08), French free text from Belgian systems (RW-09) and values present but not understood (RW-03).
 */

/** A prescription as a Dutch HIS sends it: G-Standaard product and ATC, validity period, repeats. */
function prescription(
  id: string,
  patientId: string,
  authoredDays: number,
  supply: { validityDays?: number; supplyDays?: number; repeats?: number }
): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id,
    status: 'active',
    intent: 'order',
    medicationCodeableConcept: concept(
      [{ system: G_STANDAARD_HPK, code: '2345678', display: 'Prednisolon 5 mg tablet' }, coded('atc', 'H02AB06')],
      'Prednisolon 5 mg tablet'
    ),
    subject: { reference: `Patient/${patientId}` },
    authoredOn: daysAgo(authoredDays),
    dosageInstruction: [{ text: '1x per dag 1 tablet' }],
    dispenseRequest: {
      ...(supply.validityDays !== undefined
        ? { validityPeriod: { start: daysAgo(authoredDays), end: daysAgo(authoredDays - supply.validityDays) } }
        : {}),
      ...(supply.repeats !== undefined ? { numberOfRepeatsAllowed: supply.repeats } : {}),
      ...(supply.supplyDays !== undefined
        ? {
            expectedSupplyDuration: {
              value: supply.supplyDays,
              unit: 'dag',
              system: 'http://unitsofmeasure.org',
              code: 'd',
            },
          }
        : {}),
    },
  };
}

/** A patient questionnaire (intake before the consultation) with a free-text answer. */
function intake(id: string, patientId: string, answer: string, days: number): QuestionnaireResponse {
  return {
    resourceType: 'QuestionnaireResponse',
    id,
    status: 'completed',
    subject: { reference: `Patient/${patientId}` },
    authored: dateTimeAgo(days),
    item: [
      {
        linkId: 'klachten',
        text: 'Welke klachten heeft u nog meer?',
        answer: [{ valueString: answer }],
      },
    ],
  };
}

const osteoporosis = (pid: string) =>
  otherProblem(pid, 'l95', concept([coded('icpc1nl', 'L95', 'Osteoporose')], 'Osteoporose'), { onsetDays: 800 });
const earlier = (pid: string) =>
  lbpEpisode(pid, {
    id: `${pid}-lbp-2019`,
    onset: { dateTime: '2019-09-09' },
    recordedDays: 2630,
    clinical: 'resolved',
    abatementDays: 2600,
  });

export const datesMedsTextRecords: RealWorldRecord[] = [
  {
    id: 'rw04-local-day-edge',
    title:
      'Fever 38.6 °C at 00:30 local time 7 days ago (the previous day in UTC): inside the 7-day window in the EHR ' +
      'local day',
    rw: ['RW-04'],
    flag: 'RF-03',
    resources: [
      patient('rw04-local-day-edge', '1983-08-08', 'male'),
      lbpEpisode('rw04-local-day-edge', { onsetDays: 12 }),
      temperature('rw04-local-day-edge-t', 'rw04-local-day-edge', 38.6, { dateTime: dateTimeAgo(7, '00:30:00') }),
    ],
    expect: { critical: ['RF-03'], noCarePlan: true },
  },
  {
    id: 'rw04-local-day-edge-twin',
    title: 'Twin: the same fever at 23:30 local time 8 days ago (outside the window in every time zone reading)',
    rw: ['RW-04'],
    twinOf: 'rw04-local-day-edge',
    resources: [
      patient('rw04-local-day-edge-twin', '1983-08-08', 'male'),
      lbpEpisode('rw04-local-day-edge-twin', { onsetDays: 12 }),
      temperature('rw04-local-day-edge-twin-t', 'rw04-local-day-edge-twin', 38.6, {
        dateTime: dateTimeAgo(8, '23:30:00'),
      }),
    ],
    expect: { noCritical: true },
  },
  {
    id: 'rw05-prescription-validity',
    title:
      'Osteoporosis and a prednisolone MedicationRequest authored 5 months ago, valid 6 months (SF-1 + SF-2: RF-C)',
    rw: ['RW-05'],
    flag: 'RF-C',
    resources: [
      patient('rw05-prescription-validity', '1979-11-11', 'female'),
      lbpEpisode('rw05-prescription-validity', { onsetDays: 40 }),
      earlier('rw05-prescription-validity'),
      osteoporosis('rw05-prescription-validity'),
      prescription('rw05-prescription-validity-rx', 'rw05-prescription-validity', 150, { validityDays: 180 }),
    ],
    expect: { critical: ['RF-C'], noCarePlan: true },
  },
  {
    id: 'rw05-prescription-validity-twin',
    title: 'Twin: the same osteoporosis and one prednisolone course of 10 days without repeats (SF-1 only)',
    rw: ['RW-05'],
    twinOf: 'rw05-prescription-validity',
    resources: [
      patient('rw05-prescription-validity-twin', '1979-11-11', 'female'),
      lbpEpisode('rw05-prescription-validity-twin', { onsetDays: 40 }),
      earlier('rw05-prescription-validity-twin'),
      osteoporosis('rw05-prescription-validity-twin'),
      prescription('rw05-prescription-validity-twin-rx', 'rw05-prescription-validity-twin', 150, {
        supplyDays: 10,
        repeats: 0,
      }),
    ],
    expect: { noCritical: true },
  },
  {
    id: 'rw05-prescription-repeats',
    title: 'Osteoporosis and prednisolone: 30 days supply × (1 + 3 repeats) = 4 months (SF-2 by repeats)',
    rw: ['RW-05'],
    flag: 'RF-C',
    resources: [
      patient('rw05-prescription-repeats', '1979-11-11', 'female'),
      lbpEpisode('rw05-prescription-repeats', { onsetDays: 40 }),
      earlier('rw05-prescription-repeats'),
      osteoporosis('rw05-prescription-repeats'),
      prescription('rw05-prescription-repeats-rx', 'rw05-prescription-repeats', 130, { supplyDays: 30, repeats: 3 }),
    ],
    expect: { critical: ['RF-C'], noCarePlan: true },
  },
  {
    id: 'rw08-intake-questionnaire',
    title: 'Fever only in a free-text answer of the intake questionnaire: "Sinds gisteren koorts en rillingen."',
    rw: ['RW-08'],
    flag: 'RF-03',
    resources: [
      patient('rw08-intake-questionnaire', '1988-03-03', 'female'),
      lbpEpisode('rw08-intake-questionnaire', { onsetDays: 9 }),
      intake('rw08-intake-questionnaire-qr', 'rw08-intake-questionnaire', 'Sinds gisteren koorts en rillingen.', 0),
    ],
    expect: { critical: ['RF-03'], noCarePlan: true },
  },
  {
    id: 'rw08-intake-questionnaire-twin',
    title: 'Twin: the intake answer says "Geen koorts, wel moe."',
    rw: ['RW-08'],
    twinOf: 'rw08-intake-questionnaire',
    resources: [
      patient('rw08-intake-questionnaire-twin', '1988-03-03', 'female'),
      lbpEpisode('rw08-intake-questionnaire-twin', { onsetDays: 9 }),
      intake('rw08-intake-questionnaire-twin-qr', 'rw08-intake-questionnaire-twin', 'Geen koorts, wel moe.', 0),
    ],
    expect: { noCritical: true },
  },
  {
    id: 'rf01-be-french-text',
    title: 'Belgian record, French consultation note: "Anesthésie en selle, rétention urinaire depuis hier."',
    rw: ['RW-08', 'RW-09'],
    flag: 'RF-01',
    resources: [
      patient('rf01-be-french-text', '1973-01-31', 'male', 'BE'),
      lbpEpisode('rf01-be-french-text', { onsetDays: 16 }),
      journalLine(
        'rf01-be-french-text-s',
        'rf01-be-french-text',
        'S',
        'Anesthésie en selle, rétention urinaire depuis hier.',
        0
      ),
    ],
    expect: { critical: ['RF-01'], noCarePlan: true },
  },
  {
    id: 'rf01-be-french-text-twin',
    title: 'Twin: "Pas d\'anesthésie en selle, miction normale."',
    rw: ['RW-08', 'RW-09'],
    twinOf: 'rf01-be-french-text',
    resources: [
      patient('rf01-be-french-text-twin', '1973-01-31', 'male', 'BE'),
      lbpEpisode('rf01-be-french-text-twin', { onsetDays: 16 }),
      journalLine(
        'rf01-be-french-text-twin-s',
        'rf01-be-french-text-twin',
        'S',
        "Pas d'anesthésie en selle, miction normale.",
        0
      ),
    ],
    expect: { noCritical: true },
  },
  {
    id: 'rw03-local-temperature-code',
    title:
      'A temperature under a local HIS code only ("TEMP", text "Temperatuur", 38.9 °C): present but not ' +
      'understood, named in the data-quality card',
    rw: ['RW-02', 'RW-03'],
    resources: [
      patient('rw03-local-temperature-code', '1984-04-14', 'female'),
      lbpEpisode('rw03-local-temperature-code', { onsetDays: 100 }),
      observation({
        id: 'rw03-local-temperature-code-t',
        patientId: 'rw03-local-temperature-code',
        code: concept([{ system: 'urn:oid:2.16.840.1.113883.2.4.3.111.5.10.2', code: 'TEMP' }], 'Temperatuur'),
        effective: { dateTime: dateTimeAgo(1) },
        value: { quantity: 38.9, unit: '°C', code: 'Cel' },
      }),
    ],
    expect: { dataQuality: ['Temperatuur'], noCarePlan: true },
  },
  {
    id: 'rw05-prescription-repeats-twin',
    title: 'Twin: the same prescription of 30 days without repeats (one month: SF-1 only)',
    rw: ['RW-05'],
    twinOf: 'rw05-prescription-repeats',
    resources: [
      patient('rw05-prescription-repeats-twin', '1979-11-11', 'female'),
      lbpEpisode('rw05-prescription-repeats-twin', { onsetDays: 40 }),
      earlier('rw05-prescription-repeats-twin'),
      osteoporosis('rw05-prescription-repeats-twin'),
      prescription('rw05-prescription-repeats-twin-rx', 'rw05-prescription-repeats-twin', 130, {
        supplyDays: 30,
        repeats: 0,
      }),
    ],
    expect: { noCritical: true },
  },
  {
    id: 'rf03-text-only-episode',
    title: 'An HIS episode without ICPC code, only the GP\'s title "Koorts en rillingen", started 2 days ago',
    rw: ['RW-08'],
    flag: 'RF-03',
    resources: [
      patient('rf03-text-only-episode', '1985-05-25', 'male'),
      lbpEpisode('rf03-text-only-episode', { onsetDays: 10 }),
      otherProblem('rf03-text-only-episode', 'koorts', concept([], 'Koorts en rillingen'), { onsetDays: 2 }),
    ],
    expect: { critical: ['RF-03'], noCarePlan: true },
  },
  {
    id: 'rf03-text-only-episode-twin',
    title: 'Twin: the same text-only episode, closed (resolved) almost 3 months ago',
    rw: ['RW-08'],
    twinOf: 'rf03-text-only-episode',
    resources: [
      patient('rf03-text-only-episode-twin', '1985-05-25', 'male'),
      lbpEpisode('rf03-text-only-episode-twin', { onsetDays: 10 }),
      otherProblem('rf03-text-only-episode-twin', 'koorts', concept([], 'Koorts en rillingen'), {
        onsetDays: 90,
        clinical: 'resolved',
        abatementDays: 85,
      }),
    ],
    expect: { noCritical: true },
  },
];

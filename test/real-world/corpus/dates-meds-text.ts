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
import { coded, lbpEpisode, otherProblem, redFlagPair } from '../record';
import type { EpisodeOptions, RealWorldRecord } from '../record';

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

/** An osteoporosis patient (SF-1) with an earlier episode (no RF-06), on prednisolone as prescribed. */
const onPrednisolone = (pid: string, authoredDays: number, supply: Parameters<typeof prescription>[3]) => [
  patient(pid, '1979-11-11', 'female'),
  lbpEpisode(pid, { onsetDays: 40 }),
  earlier(pid),
  osteoporosis(pid),
  prescription(`${pid}-rx`, pid, authoredDays, supply),
];

const feverAt = (pid: string, dateTime: string) => [
  patient(pid, '1983-08-08', 'male'),
  lbpEpisode(pid, { onsetDays: 12 }),
  temperature(`${pid}-t`, pid, 38.6, { dateTime }),
];

const withIntake = (pid: string, answer: string) => [
  patient(pid, '1988-03-03', 'female'),
  lbpEpisode(pid, { onsetDays: 9 }),
  intake(`${pid}-qr`, pid, answer, 0),
];

const frenchNote = (pid: string, text: string) => [
  patient(pid, '1973-01-31', 'male', 'BE'),
  lbpEpisode(pid, { onsetDays: 16 }),
  journalLine(`${pid}-s`, pid, 'S', text, 0),
];

const textOnlyFever = (pid: string, options: EpisodeOptions) => [
  patient(pid, '1985-05-25', 'male'),
  lbpEpisode(pid, { onsetDays: 10 }),
  otherProblem(pid, 'koorts', concept([], 'Koorts en rillingen'), options),
];

export const datesMedsTextRecords: RealWorldRecord[] = [
  ...redFlagPair(
    'RF-03',
    'rw04-local-day-edge',
    ['RW-04'],
    'Fever 38.6 °C at 00:30 local time 7 days ago (the previous day in UTC): inside the 7-day window in the EHR local day',
    (pid) => feverAt(pid, dateTimeAgo(7, '00:30:00')),
    'Twin: the same fever at 23:30 local time 8 days ago (outside the window in every time zone reading)',
    (pid) => feverAt(pid, dateTimeAgo(8, '23:30:00'))
  ),
  ...redFlagPair(
    'RF-C',
    'rw05-prescription-validity',
    ['RW-05'],
    'Osteoporosis and a prednisolone MedicationRequest authored 5 months ago, valid 6 months (SF-1 + SF-2: RF-C)',
    (pid) => onPrednisolone(pid, 150, { validityDays: 180 }),
    'Twin: the same osteoporosis and one prednisolone course of 10 days without repeats (SF-1 only)',
    (pid) => onPrednisolone(pid, 150, { supplyDays: 10, repeats: 0 })
  ),
  ...redFlagPair(
    'RF-C',
    'rw05-prescription-repeats',
    ['RW-05'],
    'Osteoporosis and prednisolone: 30 days supply × (1 + 3 repeats) = 4 months (SF-2 by repeats)',
    (pid) => onPrednisolone(pid, 130, { supplyDays: 30, repeats: 3 }),
    'Twin: the same prescription of 30 days without repeats (one month: SF-1 only)',
    (pid) => onPrednisolone(pid, 130, { supplyDays: 30, repeats: 0 })
  ),
  ...redFlagPair(
    'RF-03',
    'rw08-intake-questionnaire',
    ['RW-08'],
    'Fever only in a free-text answer of the intake questionnaire: "Sinds gisteren koorts en rillingen."',
    (pid) => withIntake(pid, 'Sinds gisteren koorts en rillingen.'),
    'Twin: the intake answer says "Geen koorts, wel moe."',
    (pid) => withIntake(pid, 'Geen koorts, wel moe.')
  ),
  ...redFlagPair(
    'RF-01',
    'rf01-be-french-text',
    ['RW-08', 'RW-09'],
    'Belgian record, French consultation note: "Anesthésie en selle, rétention urinaire depuis hier."',
    (pid) => frenchNote(pid, 'Anesthésie en selle, rétention urinaire depuis hier.'),
    'Twin: "Pas d\'anesthésie en selle, miction normale."',
    (pid) => frenchNote(pid, "Pas d'anesthésie en selle, miction normale.")
  ),
  ...redFlagPair(
    'RF-03',
    'rf03-text-only-episode',
    ['RW-08'],
    'An HIS episode without ICPC code, only the GP\'s title "Koorts en rillingen", started 2 days ago',
    (pid) => textOnlyFever(pid, { onsetDays: 2 }),
    'Twin: the same text-only episode, closed (resolved) almost 3 months ago',
    (pid) => textOnlyFever(pid, { onsetDays: 90, clinical: 'resolved', abatementDays: 85 })
  ),
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
];

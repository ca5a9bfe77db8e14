import { concept, daysAgo, journalLine, medicationUse, patient } from '../fhir';
import { beLbp, coded, journalPair, lbpEpisode, otherProblem, redFlagPair } from '../record';
import type { RealWorldRecord } from '../record';

/** RF-06 and RF-08 (SOFT, warning), RF-C (their combination), RF-07 suspected fracture; each with a twin. */

const earlierEpisode = (pid: string) =>
  lbpEpisode(pid, {
    id: `${pid}-lbp-2018`,
    onset: { dateTime: '2018-04-10' },
    recordedDays: 3150,
    clinical: 'resolved',
    abatementDays: 3100,
  });

const osteoporosis = (pid: string, oid = false) =>
  otherProblem(pid, 'l95', concept([coded('icpc1nl', 'L95', 'Osteoporose', oid)], 'Osteoporose'), { onsetDays: 900 });

const prednisolone = (pid: string, extra: Partial<Parameters<typeof medicationUse>[0]> = {}) =>
  medicationUse({ id: `${pid}-pred`, patientId: pid, atc: 'H02AB06', display: 'Prednisolon 10 mg tablet', ...extra });

export const softFractureRecords: RealWorldRecord[] = [
  ...redFlagPair(
    'RF-06',
    'rf06-first-episode-56',
    [],
    'First LBP episode at 56, 20 days ago, no earlier back problem',
    (pid) => [patient(pid, '1970-06-01', 'female'), lbpEpisode(pid, { onsetDays: 20 })],
    'Twin: the same patient with a resolved LBP episode in 2018',
    (pid) => [patient(pid, '1970-06-01', 'female'), lbpEpisode(pid, { onsetDays: 20 }), earlierEpisode(pid)]
  ),
  ...redFlagPair(
    'RF-06',
    'rf06-onset-period',
    ['RW-04'],
    'First episode at 62 whose onset is only an onsetPeriod.start (a vague onset, as Dutch systems send it)',
    (pid) => [
      patient(pid, '1964-02-02', 'male'),
      lbpEpisode(pid, { onset: { period: { start: daysAgo(30) } }, recordedDays: 25 }),
    ],
    'Twin: the same onsetPeriod at age 45',
    (pid) => [
      patient(pid, '1981-02-02', 'male'),
      lbpEpisode(pid, { onset: { period: { start: daysAgo(30) } }, recordedDays: 25 }),
    ]
  ),
  ...journalPair(
    'RF-08',
    'rf08-journal-nachtpijn',
    ['RW-08'],
    ['S', 'Nachtpijn, wordt wakker van de pijn.'],
    ['S', 'Geen nachtpijn.'],
    1
  ),
  ...redFlagPair(
    'RF-08',
    'rf08-be-french',
    ['RW-09'],
    'Belgian record in French: "Douleur nocturne et au repos."',
    (pid) => [
      patient(pid, '1986-09-09', 'female', 'BE'),
      beLbp(pid, 'fr', { onsetDays: 40 }),
      journalLine(`${pid}-s`, pid, 'S', 'Douleur nocturne et au repos.', 1),
    ],
    'Twin: "Pas de douleur nocturne."',
    (pid) => [
      patient(pid, '1986-09-09', 'female', 'BE'),
      beLbp(pid, 'fr', { onsetDays: 40 }),
      journalLine(`${pid}-s`, pid, 'S', 'Pas de douleur nocturne.', 1),
    ]
  ),
  ...redFlagPair(
    'RF-C',
    'rfc-first-episode-night-pain',
    ['RW-08'],
    'First episode at 58 and "Nachtelijke pijn" in a journal line: two soft features',
    (pid) => [
      patient(pid, '1968-05-05', 'female'),
      lbpEpisode(pid, { onsetDays: 45 }),
      journalLine(`${pid}-s`, pid, 'S', 'Nachtelijke pijn, ligt er wakker van.', 3),
    ],
    'Twin: the same night pain, but an earlier episode in 2018 (one soft feature)',
    (pid) => [
      patient(pid, '1968-05-05', 'female'),
      lbpEpisode(pid, { onsetDays: 45 }),
      earlierEpisode(pid),
      journalLine(`${pid}-s`, pid, 'S', 'Nachtelijke pijn, ligt er wakker van.', 3),
    ]
  ),
  ...redFlagPair(
    'RF-C',
    'rfc-osteoporosis-prednisone',
    ['RW-05'],
    'Osteoporosis (ICPC-2 L95) and prednisone (ATC H02AB07) for 8 months by effectivePeriod: SF-1 + SF-2',
    (pid) => [
      patient(pid, '1980-01-01', 'female', 'BE'),
      beLbp(pid, 'nl', { onsetDays: 60 }),
      earlierEpisode(pid),
      otherProblem(pid, 'l95', concept([coded('icpc2', 'L95', 'Osteoporosis')], 'Osteoporose'), { onsetDays: 700 }),
      medicationUse({
        id: `${pid}-pred`,
        patientId: pid,
        atc: 'H02AB07',
        display: 'Prednison 5 mg',
        start: daysAgo(240),
      }),
    ],
    'Twin: the same osteoporosis with one 10-day prednisone course last spring',
    (pid) => [
      patient(pid, '1980-01-01', 'female', 'BE'),
      beLbp(pid, 'nl', { onsetDays: 60 }),
      earlierEpisode(pid),
      otherProblem(pid, 'l95', concept([coded('icpc2', 'L95', 'Osteoporosis')], 'Osteoporose'), { onsetDays: 700 }),
      medicationUse({
        id: `${pid}-pred`,
        patientId: pid,
        atc: 'H02AB07',
        display: 'Prednison 5 mg',
        status: 'completed',
        start: daysAgo(200),
        end: daysAgo(190),
      }),
    ]
  ),
  ...redFlagPair(
    'RF-C',
    'rfc-first-episode-osteoporosis-oid',
    ['RW-01'],
    'First episode at 60 and osteoporosis L95 in OID form',
    (pid) => [patient(pid, '1966-03-03', 'female'), lbpEpisode(pid, { onsetDays: 30 }), osteoporosis(pid, true)],
    'Twin: the same OID-coded osteoporosis at 45 (one soft feature)',
    (pid) => [patient(pid, '1981-03-03', 'female'), lbpEpisode(pid, { onsetDays: 30 }), osteoporosis(pid, true)]
  ),
  ...redFlagPair(
    'RF-07',
    'rf07-icd10-s32',
    ['RW-01'],
    'ICD-10 S32.0 fracture of a lumbar vertebra, 10 days ago ("val van de trap")',
    (pid) => [
      patient(pid, '1979-08-08', 'male'),
      lbpEpisode(pid, { onsetDays: 10 }),
      otherProblem(
        pid,
        's32',
        concept([coded('icd10', 'S32.0', 'Fracture of lumbar vertebra')], 'Fractuur L2 na val van de trap'),
        {
          onsetDays: 10,
        }
      ),
    ],
    'Twin: the same S32.0, 12 years ago and resolved',
    (pid) => [
      patient(pid, '1979-08-08', 'male'),
      lbpEpisode(pid, { onsetDays: 10 }),
      otherProblem(pid, 's32', concept([coded('icd10', 'S32.0', 'Fracture of lumbar vertebra')], 'Fractuur L2'), {
        onsetDays: 4400,
        clinical: 'resolved',
        abatementDays: 4300,
      }),
    ]
  ),
  ...journalPair(
    'RF-07',
    'rf07-journal-car-accident',
    ['RW-08'],
    ['S', 'Auto-ongeluk vorige week, sindsdien rugpijn.'],
    ['S', 'Geen trauma, geen val.'],
    0
  ),
  ...redFlagPair(
    'RF-07',
    'rf07-icd10-m80',
    ['RW-01'],
    'ICD-10 M80.0 postmenopausal osteoporosis with pathological fracture, 3 weeks ago',
    (pid) => [
      patient(pid, '1984-12-12', 'female'),
      lbpEpisode(pid, { onsetDays: 21 }),
      earlierEpisode(pid),
      otherProblem(pid, 'm80', concept([coded('icd10', 'M80.0')], 'Osteoporotische wervelfractuur Th12'), {
        onsetDays: 21,
      }),
    ],
    'Twin: ICD-10 M81.0 osteoporosis without fracture',
    (pid) => [
      patient(pid, '1984-12-12', 'female'),
      lbpEpisode(pid, { onsetDays: 21 }),
      earlierEpisode(pid),
      otherProblem(pid, 'm81', concept([coded('icd10', 'M81.0')], 'Osteoporose'), { onsetDays: 700 }),
    ]
  ),
  ...redFlagPair(
    'RF-07',
    'rf07-lifting-prednisolone-datetime',
    ['RW-05', 'RW-08'],
    'Lifting ("na tillen van een krat") and prednisolone active since 8 months with only effectiveDateTime (SF-2)',
    (pid) => [
      patient(pid, '1982-02-02', 'male'),
      lbpEpisode(pid, { onsetDays: 5 }),
      earlierEpisode(pid),
      journalLine(`${pid}-s`, pid, 'S', 'Plotse hevige pijn na tillen van een krat.', 0),
      prednisolone(pid, { onlyDateTime: true, start: daysAgo(240) }),
    ],
    'Twin: the same lifting with inhaled budesonide (ATC R03BA02), not systemic',
    (pid) => [
      patient(pid, '1982-02-02', 'male'),
      lbpEpisode(pid, { onsetDays: 5 }),
      earlierEpisode(pid),
      journalLine(`${pid}-s`, pid, 'S', 'Plotse hevige pijn na tillen van een krat.', 0),
      medicationUse({
        id: `${pid}-bud`,
        patientId: pid,
        atc: 'R03BA02',
        display: 'Budesonide inhalator 200 µg',
        start: daysAgo(240),
      }),
    ]
  ),
  ...redFlagPair(
    'RF-07',
    'rf07-bending-osteoporosis',
    ['RW-08'],
    'Osteoporosis L95 and "Plotse hevige pijn bij bukken" (minor trauma with osteoporosis)',
    (pid) => [
      patient(pid, '1983-04-04', 'female'),
      lbpEpisode(pid, { onsetDays: 4 }),
      earlierEpisode(pid),
      osteoporosis(pid),
      journalLine(`${pid}-s`, pid, 'S', 'Plotse hevige pijn bij bukken.', 0),
    ],
    'Twin: the same bending, no osteoporosis',
    (pid) => [
      patient(pid, '1983-04-04', 'female'),
      lbpEpisode(pid, { onsetDays: 4 }),
      earlierEpisode(pid),
      journalLine(`${pid}-s`, pid, 'S', 'Plotse hevige pijn bij bukken.', 0),
    ]
  ),
];

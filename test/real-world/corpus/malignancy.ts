import { concept, dateTimeAgo, journalLine, observation, patient, weight } from '../fhir';
import { beLbp, coded, lbpEpisode, otherProblem, redFlagPair } from '../record';
import type { RealWorldRecord } from '../record';

/** RF-04 unexplained weight loss and RF-05 history of cancer, each with its negative twin. */

/** A 45-year-old: RF-06 (first episode after 50) cannot add a flag of its own. */
const base = (pid: string, gender: 'male' | 'female' = 'male') => [
  patient(pid, '1981-03-15', gender),
  lbpEpisode(pid, { onsetDays: 30 }),
];

const weightInPounds = (id: string, pid: string, lb: number, days: number) =>
  observation({
    id,
    patientId: pid,
    code: concept([coded('loinc', '29463-7', 'Body weight')]),
    effective: { dateTime: dateTimeAgo(days) },
    value: { quantity: lb, unit: 'lb', code: '[lb_av]' },
    category: 'vital-signs',
  });

export const malignancyRecords: RealWorldRecord[] = [
  ...redFlagPair(
    'RF-04',
    'rf04-computed-kg',
    ['RW-03'],
    'Two nl-core-BodyWeight measurements: 82.0 kg four months ago, 76.5 kg five days ago (-5.5 kg, 6.7 %)',
    (pid) => [...base(pid), weight(`${pid}-w1`, pid, 82.0, 120), weight(`${pid}-w2`, pid, 76.5, 5)],
    'Twin: 82.0 kg → 81.0 kg',
    (pid) => [...base(pid), weight(`${pid}-w1`, pid, 82.0, 120), weight(`${pid}-w2`, pid, 81.0, 5)]
  ),
  ...redFlagPair(
    'RF-04',
    'rf04-icpc-t08-oid',
    ['RW-01'],
    'ICPC-1-NL T08 weight loss in OID form, recorded a month ago',
    (pid) => [
      ...base(pid),
      otherProblem(pid, 't08', concept([coded('icpc1nl', 'T08', 'Gewichtsverlies', true)], 'Ongewild afgevallen'), {
        onsetDays: 30,
      }),
    ],
    'Twin: the same T08, recorded 3 years ago and resolved',
    (pid) => [
      ...base(pid),
      otherProblem(pid, 't08', concept([coded('icpc1nl', 'T08', 'Gewichtsverlies', true)], 'Gewichtsverlies'), {
        onsetDays: 1100,
        clinical: 'resolved',
        abatementDays: 1000,
      }),
    ]
  ),
  ...redFlagPair(
    'RF-04',
    'rf04-journal-afgevallen',
    ['RW-08', 'RW-09'],
    'SOEP S-line: "6 kilo afgevallen zonder dieet." (the negation after the keyword does not negate it)',
    (pid) => [...base(pid), journalLine(`${pid}-s`, pid, 'S', '6 kilo afgevallen zonder dieet.', 2)],
    'Twin: "Niet afgevallen, eetlust goed."',
    (pid) => [...base(pid), journalLine(`${pid}-s`, pid, 'S', 'Niet afgevallen, eetlust goed.', 2)]
  ),
  ...redFlagPair(
    'RF-04',
    'rf04-rapid-loss',
    ['RW-03', 'RW-04'],
    'Rapid loss: 80.0 kg 20 days ago, 75.0 kg today (the RF-04 amendment: W1 7–183 days before W2)',
    (pid) => [...base(pid), weight(`${pid}-w1`, pid, 80.0, 20), weight(`${pid}-w2`, pid, 75.0, 0)],
    'Twin: 80.0 kg → 79.5 kg in 20 days',
    (pid) => [...base(pid), weight(`${pid}-w1`, pid, 80.0, 20), weight(`${pid}-w2`, pid, 79.5, 0)]
  ),
  ...redFlagPair(
    'RF-04',
    'rf04-pounds',
    ['RW-03'],
    'Weights in [lb_av] from a US-built device: 180 lb → 168 lb (-5.4 kg)',
    (pid) => [...base(pid), weightInPounds(`${pid}-w1`, pid, 180, 100), weightInPounds(`${pid}-w2`, pid, 168, 3)],
    'Twin: 180 lb → 178 lb',
    (pid) => [...base(pid), weightInPounds(`${pid}-w1`, pid, 180, 100), weightInPounds(`${pid}-w2`, pid, 178, 3)]
  ),
  ...redFlagPair(
    'RF-05',
    'rf05-icpc-x76-resolved',
    ['RW-01'],
    'ICPC-1-NL X76 breast cancer from 2015, resolved (history of cancer counts)',
    (pid) => [
      ...base(pid, 'female'),
      otherProblem(pid, 'x76', concept([coded('icpc1nl', 'X76', 'Maligniteit borst')], 'Mammacarcinoom rechts'), {
        onset: { dateTime: '2015-06' },
        recordedDays: 4000,
        clinical: 'resolved',
      }),
    ],
    'Twin: family history in the episode note: "Moeder had borstkanker."',
    (pid) => [patient(pid, '1981-03-15', 'female'), lbpEpisode(pid, { onsetDays: 30, note: 'Moeder had borstkanker.' })]
  ),
  ...redFlagPair(
    'RF-05',
    'rf05-be-icd10-c61',
    ['RW-01'],
    'Belgian ICD-10 C61 "Cancer de la prostate" as problem-list item',
    (pid) => [
      patient(pid, '1956-07-07', 'male', 'BE'),
      beLbp(pid, 'fr', { onsetDays: 25 }),
      otherProblem(
        pid,
        'c61',
        concept([coded('icd10', 'C61', 'Malignant neoplasm of prostate')], 'Cancer de la prostate'),
        {
          onsetDays: 900,
        }
      ),
    ],
    'Twin: ICD-10 N40 "Hyperplasie bénigne de la prostate"',
    (pid) => [
      patient(pid, '1956-07-07', 'male', 'BE'),
      beLbp(pid, 'fr', { onsetDays: 25 }),
      otherProblem(
        pid,
        'n40',
        concept([coded('icd10', 'N40', 'Hyperplasia of prostate')], 'Hyperplasie bénigne de la prostate'),
        {
          onsetDays: 900,
        }
      ),
    ]
  ),
  ...redFlagPair(
    'RF-05',
    'rf05-icd10-z85',
    ['RW-01'],
    'ICD-10 Z85.3 personal history of breast cancer',
    (pid) => [
      ...base(pid, 'female'),
      otherProblem(pid, 'z85', concept([coded('icd10', 'Z85.3')], 'Voorgeschiedenis mammacarcinoom'), {
        onsetDays: 1800,
      }),
    ],
    'Twin: ICD-10 Z80.3 family history of breast cancer',
    (pid) => [
      ...base(pid, 'female'),
      otherProblem(pid, 'z80', concept([coded('icd10', 'Z80.3')], 'Familieanamnese mammacarcinoom'), {
        onsetDays: 1800,
      }),
    ]
  ),
  ...redFlagPair(
    'RF-05',
    'rf05-snomed-descendant',
    ['RW-02'],
    'SNOMED 254637007 non-small cell lung cancer (a descendant of 363346000)',
    (pid) => [
      ...base(pid),
      otherProblem(pid, 'nsclc', concept([coded('sct', '254637007', 'Non-small cell lung cancer')], 'NSCLC'), {
        onsetDays: 400,
      }),
    ],
    'Twin: the malignancy is ruled out after the term: "Maligniteit uitgesloten (CT-thorax schoon)."',
    (pid) => [
      patient(pid, '1981-03-15', 'male'),
      lbpEpisode(pid, { onsetDays: 30, note: 'Maligniteit uitgesloten (CT-thorax schoon).' }),
    ]
  ),
  ...redFlagPair(
    'RF-05',
    'rf05-abbreviation',
    ['RW-09'],
    'GP abbreviation on a text-only problem: "St.n. mamma-ca 2012"',
    (pid) => [...base(pid, 'female'), otherProblem(pid, 'hx', concept([], 'St.n. mamma-ca 2012'), { onsetDays: 5000 })],
    'Twin: "Geen maligniteit in de voorgeschiedenis."',
    (pid) => [
      patient(pid, '1981-03-15', 'female'),
      lbpEpisode(pid, { onsetDays: 30, note: 'Geen maligniteit in de voorgeschiedenis.' }),
    ]
  ),
];

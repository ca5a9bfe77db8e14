import { concept, daysAgo, journalLine, lumbarMri, patient } from '../fhir';
import { beLbp, coded, journalPair, lbpEpisode, otherProblem, redFlagPair, sciaticaEpisode } from '../record';
import type { EpisodeOptions, RealWorldRecord } from '../record';

/** RF-01 cauda equina and RF-02 progressive neurological deficit, each with its negative twin. */

/** A new faecal incontinence (ICPC-2 D17) in a Belgian record. */
const faecal = (pid: string) =>
  otherProblem(pid, 'd17', concept([coded('icpc2', 'D17', 'Incontinence of bowel')], 'Incontinence fécale'), {
    onsetDays: 1,
  });

/** Urinary retention under a practice-local code, with SNOMED CT only as the second coding. */
const localRetention = (pid: string, options: EpisodeOptions) =>
  otherProblem(
    pid,
    'ret',
    concept(
      [
        { system: 'urn:oid:2.16.840.1.113883.2.4.3.111.5.10.1', code: 'R-4711', display: 'Retentio urinae' },
        coded('sct', '267064002', 'Retention of urine'),
      ],
      'Retentio urinae'
    ),
    options
  );

const SCIATICA_MRI = 'rf01-his-sciatica-mri';
const SCIATICA_MRI_TWIN = 'rf01-his-sciatica-mri-twin';

export const caudaNeuroRecords: RealWorldRecord[] = [
  {
    id: SCIATICA_MRI,
    title:
      'Issue headline 1: the only back code is sciatica (ICPC-1-NL L86); new urinary retention and saddle anaesthesia ' +
      'in a SOEP journal line; the GP orders a lumbar MRI',
    rw: ['RW-01', 'RW-08', 'RW-10'],
    flag: 'RF-01',
    resources: [
      patient(SCIATICA_MRI, '1979-05-10', 'male'),
      sciaticaEpisode(SCIATICA_MRI, { onsetDays: 12 }),
      journalLine(
        `${SCIATICA_MRI}-s1`,
        SCIATICA_MRI,
        'S',
        'Sinds gisteren kan niet plassen, doof gevoel rond de anus (rijbroekanesthesie).',
        0
      ),
    ],
    order: lumbarMri(`${SCIATICA_MRI}-order`, SCIATICA_MRI),
    expect: { critical: ['RF-01'], noCarePlan: true },
  },
  {
    id: SCIATICA_MRI_TWIN,
    title: 'Twin of headline 1: same sciatica episode and MRI order, the journal line negates every CES symptom',
    rw: ['RW-08', 'RW-09', 'RW-10'],
    twinOf: SCIATICA_MRI,
    resources: [
      patient(SCIATICA_MRI_TWIN, '1979-05-10', 'male'),
      sciaticaEpisode(SCIATICA_MRI_TWIN, { onsetDays: 12 }),
      journalLine(
        `${SCIATICA_MRI_TWIN}-s1`,
        SCIATICA_MRI_TWIN,
        'S',
        'Mictie normaal, geen zadelanesthesie, geen incontinentie.',
        0
      ),
    ],
    order: lumbarMri(`${SCIATICA_MRI_TWIN}-order`, SCIATICA_MRI_TWIN),
    expect: { noCritical: true, warning: ['EX-01'], noCarePlan: true },
  },
  ...redFlagPair(
    'RF-01',
    'rf01-be-icd10-m544-r33',
    ['RW-01'],
    'Belgian record: ICD-10 M54.4 (lumbago with sciatica) only, and ICD-10 R33 retention with French text',
    (pid) => [
      patient(pid, '1971-02-14', 'male', 'BE'),
      otherProblem(pid, 'lrs', concept([coded('icd10', 'M54.4')], 'Lombosciatalgie gauche')),
      otherProblem(pid, 'r33', concept([coded('icd10', 'R33')], "Rétention d'urine"), { onsetDays: 2 }),
    ],
    'Twin: the same Belgian shape, the retention was during a prostate operation 6 years ago and is resolved',
    (pid) => [
      patient(pid, '1971-02-14', 'male', 'BE'),
      otherProblem(pid, 'lrs', concept([coded('icd10', 'M54.4')], 'Lombosciatalgie gauche')),
      otherProblem(pid, 'r33', concept([coded('icd10', 'R33')], "Rétention d'urine"), {
        onsetDays: 2200,
        clinical: 'resolved',
        abatementDays: 2190,
      }),
    ]
  ),
  ...redFlagPair(
    'RF-01',
    'rf01-icpc-oid-u04',
    ['RW-01'],
    'ICPC-1-NL in OID form (urn:oid:2.16.840.1.113883.2.4.4.31.1): L03 episode and new U04 incontinence',
    (pid) => [
      patient(pid, '1968-09-01', 'female'),
      lbpEpisode(pid, { oid: true, onsetDays: 20 }),
      otherProblem(pid, 'u04', concept([coded('icpc1nl', 'U04', 'Incontinentie urine', true)], 'Incontinentie urine'), {
        onsetDays: 3,
      }),
    ],
    'Twin: the same OID-coded U04, but long-standing (onset 6 years ago, before the episode)',
    (pid) => [
      patient(pid, '1968-09-01', 'female'),
      lbpEpisode(pid, { oid: true, onsetDays: 20 }),
      otherProblem(
        pid,
        'u04',
        concept([coded('icpc1nl', 'U04', 'Incontinentie urine', true)], 'Stressincontinentie na partus'),
        { onsetDays: 2300 }
      ),
    ]
  ),
  ...redFlagPair(
    'RF-01',
    'rf01-be-faecal-d17',
    ['RW-02'],
    'Belgian ICPC-2: L03 and new faecal incontinence D17 ("incontinence fécale")',
    (pid) => [patient(pid, '1975-03-03', 'male', 'BE'), beLbp(pid, 'fr', { onsetDays: 15 }), faecal(pid)],
    'Twin: the same D17 entry, refuted by the GP after examination',
    (pid) => [
      patient(pid, '1975-03-03', 'male', 'BE'),
      beLbp(pid, 'fr', { onsetDays: 15 }),
      {
        ...faecal(pid),
        verificationStatus: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'refuted' }],
        },
      },
    ]
  ),
  ...redFlagPair(
    'RF-01',
    'rf01-local-code-first',
    ['RW-01'],
    'HIS-local code first, SNOMED 267064002 (retention of urine) only as the second coding',
    (pid) => [
      patient(pid, '1966-11-30', 'male'),
      lbpEpisode(pid, { onsetDays: 25 }),
      localRetention(pid, { onsetDays: 2 }),
    ],
    'Twin: the same two-coding retention, resolved with an abatement 2 years ago',
    (pid) => [
      patient(pid, '1966-11-30', 'male'),
      lbpEpisode(pid, { onsetDays: 25 }),
      localRetention(pid, { onsetDays: 760, clinical: 'resolved', abatementDays: 740 }),
    ]
  ),
  ...redFlagPair(
    'RF-01',
    'rf01-partial-month-onset',
    ['RW-04'],
    'Retention (ICPC-1-NL U08) with a partial onset date (year-month of this month), as HIS episodes often have',
    (pid) => [
      patient(pid, '1959-06-21', 'female'),
      lbpEpisode(pid, { onsetDays: 30 }),
      otherProblem(pid, 'u08', concept([coded('icpc1nl', 'U08', 'Urineretentie')]), {
        onset: { dateTime: daysAgo(0).slice(0, 7) },
        recordedDays: 1,
      }),
    ],
    'Twin: the same partial-date U08, but from a year long before the episode and resolved',
    (pid) => [
      patient(pid, '1959-06-21', 'female'),
      lbpEpisode(pid, { onsetDays: 30 }),
      otherProblem(pid, 'u08', concept([coded('icpc1nl', 'U08', 'Urineretentie')]), {
        onset: { dateTime: '2014' },
        recordedDays: 4400,
        clinical: 'resolved',
      }),
    ]
  ),
  ...redFlagPair(
    'RF-02',
    'rf02-icpc-n18',
    ['RW-01'],
    'ICPC-1-NL N18 paresis of the leg, 3 days, during the LBP episode',
    (pid) => [
      patient(pid, '1970-01-15', 'male'),
      lbpEpisode(pid, { onsetDays: 18 }),
      otherProblem(pid, 'n18', concept([coded('icpc1nl', 'N18', 'Paralyse/paresis')], 'Parese been rechts'), {
        onsetDays: 3,
      }),
    ],
    'Twin: the same N18 from a stroke 10 years ago, resolved, long before the episode',
    (pid) => [
      patient(pid, '1970-01-15', 'male'),
      lbpEpisode(pid, { onsetDays: 18 }),
      otherProblem(pid, 'n18', concept([coded('icpc1nl', 'N18', 'Paralyse/paresis')], 'Parese arm links na CVA'), {
        onsetDays: 3650,
        clinical: 'resolved',
        abatementDays: 3500,
      }),
    ]
  ),
  ...journalPair(
    'RF-02',
    'rf02-journal-klapvoet',
    ['RW-08', 'RW-09'],
    ['O', 'Klapvoet rechts, toenemende uitval.'],
    ['O', 'Geen klapvoet, kracht beide benen normaal.'],
    1
  ),
  ...journalPair(
    'RF-02',
    'rf02-journal-word-order',
    ['RW-09'],
    ['S', 'Beide benen krachteloos sinds gisteren.'],
    ['P', 'Bij krachtsverlies in de benen direct terugkomen.'],
    0
  ),
];

import { concept, daysAgo, journalLine, lumbarMri, patient } from '../fhir';
import { beLbp, coded, lbpEpisode, otherProblem, sciaticaEpisode } from '../record';
import type { RealWorldRecord } from '../record';

/** RF-01 cauda equina and RF-02 progressive neurological deficit, each with its negative twin. */

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
  {
    id: 'rf01-be-icd10-m544-r33',
    title: 'Belgian record: ICD-10 M54.4 (lumbago with sciatica) only, and ICD-10 R33 retention with French text',
    rw: ['RW-01'],
    flag: 'RF-01',
    resources: [
      patient('rf01-be-icd10-m544-r33', '1971-02-14', 'female', 'BE'),
      otherProblem('rf01-be-icd10-m544-r33', 'lrs', concept([coded('icd10', 'M54.4')], 'Lombosciatalgie gauche')),
      otherProblem('rf01-be-icd10-m544-r33', 'r33', concept([coded('icd10', 'R33')], "Rétention d'urine"), {
        onsetDays: 2,
      }),
    ],
    expect: { critical: ['RF-01'], noCarePlan: true },
  },
  {
    id: 'rf01-be-icd10-m544-r33-twin',
    title: 'Twin: same Belgian shape, the retention was during a prostate operation 6 years ago and is resolved',
    rw: ['RW-01', 'RW-07'],
    twinOf: 'rf01-be-icd10-m544-r33',
    resources: [
      patient('rf01-be-icd10-m544-r33-twin', '1971-02-14', 'male', 'BE'),
      otherProblem('rf01-be-icd10-m544-r33-twin', 'lrs', concept([coded('icd10', 'M54.4')], 'Lombosciatalgie gauche')),
      otherProblem('rf01-be-icd10-m544-r33-twin', 'r33', concept([coded('icd10', 'R33')], "Rétention d'urine"), {
        onsetDays: 2200,
        clinical: 'resolved',
        abatementDays: 2190,
      }),
    ],
    expect: { noCritical: true },
  },
  {
    id: 'rf01-icpc-oid-u04',
    title: 'ICPC-1-NL in OID form (urn:oid:2.16.840.1.113883.2.4.4.31.1): L03 episode and new U04 incontinence',
    rw: ['RW-01'],
    flag: 'RF-01',
    resources: [
      patient('rf01-icpc-oid-u04', '1968-09-01', 'female'),
      lbpEpisode('rf01-icpc-oid-u04', { oid: true, onsetDays: 20 }),
      otherProblem(
        'rf01-icpc-oid-u04',
        'u04',
        concept([coded('icpc1nl', 'U04', 'Incontinentie urine', true)], 'Incontinentie urine'),
        { onsetDays: 3 }
      ),
    ],
    expect: { critical: ['RF-01'], noCarePlan: true },
  },
  {
    id: 'rf01-icpc-oid-u04-twin',
    title: 'Twin: the same OID-coded U04, but long-standing (onset 6 years ago, before the episode)',
    rw: ['RW-01', 'RW-04'],
    twinOf: 'rf01-icpc-oid-u04',
    resources: [
      patient('rf01-icpc-oid-u04-twin', '1968-09-01', 'female'),
      lbpEpisode('rf01-icpc-oid-u04-twin', { oid: true, onsetDays: 20 }),
      otherProblem(
        'rf01-icpc-oid-u04-twin',
        'u04',
        concept([coded('icpc1nl', 'U04', 'Incontinentie urine', true)], 'Stressincontinentie na partus'),
        { onsetDays: 2300 }
      ),
    ],
    expect: { noCritical: true },
  },
  {
    id: 'rf01-be-faecal-d17',
    title: 'Belgian ICPC-2: L03 and new faecal incontinence D17 ("incontinence fécale")',
    rw: ['RW-02'],
    flag: 'RF-01',
    resources: [
      patient('rf01-be-faecal-d17', '1975-03-03', 'male', 'BE'),
      beLbp('rf01-be-faecal-d17', 'fr', { onsetDays: 15 }),
      otherProblem(
        'rf01-be-faecal-d17',
        'd17',
        concept([coded('icpc2', 'D17', 'Incontinence of bowel')], 'Incontinence fécale'),
        { onsetDays: 1 }
      ),
    ],
    expect: { critical: ['RF-01'], noCarePlan: true },
  },
  {
    id: 'rf01-be-faecal-d17-twin',
    title: 'Twin: the same D17 entry, refuted by the GP after examination',
    rw: ['RW-02'],
    twinOf: 'rf01-be-faecal-d17',
    resources: [
      patient('rf01-be-faecal-d17-twin', '1975-03-03', 'male', 'BE'),
      beLbp('rf01-be-faecal-d17-twin', 'fr', { onsetDays: 15 }),
      {
        ...otherProblem(
          'rf01-be-faecal-d17-twin',
          'd17',
          concept([coded('icpc2', 'D17', 'Incontinence of bowel')], 'Incontinence fécale'),
          { onsetDays: 1 }
        ),
        verificationStatus: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'refuted' }],
        },
      },
    ],
    expect: { noCritical: true },
  },
  {
    id: 'rf01-local-code-first',
    title: 'HIS-local code first, SNOMED 267064002 (retention of urine) only as the second coding',
    rw: ['RW-01'],
    flag: 'RF-01',
    resources: [
      patient('rf01-local-code-first', '1966-11-30', 'male'),
      lbpEpisode('rf01-local-code-first', { onsetDays: 25 }),
      otherProblem(
        'rf01-local-code-first',
        'ret',
        concept(
          [
            { system: 'urn:oid:2.16.840.1.113883.2.4.3.111.5.10.1', code: 'R-4711', display: 'Retentio urinae' },
            coded('sct', '267064002', 'Retention of urine'),
          ],
          'Retentio urinae'
        ),
        { onsetDays: 2 }
      ),
    ],
    expect: { critical: ['RF-01'], noCarePlan: true },
  },
  {
    id: 'rf01-local-code-first-twin',
    title: 'Twin: the same two-coding retention, resolved with an abatement 2 years ago',
    rw: ['RW-01', 'RW-07'],
    twinOf: 'rf01-local-code-first',
    resources: [
      patient('rf01-local-code-first-twin', '1966-11-30', 'male'),
      lbpEpisode('rf01-local-code-first-twin', { onsetDays: 25 }),
      otherProblem(
        'rf01-local-code-first-twin',
        'ret',
        concept(
          [
            { system: 'urn:oid:2.16.840.1.113883.2.4.3.111.5.10.1', code: 'R-4711', display: 'Retentio urinae' },
            coded('sct', '267064002', 'Retention of urine'),
          ],
          'Retentio urinae'
        ),
        { onsetDays: 760, clinical: 'resolved', abatementDays: 740 }
      ),
    ],
    expect: { noCritical: true },
  },
  {
    id: 'rf01-partial-month-onset',
    title: 'Retention (ICPC-1-NL U08) with a partial onset date (year-month of this month), as HIS episodes often have',
    rw: ['RW-04'],
    flag: 'RF-01',
    resources: [
      patient('rf01-partial-month-onset', '1959-06-21', 'female'),
      lbpEpisode('rf01-partial-month-onset', { onsetDays: 30 }),
      otherProblem('rf01-partial-month-onset', 'u08', concept([coded('icpc1nl', 'U08', 'Urineretentie')]), {
        onset: { dateTime: daysAgo(0).slice(0, 7) },
        recordedDays: 1,
      }),
    ],
    expect: { critical: ['RF-01'], noCarePlan: true },
  },
  {
    id: 'rf01-partial-month-onset-twin',
    title: 'Twin: the same partial-date U08, but from a year long before the episode and resolved',
    rw: ['RW-04'],
    twinOf: 'rf01-partial-month-onset',
    resources: [
      patient('rf01-partial-month-onset-twin', '1959-06-21', 'female'),
      lbpEpisode('rf01-partial-month-onset-twin', { onsetDays: 30 }),
      otherProblem('rf01-partial-month-onset-twin', 'u08', concept([coded('icpc1nl', 'U08', 'Urineretentie')]), {
        onset: { dateTime: '2014' },
        recordedDays: 4400,
        clinical: 'resolved',
      }),
    ],
    expect: { noCritical: true },
  },
  {
    id: 'rf02-icpc-n18',
    title: 'ICPC-1-NL N18 paresis of the leg, 3 days, during the LBP episode',
    rw: ['RW-01'],
    flag: 'RF-02',
    resources: [
      patient('rf02-icpc-n18', '1970-01-15', 'male'),
      lbpEpisode('rf02-icpc-n18', { onsetDays: 18 }),
      otherProblem(
        'rf02-icpc-n18',
        'n18',
        concept([coded('icpc1nl', 'N18', 'Paralyse/paresis')], 'Parese been rechts'),
        {
          onsetDays: 3,
        }
      ),
    ],
    expect: { critical: ['RF-02'], noCarePlan: true },
  },
  {
    id: 'rf02-icpc-n18-twin',
    title: 'Twin: the same N18 from a stroke 10 years ago, resolved, long before the episode',
    rw: ['RW-01', 'RW-07'],
    twinOf: 'rf02-icpc-n18',
    resources: [
      patient('rf02-icpc-n18-twin', '1970-01-15', 'male'),
      lbpEpisode('rf02-icpc-n18-twin', { onsetDays: 18 }),
      otherProblem(
        'rf02-icpc-n18-twin',
        'n18',
        concept([coded('icpc1nl', 'N18', 'Paralyse/paresis')], 'Parese arm links na CVA'),
        { onsetDays: 3650, clinical: 'resolved', abatementDays: 3500 }
      ),
    ],
    expect: { noCritical: true },
  },
  {
    id: 'rf02-journal-klapvoet',
    title: 'SOEP O-line: "Klapvoet rechts, toenemende uitval."',
    rw: ['RW-08', 'RW-09'],
    flag: 'RF-02',
    resources: [
      patient('rf02-journal-klapvoet', '1980-07-07', 'female'),
      lbpEpisode('rf02-journal-klapvoet', { onsetDays: 10 }),
      journalLine('rf02-journal-klapvoet-o1', 'rf02-journal-klapvoet', 'O', 'Klapvoet rechts, toenemende uitval.', 1),
    ],
    expect: { critical: ['RF-02'], noCarePlan: true },
  },
  {
    id: 'rf02-journal-klapvoet-twin',
    title: 'Twin: the O-line negates it: "Geen klapvoet, kracht beide benen normaal."',
    rw: ['RW-08', 'RW-09'],
    twinOf: 'rf02-journal-klapvoet',
    resources: [
      patient('rf02-journal-klapvoet-twin', '1980-07-07', 'female'),
      lbpEpisode('rf02-journal-klapvoet-twin', { onsetDays: 10 }),
      journalLine(
        'rf02-journal-klapvoet-twin-o1',
        'rf02-journal-klapvoet-twin',
        'O',
        'Geen klapvoet, kracht beide benen normaal.',
        1
      ),
    ],
    expect: { noCritical: true },
  },
  {
    id: 'rf02-journal-word-order',
    title: 'SOEP S-line with the words in another order: "Beide benen krachteloos sinds gisteren."',
    rw: ['RW-09'],
    flag: 'RF-02',
    resources: [
      patient('rf02-journal-word-order', '1977-04-04', 'male'),
      lbpEpisode('rf02-journal-word-order', { onsetDays: 9 }),
      journalLine(
        'rf02-journal-word-order-s1',
        'rf02-journal-word-order',
        'S',
        'Beide benen krachteloos sinds gisteren.',
        0
      ),
    ],
    expect: { critical: ['RF-02'], noCarePlan: true },
  },
  {
    id: 'rf02-journal-word-order-twin',
    title: 'Twin: a hypothetical in the P-line: "Bij krachtsverlies in de benen direct terugkomen."',
    rw: ['RW-09'],
    twinOf: 'rf02-journal-word-order',
    resources: [
      patient('rf02-journal-word-order-twin', '1977-04-04', 'male'),
      lbpEpisode('rf02-journal-word-order-twin', { onsetDays: 9 }),
      journalLine(
        'rf02-journal-word-order-twin-p1',
        'rf02-journal-word-order-twin',
        'P',
        'Bij krachtsverlies in de benen direct terugkomen.',
        0
      ),
    ],
    expect: { noCritical: true },
  },
];

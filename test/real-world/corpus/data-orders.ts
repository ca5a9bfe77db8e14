import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import {
  concept,
  coding,
  dateTimeAgo,
  daysAgo,
  draftOrder,
  journalLine,
  lumbarMri,
  observation,
  patient,
  physioReferral,
  temperature,
} from '../fhir';
import { coded, lbpEpisode, otherProblem } from '../record';
import type { RealWorldRecord } from '../record';

/**
 * Completeness of searches (RW-06, issue headline 2), pregnancy status answers (RW-02), contradictions and
 * duplicates (RW-07), text in the draft order (RW-08) and the scope of order hooks (RW-10).
 */

const searchset = (entries: BundleEntry[], extra: Partial<Bundle> = {}): Bundle => ({
  resourceType: 'Bundle',
  type: 'searchset',
  ...extra,
  entry: entries,
});
const match = (resource: Resource): BundleEntry => ({ resource, search: { mode: 'match' } });

/** A chronic LBP patient with no flag in what is visible: only the missing data could hide one. */
const chronic = (pid: string) => [
  patient(pid, '1984-01-01', 'female'),
  lbpEpisode(pid, { onsetDays: 150 }),
  temperature(`${pid}-t`, pid, 36.9, { dateTime: dateTimeAgo(2) }),
  observation({
    id: `${pid}-sbst`,
    patientId: pid,
    code: concept([coded('loinc', '91351-7', 'Total score [STarT Back]')]),
    effective: { dateTime: dateTimeAgo(10) },
    value: { integer: 5 },
    category: 'survey',
  }),
];

const OUTCOME_ID = 'rw06-condition-outcome';
const TOTAL_ID = 'rw06-total-without-next';
const NULL_ID = 'rw06-entry-null';
const WRONG_ID = 'rw06-wrong-type';
const OBS_ID = 'rw06-observation-warning';

function incomplete(id: string, title: string, searches: Record<string, Bundle>, dq: string): RealWorldRecord {
  return {
    id,
    title,
    rw: ['RW-06'],
    resources: chronic(id),
    searches,
    expect: { noCarePlan: true, dataQuality: [dq], absent: ['TS-10'] },
  };
}

const outcome = (severity: 'error' | 'warning', code: string, text: string) => ({
  resourceType: 'OperationOutcome' as const,
  issue: [{ severity, code: code as 'too-costly', diagnostics: text }],
});

export const dataOrderRecords: RealWorldRecord[] = [
  incomplete(
    OUTCOME_ID,
    'Issue headline 2a: the Condition search Bundle carries an OperationOutcome entry (search.mode outcome): the ' +
      'cauda equina Condition was not returned',
    {
      Condition: searchset([
        match(lbpEpisode(OUTCOME_ID, { onsetDays: 150 })),
        {
          resource: outcome('error', 'too-costly', 'Not all Conditions could be returned'),
          search: { mode: 'outcome' },
        },
      ]),
    },
    'Condition'
  ),
  incomplete(
    TOTAL_ID,
    'Issue headline 2b: total 4 but one entry and no next link',
    { Condition: searchset([match(lbpEpisode(TOTAL_ID, { onsetDays: 150 }))], { total: 4 }) },
    'Condition'
  ),
  {
    ...incomplete(
      NULL_ID,
      'Issue headline 2c: the Condition search answers `entry: null` (a broken export)',
      { Condition: { resourceType: 'Bundle', type: 'searchset', total: 3, entry: null } as unknown as Bundle },
      'Condition'
    ),
    // Without its Conditions the service cannot see the back pain; it must say the Conditions were not obtained.
    expect: { noCarePlan: true, dataQuality: ['Condition'] },
  },
  incomplete(
    WRONG_ID,
    'Issue headline 2d: the Condition search holds an Observation (a resource of the wrong type)',
    {
      Condition: searchset([
        match(lbpEpisode(WRONG_ID, { onsetDays: 150 })),
        match(temperature(`${WRONG_ID}-stray`, WRONG_ID, 36.5, { dateTime: dateTimeAgo(3) })),
      ]),
    },
    'Condition'
  ),
  incomplete(
    OBS_ID,
    'The Observation search carries an OperationOutcome with severity warning (a timeout on one partition)',
    {
      Observation: searchset([
        match(temperature(`${OBS_ID}-t`, OBS_ID, 36.9, { dateTime: dateTimeAgo(2) })),
        {
          resource: outcome('warning', 'timeout', 'Observation search partially timed out'),
          search: { mode: 'outcome' },
        },
      ]),
    },
    'Observation'
  ),
  {
    id: 'rw02-pregnancy-loinc-answer',
    title: 'Pregnancy status Observation LOINC 82810-3 answered with the LOINC answer LA15173-0 "Pregnant"',
    rw: ['RW-02'],
    resources: [
      patient('rw02-pregnancy-loinc-answer', '1995-05-05', 'female'),
      lbpEpisode('rw02-pregnancy-loinc-answer', { onsetDays: 30 }),
      observation({
        id: 'rw02-pregnancy-loinc-answer-preg',
        patientId: 'rw02-pregnancy-loinc-answer',
        code: concept([coded('loinc', '82810-3', 'Pregnancy status')]),
        effective: { dateTime: dateTimeAgo(20) },
        value: { concept: concept([coded('loinc', 'LA15173-0', 'Pregnant')]) },
        category: 'social-history',
      }),
    ],
    expect: { warning: ['PR-01'] },
  },
  {
    id: 'rw02-pregnancy-loinc-answer-twin',
    title: 'Twin: the same 82810-3 answered LA26683-5 "Not pregnant"',
    rw: ['RW-02'],
    resources: [
      patient('rw02-pregnancy-loinc-answer-twin', '1995-05-05', 'female'),
      lbpEpisode('rw02-pregnancy-loinc-answer-twin', { onsetDays: 30 }),
      observation({
        id: 'rw02-pregnancy-loinc-answer-twin-preg',
        patientId: 'rw02-pregnancy-loinc-answer-twin',
        code: concept([coded('loinc', '82810-3', 'Pregnancy status')]),
        effective: { dateTime: dateTimeAgo(20) },
        value: { concept: concept([coded('loinc', 'LA26683-5', 'Not pregnant')]) },
        category: 'social-history',
      }),
    ],
    expect: { noCritical: true, absent: ['PR-01'] },
  },
  {
    id: 'rw07-retention-duplicate',
    title:
      'New retention (U08, 2 days) next to an old resolved U08 duplicate whose meta.lastUpdated is newer (migration)',
    rw: ['RW-07'],
    flag: 'RF-01',
    resources: [
      patient('rw07-retention-duplicate', '1970-10-10', 'male'),
      lbpEpisode('rw07-retention-duplicate', { onsetDays: 20 }),
      otherProblem('rw07-retention-duplicate', 'u08-new', concept([coded('icpc1nl', 'U08', 'Urineretentie')]), {
        onsetDays: 2,
        lastUpdated: `${daysAgo(2)}T12:00:00Z`,
      }),
      otherProblem('rw07-retention-duplicate', 'u08-old', concept([coded('icpc1nl', 'U08', 'Urineretentie')]), {
        onset: { dateTime: '2019-01-10' },
        recordedDays: 2870,
        clinical: 'resolved',
        abatementDays: 2850,
        lastUpdated: `${daysAgo(1)}T02:00:00Z`,
      }),
    ],
    expect: { critical: ['RF-01'], noCarePlan: true },
  },
  {
    id: 'rw07-cancer-resolved-later',
    title: 'Breast cancer X76 active (2016) and a later "resolved" record of the same concept: history still counts',
    rw: ['RW-07'],
    flag: 'RF-05',
    resources: [
      patient('rw07-cancer-resolved-later', '1975-02-02', 'female'),
      lbpEpisode('rw07-cancer-resolved-later', { onsetDays: 30 }),
      otherProblem('rw07-cancer-resolved-later', 'x76-a', concept([coded('icpc1nl', 'X76')], 'Mammacarcinoom'), {
        onset: { dateTime: '2016-04-01' },
        recordedDays: 3850,
      }),
      otherProblem('rw07-cancer-resolved-later', 'x76-b', concept([coded('icpc1nl', 'X76')], 'Mammacarcinoom'), {
        onset: { dateTime: '2016-04-01' },
        recordedDays: 1800,
        clinical: 'resolved',
        abatementDays: 1800,
      }),
    ],
    expect: { critical: ['RF-05'], noCarePlan: true },
  },
  {
    id: 'rw08-order-note-saddle',
    title: 'The CES suspicion is only in the MRI order note: "Verdenking cauda equina: zadelanesthesie"',
    rw: ['RW-08', 'RW-10'],
    flag: 'RF-01',
    orderHooksOnly: true,
    resources: [patient('rw08-order-note-saddle', '1978-07-07', 'male'), lbpEpisode('rw08-order-note-saddle')],
    order: lumbarMri(
      'rw08-order-note-saddle-order',
      'rw08-order-note-saddle',
      'Verdenking cauda equina: zadelanesthesie.'
    ),
    expect: { critical: ['RF-01'], noCarePlan: true },
  },
  {
    id: 'rw08-order-note-saddle-twin',
    title: 'Twin: the order note says "Geen zadelanesthesie, mictie normaal."',
    rw: ['RW-08', 'RW-10'],
    twinOf: 'rw08-order-note-saddle',
    orderHooksOnly: true,
    resources: [
      patient('rw08-order-note-saddle-twin', '1978-07-07', 'male'),
      lbpEpisode('rw08-order-note-saddle-twin'),
    ],
    order: lumbarMri(
      'rw08-order-note-saddle-twin-order',
      'rw08-order-note-saddle-twin',
      'Geen zadelanesthesie, mictie normaal.'
    ),
    expect: { noCritical: true },
  },
  {
    id: 'rw10-cpt-no-back-code',
    title:
      'US-built client: CPT 72148 lumbar MRI order, no back code in the problem list, "urineretentie" in a journal line',
    rw: ['RW-10'],
    flag: 'RF-01',
    orderHooksOnly: true,
    resources: [
      patient('rw10-cpt-no-back-code', '1972-02-22', 'female'),
      journalLine(
        'rw10-cpt-no-back-code-s',
        'rw10-cpt-no-back-code',
        'S',
        'Rugpijn met urineretentie sinds gisteren.',
        0
      ),
    ],
    order: draftOrder(
      'rw10-cpt-no-back-code-order',
      'rw10-cpt-no-back-code',
      concept([coding('http://www.ama-assn.org/go/cpt', '72148', 'MRI lumbar spine without contrast')])
    ),
    expect: { critical: ['RF-01'], noCarePlan: true },
  },
  {
    id: 'rw10-cpt-no-back-code-twin',
    title: 'Twin: the same CPT order, the journal line says "Geen urineretentie."',
    rw: ['RW-10'],
    twinOf: 'rw10-cpt-no-back-code',
    orderHooksOnly: true,
    resources: [
      patient('rw10-cpt-no-back-code-twin', '1972-02-22', 'female'),
      journalLine('rw10-cpt-no-back-code-twin-s', 'rw10-cpt-no-back-code-twin', 'S', 'Rugpijn, geen urineretentie.', 0),
    ],
    order: draftOrder(
      'rw10-cpt-no-back-code-twin-order',
      'rw10-cpt-no-back-code-twin',
      concept([coding('http://www.ama-assn.org/go/cpt', '72148', 'MRI lumbar spine without contrast')])
    ),
    expect: { noCritical: true },
  },
  {
    id: 'rw10-flemish-rx-fever',
    title: 'Flemish text-only order "RX lumbale wervelzuil" for a patient with fever 38.7 °C',
    rw: ['RW-10'],
    flag: 'RF-03',
    resources: [
      patient('rw10-flemish-rx-fever', '1967-06-06', 'male', 'BE'),
      lbpEpisode('rw10-flemish-rx-fever', { onsetDays: 12 }),
      temperature('rw10-flemish-rx-fever-t', 'rw10-flemish-rx-fever', 38.7, { dateTime: dateTimeAgo(1) }),
    ],
    order: draftOrder('rw10-flemish-rx-fever-order', 'rw10-flemish-rx-fever', concept([], 'RX lumbale wervelzuil')),
    expect: { critical: ['RF-03'], noCarePlan: true, absent: ['IM-05'] },
  },
  {
    id: 'rw10-unrelated-lab-order',
    title:
      'An unrelated lab order (CRP/BSE) for an LBP patient with fever: red flag shown, no imaging or exercise card',
    rw: ['RW-10'],
    flag: 'RF-03',
    resources: [
      patient('rw10-unrelated-lab-order', '1967-06-06', 'female'),
      lbpEpisode('rw10-unrelated-lab-order', { onsetDays: 12 }),
      temperature('rw10-unrelated-lab-order-t', 'rw10-unrelated-lab-order', 38.9, { dateTime: dateTimeAgo(1) }),
    ],
    order: draftOrder(
      'rw10-unrelated-lab-order-order',
      'rw10-unrelated-lab-order',
      concept([coded('loinc', '1988-5', 'C reactive protein')], 'CRP en BSE')
    ),
    expect: { critical: ['RF-03'], noCarePlan: true, absent: ['IM-05', 'IM-04'] },
  },
  {
    id: 'rw10-unrelated-lab-order-twin',
    title: 'Twin: the same lab order, temperature 36.8 °C',
    rw: ['RW-10'],
    twinOf: 'rw10-unrelated-lab-order',
    resources: [
      patient('rw10-unrelated-lab-order-twin', '1967-06-06', 'female'),
      lbpEpisode('rw10-unrelated-lab-order-twin', { onsetDays: 12 }),
      temperature('rw10-unrelated-lab-order-twin-t', 'rw10-unrelated-lab-order-twin', 36.8, {
        dateTime: dateTimeAgo(1),
      }),
    ],
    order: draftOrder(
      'rw10-unrelated-lab-order-twin-order',
      'rw10-unrelated-lab-order-twin',
      concept([coded('loinc', '1988-5', 'C reactive protein')], 'CRP en BSE')
    ),
    expect: { noCritical: true, absent: ['IM-05', 'IM-04'] },
  },
  {
    id: 'rw10-physio-referral-clean',
    title: 'A clean chronic LBP patient and a physiotherapy referral: the control record of the order hooks',
    rw: ['RW-10'],
    resources: chronic('rw10-physio-referral-clean'),
    order: physioReferral('rw10-physio-referral-clean-order', 'rw10-physio-referral-clean'),
    expect: { noCritical: true },
  },
  {
    id: 'rw07-retention-duplicate-twin',
    title: 'Twin: both U08 records are from 2019 and resolved (one touched by the migration)',
    rw: ['RW-07'],
    twinOf: 'rw07-retention-duplicate',
    resources: [
      patient('rw07-retention-duplicate-twin', '1970-10-10', 'male'),
      lbpEpisode('rw07-retention-duplicate-twin', { onsetDays: 20 }),
      otherProblem('rw07-retention-duplicate-twin', 'u08-a', concept([coded('icpc1nl', 'U08', 'Urineretentie')]), {
        onset: { dateTime: '2019-01-10' },
        recordedDays: 2870,
        clinical: 'resolved',
        abatementDays: 2850,
      }),
      otherProblem('rw07-retention-duplicate-twin', 'u08-b', concept([coded('icpc1nl', 'U08', 'Urineretentie')]), {
        onset: { dateTime: '2019-01-10' },
        recordedDays: 2870,
        clinical: 'resolved',
        abatementDays: 2850,
        lastUpdated: `${daysAgo(1)}T02:00:00Z`,
      }),
    ],
    expect: { noCritical: true },
  },
  {
    id: 'rw07-cancer-resolved-later-twin',
    title: 'Twin: the same two X76 records, both refuted (a suspicion ruled out by biopsy)',
    rw: ['RW-07'],
    twinOf: 'rw07-cancer-resolved-later',
    resources: [
      patient('rw07-cancer-resolved-later-twin', '1975-02-02', 'female'),
      lbpEpisode('rw07-cancer-resolved-later-twin', { onsetDays: 30 }),
      ...['x76-a', 'x76-b'].map((suffix, index) => ({
        ...otherProblem(
          'rw07-cancer-resolved-later-twin',
          suffix,
          concept([coded('icpc1nl', 'X76')], 'Verdenking mammacarcinoom'),
          { onset: { dateTime: '2016-04-01' }, recordedDays: index === 0 ? 3850 : 1800 }
        ),
        verificationStatus: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'refuted' }],
        },
      })),
    ],
    expect: { noCritical: true },
  },
  {
    id: 'rw10-flemish-rx-fever-twin',
    title: 'Twin: the same "RX lumbale wervelzuil" order, temperature 37.0 °C',
    rw: ['RW-10'],
    twinOf: 'rw10-flemish-rx-fever',
    resources: [
      patient('rw10-flemish-rx-fever-twin', '1967-06-06', 'male', 'BE'),
      lbpEpisode('rw10-flemish-rx-fever-twin', { onsetDays: 12 }),
      temperature('rw10-flemish-rx-fever-twin-t', 'rw10-flemish-rx-fever-twin', 37.0, { dateTime: dateTimeAgo(1) }),
    ],
    order: draftOrder(
      'rw10-flemish-rx-fever-twin-order',
      'rw10-flemish-rx-fever-twin',
      concept([], 'RX lumbale wervelzuil')
    ),
    expect: { noCritical: true },
  },
];

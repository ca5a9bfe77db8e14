import type { Coding } from '@medplum/fhirtypes';
import {
  concept,
  dateTimeAgo,
  daysAgo,
  journalLine,
  OID,
  observation,
  patient,
  procedure,
  temperature,
  valueOf,
} from '../fhir';
import type { Effective, Value } from '../fhir';
import { beLbp, coded, lbpEpisode, otherProblem, redFlagPair } from '../record';
import type { RealWorldRecord } from '../record';

/** RF-03 fever (RW-02 site-specific codes, RW-03 values, RW-04 dates), spinal infection (EX), RW-07 migration. */

/** A temperature Observation under another code than 8310-5 (nl-core-BodyTemperature / FHIR bodytemp shapes). */
function siteTemperature(id: string, patientId: string, code: Coding, value: Value, effective: Effective) {
  return observation({ id, patientId, code: concept([code]), effective, value, category: 'vital-signs' });
}

const feverPair = (
  id: string,
  title: string,
  rw: RealWorldRecord['rw'],
  positive: (pid: string) => RealWorldRecord['resources'],
  twinTitle: string,
  twin: (pid: string) => RealWorldRecord['resources']
) => redFlagPair('RF-03', id, rw, title, positive, twinTitle, twin);

const base = (pid: string, birth = '1972-08-19') => [patient(pid, birth, 'male'), lbpEpisode(pid, { onsetDays: 14 })];

/** 38.4 °C coded only as SNOMED CT 386725007, in the OID form. */
const snomedOidTemperature = (pid: string, days: number) =>
  siteTemperature(
    `${pid}-t`,
    pid,
    { system: OID.sct, code: '386725007', display: 'Body temperature' },
    { quantity: 38.4, unit: '°C', code: 'Cel' },
    { dateTime: dateTimeAgo(days) }
  );

const MIGRATED = 'rw07-migrated-old-lbp-fever';

/**
 * A consultation's vital signs as one panel Observation with components (FHIR vitalsigns panel LOINC 85353-1, or
 * the older 8716-3 "Vital signs"), as HIS exports send them: heart rate, blood pressure and the temperature.
 */
function vitalSignsPanel(pid: string, panel: '85353-1' | '8716-3', temperatureCode: Coding, value: Value) {
  return {
    ...observation({
      id: `${pid}-vs`,
      patientId: pid,
      code: concept([coded('loinc', panel, 'Vital signs panel')], 'Vitale functies'),
      effective: { dateTime: dateTimeAgo(1) },
      category: 'vital-signs',
    }),
    component: [
      {
        code: concept([coded('loinc', '8867-4', 'Heart rate')]),
        valueQuantity: { value: 92, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
      },
      {
        code: concept([coded('loinc', '8480-6', 'Systolic blood pressure')]),
        valueQuantity: { value: 128, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
      },
      { code: concept([temperatureCode]), ...valueOf(value) },
    ],
  };
}

export const feverInfectionRecords: RealWorldRecord[] = [
  {
    id: 'rw03-panel-local-temperature-component',
    title:
      'A vital-signs panel whose temperature component has a local HIS code only ("TEMP", text "Temp. oor", ' +
      '38,8 graden): present but not understood, named in the data-quality card',
    rw: ['RW-02', 'RW-03'],
    resources: [
      ...base('rw03-panel-local-temperature-component'),
      vitalSignsPanel(
        'rw03-panel-local-temperature-component',
        '85353-1',
        { system: 'urn:oid:2.16.840.1.113883.2.4.3.111.5.10.2', code: 'TEMP', display: 'Temp. oor' },
        { string: '38,8 graden' }
      ),
    ],
    expect: { dataQuality: ['Temp. oor'], noCarePlan: true },
  },
  ...feverPair(
    'rf03-vital-signs-panel-component',
    'The temperature is a component of a vital-signs panel (LOINC 85353-1, component 8310-5, 38.7 Cel), no Observation of its own',
    ['RW-02', 'RW-03'],
    (pid) => [
      ...base(pid),
      vitalSignsPanel(pid, '85353-1', coded('loinc', '8310-5', 'Body temperature'), {
        quantity: 38.7,
        unit: '°C',
        code: 'Cel',
      }),
    ],
    'Twin: the same panel, temperature component 37.1 Cel',
    (pid) => [
      ...base(pid),
      vitalSignsPanel(pid, '85353-1', coded('loinc', '8310-5', 'Body temperature'), {
        quantity: 37.1,
        unit: '°C',
        code: 'Cel',
      }),
    ]
  ),
  ...feverPair(
    'rf03-vital-signs-panel-component-string',
    'An older "Vital signs" panel (LOINC 8716-3) whose oral-temperature component (SNOMED CT 415945006) is a valueString "38,9 °C"',
    ['RW-02', 'RW-03'],
    (pid) => [
      ...base(pid),
      vitalSignsPanel(pid, '8716-3', coded('sct', '415945006', 'Oral temperature'), { string: '38,9 °C' }),
    ],
    'Twin: the same panel, component valueString "36,8 °C"',
    (pid) => [
      ...base(pid),
      vitalSignsPanel(pid, '8716-3', coded('sct', '415945006', 'Oral temperature'), { string: '36,8 °C' }),
    ]
  ),
  ...feverPair(
    'rf03-tympanic-string-comma',
    'Tympanic temperature (LOINC 8333-7) sent as valueString "38,9" (decimal comma), as the HIS stores the measurement',
    ['RW-02', 'RW-03'],
    (pid) => [
      ...base(pid),
      siteTemperature(
        pid + '-t',
        pid,
        coded('loinc', '8333-7', 'Tympanic membrane temperature'),
        { string: '38,9' },
        {
          dateTime: dateTimeAgo(1),
        }
      ),
    ],
    'Twin: the same tympanic valueString, "37,2"',
    (pid) => [
      ...base(pid),
      siteTemperature(
        pid + '-t',
        pid,
        coded('loinc', '8333-7', 'Tympanic membrane temperature'),
        { string: '37,2' },
        {
          dateTime: dateTimeAgo(1),
        }
      ),
    ]
  ),
  ...feverPair(
    'rf03-rectal-period',
    'Rectal temperature (LOINC 8332-9) with effectivePeriod, 38.6 Cel',
    ['RW-02', 'RW-04'],
    (pid) => [
      ...base(pid),
      siteTemperature(
        pid + '-t',
        pid,
        coded('loinc', '8332-9', 'Rectal temperature'),
        { quantity: 38.6, unit: '°C', code: 'Cel' },
        {
          period: { start: dateTimeAgo(2, '08:00:00'), end: dateTimeAgo(2, '08:05:00') },
        }
      ),
    ],
    'Twin: the same rectal period, 38.0 °C exactly (the threshold does not fire)',
    (pid) => [
      ...base(pid),
      siteTemperature(
        pid + '-t',
        pid,
        coded('loinc', '8332-9', 'Rectal temperature'),
        { quantity: 38.0, unit: '°C', code: 'Cel' },
        {
          period: { start: dateTimeAgo(2, '08:00:00'), end: dateTimeAgo(2, '08:05:00') },
        }
      ),
    ]
  ),
  ...feverPair(
    'rf03-instant-fahrenheit',
    'Body temperature with effectiveInstant in [degF] (a US-built client): 101.8 °F',
    ['RW-03', 'RW-04'],
    (pid) => [
      ...base(pid),
      temperature(
        pid + '-t',
        pid,
        38.8,
        { instant: `${daysAgo(1)}T07:12:00.000Z` },
        {
          value: { quantity: 101.8, unit: '°F', code: '[degF]' },
        }
      ),
    ],
    'Twin: 100.4 °F (= 38.0 °C)',
    (pid) => [
      ...base(pid),
      temperature(
        pid + '-t',
        pid,
        38,
        { instant: `${daysAgo(1)}T07:12:00.000Z` },
        {
          value: { quantity: 100.4, unit: '°F', code: '[degF]' },
        }
      ),
    ]
  ),
  ...feverPair(
    'rf03-snomed-oid',
    'Body temperature coded only SNOMED 386725007 in OID form (urn:oid:2.16.840.1.113883.6.96)',
    ['RW-01', 'RW-02'],
    (pid) => [...base(pid), snomedOidTemperature(pid, 3)],
    'Twin: the same temperature measured 10 days ago (outside the 7-day window)',
    (pid) => [...base(pid), snomedOidTemperature(pid, 10)]
  ),
  ...feverPair(
    'rf03-issued-only',
    'Body temperature with only `issued` (no effective[x]), 39.1 °C',
    ['RW-04'],
    (pid) => [...base(pid), temperature(pid + '-t', pid, 39.1, { issued: `${daysAgo(2)}T10:15:00+01:00` })],
    'Twin: issued 30 days ago',
    (pid) => [...base(pid), temperature(pid + '-t', pid, 39.1, { issued: `${daysAgo(30)}T10:15:00+01:00` })]
  ),
  ...feverPair(
    'rf03-journal-koorts',
    'SOEP S-line: "Koorts sinds 2 dagen, rillingen."',
    ['RW-08'],
    (pid) => [...base(pid), journalLine(pid + '-s', pid, 'S', 'Koorts sinds 2 dagen, rillingen.', 0)],
    'Twin: "Geen koorts, geen rillingen."',
    (pid) => [...base(pid), journalLine(pid + '-s', pid, 'S', 'Geen koorts, geen rillingen.', 0)]
  ),
  ...feverPair(
    'rf03-be-icpc2-a03',
    'Belgian ICPC-2 A03 "Fièvre", onset 2 days ago',
    ['RW-01'],
    (pid) => [
      patient(pid, '1969-12-01', 'female', 'BE'),
      beLbp(pid, 'fr', { onsetDays: 20 }),
      otherProblem(pid, 'a03', concept([coded('icpc2', 'A03', 'Fever')], 'Fièvre'), { onsetDays: 2 }),
    ],
    'Twin: the same A03, resolved 2 months ago',
    (pid) => [
      patient(pid, '1969-12-01', 'female', 'BE'),
      beLbp(pid, 'fr', { onsetDays: 20 }),
      otherProblem(pid, 'a03', concept([coded('icpc2', 'A03', 'Fever')], 'Fièvre'), {
        onsetDays: 65,
        clinical: 'resolved',
        abatementDays: 60,
      }),
    ]
  ),
  ...feverPair(
    'rf03-checklist',
    'Checklist-style O-line as templates write it: "Koorts: ja (38,7). Nachtzweten: nee."',
    ['RW-09'],
    (pid) => [...base(pid), journalLine(pid + '-o', pid, 'O', 'Koorts: ja (38,7). Nachtzweten: nee.', 0)],
    'Twin: the checklist says no: "Koorts: nee. Rillingen: -. Gewichtsverlies: neg."',
    (pid) => [...base(pid), journalLine(pid + '-o', pid, 'O', 'Koorts: nee. Rillingen: -. Gewichtsverlies: neg.', 0)]
  ),
  ...feverPair(
    'rf03-no-longer-since',
    'Recent fever stated with a negation: "Geen koorts meer sinds eergisteren." (= fever within the last 7 days)',
    ['RW-09'],
    (pid) => [...base(pid), journalLine(pid + '-s', pid, 'S', 'Geen koorts meer sinds eergisteren.', 0)],
    'Twin: fever long ago: "Vorig jaar koorts gehad bij griep."',
    (pid) => [...base(pid), journalLine(pid + '-s', pid, 'S', 'Vorig jaar koorts gehad bij griep.', 0)]
  ),
  ...feverPair(
    'rf03-comparator',
    'Comparator: valueQuantity ">" 39 °C (a device that reports "above 39")',
    ['RW-03'],
    (pid) => [
      ...base(pid),
      temperature(
        pid + '-t',
        pid,
        39,
        { dateTime: dateTimeAgo(1) },
        {
          value: { quantity: 39, comparator: '>', unit: '°C', code: 'Cel' },
        }
      ),
    ],
    'Twin: a hypothetical in the plan: "Bij koorts boven 38,5 terugkomen."',
    (pid) => [...base(pid), journalLine(pid + '-p', pid, 'P', 'Bij koorts boven 38,5 terugkomen.', 0)]
  ),
  ...feverPair(
    'rf03-procedure-note',
    'The fever is only in a Procedure note (bladder scan): "Patiënt meldt koorts en rillingen."',
    ['RW-08'],
    (pid) => [
      ...base(pid),
      {
        ...procedure(pid + '-p', pid, 'Blaasscan', daysAgo(1)),
        note: [{ text: 'Patiënt meldt koorts en rillingen.' }],
      },
    ],
    'Twin: the Procedure note says "Geen koorts."',
    (pid) => [
      ...base(pid),
      { ...procedure(pid + '-p', pid, 'Blaasscan', daysAgo(1)), note: [{ text: 'Geen koorts.' }] },
    ]
  ),
  ...feverPair(
    'rf03-string-unit-words',
    'Body temperature valueString with the unit in words: "38.5 graden"',
    ['RW-03'],
    (pid) => [
      ...base(pid),
      temperature(pid + '-t', pid, 0, { dateTime: dateTimeAgo(1) }, { value: { string: '38.5 graden' } }),
    ],
    'Twin: a typing error, 386 °C (impossible: a data-quality note, never a finding)',
    (pid) => [...base(pid), temperature(pid + '-t', pid, 386, { dateTime: dateTimeAgo(1) })]
  ),
  {
    id: MIGRATED,
    title:
      'Issue headline 3: a resolved LBP record from 2015 touched by a migration (meta.lastUpdated yesterday, no ' +
      'abatement) next to the current episode, with fever 38.8 °C',
    rw: ['RW-07'],
    flag: 'RF-03',
    resources: [
      patient(MIGRATED, '1974-10-10', 'female'),
      lbpEpisode(MIGRATED, {
        id: `${MIGRATED}-old`,
        onset: { dateTime: '2015-03-02' },
        recordedDays: 4280,
        clinical: 'resolved',
        lastUpdated: `${daysAgo(1)}T02:00:00Z`,
      }),
      lbpEpisode(MIGRATED, { onsetDays: 14, lastUpdated: `${daysAgo(14)}T11:00:00Z` }),
      temperature(`${MIGRATED}-t`, MIGRATED, 38.8, { dateTime: dateTimeAgo(1) }),
    ],
    expect: { critical: ['RF-03'], noCarePlan: true },
  },
  {
    id: `${MIGRATED}-twin`,
    title: 'Twin of headline 3: the same migrated records, temperature 37.1 °C',
    rw: ['RW-07'],
    twinOf: MIGRATED,
    resources: [
      patient(`${MIGRATED}-twin`, '1974-10-10', 'female'),
      lbpEpisode(`${MIGRATED}-twin`, {
        id: `${MIGRATED}-twin-old`,
        onset: { dateTime: '2015-03-02' },
        recordedDays: 4280,
        clinical: 'resolved',
        lastUpdated: `${daysAgo(1)}T02:00:00Z`,
      }),
      lbpEpisode(`${MIGRATED}-twin`, { onsetDays: 14, lastUpdated: `${daysAgo(14)}T11:00:00Z` }),
      temperature(`${MIGRATED}-twin-t`, `${MIGRATED}-twin`, 37.1, { dateTime: dateTimeAgo(1) }),
    ],
    expect: { noCritical: true },
  },
  {
    id: 'ex-spinal-infection-m464',
    title: 'Known current spinal infection, ICD-10-NL M46.4 discitis: specific LBP, an EX card and no CarePlan',
    rw: ['RW-01'],
    flag: 'EX-06',
    resources: [
      patient('ex-spinal-infection-m464', '1961-05-05', 'male'),
      lbpEpisode('ex-spinal-infection-m464', { onsetDays: 40 }),
      otherProblem(
        'ex-spinal-infection-m464',
        'inf',
        concept([coded('icd10nl', 'M46.4', 'Discitis')], 'Discitis L4-L5'),
        {
          onsetDays: 30,
        }
      ),
    ],
    expect: { warning: ['EX-06'], noCarePlan: true },
  },
  {
    id: 'ex-spinal-infection-m464-twin',
    title: 'Twin: the same discitis, treated and resolved in 2019 (history, not current)',
    rw: ['RW-01'],
    twinOf: 'ex-spinal-infection-m464',
    resources: [
      patient('ex-spinal-infection-m464-twin', '1961-05-05', 'male'),
      lbpEpisode('ex-spinal-infection-m464-twin', { onsetDays: 40 }),
      otherProblem(
        'ex-spinal-infection-m464-twin',
        'inf',
        concept([coded('icd10nl', 'M46.4', 'Discitis')], 'Discitis L4-L5'),
        { onset: { dateTime: '2019-02-01' }, recordedDays: 2800, clinical: 'resolved', abatementDays: 2700 }
      ),
    ],
    expect: { noCritical: true },
  },
  {
    id: 'ex-spondylodiscitis-fever',
    title: 'Belgian ICPC-2 L70 "spondylodiscite" with fever 38.5 °C: EX card and RF-03',
    rw: ['RW-01'],
    flag: 'EX-06',
    resources: [
      patient('ex-spondylodiscitis-fever', '1958-01-20', 'female', 'BE'),
      beLbp('ex-spondylodiscitis-fever', 'fr', { onsetDays: 35 }),
      otherProblem(
        'ex-spondylodiscitis-fever',
        'inf',
        concept([coded('icpc2', 'L70', 'Infection musculoskeletal system')], 'Spondylodiscite L3-L4'),
        { onsetDays: 10 }
      ),
      temperature('ex-spondylodiscitis-fever-t', 'ex-spondylodiscitis-fever', 38.5, { dateTime: dateTimeAgo(0) }),
    ],
    // With the red flag open, the exclusion may be noted on the red-flag card itself (EV-01: one card per urgency).
    expect: { critical: ['RF-03'], anyCard: ['EX-06'], noCarePlan: true },
  },
  {
    id: 'ex-spondylodiscitis-fever-twin',
    title: 'Twin: an L70 osteomyelitis of a toe years ago, resolved; temperature 37.0 °C',
    rw: ['RW-01'],
    twinOf: 'ex-spondylodiscitis-fever',
    resources: [
      patient('ex-spondylodiscitis-fever-twin', '1958-01-20', 'female', 'BE'),
      beLbp('ex-spondylodiscitis-fever-twin', 'fr', { onsetDays: 35 }),
      otherProblem(
        'ex-spondylodiscitis-fever-twin',
        'inf',
        concept([coded('icpc2', 'L70', 'Infection musculoskeletal system')], 'Ostéomyélite orteil'),
        { onsetDays: 3000, clinical: 'resolved', abatementDays: 2900 }
      ),
      temperature('ex-spondylodiscitis-fever-twin-t', 'ex-spondylodiscitis-fever-twin', 37.0, {
        dateTime: dateTimeAgo(0),
      }),
    ],
    expect: { noCritical: true },
  },
  {
    id: 'ex-spinal-infection-text',
    title: 'Spinal infection only as text: a Condition "Spondylodiscitis L3-L4" without a code',
    rw: ['RW-08'],
    flag: 'EX-06',
    resources: [
      patient('ex-spinal-infection-text', '1964-04-12', 'male'),
      lbpEpisode('ex-spinal-infection-text', { onsetDays: 50 }),
      otherProblem('ex-spinal-infection-text', 'inf', concept([], 'Spondylodiscitis L3-L4'), { onsetDays: 20 }),
    ],
    expect: { warning: ['EX-06'], noCarePlan: true },
  },
  {
    id: 'ex-spinal-infection-text-twin',
    title: 'Twin: "Geen aanwijzingen voor spondylodiscitis" on the LBP episode',
    rw: ['RW-08', 'RW-09'],
    twinOf: 'ex-spinal-infection-text',
    resources: [
      patient('ex-spinal-infection-text-twin', '1964-04-12', 'male'),
      lbpEpisode('ex-spinal-infection-text-twin', {
        onsetDays: 50,
        note: 'Geen aanwijzingen voor spondylodiscitis.',
      }),
    ],
    expect: { noCritical: true },
  },
];

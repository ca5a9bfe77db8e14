import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ValueSet } from '@medplum/fhirtypes';
import { validateR4 } from '../../../test/support/fhir-validation';
import {
  buildTerminology,
  CODE_SYSTEMS,
  DEFAULT_VALUE_SET_DIR,
  loadTerminology,
  normaliseCode,
  TerminologyError,
  VALUE_SET_BASE,
  valueSetUrl,
} from './terminology';

const { snomed: SCT, loinc: LN, icd10: ICD, icd10nl: ICD_NL, icd10cm: ICD_CM } = CODE_SYSTEMS;
const { icpc2: ICPC, icpc1nl: ICPC_NL, atc: ATC } = CODE_SYSTEMS;

const VALUE_SET_DIR = path.resolve(__dirname, '..', '..', '..', 'fhir-resources', 'valuesets');
const files = readdirSync(VALUE_SET_DIR)
  .filter((name) => /^ValueSet-.+\.json$/.test(name))
  .sort();
const valueSets = files.map((file) => ({
  file,
  resource: JSON.parse(readFileSync(path.join(VALUE_SET_DIR, file), 'utf8')) as ValueSet,
}));

const terminology = loadTerminology(VALUE_SET_DIR);

describe('ValueSet files in fhir-resources/valuesets', () => {
  test('the default directory is fhir-resources/valuesets and holds the value sets', () => {
    expect(DEFAULT_VALUE_SET_DIR).toBe(VALUE_SET_DIR);
    expect(files.length).toBeGreaterThanOrEqual(29);
  });

  test.each(valueSets)('$file is valid FHIR R4', ({ resource }) => {
    expect(() => {
      validateR4(resource);
    }).not.toThrow();
  });

  test.each(valueSets)('$file has the canonical URL, version and metadata', ({ file, resource }) => {
    const id = resource.id ?? '';
    expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(file).toBe(`ValueSet-${id}.json`);
    expect(resource.url).toBe(`${VALUE_SET_BASE}${id}`);
    expect(resource.version).toBe('2026.11.0');
    expect(resource.name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
    expect(resource.title).toBeTruthy();
    expect(resource.status).toBe('active');
    expect(resource.experimental).toBe(false);
    expect(resource.publisher).toBe('Ruggensteun');
  });

  test.each(valueSets)('$file describes the rules that use it and its sources', ({ resource }) => {
    expect(resource.description).toMatch(/Used by: .*\b(SC|RF|SF|EX|CL|PR|YF|TS|IM)-\d/);
    expect(resource.description).toMatch(/Sources: /);
    expect(resource.description).toMatch(/Members: /);
  });

  test.each(valueSets)(
    '$file lists ICD-10 rows for all three ICD-10 systems and ICPC rows for both',
    ({ resource }) => {
      const rows = (system: string): string[] =>
        (resource.compose?.include ?? [])
          .filter((include) => include.system === system)
          .flatMap((include) => [
            ...(include.concept ?? []).map((concept) => `=${concept.code}`),
            ...(include.filter ?? []).map((filter) => `${filter.op} ${filter.value}`),
          ])
          .sort();
      expect(rows(ICD_NL)).toEqual(rows(ICD));
      expect(rows(ICD_CM)).toEqual(rows(ICD));
      expect(rows(ICPC_NL)).toEqual(rows(ICPC));
    }
  );

  test('every file is loaded under its canonical URL', () => {
    expect([...terminology.valueSetUrls].sort()).toEqual(valueSets.map(({ resource }) => resource.url).sort());
    expect(terminology.versionOf(valueSetUrl('lbp'))).toBe('2026.11.0');
    expect(terminology.versionOf(valueSetUrl('does-not-exist'))).toBeUndefined();
  });

  test.each([
    ['filter without property and value', { include: [{ system: LN, filter: [{ op: 'is-a' }] }] }],
    ['include without system or content', { include: [{ concept: 'M54.5' }] }],
  ])('validateR4 rejects an invalid ValueSet (%s), so the check above can fail', (_label, compose) => {
    const invalid = { resourceType: 'ValueSet', status: 'active', compose } as unknown as ValueSet;
    expect(() => {
      validateR4(invalid);
    }).toThrow(/compose\.include\[0\]/);
  });
});

const MALIGNANCY_ICPC = ['A79', 'B72', 'B73', 'B74', 'D74', 'D75', 'D76', 'D77', 'L71', 'N74', 'R84', 'R85'];
const MALIGNANCY_ICPC_2 = ['S77', 'T71', 'U75', 'U76', 'U77', 'W72', 'X75', 'X76', 'X77', 'Y77', 'Y78', 'A21'];

/** [system, code, value-set id, expected membership] — every code of docs/clinical-specification.md §9 at least once. */
const membership: [string, string, string, boolean][] = [
  // LBP
  [SCT, '279039007', 'lbp', true],
  [SCT, '278860009', 'lbp', true],
  [SCT, '278862001', 'lbp', true],
  [SCT, '161891005', 'lbp', true],
  [SCT, ' 279039007 ', 'lbp', true],
  [ICPC, 'L03', 'lbp', true],
  [ICPC_NL, 'L03', 'lbp', true],
  [ICPC, 'l03', 'lbp', true],
  [ICPC, 'L03.01', 'lbp', true],
  [ICPC_NL, ' l03.01 ', 'lbp', true],
  ['urn:oid:2.16.840.1.113883.2.4.4.31.1', 'L03', 'lbp', true],
  [ICPC, 'L84', 'lbp', true],
  [ICPC_NL, 'L84', 'lbp', true],
  [ICPC, 'L02', 'lbp', false],
  [ICPC, 'L86', 'lbp', false],
  [ICD, 'M54.5', 'lbp', true],
  [ICD_NL, 'M54.5', 'lbp', true],
  [ICD_CM, 'M54.50', 'lbp', true],
  [ICD_CM, 'M54.51', 'lbp', true],
  [ICD_CM, 'M54.59', 'lbp', true],
  [ICD, 'M545', 'lbp', true],
  [ICD_CM, 'm5459', 'lbp', true],
  [ICD, 'M54.9', 'lbp', true],
  [ICD, 'M54', 'lbp', false],
  [ICD, 'M54.4', 'lbp', false],
  [ICD, 'M53.2', 'lbp', false],
  [SCT, 'M54.5', 'lbp', false],
  [ICD, 'L03', 'lbp', false],
  ['http://example.org/local-codes', 'M54.5', 'lbp', false],
  // LRS / radicular syndrome (EX-01)
  [SCT, '23056005', 'radicular-syndrome', true],
  [SCT, '23056005', 'lbp', false],
  [ICPC, 'L86', 'radicular-syndrome', true],
  [ICPC_NL, 'L86', 'radicular-syndrome', true],
  [ICD, 'M54.1', 'radicular-syndrome', true],
  [ICD, 'M54.3', 'radicular-syndrome', true],
  [ICD, 'M54.4', 'radicular-syndrome', true],
  [ICD, 'M51.1', 'radicular-syndrome', true],
  [ICD_CM, 'M51.16', 'radicular-syndrome', true],
  [ICD, 'M51.2', 'radicular-syndrome', false],
  // CES and bladder/bowel (RF-01), leg weakness (RF-02)
  [SCT, '192970008', 'cauda-equina', true],
  [ICD, 'G83.4', 'cauda-equina', true],
  [ICD, 'G83.2', 'cauda-equina', false],
  [SCT, '267064002', 'bladder-bowel', true],
  [SCT, '165232002', 'bladder-bowel', true],
  [ICPC, 'U08', 'bladder-bowel', true],
  [ICPC, 'U04', 'bladder-bowel', true],
  [ICPC, 'D17', 'bladder-bowel', true],
  [ICD, 'R33', 'bladder-bowel', true],
  [ICD, 'R32', 'bladder-bowel', true],
  [ICD, 'R15', 'bladder-bowel', true],
  [ICD, 'N39.3', 'bladder-bowel', true],
  [ICD, 'N39.4', 'bladder-bowel', true],
  [ICD, 'N39.0', 'bladder-bowel', false],
  [ICPC, 'N18', 'leg-weakness', true],
  [ICD, 'G81.9', 'leg-weakness', true],
  [ICD, 'G82', 'leg-weakness', true],
  [ICD, 'G83.4', 'leg-weakness', true],
  [ICD, 'G80', 'leg-weakness', false],
  // Fever and infection (RF-03)
  [SCT, '386661006', 'fever', true],
  [ICPC, 'A03', 'fever', true],
  [ICD, 'R50.8', 'fever', true],
  [ICD, 'R50.9', 'fever', true],
  [ICD, 'R51', 'fever', false],
  [LN, '8310-5', 'body-temperature', true],
  [SCT, '386725007', 'body-temperature', true],
  [LN, '8310-5', 'fever', false],
  [ICPC, 'L70', 'spinal-infection', true],
  [ICD, 'M46.2', 'spinal-infection', true],
  [ICD, 'M46.3', 'spinal-infection', true],
  [ICD, 'M46.4', 'spinal-infection', true],
  [ICD, 'M46.5', 'spinal-infection', true],
  [ICD, 'M46.1', 'spinal-infection', false],
  // Weight (RF-04)
  [LN, '29463-7', 'body-weight', true],
  [LN, '3141-9', 'body-weight', true],
  [SCT, '27113001', 'body-weight', true],
  [LN, '8302-2', 'body-weight', false],
  [LN, '39156-5', 'body-weight', false],
  [SCT, '89362005', 'weight-loss', true],
  [SCT, '448765001', 'weight-loss', true],
  [ICPC, 'T08', 'weight-loss', true],
  [ICD, 'R63.4', 'weight-loss', true],
  [ICD, 'R63.5', 'weight-loss', false],
  [SCT, '416528001', 'weight-loss', false],
  [SCT, '416528001', 'intentional-weight-loss', true],
  // Malignancy (RF-05)
  [SCT, '363346000', 'malignancy', true],
  [ICD, 'C00', 'malignancy', true],
  [ICD, 'C50.9', 'malignancy', true],
  [ICD_NL, 'C509', 'malignancy', true],
  [ICD, 'C97', 'malignancy', true],
  [ICD, 'C98', 'malignancy', false],
  [ICD_CM, 'C7A.00', 'malignancy', true],
  [ICD, 'Z85.3', 'malignancy', true],
  [ICD, 'D50', 'malignancy', false],
  [ICD, 'D05.1', 'malignancy', false],
  ...[...MALIGNANCY_ICPC, ...MALIGNANCY_ICPC_2].map((code): [string, string, string, boolean] => [
    ICPC,
    code,
    'malignancy',
    true,
  ]),
  [ICPC_NL, 'X76', 'malignancy', true],
  [ICPC, 'A20', 'malignancy', false],
  // Osteoporosis, glucocorticoids, fracture (SF-1, SF-2, RF-07)
  [SCT, '64859006', 'osteoporosis', true],
  [ICPC, 'L95', 'osteoporosis', true],
  [ICD, 'M80.0', 'osteoporosis', true],
  [ICD, 'M81', 'osteoporosis', true],
  [ICD, 'M83', 'osteoporosis', false],
  [ATC, 'H02AB06', 'systemic-glucocorticoids', true],
  [ATC, 'H02AB04', 'systemic-glucocorticoids', true],
  [ATC, 'H02AB07', 'systemic-glucocorticoids', true],
  [ATC, 'h02ab02', 'systemic-glucocorticoids', true],
  [ATC, 'H02AA02', 'systemic-glucocorticoids', false],
  [ATC, 'R03BA02', 'systemic-glucocorticoids', false],
  [ATC, 'D07AC01', 'systemic-glucocorticoids', false],
  [ICD, 'M80.08', 'vertebral-fracture', true],
  [ICD, 'M48.5', 'vertebral-fracture', true],
  [ICD_CM, 'M48.56XA', 'vertebral-fracture', true],
  [ICPC, 'L95', 'vertebral-fracture', false],
  [ICPC, 'L95', 'vertebral-fracture-needs-text', true],
  [ICD, 'S32.0', 'spine-injury', true],
  [ICD, 'S33.1', 'spine-injury', true],
  [ICD, 'S34', 'spine-injury', false],
  [ICPC, 'L76', 'spine-injury', false],
  [ICPC, 'L76', 'spine-injury-needs-text', true],
  [ICPC, 'A80', 'spine-injury-needs-text', true],
  [ICPC, 'A81', 'spine-injury-needs-text', true],
  // Pregnancy and delivery (PR-01, PR-02)
  [SCT, '77386006', 'pregnancy', true],
  [ICPC, 'W78', 'pregnancy', true],
  [ICD, 'Z33', 'pregnancy', true],
  [ICD, 'Z32.1', 'pregnancy', true],
  [ICD, 'Z34.0', 'pregnancy', true],
  [ICD, 'Z35', 'pregnancy', true],
  [ICD, 'Z36', 'pregnancy', true],
  [ICD, 'Z32.0', 'pregnancy', false],
  [LN, '82810-3', 'pregnancy-status-observation', true],
  [LN, '82810-3', 'pregnancy', false],
  [ICPC, 'W90', 'delivery', true],
  [ICPC, 'W91', 'delivery', true],
  [ICPC, 'W92', 'delivery', true],
  [ICPC, 'W93', 'delivery', true],
  [ICD, 'O80', 'delivery', true],
  [ICD, 'O82.1', 'delivery', true],
  [ICD, 'O84', 'delivery', true],
  [ICD, 'O85', 'delivery', false],
  [ICD, 'Z37.0', 'delivery', true],
  [ICD, 'Z39.2', 'delivery', true],
  [ICPC, 'W18', 'delivery', false],
  [ICPC, 'W18', 'postpartum', true],
  [ICPC, 'W96', 'postpartum', true],
  [ICD, 'O90.9', 'postpartum', true],
  // Rheumatic (EX-04, PR-04)
  [SCT, '9631008', 'axial-spondyloarthritis', true],
  [ICD, 'M45', 'axial-spondyloarthritis', true],
  [ICD_CM, 'M45.A1', 'axial-spondyloarthritis', true],
  [ICD, 'M46.1', 'axial-spondyloarthritis', true],
  [ICD, 'M46.8', 'axial-spondyloarthritis', true],
  [ICD, 'M46.9', 'axial-spondyloarthritis', true],
  [ICD, 'M46.2', 'axial-spondyloarthritis', false],
  [ICPC, 'L88', 'axial-spondyloarthritis', false],
  [ICPC, 'L88', 'ambiguous-inflammatory-arthritis', true],
  [SCT, '69896004', 'rheumatoid-arthritis', true],
  [ICPC, 'L88', 'rheumatoid-arthritis', true],
  [ICD, 'M05.9', 'rheumatoid-arthritis', true],
  [ICD, 'M06.0', 'rheumatoid-arthritis', true],
  [ICD, 'M07', 'rheumatoid-arthritis', false],
  // Comorbidity (PR-04, PR-06, PR-08)
  [SCT, '38341003', 'hypertension', true],
  [ICPC, 'K86', 'hypertension', true],
  [ICPC, 'K87', 'hypertension', true],
  [ICPC, 'K85', 'hypertension', false],
  [ICD, 'I10', 'hypertension', true],
  [ICD, 'I11.9', 'hypertension', true],
  [ICD, 'I15', 'hypertension', true],
  [ICD, 'I09', 'hypertension', false],
  [ICD_CM, 'I16.0', 'hypertension', false],
  [SCT, '73211009', 'diabetes', true],
  [ICPC, 'T89', 'diabetes', true],
  [ICPC, 'T90', 'diabetes', true],
  [ICD, 'E10', 'diabetes', true],
  [ICD, 'E11.9', 'diabetes', true],
  [ICD, 'E14', 'diabetes', true],
  [ICD, 'E15', 'diabetes', false],
  [SCT, '404640003', 'dizziness', true],
  [ICPC, 'N17', 'dizziness', true],
  [ICD, 'R42', 'dizziness', true],
  [SCT, '91019004', 'paraesthesia', true],
  [SCT, '44077006', 'paraesthesia', true],
  [ICPC, 'N05', 'paraesthesia', true],
  [ICPC, 'N06', 'paraesthesia', true],
  [ICD, 'R20.0', 'paraesthesia', true],
  [ICD, 'R20.1', 'paraesthesia', true],
  [ICD, 'R20.2', 'paraesthesia', true],
  [ICD, 'R20.3', 'paraesthesia', false],
  // Lower-limb injury (PR-03)
  [ICD, 'S70', 'lower-limb-injury', true],
  [ICD, 'S72.0', 'lower-limb-injury', true],
  [ICD, 'S82.1', 'lower-limb-injury', true],
  [ICD, 'S83', 'lower-limb-injury', true],
  [ICD, 'S92', 'lower-limb-injury', true],
  [ICD, 'S93.4', 'lower-limb-injury', true],
  [ICD, 'S99', 'lower-limb-injury', true],
  [ICD, 'S69', 'lower-limb-injury', false],
  [ICD, 'T00', 'lower-limb-injury', false],
  [ICPC, 'L73', 'lower-limb-injury', true],
  [ICPC, 'L74', 'lower-limb-injury', true],
  [ICPC, 'L75', 'lower-limb-injury', true],
  [ICPC, 'L77', 'lower-limb-injury', true],
  [ICPC, 'L78', 'lower-limb-injury', true],
  [ICPC, 'L96', 'lower-limb-injury', true],
  [ICPC, 'L79', 'lower-limb-injury', false],
  [ICPC, 'L81', 'lower-limb-injury', false],
  [ICPC, 'L79', 'lower-limb-injury-needs-text', true],
  [ICPC, 'L81', 'lower-limb-injury-needs-text', true],
  // Other rule groups (PR-09, EX-02, YF-01)
  [ICD, 'M41.2', 'scoliosis', true],
  [ICPC, 'L85', 'scoliosis', true],
  [ICD, 'M96.1', 'lumbar-surgery-complication', true],
  [ICPC, 'P76', 'depression-anxiety', true],
  [ICPC, 'P74', 'depression-anxiety', true],
  [ICPC, 'P01', 'depression-anxiety', true],
  [ICPC, 'P03', 'depression-anxiety', true],
  [ICD, 'F32.1', 'depression-anxiety', true],
  [ICD, 'F33', 'depression-anxiety', true],
  [ICD, 'F41.1', 'depression-anxiety', true],
  [ICD, 'F40', 'depression-anxiety', false],
  // Observations (CL-01, YF-02, YF-01)
  [LN, '85354-9', 'blood-pressure-panel', true],
  [LN, '8480-6', 'systolic-bp', true],
  [LN, '8462-4', 'diastolic-bp', true],
  [LN, '8480-6', 'diastolic-bp', false],
  [LN, '91351-7', 'sbst-total', true],
  [LN, '72514-3', 'pain-intensity', true],
  [LN, '38214-3', 'pain-intensity', true],
  // Orders (TS-11, IM-06)
  [SCT, '308447003', 'physiotherapy-order', true],
  [SCT, '91251008', 'physiotherapy-order', true],
  [SCT, '229065009', 'physiotherapy-order', true],
  [ICPC, '-57', 'physiotherapy-order', true],
  [ICPC, 'L57', 'physiotherapy-order', true],
  [ICPC, '-66', 'physiotherapy-order', false],
  [ICPC, '-66', 'physiotherapy-order-needs-text', true],
  [ICPC, 'L03', 'physiotherapy-order-needs-text', false],
  [SCT, '41333006', 'lumbar-imaging-order', true],
  [SCT, '433141005', 'lumbar-imaging-order', true],
  [LN, '24855-9', 'lumbar-imaging-order', true],
  [SCT, '241645008', 'lumbar-imaging-order', false],
  [SCT, '241645008', 'lumbar-imaging-order-needs-text', true],
  [ICPC, '-41', 'lumbar-imaging-order-needs-text', true],
  [ICPC_NL, 'L41', 'lumbar-imaging-order-needs-text', true],
  [ICPC, '-41', 'lumbar-imaging-order', false],
];

describe('membership (docs/clinical-specification.md §9)', () => {
  test.each(membership)('%s|%s in %s → %s', (system, code, id, expected) => {
    expect(terminology.contains(valueSetUrl(id), { system, code })).toBe(expected);
  });

  test.each([
    ['undefined coding', undefined],
    ['null coding', null],
    ['empty coding', {}],
    ['missing code', { system: ICD }],
    ['missing system', { code: 'M54.5' }],
    ['blank code', { system: ICD, code: '   ' }],
    ['non-string code', { system: ICD, code: 545 as unknown as string }],
  ])('%s is never a member', (_label, coding) => {
    expect(terminology.contains(valueSetUrl('lbp'), coding)).toBe(false);
    expect(terminology.valueSetsOf(coding)).toEqual([]);
  });

  test('an unknown value-set URL throws', () => {
    expect(() => terminology.contains(valueSetUrl('nope'), { system: ICD, code: 'M54.5' })).toThrow(TerminologyError);
    expect(() => terminology.matchingCoding('https://example.org/ValueSet/x', undefined)).toThrow(/Unknown value set/);
  });

  test('valueSetsOf lists every value set of a coding, sorted', () => {
    expect(terminology.valueSetsOf({ system: ICD, code: 'G83.4' })).toEqual([
      valueSetUrl('cauda-equina'),
      valueSetUrl('leg-weakness'),
    ]);
    expect(terminology.valueSetsOf({ system: ICPC, code: 'l88' })).toEqual([
      valueSetUrl('ambiguous-inflammatory-arthritis'),
      valueSetUrl('rheumatoid-arthritis'),
    ]);
    expect(terminology.valueSetsOf({ system: ICD_CM, code: 'M80.08XA' })).toEqual([
      valueSetUrl('osteoporosis'),
      valueSetUrl('vertebral-fracture'),
    ]);
  });

  test('codes the spec leaves without a value set are in none (e.g. Oswestry SNOMED 273545004, UNVERIFIED)', () => {
    expect(terminology.valueSetsOf({ system: SCT, code: '273545004' })).toEqual([]);
    expect(terminology.valueSetsOf({ system: SCT, code: '86569001' })).toEqual([]);
  });
});

describe('matchingCoding', () => {
  const lbp = valueSetUrl('lbp');

  test.each([
    ['undefined concept', undefined],
    ['null concept', null],
    ['concept without coding', {}],
    ['empty coding array', { coding: [] }],
    ['coding: [{}]', { coding: [{}] }],
    ['coding: [null]', { coding: [null] }],
    ['non-array coding', { coding: { system: ICD, code: 'M54.5' } as unknown as [] }],
    [
      'no member among the codings',
      {
        coding: [
          { system: ICD, code: 'M54.4' },
          { system: SCT, code: '23056005' },
        ],
      },
    ],
  ])('%s → undefined', (_label, concept) => {
    expect(terminology.matchingCoding(lbp, concept)).toBeUndefined();
  });

  test('returns the first member coding, skipping malformed ones', () => {
    const first = { system: ICPC_NL, code: 'L03', display: 'Lage-rugpijn zonder uitstraling' };
    const second = { system: SCT, code: '279039007' };
    const concept = { coding: [{}, { system: ICD, code: 'M54.4' }, first, second], text: 'lage rugpijn' };
    expect(terminology.matchingCoding(lbp, concept)).toBe(first);
  });
});

describe('normaliseCode', () => {
  test.each([
    [ICD, ' m545 ', 'M54.5'],
    [ICD_CM, 'M5450', 'M54.50'],
    [ICD_NL, 'M54', 'M54'],
    [ICD, 'M54.5', 'M54.5'],
    [ICPC, 'l03.01', 'L03.01'],
    [ICPC_NL, ' l03 ', 'L03'],
    [ICPC, 'L0301', 'L0301'],
    [ATC, 'h02ab06', 'H02AB06'],
    [SCT, ' 279039007 ', '279039007'],
    [LN, ' 8310-5', '8310-5'],
    ['http://example.org/local', ' abc ', 'abc'],
  ])('%s %j → %j', (system, code, expected) => {
    expect(normaliseCode(system, code)).toBe(expected);
  });
});

/** A minimal valid ValueSet for the builder tests. */
function valueSet(id: string, compose: unknown): unknown {
  return {
    resourceType: 'ValueSet',
    url: `https://example.org/ValueSet/${id}`,
    version: '1',
    status: 'active',
    compose,
  };
}

describe('buildTerminology', () => {
  test('normalises the value-set side and applies exclusions per value set', () => {
    const built = buildTerminology([
      {
        file: 'ValueSet-gc.json',
        json: valueSet('gc', {
          include: [{ system: ATC, filter: [{ property: 'concept', op: 'is-a', value: 'h02ab' }] }],
          exclude: [{ system: ATC, concept: [{ code: 'H02AB06' }] }],
        }),
      },
      {
        file: 'ValueSet-other.json',
        json: valueSet('other', {
          include: [
            { system: ATC, concept: [{ code: 'H02AB06' }] },
            { system: ICD, concept: [{ code: 'm545' }] },
          ],
        }),
      },
    ]);
    const gc = 'https://example.org/ValueSet/gc';
    const other = 'https://example.org/ValueSet/other';
    expect(built.contains(gc, { system: ATC, code: 'H02AB04' })).toBe(true);
    expect(built.contains(gc, { system: ATC, code: 'H02AB06' })).toBe(false);
    expect(built.contains(other, { system: ATC, code: 'H02AB06' })).toBe(true);
    expect(built.contains(other, { system: ICD, code: 'M54.5' })).toBe(true);
    expect(built.contains(other, { system: ICD, code: 'M54.50' })).toBe(false);
    expect(built.valueSetsOf({ system: ATC, code: 'H02AB06' })).toEqual([other]);
    expect(built.versionOf(gc)).toBe('1');
  });

  const isA = { property: 'concept', op: 'is-a', value: 'M54.5' };
  test.each([
    ['missing compose', valueSet('x', undefined), /ValueSet-x\.json: compose/],
    ['empty include', valueSet('x', { include: [] }), /ValueSet-x\.json: compose\.include/],
    [
      'wrong resourceType',
      { ...(valueSet('x', { include: [] }) as object), resourceType: 'CodeSystem' },
      /resourceType/,
    ],
    ['missing url', { resourceType: 'ValueSet', version: '1', compose: { include: [] } }, /ValueSet-x\.json: url/],
    ['not an object', 'ValueSet', /ValueSet-x\.json/],
    [
      'unsupported op',
      valueSet('x', {
        include: [
          { system: ICD, filter: [isA] },
          { system: ICD, filter: [{ ...isA, op: 'descendent-of' }] },
        ],
      }),
      /ValueSet-x\.json: compose\.include\[1\]\.filter\[0\]: unsupported op "descendent-of"/,
    ],
    [
      'bad regex',
      valueSet('x', { include: [{ system: ICD, filter: [{ property: 'code', op: 'regex', value: '^C(0' }] }] }),
      /ValueSet-x\.json: compose\.include\[0\]\.filter\[0\]: regex "\^C\(0" does not compile/,
    ],
    [
      'unanchored regex',
      valueSet('x', { include: [{ system: ICD, filter: [{ property: 'code', op: 'regex', value: 'C50' }] }] }),
      /must be anchored/,
    ],
    [
      'wrong filter property',
      valueSet('x', { include: [{ system: ICD, filter: [{ ...isA, property: 'code' }] }] }),
      /op "is-a" needs property "concept"/,
    ],
    [
      'two filters in one include',
      valueSet('x', { include: [{ system: ICD, filter: [isA, isA] }] }),
      /compose\.include\[0\]\.filter: must hold exactly one filter/,
    ],
    [
      'concept and filter together',
      valueSet('x', { include: [{ system: ICD, concept: [{ code: 'M54.5' }], filter: [isA] }] }),
      /compose\.include\[0\]: needs either "concept" or "filter"/,
    ],
    ['neither concept nor filter', valueSet('x', { include: [{ system: ICD }] }), /needs either "concept" or "filter"/],
    [
      'unknown system',
      valueSet('x', { include: [{ system: 'http://snomed.info/sct/', concept: [{ code: '1' }] }] }),
      /compose\.include\[0\]\.system: unknown code system/,
    ],
    ['missing system', valueSet('x', { include: [{ concept: [{ code: '1' }] }] }), /compose\.include\[0\]\.system/],
    [
      'include by valueSet reference',
      valueSet('x', { include: [{ system: ICD, valueSet: ['https://example.org/ValueSet/y'] }] }),
      /compose\.include\[0\].*valueSet/,
    ],
    [
      'unsupported exclude op',
      valueSet('x', {
        include: [{ system: ICD, filter: [isA] }],
        exclude: [{ system: ICD, filter: [{ ...isA, op: '=' }] }],
      }),
      /compose\.exclude\[0\]\.filter\[0\]: unsupported op "="/,
    ],
  ])('%s → TerminologyError naming the file', (_label, json, message) => {
    expect(() => buildTerminology([{ file: 'ValueSet-x.json', json }])).toThrow(TerminologyError);
    expect(() => buildTerminology([{ file: 'ValueSet-x.json', json }])).toThrow(message);
  });

  test('a duplicate url names both files', () => {
    const compose = { include: [{ system: ICD, concept: [{ code: 'M54.5' }] }] };
    expect(() =>
      buildTerminology([
        { file: 'ValueSet-a.json', json: valueSet('same', compose) },
        { file: 'ValueSet-b.json', json: valueSet('same', compose) },
      ])
    ).toThrow(
      /ValueSet-b\.json: duplicate url "https:\/\/example\.org\/ValueSet\/same" \(already defined in ValueSet-a\.json\)/
    );
  });

  test('collects every problem of every file before throwing', () => {
    let caught: unknown;
    try {
      buildTerminology([
        { file: 'ValueSet-a.json', json: valueSet('a', undefined) },
        { file: 'ValueSet-ok.json', json: valueSet('ok', { include: [{ system: SCT, concept: [{ code: '1' }] }] }) },
        {
          file: 'ValueSet-b.json',
          json: valueSet('b', {
            include: [
              { system: ICD, filter: [{ property: 'concept', op: 'in', value: 'x' }] },
              { system: ICD, filter: [{ property: 'code', op: 'regex', value: '^(' }] },
            ],
          }),
        },
      ]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TerminologyError);
    const { problems, message } = caught as TerminologyError;
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^ValueSet-a\.json: compose/);
    expect(problems[1]).toMatch(/^ValueSet-b\.json: compose\.include\[0\]\.filter\[0\]: unsupported op "in"/);
    expect(problems[2]).toMatch(/^ValueSet-b\.json: compose\.include\[1\]\.filter\[0\]: regex "\^\(" does not compile/);
    expect(message).toContain('3 problem(s)');
  });
});

describe('loadTerminology', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ruggensteun-vs-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (file: string, content: unknown): void => {
    writeFileSync(path.join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
  };
  const good = valueSet('good', { include: [{ system: SCT, concept: [{ code: '279039007' }] }] });

  test('reads only ValueSet-*.json files', () => {
    write('ValueSet-good.json', good);
    write('README.md', '# not a value set');
    write('other.json', '{ not json');
    const loaded = loadTerminology(dir);
    expect([...loaded.valueSetUrls]).toEqual(['https://example.org/ValueSet/good']);
    expect(loaded.contains('https://example.org/ValueSet/good', { system: SCT, code: '279039007' })).toBe(true);
  });

  test('a file that is not JSON → TerminologyError naming the file, together with the other problems', () => {
    write('ValueSet-good.json', good);
    write('ValueSet-broken.json', '{ "resourceType": "ValueSet", ');
    write('ValueSet-nocompose.json', valueSet('nocompose', undefined));
    let caught: unknown;
    try {
      loadTerminology(dir);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TerminologyError);
    const { problems } = caught as TerminologyError;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^ValueSet-broken\.json: not readable as JSON/);
    expect(problems[1]).toMatch(/^ValueSet-nocompose\.json: compose/);
  });

  test('an empty directory → TerminologyError', () => {
    expect(() => loadTerminology(dir)).toThrow(/No ValueSet-\*\.json files/);
  });

  test('a missing directory → TerminologyError', () => {
    expect(() => loadTerminology(path.join(dir, 'missing'))).toThrow(TerminologyError);
  });
});

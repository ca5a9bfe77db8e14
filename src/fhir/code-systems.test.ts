import fc from 'fast-check';
import {
  CODE_SYSTEMS,
  loadTerminology,
  normaliseCode,
  normaliseSystem,
  valueSetUrl,
} from '../clinical/knowledge/terminology';

/**
 * RW-01/RW-02: systems as practice systems name them (FHIR URI, HL7 OID, variant spellings), codes at any
 * coding position, and the breadth of the value-set groups. OIDs from the FHIR R4 terminology registry and the
 * Nictiz zib/nl-core conversion tables.
 */
const terminology = loadTerminology();
const { snomed, loinc, icd10, icd10nl, icd10cm, icpc2, icpc1nl, atc } = CODE_SYSTEMS;

describe('normaliseSystem', () => {
  it.each([
    ['urn:oid:2.16.840.1.113883.6.96', snomed],
    ['urn:oid:2.16.840.1.113883.6.1', loinc],
    ['urn:oid:2.16.840.1.113883.6.3', icd10],
    ['urn:oid:2.16.840.1.113883.6.3.2', icd10nl],
    ['urn:oid:2.16.840.1.113883.6.90', icd10cm],
    ['urn:oid:2.16.840.1.113883.6.139', icpc2],
    ['urn:oid:2.16.840.1.113883.2.4.4.31.1', icpc1nl],
    ['urn:oid:2.16.840.1.113883.6.73', atc],
    ['https://loinc.org/', loinc],
    ['HTTP://SNOMED.INFO/SCT', snomed],
    [' http://www.whocc.no/atc ', atc],
    ['http://snomed.info/id', snomed],
  ])('%s → %s', (alias, canonical) => {
    expect(normaliseSystem(alias)).toBe(canonical);
  });

  it('leaves systems it does not know as they are (G-Standaard PRK stays PRK)', () => {
    expect(normaliseSystem('urn:oid:2.16.840.1.113883.2.4.4.10')).toBe('urn:oid:2.16.840.1.113883.2.4.4.10');
  });
});

describe('normaliseCode', () => {
  it.each([
    [icd10, 'M49.0*', 'M49.0'],
    [icd10, 'a18.0†', 'A18.0'],
    ['urn:oid:2.16.840.1.113883.6.3', 'c509', 'C50.9'],
  ])('%s %s → %s', (system, code, expected) => {
    expect(normaliseCode(system, code)).toBe(expected);
  });
});

/** Concepts of RW-02 that must be members, in the code table's systems. */
const BREADTH: readonly [string, string, string][] = [
  ['body-temperature', loinc, '8331-1'],
  ['body-temperature', loinc, '8332-9'],
  ['body-temperature', loinc, '8333-7'],
  ['body-temperature', loinc, '8328-7'],
  ['body-temperature', snomed, '415974002'],
  ['body-temperature', snomed, '307047009'],
  ['pregnancy', loinc, 'LA15173-0'],
  ['bladder-bowel', snomed, '72042002'],
  ['bladder-bowel', icpc1nl, 'D17'],
  ['bladder-bowel', icd10, 'R15'],
  ['malignancy', snomed, '254837009'],
  ['malignancy', snomed, '93880001'],
  ['spinal-infection', icpc2, 'L70'],
  ['spinal-infection', icd10cm, 'M46.26'],
  ['spinal-infection', icd10, 'G06.1'],
  ['vertebral-fracture', snomed, '42942008'],
  ['local-administration-route', snomed, '12130007'],
];

describe('value-set breadth (RW-02)', () => {
  it.each(BREADTH)('%s holds %s|%s', (id, system, code) => {
    expect(terminology.contains(valueSetUrl(id), { system, code })).toBe(true);
  });

  it.each([
    ['pregnancy', loinc, 'LA26683-5'],
    ['body-temperature', loinc, '8302-2'],
    ['local-administration-route', snomed, '26643006'],
  ])('%s does not hold %s|%s', (id, system, code) => {
    expect(terminology.contains(valueSetUrl(id), { system, code })).toBe(false);
  });
});

const OIDS: Readonly<Record<string, string>> = {
  [snomed]: 'urn:oid:2.16.840.1.113883.6.96',
  [loinc]: 'urn:oid:2.16.840.1.113883.6.1',
  [icd10]: 'urn:oid:2.16.840.1.113883.6.3',
  [icd10cm]: 'urn:oid:2.16.840.1.113883.6.90',
  [icpc2]: 'urn:oid:2.16.840.1.113883.6.139',
  [icpc1nl]: 'urn:oid:2.16.840.1.113883.2.4.4.31.1',
  [atc]: 'urn:oid:2.16.840.1.113883.6.73',
};

describe('any spelling, any position (RW-01)', () => {
  it('finds the concept by URI or OID at any position among unrelated codings', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BREADTH),
        fc.boolean(),
        fc.array(fc.record({ system: fc.constant('urn:oid:2.16.840.1.113883.2.4.3.11.999'), code: fc.string() }), {
          maxLength: 3,
        }),
        fc.nat(),
        ([id, system, code], byOid, others, position) => {
          const coding = { system: byOid ? (OIDS[system] ?? system) : system, code };
          const codings: { system: string; code: string }[] = [...others];
          codings.splice(position % (others.length + 1), 0, coding);
          expect(terminology.matchingCoding(valueSetUrl(id), { coding: codings })).toEqual(coding);
          expect(terminology.valueSetsOf(coding)).toEqual(terminology.valueSetsOf({ system, code }));
        }
      )
    );
  });
});

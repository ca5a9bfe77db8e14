import type { Coding, Observation, Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { normaliseRecord } from '../../src/clinical/record';
import { TODAY, testKnowledge } from '../support/app';
import { buildCase, dateOf, resolveDates } from './case-builder';
import type { RecordSpec } from './case-builder';

/**
 * Metamorphic properties of the safety core on real-world record shapes (docs/clinical-specification.md RW-01…RW-05):
 * the same clinical fact written in another code system, OID or spelling, at another coding position, as a
 * value string with a decimal comma, in another unit or date shape gives the same finding; an impossible
 * value gives a data-quality note and never a finding. Shapes follow the FHIR R4 vital-signs profile, the
 * Nictiz zib BodyTemperature/BodyWeight and MedicationUse profiles and G-Standaard codings.
 */
const knowledge = testKnowledge();
const timeZone = knowledge.ruleset.settings.records.timeZone;

async function evaluate(record: RecordSpec[]) {
  const built = buildCase({ name: 'property', record, fires: true }, TODAY);
  const clinical = normaliseRecord({
    hook: 'patient-view',
    gathered: built.gathered,
    terminology: knowledge.terminology,
    now: TODAY,
    timeZone,
  });
  const findings = await knowledge.ruleset.evaluate(clinical);
  return {
    fired: new Set(findings.map((finding) => finding.ruleId)),
    notes: findings.find((finding) => finding.ruleId === 'DQ-01')?.notes ?? [],
  };
}

const fhir = (resource: Record<string, unknown> & { resourceType: string }): RecordSpec => ({ fhir: resource });
const LOCAL: Coding = { system: 'urn:oid:2.16.840.1.113883.2.4.3.11.999', code: 'LOCAL-1', display: 'lokale code' };

/** A coding of a concept in one of the ways systems spell its system. */
const SPELLINGS: Readonly<Record<string, readonly string[]>> = {
  'http://loinc.org': ['http://loinc.org', 'urn:oid:2.16.840.1.113883.6.1', 'https://loinc.org/'],
  'http://snomed.info/sct': ['http://snomed.info/sct', 'urn:oid:2.16.840.1.113883.6.96', 'HTTP://SNOMED.INFO/SCT'],
  'http://hl7.org/fhir/sid/icd-10': ['http://hl7.org/fhir/sid/icd-10', 'urn:oid:2.16.840.1.113883.6.3'],
  'http://hl7.org/fhir/sid/icpc-2': ['http://hl7.org/fhir/sid/icpc-2', 'urn:oid:2.16.840.1.113883.6.139'],
  'http://hl7.org/fhir/sid/icpc-1-nl': ['http://hl7.org/fhir/sid/icpc-1-nl', 'urn:oid:2.16.840.1.113883.2.4.4.31.1'],
  'http://www.whocc.no/atc': ['http://www.whocc.no/atc', 'urn:oid:2.16.840.1.113883.6.73'],
};

/** The concept's coding, spelled one way, somewhere among unrelated local codings. */
function codingsOf(system: string, code: string): fc.Arbitrary<Coding[]> {
  return fc
    .record({
      spelling: fc.constantFrom(...(SPELLINGS[system] ?? [system])),
      before: fc.nat({ max: 2 }),
      after: fc.nat({ max: 1 }),
    })
    .map(({ spelling, before, after }) => [
      ...Array.from({ length: before }, (_, i) => ({ ...LOCAL, code: `LOCAL-${i}` })),
      { system: spelling, code },
      ...Array.from({ length: after }, (_, i) => ({ ...LOCAL, code: `LOCAL-A${i}` })),
    ]);
}

const TEMPERATURE_CODES: readonly [string, string][] = [
  ['http://loinc.org', '8310-5'],
  ['http://loinc.org', '8331-1'],
  ['http://loinc.org', '8332-9'],
  ['http://loinc.org', '8333-7'],
  ['http://loinc.org', '8328-7'],
  ['http://snomed.info/sct', '386725007'],
  ['http://snomed.info/sct', '415945006'],
  ['http://snomed.info/sct', '307047009'],
];

/** A temperature in °C written as a practice system may write it. */
function temperatureValue(celsius: number): fc.Arbitrary<Partial<Observation>> {
  const fahrenheit = Math.round(((celsius * 9) / 5) * 100 + 3200) / 100;
  const comma = celsius.toFixed(1).replace('.', ',');
  return fc.constantFrom<Partial<Observation>>(
    { valueQuantity: { value: celsius, unit: '°C', system: 'http://unitsofmeasure.org', code: 'Cel' } },
    { valueQuantity: { value: celsius, unit: 'C' } },
    { valueQuantity: { value: celsius, unit: 'degC' } },
    { valueQuantity: { value: fahrenheit, unit: '°F', system: 'http://unitsofmeasure.org', code: '[degF]' } },
    { valueString: comma },
    { valueString: `${comma} graden` },
    { valueString: `${celsius.toFixed(1)} C` },
    { valueString: `${celsius.toFixed(1)}°C` },
    { valueString: `${fahrenheit} F` }
  );
}

/** When it was measured, in one of the effective[x] shapes (or only `issued`). */
function measuredAt(daysAgo: number): fc.Arbitrary<Partial<Observation>> {
  const date = dateOf(TODAY, { daysAgo }) as string;
  return fc.constantFrom<Partial<Observation>>(
    { effectiveDateTime: date },
    { effectiveDateTime: `${date}T09:30:00+01:00` },
    { effectiveInstant: `${date}T08:30:00.000Z` },
    { effectivePeriod: { start: `${date}T08:00:00+01:00`, end: `${date}T08:10:00+01:00` } },
    { issued: `${date}T10:00:00+01:00` }
  );
}

describe('RF-03 on real-world temperature shapes (RW-01…RW-04)', () => {
  it('fires exactly when a plausible temperature above 38.0 °C lies within 7 days, whatever its shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .tuple(
            fc.integer({ min: 355, max: 415 }).map((tenths) => tenths / 10),
            fc.integer({ min: 0, max: 10 }),
            fc.constantFrom(...TEMPERATURE_CODES)
          )
          .chain(([celsius, daysAgo, [system, code]]) =>
            fc
              .record({ coding: codingsOf(system, code), value: temperatureValue(celsius), at: measuredAt(daysAgo) })
              .map((shape) => ({ celsius, daysAgo, shape }))
          ),
        async ({ celsius, daysAgo, shape }) => {
          const { fired } = await evaluate([
            fhir({
              resourceType: 'Observation',
              status: 'final',
              code: { coding: shape.coding },
              ...shape.value,
              ...shape.at,
            }),
          ]);
          expect(fired.has('RF-03')).toBe(celsius > 38.0 && daysAgo <= 7);
        }
      ),
      { numRuns: 60 }
    );
  });

  it('never fires on a physiologically impossible temperature, and names it on the data-quality card', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: 46, max: 999 }), fc.integer({ min: -50, max: 24 })),
        fc.constantFrom('Cel', '°C'),
        async (celsius, unit) => {
          const { fired, notes } = await evaluate([
            fhir({
              resourceType: 'Observation',
              status: 'final',
              code: { coding: [{ system: 'http://loinc.org', code: '8310-5' }] },
              effectiveDateTime: '@1d',
              valueQuantity: { value: celsius, unit },
            }),
          ]);
          expect(fired.has('RF-03')).toBe(false);
          expect(notes).toContain('implausible-value');
        }
      ),
      { numRuns: 25 }
    );
  });
});

/** Conditions whose concept fires a red flag in every system it is coded in (RW-01, RW-02). */
const RED_FLAG_CODES: readonly { rule: string; system: string; code: string; onsetDaysAgo?: number }[] = [
  { rule: 'RF-01', system: 'http://snomed.info/sct', code: '72042002', onsetDaysAgo: 3 },
  { rule: 'RF-01', system: 'http://hl7.org/fhir/sid/icpc-1-nl', code: 'D17', onsetDaysAgo: 3 },
  { rule: 'RF-01', system: 'http://hl7.org/fhir/sid/icd-10', code: 'R15', onsetDaysAgo: 3 },
  { rule: 'RF-01', system: 'http://hl7.org/fhir/sid/icpc-2', code: 'U08', onsetDaysAgo: 3 },
  { rule: 'RF-05', system: 'http://snomed.info/sct', code: '254837009' },
  { rule: 'RF-05', system: 'http://snomed.info/sct', code: '93880001' },
  { rule: 'RF-05', system: 'http://hl7.org/fhir/sid/icd-10', code: 'C50.9' },
  { rule: 'RF-05', system: 'http://hl7.org/fhir/sid/icpc-1-nl', code: 'X76' },
  { rule: 'RF-07', system: 'http://snomed.info/sct', code: '42942008' },
  { rule: 'RF-07', system: 'http://hl7.org/fhir/sid/icd-10', code: 'M48.5' },
];

describe('red-flag Conditions in every system, spelling and coding position (RW-01, RW-02)', () => {
  it('fire the same rule; the unrelated codings alone fire nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...RED_FLAG_CODES)
          .chain((flag) => codingsOf(flag.system, flag.code).map((coding) => ({ flag, coding }))),
        async ({ flag, coding }) => {
          const condition = (codings: Coding[]) =>
            fhir({
              resourceType: 'Condition',
              clinicalStatus: {
                coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
              },
              code: { coding: codings },
              ...(flag.onsetDaysAgo === undefined ? {} : { onsetDateTime: `@${flag.onsetDaysAgo}d` }),
            });
          expect((await evaluate([condition(coding)])).fired.has(flag.rule)).toBe(true);
          // The twin: the same record without the concept's coding (a coding of its own when there are no others).
          const unrelated = coding.filter((c) => c.system === LOCAL.system);
          expect((await evaluate([condition(unrelated.length > 0 ? unrelated : [LOCAL])])).fired.has(flag.rule)).toBe(
            false
          );
        }
      ),
      { numRuns: 40 }
    );
  });
});

/** One use of prednisolone of `days` days ending today, in one of the shapes of RW-05. */
function glucocorticoidUse(days: number): fc.Arbitrary<Record<string, unknown> & { resourceType: string }> {
  const start = `@${days - 1}d`;
  const prednisolone = fc.constantFrom(
    { coding: [{ system: 'http://www.whocc.no/atc', code: 'H02AB06' }] },
    { coding: [{ system: 'urn:oid:2.16.840.1.113883.6.73', code: 'H02AB06', display: 'prednisolon' }] },
    { coding: [{ system: 'urn:oid:2.16.840.1.113883.2.4.4.10', code: '12345', display: 'PREDNISOLON TABLET 5MG' }] },
    { text: 'Prednisolon 5 mg tablet' }
  );
  return prednisolone.chain((medicationCodeableConcept) =>
    fc.constantFrom<Record<string, unknown> & { resourceType: string }>(
      { resourceType: 'MedicationStatement', status: 'active', medicationCodeableConcept, effectiveDateTime: start },
      {
        resourceType: 'MedicationStatement',
        status: 'completed',
        medicationCodeableConcept,
        effectivePeriod: { start, end: '@0d' },
      },
      {
        resourceType: 'MedicationRequest',
        status: 'completed',
        intent: 'order',
        medicationCodeableConcept,
        authoredOn: start,
        dispenseRequest: { expectedSupplyDuration: { value: days, unit: 'dag', code: 'd' } },
      },
      {
        resourceType: 'MedicationRequest',
        status: 'completed',
        intent: 'order',
        medicationCodeableConcept,
        authoredOn: start,
        dosageInstruction: [
          {
            timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
            route: { coding: [{ system: 'http://snomed.info/sct', code: '26643006', display: 'Oral route' }] },
            doseAndRate: [{ doseQuantity: { value: 1, unit: 'tablet' } }],
          },
        ],
        dispenseRequest: { quantity: { value: days, unit: 'tablet' } },
      }
    )
  );
}

describe('SF-2 on real-world medication shapes (RW-05)', () => {
  it('counts the same exposure whatever the shape: 90 days or more in 12 months is long-term use', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 30, max: 200 }).chain((days) => glucocorticoidUse(days).map((use) => ({ days, use }))),
        async ({ days, use }) => {
          const { fired } = await evaluate([fhir(use)]);
          expect(fired.has('SF-2')).toBe(days >= 90);
        }
      ),
      { numRuns: 40 }
    );
  });

  it('never counts the same use when it is inhaled, nasal, topical or intra-articular', async () => {
    const local = fc.constantFrom(
      { route: { coding: [{ system: 'http://snomed.info/sct', code: '447694001' }] } },
      { route: { coding: [{ system: 'http://snomed.info/sct', code: '46713006' }] } },
      { route: { coding: [{ system: 'http://snomed.info/sct', code: '12130007' }] } },
      { route: { text: 'cutaan' } },
      { text: '2 dd 1 inhalatie' }
    );
    await fc.assert(
      fc.asyncProperty(glucocorticoidUse(200), local, async (use, dosage) => {
        const field = use.resourceType === 'MedicationStatement' ? 'dosage' : 'dosageInstruction';
        const dosages = (use[field] as Record<string, unknown>[] | undefined) ?? [{}];
        const withRoute = { ...use, [field]: dosages.map((existing) => ({ ...existing, ...dosage })) };
        const resolved = resolveDates(withRoute, TODAY) as Resource;
        const { fired } = await evaluate([fhir(resolved as Resource & Record<string, unknown>)]);
        expect(fired.has('SF-2')).toBe(false);
      }),
      { numRuns: 25 }
    );
  });
});

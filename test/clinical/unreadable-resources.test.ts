import type { Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import type { GatheredRecord } from '../../src/clinical/gathered-record';
import { normaliseRecord } from '../../src/clinical/record';
import { TODAY, testKnowledge } from '../support/app';
import { buildCase } from './case-builder';
import type { RecordSpec } from './case-builder';

/**
 * One resource that cannot be read costs that resource only (docs/architecture.md, "Unreadable resources"): added
 * to a record with a red flag, in any kind, at any position, failing on any field, it changes nothing the rules
 * decide except one data-quality note naming its type, and every other resource is still read. The failure is a
 * field that throws when read, the most general way a resource can break a reader that did not expect its shape.
 */
const knowledge = testKnowledge();
const timeZone = knowledge.ruleset.settings.records.timeZone;

const RECORD: RecordSpec[] = [
  { condition: 'sct|192970008', onset: { daysAgo: 2 } },
  { temperature: 38.9, at: { daysAgo: 1 } },
  { condition: 'sct|363346000', text: 'mammacarcinoom', status: 'resolved' },
];

/** A resource of each kind the record reads, with the fields its reader looks at. */
const POISONED: Readonly<Record<string, readonly string[]>> = {
  Condition: ['code', 'clinicalStatus', 'verificationStatus', 'onsetDateTime', 'note'],
  Observation: ['code', 'status', 'valueQuantity', 'component', 'effectiveDateTime'],
  MedicationStatement: ['status', 'medicationCodeableConcept', 'dosage', 'effectivePeriod'],
  MedicationRequest: ['status', 'medicationCodeableConcept', 'dosageInstruction', 'authoredOn'],
  Procedure: ['status', 'code', 'performedDateTime', 'bodySite'],
  QuestionnaireResponse: ['status', 'questionnaire', 'item', 'authored'],
};

/** A resource whose `field` throws when read, as a hostile or broken parser's object might. */
function poisoned(resourceType: string, field: string, id: string): Resource {
  const resource = { resourceType, id, subject: { reference: 'Patient/p1' } } as Record<string, unknown>;
  Object.defineProperty(resource, field, {
    enumerable: true,
    get() {
      throw new TypeError(`${field} cannot be read`);
    },
  });
  return resource as unknown as Resource;
}

/** The record with `extra` added to the data of its first key, at `position`. */
function withResource(gathered: GatheredRecord, extra: Resource, position: number): GatheredRecord {
  const [key, entry] = Object.entries(gathered.data).find(([, value]) => value !== undefined) as [
    string,
    NonNullable<GatheredRecord['data'][string]>,
  ];
  const resources = [...entry.resources];
  resources.splice(position % (resources.length + 1), 0, extra);
  return { ...gathered, data: { ...gathered.data, [key]: { ...entry, resources } } };
}

async function analyse(gathered: GatheredRecord) {
  const clinical = normaliseRecord({
    hook: 'patient-view',
    gathered,
    terminology: knowledge.terminology,
    now: TODAY,
    timeZone,
  });
  const findings = await knowledge.ruleset.evaluate(clinical);
  return { clinical, fired: new Set(findings.map((finding) => finding.ruleId)) };
}

describe('an unreadable resource', () => {
  const base = buildCase({ name: 'red flags', record: RECORD, fires: true }, TODAY).gathered;

  it('leaves every red flag and every other resource, and adds one note naming its type', async () => {
    const before = await analyse(base);
    expect([...before.fired]).toEqual(expect.arrayContaining(['RF-01', 'RF-03']));
    const items = (record: typeof before.clinical) =>
      [...record.conditions, ...record.observations, ...record.medications, ...record.procedures].map(
        (item) => item.reference
      );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(POISONED)).chain((resourceType) =>
          fc.record({
            resourceType: fc.constant(resourceType),
            field: fc.constantFrom(...(POISONED[resourceType] ?? [])),
            position: fc.nat({ max: 20 }),
          })
        ),
        async ({ resourceType, field, position }) => {
          const after = await analyse(withResource(base, poisoned(resourceType, field, 'broken'), position));
          expect(items(after.clinical)).toEqual(items(before.clinical));
          const unreadable = after.clinical.notes.filter(
            (note) => note.code === 'data-not-obtained' && note.detail.issue === 'unreadable'
          );
          expect(unreadable).toEqual([expect.objectContaining({ detail: { issue: 'unreadable', resourceType } })]);
          expect(after.fired).toEqual(new Set([...before.fired, 'DQ-01']));
        }
      ),
      { numRuns: 60 }
    );
  });

  it('is read when only a field nothing reads breaks', async () => {
    const after = await analyse(withResource(base, poisoned('Condition', 'extension', 'odd'), 0));
    expect(after.clinical.conditions.map((item) => item.reference)).toContain('Condition/odd');
    expect(after.clinical.notes.some((note) => note.detail.issue === 'unreadable')).toBe(false);
  });
});

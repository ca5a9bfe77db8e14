import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Bundle, Condition, Patient, Resource } from '@medplum/fhirtypes';
import { emptyValuesIn, validateR4 } from './support/fhir-validation';

/**
 * The sample patients in fhir-resources/sample-patients: one FHIR R4 collection Bundle per patient, used by the HTTP
 * tests and by the sandbox. These tests keep them loadable into any FHIR server: valid R4, ids unique across all
 * files, and every patient reference pointing at the Bundle's own Patient. What each patient should show is listed in
 * the README of that folder; the clinical rules are tested elsewhere.
 */

const DIR = path.join(__dirname, '..', 'fhir-resources', 'sample-patients');
/** All clinical dates in the Bundles are written relative to this instant (Bundle.timestamp). */
const REFERENCE_DATE = '2026-11-21T10:00:00Z';
const DEMO_IDENTIFIER_SYSTEM = 'http://example.org/fhir/sid/demo-patient';

const CONDITION_CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const CONDITION_VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const CLINICAL_STATUS_CODES = ['active', 'recurrence', 'relapse', 'inactive', 'remission', 'resolved'];
const VERIFICATION_STATUS_CODES = [
  'unconfirmed',
  'provisional',
  'differential',
  'confirmed',
  'refuted',
  'entered-in-error',
];
const UCUM = 'http://unitsofmeasure.org';

interface Sample {
  /** File name without `.json`: the patient id. */
  readonly id: string;
  readonly bundle: Bundle;
  readonly resources: readonly Resource[];
}

const samples: Sample[] = readdirSync(DIR)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => {
    const bundle = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as Bundle;
    const resources = (bundle.entry ?? []).map((entry) => entry.resource).filter((r): r is Resource => r !== undefined);
    return { id: path.basename(file, '.json'), bundle, resources };
  });

const sampleCases = samples.map((sample): [string, Sample] => [sample.id, sample]);
const resourceCases = samples.flatMap((sample) =>
  sample.resources.map((resource): [string, Resource] => [`${resource.resourceType}/${resource.id ?? '?'}`, resource])
);

/** Every `reference` string anywhere inside a resource (subject, patient, reasonReference, …). */
function referencesIn(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.flatMap(referencesIn);
  }
  if (typeof value !== 'object' || value === null) {
    return [];
  }
  return Object.entries(value).flatMap(([key, child]) =>
    key === 'reference' && typeof child === 'string' ? [child] : referencesIn(child)
  );
}

/** Every object with a numeric `value` and a `unit` (Quantity) anywhere inside a resource. */
function quantitiesIn(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) {
    return value.flatMap(quantitiesIn);
  }
  if (typeof value !== 'object' || value === null) {
    return [];
  }
  const object = value as Record<string, unknown>;
  const own = typeof object.value === 'number' && 'unit' in object ? [object] : [];
  return [...own, ...Object.values(object).flatMap(quantitiesIn)];
}

/** The `subject` or `patient` reference of a resource, whichever the resource type has. */
function patientReferenceOf(resource: Resource): string | undefined {
  const json = resource as { subject?: { reference?: string }; patient?: { reference?: string } };
  return json.subject?.reference ?? json.patient?.reference;
}

describe('sample patients', () => {
  it('exist', () => {
    expect(samples.length).toBeGreaterThanOrEqual(13);
  });

  describe.each(sampleCases)('%s', (id, sample) => {
    it('is a valid FHIR R4 collection Bundle stamped with the reference date', () => {
      expect(() => {
        validateR4(sample.bundle);
      }).not.toThrow();
      expect(sample.bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection', timestamp: REFERENCE_DATE });
      expect(sample.resources).toHaveLength(sample.bundle.entry?.length ?? 0);
      expect(emptyValuesIn(sample.bundle)).toEqual([]);
    });

    it('has exactly one Patient, whose id is the file name, with a demo (not a real BSN) identifier', () => {
      const patients = sample.resources.filter((r): r is Patient => r.resourceType === 'Patient');
      expect(patients.map((patient) => patient.id)).toEqual([id]);
      const patient = patients[0];
      expect(patient?.identifier?.map((identifier) => identifier.system)).toEqual([DEMO_IDENTIFIER_SYSTEM]);
      expect(patient?.name?.[0]?.family).toEqual(expect.any(String));
      expect(patient?.name?.[0]?.given?.length).toBeGreaterThan(0);
      expect(patient?.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(patient?.gender).toEqual(expect.any(String));
    });

    it('prefixes every resource id with the patient id', () => {
      for (const resource of sample.resources) {
        expect(resource.id).toEqual(expect.any(String));
        expect(resource.id === id || resource.id?.startsWith(`${id}-`)).toBe(true);
      }
    });

    it('points every patient reference at its own Patient and resolves every other reference in the Bundle', () => {
      const local = new Set(sample.resources.map((r) => `${r.resourceType}/${r.id ?? ''}`));
      const misattributed = sample.resources
        .filter((resource) => resource.resourceType !== 'Patient')
        .map((resource) => ({ resource: resource.id, patient: patientReferenceOf(resource) }))
        .filter((item) => item.patient !== `Patient/${id}`);
      expect(misattributed).toEqual([]);
      const references = sample.resources.flatMap(referencesIn);
      expect(references.filter((ref) => ref.startsWith('Patient/') && ref !== `Patient/${id}`)).toEqual([]);
      expect(references.filter((ref) => !local.has(ref))).toEqual([]);
    });

    it('codes Condition statuses with the HL7 code systems and valid codes', () => {
      const conditions = sample.resources.filter((r): r is Condition => r.resourceType === 'Condition');
      for (const resource of conditions) {
        const clinical = resource.clinicalStatus?.coding ?? [];
        expect(clinical).toHaveLength(1);
        expect(clinical[0]?.system).toBe(CONDITION_CLINICAL);
        expect(CLINICAL_STATUS_CODES).toContain(clinical[0]?.code);
        const verification = resource.verificationStatus?.coding ?? [];
        expect(verification[0]?.system).toBe(CONDITION_VERIFICATION);
        expect(VERIFICATION_STATUS_CODES).toContain(verification[0]?.code);
        expect(resource.recordedDate).toEqual(expect.any(String));
      }
    });

    it('writes every quantity in UCUM', () => {
      for (const resource of sample.resources) {
        for (const quantity of quantitiesIn(resource)) {
          expect(quantity).toMatchObject({ system: UCUM, code: expect.any(String) });
        }
      }
    });
  });

  it.each(resourceCases)('%s is a valid FHIR R4 resource', (_name, resource) => {
    expect(() => {
      validateR4(resource);
    }).not.toThrow();
  });

  it('uses every resource id only once across all files', () => {
    const ids = samples.flatMap((sample) => sample.resources.map((resource) => resource.id));
    const duplicates = ids.filter((id, index) => ids.indexOf(id) !== index);
    expect(duplicates).toEqual([]);
  });

  it('gives the chronic-clean patient a full record of 20 to 30 resources', () => {
    const chronicClean = samples.find((sample) => sample.id === 'chronic-clean');
    expect(chronicClean?.resources.length).toBeGreaterThanOrEqual(20);
    expect(chronicClean?.resources.length).toBeLessThanOrEqual(30);
  });
});

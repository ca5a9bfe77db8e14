import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Bundle, Patient, Resource, ServiceRequest } from '@medplum/fhirtypes';
import { CLINICAL_PREFETCH } from '../../src/hook/catalogue';
import { resourcesOf } from '../../src/sandbox/sample-patients';

/** The sample patients of fhir-resources/sample-patients, evaluated at their reference date (TODAY). */
const DIR = path.join(__dirname, '..', '..', 'fhir-resources', 'sample-patients');

export { resourcesOf } from '../../src/sandbox/sample-patients';

export function loadSample(id: string): Bundle {
  return JSON.parse(readFileSync(path.join(DIR, `${id}.json`), 'utf8')) as Bundle;
}

export function patientOf(bundle: Bundle): Patient {
  return resourcesOf(bundle).find((resource): resource is Patient => resource.resourceType === 'Patient') as Patient;
}

/** Draft orders are not part of the record: they travel in context.draftOrders. */
export function draftOrdersOf(bundle: Bundle): ServiceRequest[] {
  return resourcesOf(bundle).filter(
    (resource): resource is ServiceRequest => resource.resourceType === 'ServiceRequest' && resource.status === 'draft'
  );
}

/** The prefetch an EHR would send for the discovery templates: the Patient, and a searchset per template. */
export function prefetchOf(bundle: Bundle): Record<string, unknown> {
  const record = resourcesOf(bundle).filter((resource) => !(resource.resourceType === 'ServiceRequest'));
  return Object.fromEntries(
    Object.entries(CLINICAL_PREFETCH).map(([key, template]) => {
      const matching = record.filter((resource) => resource.resourceType === template.resourceType);
      return [
        key,
        template.kind === 'read'
          ? (matching[0] ?? null)
          : { resourceType: 'Bundle', type: 'searchset', entry: matching.map((resource) => ({ resource })) },
      ];
    })
  );
}

/** A patient-view request for a sample patient, with the prefetch an EHR would send. */
export function patientViewOf(bundle: Bundle, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    hook: 'patient-view',
    hookInstance: randomUUID(),
    context: { userId: 'Practitioner/gp-1', patientId: patientOf(bundle).id },
    prefetch: prefetchOf(bundle),
    ...extra,
  };
}

/** An order-select or order-sign request for a sample patient with `order` (of any type) as its one draft order (selected). */
export function orderHookOf(
  hook: 'order-select' | 'order-sign',
  bundle: Bundle,
  order: Resource
): Record<string, unknown> {
  const patientId = patientOf(bundle).id ?? '';
  const ordered = { ...order, subject: { reference: `Patient/${patientId}` } };
  return {
    hook,
    hookInstance: randomUUID(),
    context: {
      userId: 'Practitioner/gp-1',
      patientId,
      draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: ordered }] },
      ...(hook === 'order-select' ? { selections: [`${order.resourceType}/${order.id ?? ''}`] } : {}),
    },
    prefetch: prefetchOf(bundle),
  };
}

/** Draft orders the service is not about (RW-10): a prescription and a lab test. */
export const AMLODIPINE_DRAFT = {
  resourceType: 'MedicationRequest',
  id: 'amlodipine-draft',
  status: 'draft',
  intent: 'order',
  medicationCodeableConcept: {
    coding: [{ system: 'http://www.whocc.no/atc', code: 'C08CA01', display: 'amlodipine' }],
    text: 'Amlodipine 5 mg tablet',
  },
  subject: { reference: 'Patient/x' },
} as Resource;
export const HBA1C_DRAFT = {
  resourceType: 'ServiceRequest',
  id: 'hba1c-draft',
  status: 'draft',
  intent: 'order',
  code: { coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'HbA1c' }], text: 'HbA1c' },
  subject: { reference: 'Patient/x' },
} as Resource;

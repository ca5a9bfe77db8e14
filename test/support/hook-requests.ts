import { randomUUID } from 'node:crypto';
import type { Bundle, Condition, Patient, ServiceRequest } from '@medplum/fhirtypes';

/**
 * Factories for CDS Hooks requests as real clients send them. Each returns a fresh object, so a test can
 * break exactly one field.
 */

export const PATIENT_ID = 'pat-1';

export const patient = (id = PATIENT_ID): Patient => ({
  resourceType: 'Patient',
  id,
  birthDate: '1980-04-02',
  gender: 'female',
});

export const lowBackPain = (id = 'cond-lbp', patientId = PATIENT_ID): Condition => ({
  resourceType: 'Condition',
  id,
  subject: { reference: `Patient/${patientId}` },
  clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
  code: { coding: [{ system: 'http://snomed.info/sct', code: '279039007', display: 'Low back pain' }] },
  onsetDateTime: '2026-06-01',
});

export const emptySearch = (): Bundle => ({ resourceType: 'Bundle', type: 'searchset', entry: [] });

/** A complete prefetch for the clinical templates. */
export function fullPrefetch(patientId = PATIENT_ID): Record<string, unknown> {
  return {
    patient: patient(patientId),
    conditions: {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [{ resource: lowBackPain('cond-lbp', patientId) }],
    },
    observations: emptySearch(),
    medicationStatements: emptySearch(),
    medicationRequests: emptySearch(),
    procedures: emptySearch(),
    questionnaireResponses: emptySearch(),
    carePlans: emptySearch(),
    serviceRequests: emptySearch(),
  };
}

export function patientViewRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    hook: 'patient-view',
    hookInstance: randomUUID(),
    context: { userId: 'Practitioner/gp-1', patientId: PATIENT_ID },
    prefetch: fullPrefetch(),
    ...overrides,
  };
}

export const physioReferral = (id = 'sr-physio'): ServiceRequest => ({
  resourceType: 'ServiceRequest',
  id,
  status: 'draft',
  intent: 'order',
  subject: { reference: `Patient/${PATIENT_ID}` },
  code: { coding: [{ system: 'http://snomed.info/sct', code: '308447003', display: 'Referral to physiotherapist' }] },
});

export function draftOrders(...orders: ServiceRequest[]): Bundle {
  return { resourceType: 'Bundle', type: 'collection', entry: orders.map((resource) => ({ resource })) };
}

export function orderSelectRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    hook: 'order-select',
    hookInstance: randomUUID(),
    context: {
      userId: 'Practitioner/gp-1',
      patientId: PATIENT_ID,
      selections: ['ServiceRequest/sr-physio'],
      draftOrders: draftOrders(physioReferral()),
    },
    prefetch: fullPrefetch(),
    ...overrides,
  };
}

export function orderSignRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    hook: 'order-sign',
    hookInstance: randomUUID(),
    context: { userId: 'Practitioner/gp-1', patientId: PATIENT_ID, draftOrders: draftOrders(physioReferral()) },
    prefetch: fullPrefetch(),
    ...overrides,
  };
}

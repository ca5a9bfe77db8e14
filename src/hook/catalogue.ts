/**
 * The CDS services this process offers: one declarative registry from which discovery is rendered
 * and against which requests are checked. https://cds-hooks.hl7.org/2.0/#discovery
 */

import type { PrefetchTemplate } from '../fhir/prefetch-template';

export const HOOKS = ['patient-view', 'order-select', 'order-sign'] as const;
export type HookName = (typeof HOOKS)[number];

export interface CdsServiceDefinition {
  readonly id: string;
  readonly hooks: readonly HookName[];
  readonly title: string;
  readonly description: string;
  readonly usageRequirements: string;
  readonly prefetch: Readonly<Record<string, PrefetchTemplate>>;
}

/**
 * Everything the clinical rules read (docs/clinical-specification.md §2–§4, §9): demographics, problems (current and
 * history), observations (vital signs, weights, pregnancy status, STarT Back, free text), medication
 * (systemic corticosteroids), procedures (lumbar surgery) and questionnaire responses (STarT Back); and, so that a
 * programme is not proposed twice, the patient's CarePlans and ServiceRequests.
 * Only type searches with a reference parameter and `_sort`/`_count` are used, so any client that
 * implements the recommended subset can satisfy them.
 */
export const CLINICAL_PREFETCH: Readonly<Record<string, PrefetchTemplate>> = {
  patient: { query: 'Patient/{{context.patientId}}', resourceType: 'Patient', kind: 'read', required: true },
  conditions: {
    query: 'Condition?patient={{context.patientId}}',
    resourceType: 'Condition',
    kind: 'search',
    required: false,
  },
  observations: {
    query: 'Observation?patient={{context.patientId}}&_sort=-date&_count=200',
    resourceType: 'Observation',
    kind: 'search',
    required: false,
  },
  medicationStatements: {
    query: 'MedicationStatement?patient={{context.patientId}}',
    resourceType: 'MedicationStatement',
    kind: 'search',
    required: false,
  },
  medicationRequests: {
    query: 'MedicationRequest?patient={{context.patientId}}',
    resourceType: 'MedicationRequest',
    kind: 'search',
    required: false,
  },
  procedures: {
    query: 'Procedure?patient={{context.patientId}}',
    resourceType: 'Procedure',
    kind: 'search',
    required: false,
  },
  questionnaireResponses: {
    query: 'QuestionnaireResponse?patient={{context.patientId}}',
    resourceType: 'QuestionnaireResponse',
    kind: 'search',
    required: false,
  },
  // Memory (hook/programme-memory.ts): an exercise programme or physiotherapy referral that already exists.
  carePlans: {
    query: 'CarePlan?patient={{context.patientId}}',
    resourceType: 'CarePlan',
    kind: 'search',
    required: false,
  },
  serviceRequests: {
    query: 'ServiceRequest?patient={{context.patientId}}',
    resourceType: 'ServiceRequest',
    kind: 'search',
    required: false,
  },
};

const USAGE =
  'Adults (18 years or older) with non-specific low back pain. Decision support for the treating clinician, ' +
  'not a diagnosis: red-flag screening relies on the coded and free-text data the EHR provides. Needs the Patient ' +
  '(prefetch or fhirServer); the other resources are fetched from fhirServer when not prefetched, and what cannot ' +
  'be read is reported in a data-quality card.';

/**
 * One service per order hook: clients key services by id (the reference sandbox keeps only the last entry of an
 * id), so order-select and order-sign each need their own.
 */
function orderService(hook: HookName, id: string, moment: string): CdsServiceDefinition {
  return {
    id,
    hooks: [hook],
    title: 'Low back pain: physiotherapy referral and lumbar imaging check',
    description:
      `For a patient with low back pain, ${moment}: red flags first, then imaging appropriateness (imaging is ` +
      'not recommended in non-specific low back pain without red flags) and the supervised exercise programme as a ' +
      'FHIR CarePlan draft. Other draft orders get no exercise or imaging card.',
    usageRequirements: `${USAGE} Draft orders are read from context.draftOrders (ServiceRequest).`,
    prefetch: CLINICAL_PREFETCH,
  };
}

export const SERVICES: readonly CdsServiceDefinition[] = [
  {
    id: 'lbp-patient-view',
    hooks: ['patient-view'],
    title: 'Low back pain: red flags and supervised exercise therapy',
    description:
      'When a chart is opened for a patient with non-specific low back pain: screens for red flags (critical), ' +
      'exclusions and precautions (warning), and suggests advice or a supervised exercise programme as a FHIR ' +
      'CarePlan draft (KNGF 2021, NHG, KCE, NICE NG59, ACSM).',
    usageRequirements: USAGE,
    prefetch: CLINICAL_PREFETCH,
  },
  orderService('order-select', 'lbp-order-select', 'while a physiotherapy referral or lumbar imaging is being chosen'),
  orderService('order-sign', 'lbp-order-sign', 'when a physiotherapy referral or lumbar imaging is about to be signed'),
];

/** A discovery entry (https://cds-hooks.hl7.org/2.0/#response): one per service and hook. */
export interface DiscoveryEntry {
  id: string;
  hook: HookName;
  title: string;
  description: string;
  usageRequirements: string;
  prefetch: Record<string, string>;
}

/** The discovery document; a service id that serves several hooks appears once per hook (2.0). */
export function discoveryDocument(services: readonly CdsServiceDefinition[]): { services: DiscoveryEntry[] } {
  return {
    services: services.flatMap((service) =>
      service.hooks.map((hook) => ({
        id: service.id,
        hook,
        title: service.title,
        description: service.description,
        usageRequirements: service.usageRequirements,
        prefetch: Object.fromEntries(Object.entries(service.prefetch).map(([key, template]) => [key, template.query])),
      }))
    ),
  };
}

/** Finds a service by id. */
export function findService(services: readonly CdsServiceDefinition[], id: string): CdsServiceDefinition | undefined {
  return services.find((service) => service.id === id);
}

import { isResourceType } from '@medplum/core';
import { FhirRouter } from '@medplum/fhir-router';
import type { ResourceType } from '@medplum/fhirtypes';
import type express from 'express';
import { CLINICAL_PREFETCH } from '../hook/catalogue';
import type { PlanApplier } from '../hook/plan-apply';
import { ensureFhirDefinitionsIndexed } from './fhir-definitions';
import { SandboxRepository, storeDefinitions, storeSamples } from './fhir-repository';
import { createFhirRouter } from './fhir-routes';
import type { ServerState } from './fhir-routes';
import { describeSamplePatient, loadSampleBundles } from './sample-patients';
import type { SamplePatient } from './sample-patients';

export type { SamplePatient } from './sample-patients';

/**
 * The sandbox's FHIR R4 server: an in-memory repository seeded with the sample patients (dates moved to today),
 * served over REST by @medplum/fhir-router. It is open (no authentication), so the public
 * CDS Hooks sandbox can use it as its FHIR server (docs/integration.md) and our own gatherRecord can read from it.
 * This module composes it: the store is fhir-repository.ts, the REST API fhir-routes.ts (with fhir-request.ts,
 * fhir-search.ts and capability-statement.ts for what the router does not do).
 */

export interface EmbeddedFhirServerOptions {
  /** The directory of sample Bundles (fhir-resources/sample-patients). */
  readonly samplesDir: string;
  /** Today: the sample dates are moved from each Bundle's timestamp to this day. */
  readonly now: Date;
  /** Larger request bodies are refused with 413. */
  readonly maxBodyBytes: number;
  /**
   * The public base URL of the server (e.g. `https://cds.example.org/fhir`) for `fullUrl`, links and
   * `Location`. By default it is derived from each request: protocol, Host header and mount path.
   */
  readonly baseUrl?: string;
  /** fhir-resources/knowledge: its PlanDefinition and ActivityDefinitions are served too (for $apply). */
  readonly knowledgeDir?: string;
  /** PlanDefinition/{id}/$apply: the hook's pipeline; without it the operation answers 501. */
  readonly apply?: PlanApplier;
}

export interface EmbeddedFhirServer {
  /** Mount it at `/fhir` (after CORS). */
  readonly router: express.Router;
  /** The sample patients, sorted by name. */
  readonly patients: readonly SamplePatient[];
  /** Where the hook fetches this server's public URLs (its own thread's port, fhir-thread.ts); as given if absent. */
  readonly route?: (url: URL) => URL;
}

/** The resource types the capability statement lists: what the service's prefetch reads, and what is stored. */
function prefetchedTypes(): ResourceType[] {
  return Object.values(CLINICAL_PREFETCH).flatMap((template) =>
    isResourceType(template.resourceType) ? [template.resourceType] : []
  );
}

/**
 * Starts the embedded FHIR server: indexes the R4 definitions (once per process), loads and date-shifts the
 * sample Bundles, and stores every resource with its own id (the draft ServiceRequests included).
 * @param options - samples directory, today, body limit and optionally the public base URL
 * @returns the router to mount at `/fhir` and the sample patients
 * @throws Error when a sample file is not a dated Bundle, or OperationOutcomeError when a resource is invalid
 */
export async function createEmbeddedFhirServer(options: EmbeddedFhirServerOptions): Promise<EmbeddedFhirServer> {
  ensureFhirDefinitionsIndexed();
  const repo = new SandboxRepository();
  const samples = await loadSampleBundles(options.samplesDir, options.now);
  const lastUpdated = options.now.toISOString();
  const types = new Set<ResourceType>(['CarePlan', ...prefetchedTypes()]);
  const bundles = samples.map(({ bundle }) => bundle);
  for (const type of await storeSamples(repo, bundles, lastUpdated)) {
    types.add(type);
  }
  if (options.knowledgeDir !== undefined) {
    for (const type of await storeDefinitions(repo, options.knowledgeDir, lastUpdated)) {
      types.add(type);
    }
  }
  for (const type of ['Goal', 'ServiceRequest', 'Observation'] as const) {
    types.add(type);
  }
  const patients = samples
    .flatMap(({ bundle }) => {
      const patient = describeSamplePatient(bundle, options.now);
      return patient ? [patient] : [];
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'nl'));

  const state: ServerState = {
    fhirRouter: new FhirRouter(),
    repo,
    resourceTypes: [...types],
    started: options.now,
    ...(options.apply ? { apply: options.apply } : {}),
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl.replace(/\/+$/, '') }),
  };
  return {
    router: createFhirRouter(state, options.maxBodyBytes),
    patients,
  };
}

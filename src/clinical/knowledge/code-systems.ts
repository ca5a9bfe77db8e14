/**
 * The code systems the value sets use and how each system's codes are spelt: the canonical URIs, their OIDs, aliases
 * and variant spellings, and the normalisation that makes codes comparable (docs/clinical-specification.md §9,
 * "Matching rules"; terminology.ts describes the comparison itself).
 */

/** Code-system URIs used by the value sets (docs/clinical-specification.md §9). */
export const CODE_SYSTEMS = {
  snomed: 'http://snomed.info/sct',
  loinc: 'http://loinc.org',
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  icd10nl: 'http://hl7.org/fhir/sid/icd-10-nl',
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  icpc2: 'http://hl7.org/fhir/sid/icpc-2',
  icpc1nl: 'http://hl7.org/fhir/sid/icpc-1-nl',
  atc: 'http://www.whocc.no/atc',
  cpt: 'http://www.ama-assn.org/go/cpt',
} as const;

const ICD10_SYSTEMS: ReadonlySet<string> = new Set([CODE_SYSTEMS.icd10, CODE_SYSTEMS.icd10nl, CODE_SYSTEMS.icd10cm]);
/** Systems whose codes are case-insensitive and hierarchical by prefix. */
export const HIERARCHICAL_SYSTEMS: ReadonlySet<string> = new Set([
  ...ICD10_SYSTEMS,
  CODE_SYSTEMS.icpc2,
  CODE_SYSTEMS.icpc1nl,
  CODE_SYSTEMS.atc,
]);
export const KNOWN_SYSTEMS: ReadonlySet<string> = new Set(Object.values(CODE_SYSTEMS));
/**
 * Other names of the systems (RW-01): the HL7 OIDs (`urn:oid:…`, as CDA-derived and Dutch/Belgian exports send
 * them) and spellings seen in practice. Sources: the FHIR R4 terminology registry (OIDs of SNOMED CT, LOINC, ICD-10,
 * ICD-10-CM, ICPC-2, ATC); Nictiz zib/nl-core and their conversion XSLTs (ICPC-1-NL 2.16.840.1.113883.2.4.4.31.1,
 * ICD-10-NL 2.16.840.1.113883.6.3.2).
 */
export const SYSTEM_ALIASES: ReadonlyMap<string, string> = new Map([
  ['urn:oid:2.16.840.1.113883.6.96', CODE_SYSTEMS.snomed],
  ['http://snomed.info/id', CODE_SYSTEMS.snomed],
  ['urn:oid:2.16.840.1.113883.6.1', CODE_SYSTEMS.loinc],
  ['urn:oid:2.16.840.1.113883.6.3', CODE_SYSTEMS.icd10],
  ['http://hl7.org/fhir/sid/icd-10-who', CODE_SYSTEMS.icd10],
  ['urn:oid:2.16.840.1.113883.6.3.2', CODE_SYSTEMS.icd10nl],
  ['urn:oid:2.16.840.1.113883.6.90', CODE_SYSTEMS.icd10cm],
  ['urn:oid:2.16.840.1.113883.6.139', CODE_SYSTEMS.icpc2],
  ['http://hl7.org/fhir/sid/icpc2', CODE_SYSTEMS.icpc2],
  ['urn:oid:2.16.840.1.113883.2.4.4.31.1', CODE_SYSTEMS.icpc1nl],
  ['urn:oid:2.16.840.1.113883.6.73', CODE_SYSTEMS.atc],
  ['http://www.whocc.no/atc_ddd_index', CODE_SYSTEMS.atc],
]);

/** URI spellings that differ only in scheme, case or a trailing slash (`https://loinc.org/`, `HTTP://SNOMED.INFO/SCT`). */
function canonicalSpelling(system: string): string {
  const lower = system.toLowerCase().replace(/\/+$/, '');
  if (lower.startsWith('urn:oid:')) {
    return lower;
  }
  return lower.replace(/^https:/, 'http:');
}

const CANONICAL_BY_SPELLING: ReadonlyMap<string, string> = new Map(
  [...Object.values(CODE_SYSTEMS).map((uri) => [uri, uri] as const), ...SYSTEM_ALIASES].map(([alias, uri]) => [
    canonicalSpelling(alias),
    uri,
  ])
);

/** Normalises a system URI: trims it and maps its OID, aliases and variant spellings to the canonical URI. */
export function normaliseSystem(system: string): string {
  const trimmed = system.trim();
  return CANONICAL_BY_SPELLING.get(canonicalSpelling(trimmed)) ?? trimmed;
}

/**
 * Normalises a code for comparison: trim; for ICD-10, ICPC and ATC also upper-case; for ICD-10 insert the dot after the
 * third character when a code of four or more characters has none (`m545` → `M54.5`). SNOMED CT and LOINC codes are
 * case-sensitive identifiers and are only trimmed.
 */
export function normaliseCode(system: string, code: string): string {
  const canonicalSystem = normaliseSystem(system);
  const trimmed = code.trim();
  if (!HIERARCHICAL_SYSTEMS.has(canonicalSystem)) {
    return trimmed;
  }
  // ICD-10 dagger/asterisk marks (`A18.0†`, `M49.0*`) are not part of the code.
  const upper = trimmed.toUpperCase().replace(/[*†+]+$/, '');
  if (ICD10_SYSTEMS.has(canonicalSystem) && upper.length >= 4 && !upper.includes('.')) {
    return `${upper.slice(0, 3)}.${upper.slice(3)}`;
  }
  return upper;
}

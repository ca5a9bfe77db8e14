import type { CodeableConcept, Coding, Resource } from '@medplum/fhirtypes';
import { getOrAdd } from '../get-or-add';
import type { Terminology } from '../knowledge/terminology';
import { normaliseCode, normaliseSystem } from '../knowledge/terminology';

/**
 * Reading codes, displays and lists the way real records hold them: a concept that is not an object, a `coding`
 * that is not a list, null entries, a `code` that is not a string. Every reader of record/ goes through these.
 */

export type Json = Record<string, unknown>;

const HL7_TERMINOLOGY = 'http://terminology.hl7.org/CodeSystem/condition-';

/** The codings of a concept that are objects. */
export function codings(concept: unknown): Coding[] {
  const list: unknown =
    typeof concept === 'object' && concept !== null ? (concept as { coding?: unknown }).coding : undefined;
  return Array.isArray(list) ? list.filter((c): c is Coding => typeof c === 'object' && c !== null) : [];
}

/** The objects of a list field; real data holds nulls, strings or a lone object where FHIR says an array. */
export function objects<T>(list: unknown): T[] {
  return Array.isArray(list) ? list.filter((item): item is T => typeof item === 'object' && item !== null) : [];
}

/**
 * The status code of clinicalStatus/verificationStatus: the coding in the HL7 code system when there is one
 * (a local coding may come first, RW-01), else the first coding with a code.
 */
export function statusCode(concept: CodeableConcept | undefined): string | undefined {
  const coded = codings(concept).filter((coding) => typeof coding.code === 'string');
  return (coded.find((coding) => coding.system?.startsWith(HL7_TERMINOLOGY)) ?? coded[0])?.code;
}

/** Human text of a concept: its text, else the first coding's display, else system|code. */
export function displayOf(concept: CodeableConcept | undefined): string {
  if (typeof concept?.text === 'string' && concept.text.trim()) {
    return concept.text.trim();
  }
  for (const coding of codings(concept)) {
    if (typeof coding.display === 'string' && coding.display.trim()) {
      return coding.display.trim();
    }
  }
  const first = codings(concept).find((coding) => coding.code);
  return first ? `${first.system ?? '?'}|${first.code ?? ''}` : '(no code)';
}

/** A code the rules can place (system and code), or at least words. */
export const hasUsableCode = (concept: CodeableConcept | undefined): boolean =>
  codings(concept).some((coding) => coding.system && coding.code) ||
  (typeof concept?.text === 'string' && concept.text.trim() !== '');

/**
 * The concepts a code names, as normalised `system|CODE` keys: two records of one concept share a key whatever
 * spelling of the system URI or case of the code they use.
 */
export function conceptKeys(concept: CodeableConcept | undefined): string[] {
  return codings(concept)
    .filter((coding) => typeof coding.system === 'string' && typeof coding.code === 'string')
    .filter((coding) => coding.system !== '' && coding.code !== '')
    .map((coding) => {
      const system = normaliseSystem(coding.system as string);
      return `${system}|${normaliseCode(system, coding.code as string).toUpperCase()}`;
    });
}

export const refOf = (resource: Resource): string => `${resource.resourceType}/${resource.id ?? '(no id)'}`;

export const isEnteredInError = (status: unknown): boolean => status === 'entered-in-error';

/**
 * Reads codes into value-set memberships once, so rules only do set lookups. A large record repeats a few codes
 * thousands of times, so each system|code is looked up once per record.
 */
export class Coder {
  /** system → code → value-set URLs. */
  private readonly known = new Map<string, Map<string, readonly string[]>>();

  constructor(private readonly terminology: Terminology) {}

  valueSets(...concepts: (CodeableConcept | undefined)[]): Set<string> {
    const urls = new Set<string>();
    for (const concept of concepts) {
      for (const coding of codings(concept)) {
        for (const url of this.membersOf(coding)) {
          urls.add(url);
        }
      }
    }
    return urls;
  }

  private membersOf(coding: Coding): readonly string[] {
    // Only string fields are looked up by value; anything else is passed on as it is, uncached.
    if (typeof coding.system !== 'string' || typeof coding.code !== 'string') {
      return this.terminology.valueSetsOf(coding);
    }
    const byCode = getOrAdd(this.known, coding.system, () => new Map<string, readonly string[]>());
    return getOrAdd(byCode, coding.code, () => this.terminology.valueSetsOf(coding));
  }
}

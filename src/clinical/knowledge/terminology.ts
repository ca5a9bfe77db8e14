/**
 * Terminology layer: loads the project's FHIR R4 ValueSets (`fhir-resources/valuesets/ValueSet-*.json`) and answers
 * "is this coding a member of value set X?" locally, without a terminology server.
 *
 * Every code list lives in the ValueSet JSON files; this module only knows the code-system URIs and how each system's
 * codes are normalised and compared (docs/clinical-specification.md §9, "Matching rules"):
 *
 * - SNOMED CT and LOINC: exact match after trimming. No subsumption (that needs a terminology server), so a value set
 *   that names a SNOMED parent matches that concept only.
 * - ICD-10 (WHO, ICD-10-NL, ICD-10-CM), ICPC-2, ICPC-1-NL and ATC: upper-cased, and compared hierarchically by prefix
 *   (`is-a` filter): `M54.5` matches ICD-10-CM `M54.50`/`M54.59`; ICPC `L03` matches the Dutch/Belgian extension
 *   `L03.01`; ATC `H02AB` matches `H02AB06`. ICD-10 codes written without a dot get one after the third character
 *   (`M545` → `M54.5`) so both spellings match.
 * - Ranges that are awkward as a prefix list (ICD-10 C00–C97, I10–I15, …) use an anchored `regex` filter that is
 *   tested against the normalised code.
 *
 * Supported `compose.include`/`compose.exclude` forms (anything else is rejected at load time, so a value set can never
 * silently match less than its author intended):
 * - `{ system, concept: [{ code, display }] }` — exact codes;
 * - `{ system, filter: [{ property: "concept", op: "is-a", value }] }` — the code or any code extending it;
 * - `{ system, filter: [{ property: "code", op: "regex", value: "^…" }] }` — regex over the normalised code.
 *
 * Membership = (matches any include) and not (matches any exclude), as in FHIR.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Coding } from '@medplum/fhirtypes';
import { z } from 'zod';
import { toExpression } from '../../common/expression';

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

/** Canonical base of the project's value sets; a value set's URL is this base plus its id. */
export const VALUE_SET_BASE = 'https://ruggensteun.org/fhir/ValueSet/';

/** Canonical URL of the project value set with the given id (e.g. `valueSetUrl('lbp')`). */
export function valueSetUrl(id: string): string {
  return VALUE_SET_BASE + id;
}

/** Directory holding the project's ValueSet files (works from `src/clinical/knowledge` and from the compiled `dist/clinical/knowledge`). */
export const DEFAULT_VALUE_SET_DIR = path.resolve(__dirname, '..', '..', '..', 'fhir-resources', 'valuesets');

const ICD10_SYSTEMS: ReadonlySet<string> = new Set([CODE_SYSTEMS.icd10, CODE_SYSTEMS.icd10nl, CODE_SYSTEMS.icd10cm]);
/** Systems whose codes are case-insensitive and hierarchical by prefix. */
const HIERARCHICAL_SYSTEMS: ReadonlySet<string> = new Set([
  ...ICD10_SYSTEMS,
  CODE_SYSTEMS.icpc2,
  CODE_SYSTEMS.icpc1nl,
  CODE_SYSTEMS.atc,
]);
const KNOWN_SYSTEMS: ReadonlySet<string> = new Set(Object.values(CODE_SYSTEMS));
/**
 * Other names of the systems (RW-01): the HL7 OIDs (`urn:oid:…`, as CDA-derived and Dutch/Belgian exports send
 * them) and spellings seen in practice. Sources: the FHIR R4 terminology registry (OIDs of SNOMED CT, LOINC, ICD-10,
 * ICD-10-CM, ICPC-2, ATC); Nictiz zib/nl-core and their conversion XSLTs (ICPC-1-NL 2.16.840.1.113883.2.4.4.31.1,
 * ICD-10-NL 2.16.840.1.113883.6.3.2).
 */
const SYSTEM_ALIASES: ReadonlyMap<string, string> = new Map([
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

/** The minimal shape of a Coding accepted by the lookups; anything else (missing or non-string fields) never matches. */
export interface CodingLike {
  system?: string;
  code?: string;
}

/** Local value-set membership tests over the loaded ValueSets. */
export interface Terminology {
  /** Canonical URLs of all loaded value sets. */
  readonly valueSetUrls: ReadonlySet<string>;
  /** Version per value-set URL. */
  versionOf(url: string): string | undefined;
  /**
   * True when the coding is a member of the value set (include minus exclude). A missing coding, system or code is
   * never a member. Throws {@link TerminologyError} for an unknown value-set URL (a programming error).
   */
  contains(valueSetUrl: string, coding: CodingLike | null | undefined): boolean;
  /**
   * The first coding of the concept that is a member, or undefined. Tolerates an undefined concept, a missing or empty
   * `coding` array and malformed codings (`coding: [{}]`). Throws for an unknown value-set URL.
   */
  matchingCoding(
    valueSetUrl: string,
    concept: { coding?: readonly (CodingLike | null | undefined)[] | null } | null | undefined
  ): Coding | undefined;
  /** All value-set URLs the coding belongs to, sorted. */
  valueSetsOf(coding: CodingLike | null | undefined): readonly string[];
}

/**
 * Thrown when the value sets cannot be loaded (the message names each file, the include/exclude index and what is
 * wrong; all problems are collected before throwing) or when a lookup names an unknown value set.
 */
export class TerminologyError extends Error {
  /** One entry per problem, each prefixed with the file name. */
  readonly problems: readonly string[];

  constructor(message: string, problems: readonly string[] = []) {
    super(problems.length === 0 ? message : `${message}\n${problems.map((p) => `- ${p}`).join('\n')}`);
    this.name = 'TerminologyError';
    this.problems = problems;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Schema of the supported ValueSet subset

const filterSchema = z.strictObject({
  property: z.string(),
  op: z.string(),
  value: z.string().trim().min(1),
});

const conceptSetSchema = z
  .strictObject({
    system: z.string().trim().min(1),
    version: z.string().optional(),
    concept: z.array(z.object({ code: z.string().trim().min(1), display: z.string().optional() })).optional(),
    filter: z.array(filterSchema).optional(),
  })
  .superRefine((set, ctx) => {
    // A value set names a system exactly (its URI or a listed alias); records may also use variant spellings.
    if (!KNOWN_SYSTEMS.has(set.system.trim()) && !SYSTEM_ALIASES.has(set.system.trim())) {
      ctx.addIssue({
        code: 'custom',
        path: ['system'],
        message: `unknown code system "${set.system}" (supported: ${[...KNOWN_SYSTEMS].join(', ')})`,
      });
    }
    const hasConcept = set.concept !== undefined;
    const hasFilter = set.filter !== undefined;
    if (hasConcept === hasFilter) {
      ctx.addIssue({ code: 'custom', message: 'needs either "concept" or "filter" (exactly one of them)' });
    }
    if (set.concept?.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['concept'], message: 'must not be empty' });
    }
    if (set.filter !== undefined && set.filter.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['filter'],
        message: `must hold exactly one filter (found ${set.filter.length}); use one include entry per filter`,
      });
    }
    set.filter?.forEach((filter, index) => {
      for (const message of filterProblems(filter)) {
        ctx.addIssue({ code: 'custom', path: ['filter', index], message });
      }
    });
  });

const valueSetSchema = z.object({
  resourceType: z.literal('ValueSet'),
  url: z.string().trim().min(1),
  version: z.string().trim().min(1),
  compose: z.object({
    include: z.array(conceptSetSchema).min(1),
    exclude: z.array(conceptSetSchema).optional(),
  }),
});

type ConceptSet = z.infer<typeof conceptSetSchema>;
type Filter = z.infer<typeof filterSchema>;

/** The property each supported op must use, as in FHIR convention (`concept is-a X`, `code regex R`). */
const SUPPORTED_OPS: ReadonlyMap<string, string> = new Map([
  ['is-a', 'concept'],
  ['regex', 'code'],
]);

function filterProblems(filter: Filter): string[] {
  const property = SUPPORTED_OPS.get(filter.op);
  if (property === undefined) {
    return [`unsupported op "${filter.op}" (supported: ${[...SUPPORTED_OPS.keys()].join(', ')})`];
  }
  const problems: string[] = [];
  if (filter.property !== property) {
    problems.push(`op "${filter.op}" needs property "${property}", found "${filter.property}"`);
  }
  if (filter.op === 'regex') {
    if (!filter.value.startsWith('^')) {
      problems.push(`regex "${filter.value}" must be anchored with "^"`);
    }
    try {
      new RegExp(filter.value);
    } catch (error) {
      problems.push(`regex "${filter.value}" does not compile: ${error instanceof Error ? error.message : 'error'}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Index

/** Lookup structures for one code system, built once at load time. */
interface SystemIndex {
  /** Normalised exact code → value-set URLs. */
  readonly exact: Map<string, Set<string>>;
  /** Normalised `is-a` value → value-set URLs; looked up with each prefix of the code. */
  readonly prefixes: Map<string, Set<string>>;
  /** Length of the longest `is-a` value, so the prefix walk stops early. */
  longestPrefix: number;
  readonly regexes: { readonly regex: RegExp; readonly url: string }[];
}

/** Per-system indexes of either the includes or the excludes of all value sets. */
class ComposeIndex {
  private readonly systems = new Map<string, SystemIndex>();

  add(url: string, set: ConceptSet): void {
    const system = normaliseSystem(set.system);
    const index = this.systemIndex(system);
    for (const concept of set.concept ?? []) {
      addTo(index.exact, normaliseCode(system, concept.code), url);
    }
    for (const filter of set.filter ?? []) {
      if (filter.op === 'is-a') {
        const value = normaliseCode(system, filter.value);
        addTo(index.prefixes, value, url);
        index.longestPrefix = Math.max(index.longestPrefix, value.length);
      } else {
        index.regexes.push({ regex: new RegExp(filter.value), url });
      }
    }
  }

  /** Adds to `out` every value-set URL with an entry matching the (already normalised) code. */
  collect(system: string, code: string, out: Set<string>): void {
    const index = this.systems.get(system);
    if (index === undefined) {
      return;
    }
    addAll(out, index.exact.get(code));
    if (HIERARCHICAL_SYSTEMS.has(system)) {
      const longest = Math.min(code.length, index.longestPrefix);
      for (let length = 1; length <= longest; length++) {
        addAll(out, index.prefixes.get(code.slice(0, length)));
      }
    }
    for (const { regex, url } of index.regexes) {
      if (regex.test(code)) {
        out.add(url);
      }
    }
  }

  private systemIndex(system: string): SystemIndex {
    let index = this.systems.get(system);
    if (index === undefined) {
      index = { exact: new Map(), prefixes: new Map(), longestPrefix: 0, regexes: [] };
      this.systems.set(system, index);
    }
    return index;
  }
}

function addTo(map: Map<string, Set<string>>, key: string, url: string): void {
  const urls = map.get(key);
  if (urls === undefined) {
    map.set(key, new Set([url]));
  } else {
    urls.add(url);
  }
}

function addAll(target: Set<string>, source: ReadonlySet<string> | undefined): void {
  for (const url of source ?? []) {
    target.add(url);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Public factory functions

/**
 * Builds a {@link Terminology} from already-parsed ValueSet JSON (pure; used by tests and by {@link loadTerminology}).
 * `file` is only used in error messages. Throws one {@link TerminologyError} listing every problem of every value set:
 * schema violations, unsupported filter ops, regexes that do not compile, unknown code systems and duplicate URLs.
 */
export function buildTerminology(valueSets: readonly { file: string; json: unknown }[]): Terminology {
  const problems: string[] = [];
  const fileOfUrl = new Map<string, string>();
  const versions = new Map<string, string>();
  const includes = new ComposeIndex();
  const excludes = new ComposeIndex();

  for (const { file, json } of valueSets) {
    const parsed = valueSetSchema.safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const where = issue.path.length > 0 ? `${toExpression(issue.path)}: ` : '';
        problems.push(`${file}: ${where}${issue.message}`);
      }
      continue;
    }
    const { url, version, compose } = parsed.data;
    const earlierFile = fileOfUrl.get(url);
    if (earlierFile !== undefined) {
      problems.push(`${file}: duplicate url "${url}" (already defined in ${earlierFile})`);
      continue;
    }
    fileOfUrl.set(url, file);
    versions.set(url, version);
    compose.include.forEach((set) => {
      includes.add(url, set);
    });
    compose.exclude?.forEach((set) => {
      excludes.add(url, set);
    });
  }

  if (problems.length > 0) {
    throw new TerminologyError(`Invalid value sets (${problems.length} problem(s)):`, problems);
  }
  return new IndexedTerminology(versions, includes, excludes);
}

/**
 * Reads and indexes every `ValueSet-*.json` in `dir` (synchronously, in file-name order; meant for start-up).
 * Throws a {@link TerminologyError} naming the file for unreadable or non-JSON files and for everything
 * {@link buildTerminology} rejects, and when the directory holds no value sets at all.
 */
export function loadTerminology(dir: string = DEFAULT_VALUE_SET_DIR): Terminology {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((name) => /^ValueSet-.+\.json$/.test(name))
      .sort();
  } catch (error) {
    throw new TerminologyError(`Cannot read value-set directory ${dir}: ${errorMessage(error)}`);
  }
  if (files.length === 0) {
    throw new TerminologyError(`No ValueSet-*.json files in ${dir}`);
  }
  const problems: string[] = [];
  const valueSets: { file: string; json: unknown }[] = [];
  for (const file of files) {
    try {
      valueSets.push({ file, json: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) });
    } catch (error) {
      problems.push(`${file}: not readable as JSON: ${errorMessage(error)}`);
    }
  }
  let terminology: Terminology | undefined;
  try {
    terminology = buildTerminology(valueSets);
  } catch (error) {
    if (!(error instanceof TerminologyError)) {
      throw error;
    }
    problems.push(...error.problems);
  }
  if (terminology === undefined || problems.length > 0) {
    throw new TerminologyError(`Invalid value sets in ${dir} (${problems.length} problem(s)):`, problems);
  }
  return terminology;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class IndexedTerminology implements Terminology {
  readonly valueSetUrls: ReadonlySet<string>;

  constructor(
    private readonly versions: ReadonlyMap<string, string>,
    private readonly includes: ComposeIndex,
    private readonly excludes: ComposeIndex
  ) {
    this.valueSetUrls = new Set(versions.keys());
  }

  versionOf(url: string): string | undefined {
    return this.versions.get(url);
  }

  contains(valueSetUrl: string, coding: CodingLike | null | undefined): boolean {
    this.assertKnown(valueSetUrl);
    return this.members(coding).has(valueSetUrl);
  }

  matchingCoding(
    valueSetUrl: string,
    concept: { coding?: readonly (CodingLike | null | undefined)[] | null } | null | undefined
  ): Coding | undefined {
    this.assertKnown(valueSetUrl);
    const codings: unknown = concept?.coding;
    if (!Array.isArray(codings)) {
      return undefined; // tolerate a missing or malformed (non-array) coding element
    }
    for (const coding of codings as readonly (CodingLike | null | undefined)[]) {
      if (coding != null && this.members(coding).has(valueSetUrl)) {
        return coding;
      }
    }
    return undefined;
  }

  valueSetsOf(coding: CodingLike | null | undefined): readonly string[] {
    return [...this.members(coding)].sort();
  }

  /** The value sets whose includes match the coding, minus those whose excludes match it. */
  private members(coding: CodingLike | null | undefined): Set<string> {
    const result = new Set<string>();
    if (coding == null || typeof coding.system !== 'string' || typeof coding.code !== 'string') {
      return result;
    }
    const system = normaliseSystem(coding.system);
    const code = normaliseCode(system, coding.code);
    if (code === '') {
      return result;
    }
    this.includes.collect(system, code, result);
    if (result.size > 0) {
      const excluded = new Set<string>();
      this.excludes.collect(system, code, excluded);
      for (const url of excluded) {
        result.delete(url);
      }
    }
    return result;
  }

  private assertKnown(valueSetUrl: string): void {
    if (!this.versions.has(valueSetUrl)) {
      throw new TerminologyError(`Unknown value set: ${valueSetUrl}`);
    }
  }
}

/**
 * Terminology layer: loads the project's FHIR R4 ValueSets (`fhir-resources/valuesets/ValueSet-*.json`) and answers
 * "is this coding a member of value set X?" locally, without a terminology server.
 *
 * Every code list lives in the ValueSet JSON files; code-systems.ts knows the code-system URIs and how each system's
 * codes are normalised, and this module how they are compared (docs/clinical-specification.md §9, "Matching rules"):
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
import { toExpression } from '../../common/expression';
import { HIERARCHICAL_SYSTEMS, normaliseCode, normaliseSystem } from './code-systems';
import type { ConceptSet } from './value-set-schema';
import { valueSetSchema } from './value-set-schema';

/** The code-system helpers, for the modules that read codes together with value sets. */
export { CODE_SYSTEMS, normaliseCode, normaliseSystem } from './code-systems';

/** Canonical base of the project's value sets; a value set's URL is this base plus its id. */
export const VALUE_SET_BASE = 'https://ruggensteun.org/fhir/ValueSet/';

/** Canonical URL of the project value set with the given id (e.g. `valueSetUrl('lbp')`). */
export function valueSetUrl(id: string): string {
  return VALUE_SET_BASE + id;
}

/** Directory holding the project's ValueSet files (works from `src/clinical/knowledge` and from the compiled `dist/clinical/knowledge`). */
export const DEFAULT_VALUE_SET_DIR = path.resolve(__dirname, '..', '..', '..', 'fhir-resources', 'valuesets');

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

import {
  badRequest,
  convertToSearchableDates,
  convertToSearchableNumbers,
  convertToSearchableQuantities,
  convertToSearchableReferences,
  convertToSearchableStrings,
  convertToSearchableTokens,
  evalFhirPathTyped,
  getExpressionForResourceType,
  getSearchParameter,
  isResourceType,
  OperationOutcomeError,
  splitSearchOnComma,
  toTypedValue,
} from '@medplum/core';
import type { Bundle, BundleEntry, BundleLink, Resource, SearchParameter } from '@medplum/fhirtypes';

/**
 * FHIR search (https://hl7.org/fhir/R4/search.html) on top of the MemoryRepository of @medplum/fhir-router 4.5.2.
 * The repository matches filters well but leaves gaps that would make a test server lie, so they are closed here:
 * - `patient=fever` (a bare id) matches nothing there, because references are compared as text with
 *   `Patient/fever`: bare ids (and absolute URLs below this server) are rewritten to `Type/id`, for every target
 *   type of the parameter, and `subject:Patient=fever` to `subject=Patient/fever`.
 * - an unknown parameter, or one of a type or modifier the matcher does not implement, silently matches nothing:
 *   it is refused with 400 (or dropped with `Prefer: handling=lenient`, as the spec allows).
 * - `_sort` compares JSON text, and a second sort key overrides the first: sorting, paging (`_count`,
 *   `_offset`), `total`, `link` and `fullUrl` are done here instead.
 */

/** Entries per page when `_count` is absent. */
export const DEFAULT_PAGE_SIZE = 50;
/** Larger `_count` values are reduced to this. */
export const MAX_PAGE_SIZE = 1000;

/** Result parameters that change nothing here: full resources are always returned (the spec allows it). */
const IGNORED = new Set(['_elements', '_format', '_pretty', '_total', '_']);
/** Search types the MemoryRepository matcher implements (the capability statement lists only these). */
export const FILTER_TYPES = new Set(['reference', 'token', 'string', 'date', 'uri']);
const SORT_TYPES = new Set([...FILTER_TYPES, 'number', 'quantity']);
/** Modifiers the matcher honours, by parameter type (`missing` for all). */
const MODIFIERS: Readonly<Record<string, readonly string[]>> = { token: ['not'], string: ['contains'] };

/** An R4 resource id. */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const TYPE_AND_ID = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

interface SortKey {
  readonly code: string;
  readonly descending: boolean;
  readonly param: SearchParameter;
}

/** A checked search: what to ask the repository, and how to sort and page the matches. */
export interface SearchPlan {
  readonly resourceType: string;
  /** The filter parameters, normalised, in the order given. */
  readonly filters: readonly (readonly [string, string])[];
  readonly sort: readonly SortKey[];
  readonly count: number;
  readonly offset: number;
  /** `_summary=count` or `_count=0`: only the total. */
  readonly summaryCount: boolean;
}

export interface PlanOptions {
  /** `Prefer: handling=lenient`: unknown and unsupported parameters are ignored instead of refused. */
  readonly lenient: boolean;
  /** This server's base URL; absolute references below it are made relative. */
  readonly baseUrl: string;
}

const refuse = (message: string): OperationOutcomeError => new OperationOutcomeError(badRequest(message));

function nonNegativeInteger(name: string, value: string): number {
  if (!/^\d{1,9}$/.test(value)) {
    throw refuse(`${name} must be a non-negative integer, not "${value}"`);
  }
  return Number(value);
}

/** A reference search value as the repository stores references: `Type/id`. */
function normaliseReference(value: string, param: SearchParameter, baseUrl: string, targetType?: string): string {
  const relative = value.startsWith(`${baseUrl}/`) ? value.slice(baseUrl.length + 1) : value;
  const typed = TYPE_AND_ID.exec(relative);
  if (typed) {
    return `${typed[1] ?? ''}/${typed[2] ?? ''}`;
  }
  if (!FHIR_ID.test(relative)) {
    return relative; // a canonical URL or an external reference: compared as written
  }
  const targets = targetType === undefined ? (param.target ?? []) : [targetType];
  return targets.length === 0 ? relative : targets.map((target) => `${target}/${relative}`).join(',');
}

function parseSort(resourceType: string, value: string): SortKey[] {
  return value
    .split(',')
    .filter((field) => field.length > 0)
    .map((field) => {
      const descending = field.startsWith('-');
      const code = descending ? field.slice(1) : field;
      const param = getSearchParameter(resourceType, code);
      if (param === undefined || !SORT_TYPES.has(param.type)) {
        throw refuse(`Cannot sort ${resourceType} by "${code}"`);
      }
      return { code, descending, param };
    });
}

/** The result parameters of a search, as they are read. */
interface ResultParameters {
  sort: SortKey[];
  count: number;
  offset: number;
  summaryCount: boolean;
}

/**
 * Reads a result parameter (`_sort`, `_count`, `_offset`, `_summary`) into `result`.
 * @returns false when `code` is not one of them
 */
function readResultParameter(result: ResultParameters, resourceType: string, code: string, value: string): boolean {
  switch (code) {
    case '_sort':
      result.sort.push(...parseSort(resourceType, value));
      return true;
    case '_count':
      result.count = Math.min(nonNegativeInteger('_count', value), MAX_PAGE_SIZE);
      return true;
    case '_offset':
      result.offset = nonNegativeInteger('_offset', value);
      return true;
    case '_summary':
      if (value === 'count') {
        result.summaryCount = true;
      } else if (!['true', 'false', 'text', 'data'].includes(value)) {
        throw refuse(`_summary must be true, false, text, data or count, not "${value}"`);
      }
      return true;
    default:
      return false;
  }
}

/** One search parameter as written: `code[:modifier]=value`. */
interface Written {
  readonly key: string;
  readonly code: string;
  readonly modifier?: string;
  readonly value: string;
}

/** What to do with a parameter this server cannot honour: refuse it, or (lenient) drop it. */
type Unsupported = (message: string) => null;

/** A reference filter with its values as the repository stores references; a type modifier becomes the target. */
function referenceFilter(
  written: Written,
  param: SearchParameter,
  options: PlanOptions,
  unsupported: Unsupported
): [string, string] | null {
  const { code, modifier, value } = written;
  const targetType = modifier !== undefined && isResourceType(modifier) ? modifier : undefined;
  if (modifier !== undefined && targetType === undefined) {
    return unsupported(`Modifier ":${modifier}" is not supported for "${code}"`);
  }
  const values = splitSearchOnComma(value).map((item) => normaliseReference(item, param, options.baseUrl, targetType));
  return [code, values.join(',')];
}

/** A filter parameter, checked and normalised for the repository; null when it is dropped. */
function filterOf(
  resourceType: string,
  written: Written,
  options: PlanOptions,
  unsupported: Unsupported
): [string, string] | null {
  const { key, code, modifier, value } = written;
  if (key.includes('.') || code === '_has') {
    return unsupported(`Chained and reverse-chained parameters are not supported: "${key}"`);
  }
  const param = getSearchParameter(resourceType, code);
  if (param === undefined) {
    return unsupported(`Unknown search parameter "${code}" for ${resourceType}`);
  }
  const type = param.type;
  if (!FILTER_TYPES.has(type)) {
    return unsupported(`Search parameter "${code}" has type ${type}, which is not supported`);
  }
  if (modifier === 'missing') {
    if (value !== 'true' && value !== 'false') {
      throw refuse(`${key} must be true or false`);
    }
    return [key, value];
  }
  if (type === 'reference') {
    return referenceFilter(written, param, options, unsupported);
  }
  if (modifier !== undefined && !(MODIFIERS[type] ?? []).includes(modifier)) {
    return unsupported(`Modifier ":${modifier}" is not supported for "${code}" (${type})`);
  }
  return [key, value];
}

/** `code:modifier` apart. */
function writtenParameter(key: string, value: string): Written {
  const colon = key.indexOf(':');
  return colon < 0
    ? { key, code: key, value }
    : { key, code: key.slice(0, colon), modifier: key.slice(colon + 1), value };
}

/**
 * Checks and normalises the parameters of a search.
 * @param resourceType - a known resource type
 * @param params - the query (and, for `POST _search`, form body) parameters in order
 * @param options - leniency and this server's base URL
 * @returns the plan
 * @throws OperationOutcomeError (400) for an unknown, unsupported or malformed parameter
 */
export function planSearch(
  resourceType: string,
  params: readonly (readonly [string, string])[],
  options: PlanOptions
): SearchPlan {
  const filters: [string, string][] = [];
  const result: ResultParameters = { sort: [], count: DEFAULT_PAGE_SIZE, offset: 0, summaryCount: false };
  const unsupported: Unsupported = (message) => {
    if (!options.lenient) {
      throw refuse(`${message} (this in-memory test server)`);
    }
    return null;
  };
  for (const [key, value] of params) {
    const parameter = writtenParameter(key, value);
    if (IGNORED.has(parameter.code) || readResultParameter(result, resourceType, parameter.code, value)) {
      continue;
    }
    const filter = filterOf(resourceType, parameter, options, unsupported);
    if (filter !== null) {
      filters.push(filter);
    }
  }
  const { sort, count, offset, summaryCount } = result;
  return { resourceType, filters, sort, count, offset, summaryCount: summaryCount || count === 0 };
}

/** A query string from ordered parameters. */
export function toQueryString(params: readonly (readonly [string, string])[]): string {
  return new URLSearchParams(params.map(([key, value]): [string, string] => [key, value])).toString();
}

type Key = number | string | undefined;

/**
 * The branch of a parameter's expression for one resource type: `date`, `patient` and others are unions over
 * dozens of types, and evaluating the whole union per resource was most of a sorted search's time.
 */
export function expressionFor(resourceType: string, param: SearchParameter): string {
  const expression = param.expression ?? '';
  return getExpressionForResourceType(resourceType, expression) ?? expression;
}

/** The value a resource sorts on: ascending by its lowest value, descending by its highest. */
function sortValue(resource: Resource, key: SortKey): Key {
  const values = evalFhirPathTyped(expressionFor(resource.resourceType, key.param), [toTypedValue(resource)]);
  let candidates: (number | string)[];
  switch (key.param.type) {
    case 'date':
      // By the start of each value (a date or a period), in both directions.
      candidates = convertToSearchableDates(values).flatMap((period) => {
        const start = period.start ?? period.end;
        const time = start === undefined ? Number.NaN : Date.parse(start);
        return Number.isNaN(time) ? [] : [time];
      });
      break;
    case 'number':
      candidates = convertToSearchableNumbers(values).flatMap(([low, high]) => {
        const bound = key.descending ? (high ?? low) : (low ?? high);
        return bound === undefined ? [] : [bound];
      });
      break;
    case 'quantity':
      candidates = convertToSearchableQuantities(values).flatMap((quantity) =>
        quantity.value === undefined ? [] : [quantity.value]
      );
      break;
    case 'token':
      candidates = convertToSearchableTokens(values).flatMap((token) =>
        token.value === undefined ? [] : [token.value.toLowerCase()]
      );
      break;
    case 'reference':
      candidates = convertToSearchableReferences(values);
      break;
    case 'string':
    case 'uri':
    case 'composite':
    case 'special':
      candidates = convertToSearchableStrings(values).map((text) => text.toLowerCase());
      break;
  }
  if (candidates.length === 0) {
    return undefined;
  }
  return candidates.reduce((best, candidate) =>
    (key.descending ? candidate > best : candidate < best) ? candidate : best
  );
}

/** Orders resources by the sort keys in turn; resources without a value come last; ties keep their order. */
export function sortResources<T extends Resource>(resources: readonly T[], sort: readonly SortKey[]): T[] {
  if (sort.length === 0) {
    return [...resources];
  }
  const keyed = resources.map((resource) => ({ resource, keys: sort.map((key) => sortValue(resource, key)) }));
  keyed.sort((a, b) => {
    for (let index = 0; index < sort.length; index++) {
      const left = a.keys[index];
      const right = b.keys[index];
      if (left === right) {
        continue;
      }
      if (left === undefined) {
        return 1;
      }
      if (right === undefined) {
        return -1;
      }
      const order = left < right ? -1 : 1;
      return sort[index]?.descending ? -order : order;
    }
    return 0;
  });
  return keyed.map(({ resource }) => resource);
}

/** The parameters that reproduce a page of this search (a GET URL, also for POST searches). */
function pageParams(plan: SearchPlan, offset: number): [string, string][] {
  const params: [string, string][] = plan.filters.map(([key, value]) => [key, value]);
  if (plan.sort.length > 0) {
    params.push(['_sort', plan.sort.map((key) => (key.descending ? `-${key.code}` : key.code)).join(',')]);
  }
  if (plan.summaryCount) {
    params.push(['_summary', 'count']);
  } else {
    params.push(['_count', String(plan.count)], ['_offset', String(offset)]);
  }
  return params;
}

/**
 * Turns the repository's matches into the searchset Bundle: sorted, one page, with `total`, `self`/`first`/
 * `previous`/`next` links and `fullUrl`s below the base URL.
 * @param plan - the checked search
 * @param matches - every matching resource, in the repository's order
 * @param baseUrl - this server's base URL (no trailing slash)
 */
export function searchsetBundle(plan: SearchPlan, matches: readonly Resource[], baseUrl: string): Bundle {
  const sorted = sortResources(matches, plan.sort);
  const page = plan.summaryCount ? [] : sorted.slice(plan.offset, plan.offset + plan.count);
  const link = (relation: string, offset: number): BundleLink => ({
    relation,
    url: `${baseUrl}/${plan.resourceType}?${toQueryString(pageParams(plan, offset))}`,
  });
  const links = [link('self', plan.offset)];
  if (!plan.summaryCount) {
    links.push(link('first', 0));
    if (plan.offset > 0) {
      links.push(link('previous', Math.max(0, plan.offset - plan.count)));
    }
    if (plan.offset + plan.count < sorted.length) {
      links.push(link('next', plan.offset + plan.count));
    }
  }
  const entry: BundleEntry[] = page.map((resource) => ({
    fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id ?? ''}`,
    resource,
    search: { mode: 'match' },
  }));
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: sorted.length,
    link: links,
    ...(entry.length > 0 ? { entry } : {}),
  };
}

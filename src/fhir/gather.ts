import { isOperationOutcome } from '@medplum/core';
import type { Patient, Resource } from '@medplum/fhirtypes';
import type { PrefetchTemplate } from '../hook/catalogue';
import type { HookRequest } from '../hook/hook-request';
import { resolveTemplate } from './prefetch-template';
import { FhirFetchError, fetchFhirJson } from './fhir-fetch';

/**
 * Gathers the patient record for one hook call: for every prefetch template, the prefetched value when the
 * client sent one, otherwise a request to `fhirServer` (https://cds-hooks.hl7.org/2.0/#prefetch-template).
 * All templates are fetched in parallel inside one time budget. Nothing is silently treated as "no data":
 * every gap becomes a DataProblem, which the clinical layer reports in its data-quality card.
 */

export type DataProblemReason =
  | 'client-error' // the client sent an OperationOutcome for this prefetch key and no fallback was possible
  | 'not-available' // not prefetched and no usable fhirServer
  | 'fetch-failed' // the FHIR server answered an error, invalid JSON, too much data, or could not be reached
  | 'timeout' // the FHIR server did not answer within the per-request timeout or the overall budget
  | 'unreadable' // data arrived but (some of) it is not a usable FHIR resource
  | 'truncated' // more search pages exist than were read
  | 'incomplete' // the server said its answer is partial (RW-06): an outcome entry, or fewer entries than `total`
  | 'wrong-patient'; // data about another patient was sent and ignored

export interface DataProblem {
  /** The prefetch key, e.g. `conditions`. */
  readonly key: string;
  readonly resourceType: string;
  readonly reason: DataProblemReason;
  /** What happened, without patient data or tokens (for logs and the 412 OperationOutcome). */
  readonly detail: string;
  /** The numbers behind the detail, so the card can say them in the GP's language. */
  readonly figures?: DataFigures;
}

/** What a search counted and sent, how many pages were read, how many entries were skipped. */
export interface DataFigures {
  readonly counted?: number;
  readonly sent?: number;
  readonly pages?: number;
  readonly entries?: number;
}

export interface GatheredData {
  readonly resources: readonly Resource[];
  readonly source: 'prefetch' | 'fhir';
  /** False when part of the data could not be read (see the problems of this key). */
  readonly complete: boolean;
}

export interface GatheredRecord {
  readonly patient: Patient;
  /** Per prefetch key; a key whose data could not be obtained at all is absent. */
  readonly data: Readonly<Partial<Record<string, GatheredData>>>;
  readonly problems: readonly DataProblem[];
}

export type GatherResult =
  | { readonly ok: true; readonly record: GatheredRecord }
  | { readonly ok: false; readonly missing: readonly DataProblem[] };

export interface GatherSettings {
  readonly timeoutMs: number;
  readonly budgetMs: number;
  readonly maxPages: number;
  readonly maxResponseBytes: number;
  /**
   * When set, only a fhirServer it accepts is contacted (with authentication on: the FHIR servers configured
   * for the calling issuer), so the service cannot be made to send requests, or the token, anywhere else.
   */
  readonly allowFhirServer?: (fhirServer: URL) => boolean;
  /** The address a URL is fetched at: the embedded FHIR server's public URLs go to its own thread directly. */
  readonly route?: (url: URL) => URL;
}

interface KeyResult {
  data?: GatheredData;
  problems: DataProblem[];
}

interface GatherContext {
  readonly request: HookRequest;
  readonly patientId: string;
  /** fhirServer with a trailing slash, so relative templates resolve below it; absent when none may be used. */
  readonly base?: URL;
  /** Why there is no base (shown in the data problems and the 412). */
  readonly noBase: string;
  readonly budget: AbortSignal;
  readonly settings: GatherSettings;
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The id a `subject`/`patient` reference points at, when it points at a Patient. */
function referencedPatientId(resource: JsonObject): string | undefined {
  for (const field of ['subject', 'patient']) {
    const reference = (resource[field] as { reference?: unknown } | undefined)?.reference;
    if (typeof reference === 'string') {
      const match = /(?:^|\/)Patient\/([^/]+?)(?:\/_history\/[^/]+)?$/.exec(reference);
      return match ? match[1] : undefined;
    }
  }
  return undefined;
}

function nextLink(bundle: JsonObject): string | undefined {
  const links = Array.isArray(bundle.link) ? (bundle.link as unknown[]) : [];
  for (const link of links) {
    if (isObject(link) && link.relation === 'next' && typeof link.url === 'string' && link.url.length > 0) {
      return link.url;
    }
  }
  return undefined;
}

/** A next link is only followed below fhirServer: the access token must not travel anywhere else. */
function isBelow(url: URL, base: URL): boolean {
  return url.origin === base.origin && url.pathname.startsWith(base.pathname);
}

function problem(
  key: string,
  template: PrefetchTemplate,
  reason: DataProblemReason,
  detail: string,
  figures?: DataFigures
): DataProblem {
  return { key, resourceType: template.resourceType, reason, detail, ...(figures ? { figures } : {}) };
}

function fetchProblem(key: string, template: PrefetchTemplate, err: unknown): DataProblem {
  if (err instanceof FhirFetchError) {
    const reason = err.failure === 'timeout' || err.failure === 'budget' ? 'timeout' : 'fetch-failed';
    return problem(key, template, reason, `fhirServer: ${err.message}`);
  }
  return problem(key, template, 'fetch-failed', 'fhirServer: unexpected failure');
}

/** An OperationOutcome in a search answer that says something went wrong (information alone does not). */
function isWarningOutcome(resource: JsonObject): boolean {
  const issues = Array.isArray(resource.issue) ? (resource.issue as unknown[]) : [];
  return issues.length === 0 || issues.some((issue) => !isObject(issue) || issue.severity !== 'information');
}

/**
 * Collects the matches of a searchset across its pages, and everything that shows the search is incomplete
 * (RW-06): an OperationOutcome entry that warns, `entry` present but not a list, or resources of another type
 * that are not `_include`s. Such a Bundle may be hiding exactly the record that holds a red flag.
 */
class SearchCollector {
  readonly resources: Resource[] = [];
  /** Match entries seen, whoever they are about: compared with the server's `total`. */
  matches = 0;
  unreadable = 0;
  otherPatient = 0;
  outcomes = 0;
  otherType = 0;
  malformedEntry = false;

  constructor(
    private readonly template: PrefetchTemplate,
    private readonly patientId: string
  ) {}

  /** Adds the matching entries of a searchset Bundle; `_include`d resources of other types are skipped. */
  add(bundle: JsonObject): void {
    if (Object.hasOwn(bundle, 'entry') && !Array.isArray(bundle.entry)) {
      this.malformedEntry = true;
    }
    const entries = Array.isArray(bundle.entry) ? (bundle.entry as unknown[]) : [];
    for (const entry of entries) {
      const resource = isObject(entry) ? entry.resource : undefined;
      if (!isObject(resource) || typeof resource.resourceType !== 'string') {
        this.unreadable++;
        continue;
      }
      const mode = isObject(entry) && isObject(entry.search) ? entry.search.mode : undefined;
      if (resource.resourceType === 'OperationOutcome' && this.template.resourceType !== 'OperationOutcome') {
        if (isWarningOutcome(resource)) {
          this.outcomes++;
        }
        continue;
      }
      if (resource.resourceType !== this.template.resourceType) {
        if (mode !== 'include') {
          this.otherType++;
        }
        continue;
      }
      if (mode !== undefined && mode !== 'match') {
        continue;
      }
      this.matches++;
      const subject = referencedPatientId(resource);
      if (subject !== undefined && subject !== this.patientId) {
        this.otherPatient++;
        continue;
      }
      this.resources.push(resource as unknown as Resource);
    }
  }

  problems(key: string): DataProblem[] {
    const found: DataProblem[] = [];
    const say = (reason: DataProblemReason, detail: string, figures?: DataFigures) =>
      found.push(problem(key, this.template, reason, detail, figures));
    if (this.unreadable > 0) {
      say('unreadable', `${this.unreadable} Bundle entries without a FHIR resource`, { entries: this.unreadable });
    }
    if (this.otherPatient > 0) {
      say('wrong-patient', `${this.otherPatient} resources about another patient ignored`, {
        entries: this.otherPatient,
      });
    }
    if (this.outcomes > 0) {
      say('incomplete', 'the search answer holds an error or warning (OperationOutcome): it may be incomplete');
    }
    if (this.otherType > 0) {
      say('incomplete', `the search answer holds ${this.otherType} resources of another type`);
    }
    if (this.malformedEntry) {
      say('incomplete', 'the search answer has an unreadable entry list');
    }
    return found;
  }
}

/** Reads a search: the first page (prefetched or fetched), then `next` pages up to the page limit. */
async function readSearch(
  key: string,
  template: PrefetchTemplate,
  first: JsonObject,
  source: GatheredData['source'],
  ctx: GatherContext
): Promise<KeyResult> {
  const collector = new SearchCollector(template, ctx.patientId);
  const problems: DataProblem[] = [];
  let bundle = first;
  let pages = 0;
  for (;;) {
    collector.add(bundle);
    pages++;
    const next = nextLink(bundle);
    if (next === undefined) {
      break;
    }
    if (pages >= ctx.settings.maxPages) {
      problems.push(problem(key, template, 'truncated', `only the first ${pages} pages were read`, { pages }));
      break;
    }
    if (ctx.base === undefined) {
      problems.push(problem(key, template, 'truncated', 'more pages exist but no fhirServer was given to read them'));
      break;
    }
    let nextUrl: URL;
    try {
      nextUrl = new URL(next, ctx.base);
    } catch {
      problems.push(problem(key, template, 'fetch-failed', 'the next-page link is not a URL'));
      break;
    }
    if (!isBelow(nextUrl, ctx.base)) {
      problems.push(
        problem(key, template, 'fetch-failed', 'the next-page link points outside fhirServer; not followed')
      );
      break;
    }
    try {
      const page = await fetchFhirJson(ctx.settings.route?.(nextUrl) ?? nextUrl, fetchOptions(ctx));
      if (page.resourceType !== 'Bundle') {
        problems.push(problem(key, template, 'unreadable', 'a next page is not a Bundle'));
        break;
      }
      bundle = page;
    } catch (err) {
      problems.push(fetchProblem(key, template, err));
      break;
    }
  }
  const total = first.total;
  if (problems.length === 0 && typeof total === 'number' && total > collector.matches) {
    problems.push(
      problem(key, template, 'incomplete', `the server counted ${total} matches but sent ${collector.matches}`, {
        counted: total,
        sent: collector.matches,
      })
    );
  }
  problems.push(...collector.problems(key));
  return { data: { resources: collector.resources, source, complete: problems.length === 0 }, problems };
}

function fetchOptions(ctx: GatherContext) {
  return {
    accessToken: ctx.request.fhirAuthorization?.access_token,
    budget: ctx.budget,
    timeoutMs: ctx.settings.timeoutMs,
    maxBytes: ctx.settings.maxResponseBytes,
  };
}

/** Interprets a single resource for a read template; a Bundle holding it is accepted too (sandbox#45). */
function readResource(
  value: JsonObject,
  template: PrefetchTemplate,
  ctx: GatherContext
): Resource | 'wrong-patient' | undefined {
  let candidate: unknown = value;
  if (value.resourceType === 'Bundle' && template.resourceType !== 'Bundle') {
    const entries = Array.isArray(value.entry) ? (value.entry as unknown[]) : [];
    candidate = entries
      .map((entry) => (isObject(entry) ? entry.resource : undefined))
      .find((resource) => isObject(resource) && resource.resourceType === template.resourceType);
  }
  if (!isObject(candidate) || candidate.resourceType !== template.resourceType) {
    return undefined;
  }
  if (template.resourceType === 'Patient' && candidate.id !== undefined && candidate.id !== ctx.patientId) {
    return 'wrong-patient';
  }
  return candidate as unknown as Resource;
}

/** Interprets what the client prefetched; undefined means "fetch it from fhirServer instead". */
async function fromPrefetch(
  key: string,
  template: PrefetchTemplate,
  value: JsonObject | null,
  ctx: GatherContext
): Promise<KeyResult | { fallback: DataProblem }> {
  if (value === null) {
    // "null" = the client has no data: an empty search, or no resource for a read.
    return template.kind === 'search'
      ? { data: { resources: [], source: 'prefetch', complete: true }, problems: [] }
      : { problems: [problem(key, template, 'not-available', 'the client reported no data')] };
  }
  if (isOperationOutcome(value)) {
    return { fallback: problem(key, template, 'client-error', 'the client could not prefetch this data') };
  }
  if (template.kind === 'search') {
    if (value.resourceType === 'Bundle') {
      return readSearch(key, template, value, 'prefetch', ctx);
    }
    if (value.resourceType === template.resourceType) {
      return readSearch(key, template, { entry: [{ resource: value }] }, 'prefetch', ctx);
    }
    return {
      fallback: problem(key, template, 'unreadable', `prefetched value is not a ${template.resourceType} Bundle`),
    };
  }
  const resource = readResource(value, template, ctx);
  if (resource === 'wrong-patient') {
    return { fallback: problem(key, template, 'wrong-patient', 'the prefetched Patient is not context.patientId') };
  }
  if (resource === undefined) {
    return { fallback: problem(key, template, 'unreadable', `prefetched value is not a ${template.resourceType}`) };
  }
  return { data: { resources: [resource], source: 'prefetch', complete: true }, problems: [] };
}

async function fromFhirServer(
  key: string,
  template: PrefetchTemplate,
  ctx: GatherContext,
  prefetchProblem?: DataProblem
): Promise<KeyResult> {
  const unavailable = (detail: string): KeyResult => ({
    problems: [prefetchProblem ?? problem(key, template, 'not-available', detail)],
  });
  if (ctx.base === undefined) {
    return unavailable(ctx.noBase);
  }
  const relative = resolveTemplate(template.query, ctx.request.context);
  if (relative === undefined) {
    return unavailable('the prefetch template could not be filled from the context');
  }
  try {
    const url = new URL(relative, ctx.base);
    const json = await fetchFhirJson(ctx.settings.route?.(url) ?? url, fetchOptions(ctx));
    if (template.kind === 'search') {
      if (json.resourceType !== 'Bundle') {
        return { problems: [problem(key, template, 'unreadable', 'fhirServer did not answer a Bundle')] };
      }
      return await readSearch(key, template, json, 'fhir', ctx);
    }
    const resource = readResource(json, template, ctx);
    if (resource === 'wrong-patient') {
      return { problems: [problem(key, template, 'wrong-patient', 'fhirServer returned another Patient')] };
    }
    if (resource === undefined) {
      return {
        problems: [problem(key, template, 'unreadable', `fhirServer did not answer a ${template.resourceType}`)],
      };
    }
    return { data: { resources: [resource], source: 'fhir', complete: true }, problems: [] };
  } catch (err) {
    return { problems: [fetchProblem(key, template, err)] };
  }
}

async function gatherKey(key: string, template: PrefetchTemplate, ctx: GatherContext): Promise<KeyResult> {
  const prefetch = ctx.request.prefetch;
  if (prefetch !== undefined && Object.hasOwn(prefetch, key)) {
    const result = await fromPrefetch(key, template, prefetch[key] ?? null, ctx);
    if (!('fallback' in result)) {
      return result;
    }
    return fromFhirServer(key, template, ctx, result.fallback);
  }
  return fromFhirServer(key, template, ctx);
}

/**
 * Gathers the data of every template for a hook request.
 * @param templates - the service's prefetch templates (key → template)
 * @param request - the validated hook request
 * @param settings - per-request timeout, overall budget, page and size limits
 * @returns the record, or the problems of the required data (the caller answers 412)
 */
export async function gatherRecord(
  templates: Readonly<Record<string, PrefetchTemplate>>,
  request: HookRequest,
  settings: GatherSettings
): Promise<GatherResult> {
  const given = request.fhirServer === undefined ? undefined : new URL(request.fhirServer.replace(/\/*$/, '/'));
  const refused = given !== undefined && settings.allowFhirServer !== undefined && !settings.allowFhirServer(given);
  const base = refused ? undefined : given;
  const noBase = refused
    ? 'not prefetched, and fhirServer is not on the allowlist of this client'
    : 'not prefetched and no fhirServer given';
  const budget = new AbortController();
  const timer = setTimeout(() => {
    budget.abort();
  }, settings.budgetMs);
  const ctx: GatherContext = {
    request,
    patientId: request.context.patientId,
    ...(base ? { base } : {}),
    noBase,
    budget: budget.signal,
    settings,
  };
  const keys = Object.keys(templates);
  let results: KeyResult[];
  try {
    results = await Promise.all(keys.map((key) => gatherKey(key, templates[key] as PrefetchTemplate, ctx)));
  } finally {
    clearTimeout(timer);
  }

  const data: Partial<Record<string, GatheredData>> = {};
  const problems: DataProblem[] = [];
  const missing: DataProblem[] = [];
  keys.forEach((key, index) => {
    const result = results[index] as KeyResult;
    problems.push(...result.problems);
    if (result.data) {
      data[key] = result.data;
    } else if ((templates[key] as PrefetchTemplate).required) {
      missing.push(...result.problems);
    }
  });
  if (missing.length > 0) {
    return { ok: false, missing };
  }
  const patient = Object.values(data)
    .flatMap((gathered) => gathered?.resources ?? [])
    .find((resource): resource is Patient => resource.resourceType === 'Patient');
  if (patient === undefined) {
    return {
      ok: false,
      missing: [{ key: 'patient', resourceType: 'Patient', reason: 'not-available', detail: 'no Patient template' }],
    };
  }
  return { ok: true, record: { patient, data, problems } };
}

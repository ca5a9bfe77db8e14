import type { Resource } from '@medplum/fhirtypes';
import type { GatherInput, GatherSettings } from './gather-input';
import type { DataFigures, DataProblem, DataProblemReason, GatheredData } from '../clinical/gathered-record';
import { FhirFetchError, fetchFhirJson } from './fhir-fetch';
import type { PrefetchTemplate } from './prefetch-template';

/**
 * Reading one search of a gathering (gather.ts): the matches of a searchset Bundle across its `next` pages, within
 * the page limit and only below fhirServer, and every sign that the answer is incomplete (RW-06), each a
 * DataProblem of the prefetch key.
 */

/** What gathering one prefetch key found: its data (absent when none could be obtained) and its problems. */
export interface KeyResult {
  data?: GatheredData;
  problems: DataProblem[];
}

/** One gathering: whose record, where and with which token to fetch, within which budget and limits. */
export interface GatherContext {
  readonly input: GatherInput;
  readonly patientId: string;
  /** fhirServer with a trailing slash, so relative templates resolve below it; absent when none may be used. */
  readonly base?: URL;
  /** Why there is no base (shown in the data problems and the 412). */
  readonly noBase: string;
  readonly budget: AbortSignal;
  readonly settings: GatherSettings;
}

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
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

export function problem(
  key: string,
  template: PrefetchTemplate,
  reason: DataProblemReason,
  detail: string,
  figures?: DataFigures
): DataProblem {
  return { key, resourceType: template.resourceType, reason, detail, ...(figures ? { figures } : {}) };
}

export function fetchProblem(key: string, template: PrefetchTemplate, err: unknown): DataProblem {
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
export async function readSearch(
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

/** The fetch options of every request of one gathering: its token, budget and limits. */
export function fetchOptions(ctx: GatherContext) {
  return {
    accessToken: ctx.input.accessToken,
    budget: ctx.budget,
    timeoutMs: ctx.settings.timeoutMs,
    maxBytes: ctx.settings.maxResponseBytes,
  };
}

import { isOperationOutcome } from '@medplum/core';
import type { Patient, Resource } from '@medplum/fhirtypes';
import type { DataProblem, GatheredData, GatheredRecord } from '../clinical/gathered-record';
import { resolveTemplate } from './prefetch-template';
import type { PrefetchTemplate } from './prefetch-template';
import { fetchFhirJson } from './fhir-fetch';
import { fetchOptions, fetchProblem, isObject, problem, readSearch } from './search-pages';
import type { GatherContext, JsonObject, KeyResult } from './search-pages';
import type { GatherInput, GatherSettings } from './gather-input';
export type { GatherInput, GatherSettings } from './gather-input';

/**
 * Gathers the patient record for one hook call: for every prefetch template, the prefetched value when the
 * client sent one, otherwise a request to `fhirServer` (https://cds-hooks.hl7.org/2.0/#prefetch-template).
 * All templates are fetched in parallel inside one time budget. Nothing is silently treated as "no data":
 * every gap becomes a DataProblem, which the clinical layer reports in its data-quality card. The inputs are
 * neutral (templates, prefetch, FHIR server, token, context values): nothing here knows the CDS Hooks request.
 * Reading a search across its pages is search-pages.ts.
 */

export type GatherResult =
  | { readonly ok: true; readonly record: GatheredRecord }
  | { readonly ok: false; readonly missing: readonly DataProblem[] };

/** What one gathering starts from: what the client sent, with nothing of the protocol around it. */
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
  const relative = resolveTemplate(template.query, ctx.input.context);
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
  const prefetch = ctx.input.prefetch;
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
 * Gathers the data of every template.
 * @param templates - the service's prefetch templates (key → template)
 * @param input - the prefetch, FHIR server, token and context values of the call
 * @param settings - per-request timeout, overall budget, page and size limits
 * @returns the record, or the problems of the required data (the caller answers 412)
 */
export async function gatherRecord(
  templates: Readonly<Record<string, PrefetchTemplate>>,
  input: GatherInput,
  settings: GatherSettings
): Promise<GatherResult> {
  const given = input.fhirServer === undefined ? undefined : new URL(input.fhirServer.replace(/\/*$/, '/'));
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
    input,
    patientId: input.context.patientId,
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

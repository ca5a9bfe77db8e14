import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  convertToSearchableReferences,
  deepClone,
  evalFhirPathTyped,
  getSearchParameter,
  getStatus,
  isOk,
  isResourceType,
  matchesSearchRequest,
  Operator,
  splitSearchOnComma,
  toTypedValue,
  validateResource,
} from '@medplum/core';
import type { SearchRequest, WithId } from '@medplum/core';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import type { FhirRequest, HttpMethod, ReadHistoryOptions } from '@medplum/fhir-router';
import type { Bundle, OperationOutcome, Resource, ResourceType } from '@medplum/fhirtypes';
import express from 'express';
import type { ErrorRequestHandler, Request, Response } from 'express';
import { CLINICAL_PREFETCH } from '../hook/catalogue';
import type { PlanApplier } from '../hook/plan-apply';
import { toHttpError } from '../http/errors';
import { HttpError, outcome as buildOutcome, unsupportedMediaType } from '../common/http-error';
import { capabilityStatement } from './capability-statement';
import { ensureFhirDefinitionsIndexed } from './fhir-definitions';
import { expressionFor, FHIR_ID, planSearch, searchsetBundle, toQueryString } from './fhir-search';
import { applyPlanDefinition } from './plan-apply-route';
import { describeSamplePatient, loadSampleBundles, resourcesOf } from './sample-patients';
import type { SamplePatient } from './sample-patients';

export type { SamplePatient } from './sample-patients';

/**
 * The sandbox's FHIR R4 server: an in-memory repository seeded with the sample patients (dates moved to today),
 * served over REST by @medplum/fhir-router. It is open (no authentication), so the public
 * CDS Hooks sandbox can use it as its FHIR server (docs/integration.md) and our own gatherRecord can read from it.
 * Express only parses bodies and maps the HTTP request onto `FhirRouter.handleRequest`; what the router does
 * not do (capabilities, search details, headers, history order) is added here, in fhir-search.ts and in
 * capability-statement.ts.
 */

export interface EmbeddedFhirServerOptions {
  /** The directory of sample Bundles (fhir-resources/sample-patients). */
  readonly samplesDir: string;
  /** Today: the sample dates are moved from each Bundle's timestamp to this day. */
  readonly now: Date;
  /** Larger request bodies are refused with 413. */
  readonly maxBodyBytes: number;
  /**
   * The public base URL of the server (e.g. `https://cds.example.org/fhir`) for `fullUrl`, links and
   * `Location`. By default it is derived from each request: protocol, Host header and mount path.
   */
  readonly baseUrl?: string;
  /** fhir-resources/knowledge: its PlanDefinition and ActivityDefinitions are served too (for $apply). */
  readonly knowledgeDir?: string;
  /** PlanDefinition/{id}/$apply: the hook's pipeline; without it the operation answers 501. */
  readonly apply?: PlanApplier;
}

export interface EmbeddedFhirServer {
  /** Mount it at `/fhir` (after CORS). */
  readonly router: express.Router;
  /** The sample patients, sorted by name. */
  readonly patients: readonly SamplePatient[];
  /** Where the hook fetches this server's public URLs (its own thread's port, fhir-thread.ts); as given if absent. */
  readonly route?: (url: URL) => URL;
}

const FHIR_JSON = 'application/fhir+json';
const JSON_TYPES = [FHIR_JSON, 'application/json', 'application/json+fhir', 'application/json-patch+json'];
const FORM = 'application/x-www-form-urlencoded';

/** Reference parameters indexed per patient: the ones every prefetch template of the service searches by. */
const INDEXED_REFERENCES = ['patient', 'subject'];

/**
 * The MemoryRepository of @medplum/fhir-router 4.5.2, with two fixes and an index:
 * - every resource is validated against the R4 definitions before it is stored (as a real FHIR server does),
 *   so an invalid CarePlan from a suggestion is refused with 400 instead of being kept;
 * - `readHistory` there reverses its stored version list in place, so the order flips on every call; the
 *   versions are kept here and returned newest first, as the spec requires;
 * - a search there evaluates every filter's FHIRPath on every resource of the type, and `patient` is a union over
 *   all resource types: about 10 ms per search with the sample patients. The values of `patient` and `subject`
 *   are indexed when a resource is stored, so a search by them only evaluates the filters on that patient's
 *   resources (the same matcher, so the same results).
 */
class SandboxRepository extends MemoryRepository {
  private readonly versions = new Map<string, Resource[]>();
  /** `Type|code|Patient/id` → ids of the resources whose parameter `code` has that reference. */
  private readonly references = new Map<string, Set<string>>();
  /** `Type/id` → its keys in `references`, to remove them when the resource changes. */
  private readonly indexed = new Map<string, string[]>();

  override async createResource<T extends Resource>(resource: T): Promise<WithId<T>> {
    validateResource(resource);
    const stored = await super.createResource(resource);
    const key = `${stored.resourceType}/${stored.id}`;
    const versions = this.versions.get(key) ?? [];
    versions.push(deepClone(stored));
    this.versions.set(key, versions);
    this.index(stored);
    return stored;
  }

  override async deleteResource(resourceType: string, id: string): Promise<void> {
    await super.deleteResource(resourceType, id);
    this.unindex(resourceType, id);
  }

  override async search<T extends Resource>(request: SearchRequest<T>): Promise<Bundle<WithId<T>>> {
    const filter = request.filters?.find(
      (candidate) => candidate.operator === Operator.EQUALS && INDEXED_REFERENCES.includes(candidate.code)
    );
    const plain = request.sortRules === undefined && request.offset === undefined && request.count === undefined;
    if (filter === undefined || filter.value === '' || !plain) {
      return super.search(request);
    }
    const ids = new Set(
      splitSearchOnComma(filter.value).flatMap((value) => [
        ...(this.references.get(`${request.resourceType}|${filter.code}|${value}`) ?? []),
      ])
    );
    // The index answers `filter` exactly; the other filters are evaluated as the repository would.
    const rest: SearchRequest<T> = { ...request, filters: request.filters?.filter((other) => other !== filter) };
    const matches: WithId<T>[] = [];
    for (const id of ids) {
      const resource = await this.readResource<WithId<T>>(request.resourceType, id);
      if (matchesSearchRequest(resource, rest)) {
        matches.push(resource);
      }
    }
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      total: matches.length,
      ...(matches.length > 0 ? { entry: matches.map((resource) => ({ resource })) } : {}),
    };
  }

  /** Records the `patient` and `subject` references of a stored resource (replacing those of its earlier version). */
  private index(resource: WithId<Resource>): void {
    this.unindex(resource.resourceType, resource.id);
    const keys: string[] = [];
    for (const code of INDEXED_REFERENCES) {
      const param = getSearchParameter(resource.resourceType, code);
      if (param?.type !== 'reference') {
        continue;
      }
      const values = evalFhirPathTyped(expressionFor(resource.resourceType, param), [toTypedValue(resource)]);
      for (const reference of convertToSearchableReferences(values)) {
        const indexKey = `${resource.resourceType}|${code}|${reference}`;
        const ids = this.references.get(indexKey) ?? new Set<string>();
        ids.add(resource.id);
        this.references.set(indexKey, ids);
        keys.push(indexKey);
      }
    }
    this.indexed.set(`${resource.resourceType}/${resource.id}`, keys);
  }

  private unindex(resourceType: string, id: string): void {
    const key = `${resourceType}/${id}`;
    for (const indexKey of this.indexed.get(key) ?? []) {
      this.references.get(indexKey)?.delete(id);
    }
    this.indexed.delete(key);
  }

  override async readHistory<T extends Resource>(
    resourceType: string,
    id: string,
    options?: ReadHistoryOptions
  ): Promise<Bundle<WithId<T>>> {
    await this.readResource(resourceType, id);
    const newestFirst = [...(this.versions.get(`${resourceType}/${id}`) ?? [])].reverse() as WithId<T>[];
    const offset = options?.offset ?? 0;
    const page = newestFirst.slice(offset, options?.limit === undefined ? undefined : offset + options.limit);
    return {
      resourceType: 'Bundle',
      type: 'history',
      total: newestFirst.length,
      ...(page.length > 0 ? { entry: page.map((resource) => ({ resource: deepClone(resource) })) } : {}),
    };
  }

  override clear(): void {
    super.clear();
    this.versions.clear();
    this.references.clear();
    this.indexed.clear();
  }
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An answer: status, body and extra headers. */
interface Reply {
  readonly status: number;
  readonly body: Resource;
  readonly headers?: Readonly<Record<string, string>>;
}

const fail = (status: number, code: NonNullable<OperationOutcome['issue']>[number]['code'], message: string) =>
  new HttpError(status, buildOutcome(code, [{ message }]));

function send(res: Response, reply: Reply): void {
  res
    .status(reply.status)
    .set(reply.headers ?? {})
    .type(FHIR_JSON)
    .send(JSON.stringify(reply.body));
}

/** ETag and Last-Modified of a stored version (https://hl7.org/fhir/R4/http.html#read). */
function versionHeaders(resource: Resource): Record<string, string> {
  const headers: Record<string, string> = {};
  if (resource.meta?.versionId !== undefined) {
    headers.ETag = `W/"${resource.meta.versionId}"`;
  }
  const lastUpdated = resource.meta?.lastUpdated === undefined ? Number.NaN : Date.parse(resource.meta.lastUpdated);
  if (!Number.isNaN(lastUpdated)) {
    headers['Last-Modified'] = new Date(lastUpdated).toUTCString();
  }
  return headers;
}

function isLenient(req: Request): boolean {
  return /\bhandling\s*=\s*lenient\b/i.test(req.get('prefer') ?? '');
}

function mediaType(req: Request): string | undefined {
  return req.get('content-type')?.split(';')[0]?.trim().toLowerCase();
}

/** The request body as a resource (create, update), or a 400/415 saying why it is not one. */
function resourceBody(req: Request, type: string): JsonObject {
  const body: unknown = req.body;
  if (body === undefined) {
    const given = mediaType(req);
    if (given !== undefined && !JSON_TYPES.includes(given)) {
      throw unsupportedMediaType(`Content-Type "${given}" is not supported; send ${FHIR_JSON}`);
    }
    throw fail(400, 'required', `A ${type} resource is required as the request body (${FHIR_JSON})`);
  }
  if (!isObject(body)) {
    throw fail(400, 'structure', 'The request body must be a JSON object (a FHIR resource)');
  }
  if (body.resourceType !== type) {
    throw fail(400, 'invalid', `Incorrect resource type: expected ${type}, found ${String(body.resourceType)}`);
  }
  return body;
}

/** The ordered parameters of a search: the URL query and, for POST _search, the form body. */
function searchParameters(req: Request, url: URL, post: boolean): [string, string][] {
  const params: [string, string][] = [...url.searchParams.entries()];
  if (!post || req.body === undefined) {
    if (post && req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') {
      throw unsupportedMediaType(`POST _search takes a ${FORM} body`);
    }
    return params;
  }
  if (mediaType(req) !== FORM || !isObject(req.body)) {
    throw unsupportedMediaType(`POST _search takes a ${FORM} body`);
  }
  for (const [key, value] of Object.entries(req.body)) {
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) {
      params.push([key, String(item)]);
    }
  }
  return params;
}

interface ServerState {
  readonly fhirRouter: FhirRouter;
  readonly repo: SandboxRepository;
  readonly resourceTypes: readonly ResourceType[];
  readonly started: Date;
  readonly baseUrl?: string;
  readonly apply?: PlanApplier;
}

function baseUrlOf(req: Request, state: ServerState): string {
  return state.baseUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;
}

/** Calls FhirRouter; an error outcome becomes an HttpError with its status. */
async function forward(
  state: ServerState,
  req: Request,
  method: HttpMethod,
  url: string,
  body?: unknown
): Promise<{ status: number; resource?: Resource }> {
  const fhirRequest: FhirRequest = { method, url, pathname: '', params: {}, query: {}, body, headers: req.headers };
  const [result, resource] = await state.fhirRouter.handleRequest(fhirRequest, state.repo);
  const status = getStatus(result);
  if (!isOk(result)) {
    throw new HttpError(status, result);
  }
  return { status, ...(resource === undefined ? {} : { resource }) };
}

/** Adds `fullUrl` to the entries of a history Bundle. */
function withFullUrls(bundle: Bundle, baseUrl: string): Bundle {
  return {
    ...bundle,
    ...(bundle.entry
      ? {
          entry: bundle.entry.map((entry) => ({
            ...(entry.resource?.id === undefined
              ? {}
              : { fullUrl: `${baseUrl}/${entry.resource.resourceType}/${entry.resource.id}` }),
            ...entry,
          })),
        }
      : {}),
  };
}

async function search(state: ServerState, req: Request, type: string, url: URL, post: boolean): Promise<Reply> {
  const baseUrl = baseUrlOf(req, state);
  const plan = planSearch(type, searchParameters(req, url, post), { lenient: isLenient(req), baseUrl });
  // FhirRouter filters; sorting and paging are done on all matches (fhir-search.ts says why).
  const { resource } = await forward(state, req, 'GET', `${type}?${toQueryString(plan.filters)}`);
  const matches = resource?.resourceType === 'Bundle' ? resourcesOf(resource) : [];
  return { status: 200, body: searchsetBundle(plan, matches, baseUrl) };
}

async function create(state: ServerState, req: Request, type: string): Promise<Reply> {
  const body = resourceBody(req, type);
  // The server assigns the id and version of a created resource (https://hl7.org/fhir/R4/http.html#create).
  const resource: JsonObject = { ...body };
  delete resource.id;
  if (isObject(body.meta)) {
    const meta: JsonObject = { ...body.meta };
    delete meta.versionId;
    delete meta.lastUpdated;
    resource.meta = meta;
  }
  const { status, resource: created } = await forward(state, req, 'POST', type, resource);
  if (created === undefined) {
    throw fail(500, 'exception', 'The repository returned no resource');
  }
  return {
    status,
    body: created,
    headers: {
      ...versionHeaders(created),
      Location: `${baseUrlOf(req, state)}/${type}/${created.id ?? ''}/_history/${created.meta?.versionId ?? ''}`,
    },
  };
}

async function update(state: ServerState, req: Request, type: string, id: string): Promise<Reply> {
  const body = resourceBody(req, type);
  if (body.id !== id) {
    throw fail(400, 'invalid', `The resource id (${String(body.id)}) must equal the id in the URL (${id})`);
  }
  const existed = await state.repo.readResource(type, id).then(
    () => true,
    () => false
  );
  const { resource: updated } = await forward(state, req, 'PUT', `${type}/${id}`, body);
  if (updated === undefined) {
    throw fail(500, 'exception', 'The repository returned no resource');
  }
  const headers = versionHeaders(updated);
  if (existed) {
    return { status: 200, body: updated, headers };
  }
  // Update as create (https://hl7.org/fhir/R4/http.html#upsert).
  const location = `${baseUrlOf(req, state)}/${type}/${id}/_history/${updated.meta?.versionId ?? ''}`;
  return { status: 201, body: updated, headers: { ...headers, Location: location } };
}

const methodNotAllowed = (allowed: readonly string[]): HttpError =>
  new HttpError(
    405,
    buildOutcome('not-supported', [{ message: `Method not allowed here; use ${allowed.join(', ')}` }]),
    {
      Allow: allowed.join(', '),
    }
  );

/** Routes one request: `[type]`, `[type]/_search`, `[type]/[id]`, `[type]/[id]/_history[/vid]`, metadata. */
async function route(state: ServerState, req: Request): Promise<Reply> {
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  const url = new URL(req.url, 'http://embedded.invalid');
  let segments: string[];
  try {
    segments = url.pathname
      .split('/')
      .filter((segment) => segment.length > 0)
      .map(decodeURIComponent);
  } catch {
    throw fail(400, 'invalid', 'The URL path is not validly percent-encoded');
  }
  const [type, second, third, fourth, ...more] = segments;

  if (type === undefined) {
    if (method !== 'POST') {
      throw methodNotAllowed(['POST (batch or transaction Bundle)']);
    }
    resourceBody(req, 'Bundle');
    const { status, resource } = await forward(state, req, 'POST', '', req.body);
    return { status, body: resource as Resource };
  }
  if (type === 'metadata' && second === undefined) {
    if (method !== 'GET') {
      throw methodNotAllowed(['GET']);
    }
    return {
      status: 200,
      body: capabilityStatement({
        resourceTypes: state.resourceTypes,
        baseUrl: baseUrlOf(req, state),
        date: state.started,
      }),
    };
  }
  if (type === 'PlanDefinition' && second !== undefined && third === '$apply' && fourth === undefined) {
    if (state.apply === undefined) {
      throw fail(501, 'not-supported', '$apply is not available on this server');
    }
    if (!FHIR_ID.test(second)) {
      throw fail(400, 'invalid', `"${second}" is not a valid FHIR id`);
    }
    // The prefetch queries run as any client's would: reads through the router, searches through `search`.
    const read = async (relative: string) => {
      const [path = '', query] = relative.split('?');
      return query === undefined
        ? (await forward(state, req, 'GET', relative)).resource
        : (await search(state, req, path, new URL(relative, 'http://embedded.invalid/'), false)).body;
    };
    return { status: 200, body: await applyPlanDefinition(req, read, state.apply, second) };
  }
  if (type.startsWith('$') || second?.startsWith('$') === true || third?.startsWith('$') === true) {
    throw fail(501, 'not-supported', 'Operations are not supported by this test server');
  }
  if (!isResourceType(type)) {
    throw new HttpError(404, buildOutcome('not-found', [{ message: `Unknown resource type "${type}"` }]));
  }
  if (second === undefined) {
    switch (method) {
      case 'GET':
        return search(state, req, type, url, false);
      case 'POST':
        return create(state, req, type);
      default:
        throw methodNotAllowed(['GET', 'POST']);
    }
  }
  if (second === '_search' && third === undefined) {
    if (method !== 'POST') {
      throw methodNotAllowed(['POST']);
    }
    return search(state, req, type, url, true);
  }
  if (second === '_history') {
    throw fail(501, 'not-supported', 'Type-level history is not supported by this test server');
  }
  if (!FHIR_ID.test(second)) {
    throw fail(400, 'invalid', `"${second}" is not a valid FHIR id`);
  }
  if (more.length > 0 || (third !== undefined && third !== '_history')) {
    throw new HttpError(404, buildOutcome('not-found', [{ message: `No such path: ${url.pathname}` }]));
  }
  if (third === '_history') {
    if (method !== 'GET') {
      throw methodNotAllowed(['GET']);
    }
    const baseUrl = baseUrlOf(req, state);
    if (fourth === undefined) {
      const { resource } = await forward(state, req, 'GET', `${type}/${second}/_history${url.search}`);
      return { status: 200, body: withFullUrls(resource as Bundle, baseUrl) };
    }
    if (!FHIR_ID.test(fourth)) {
      throw fail(400, 'invalid', `"${fourth}" is not a valid version id`);
    }
    const { resource } = await forward(state, req, 'GET', `${type}/${second}/_history/${fourth}`);
    return { status: 200, body: resource as Resource, headers: versionHeaders(resource as Resource) };
  }
  switch (method) {
    case 'GET': {
      const { resource } = await forward(state, req, 'GET', `${type}/${second}`);
      return { status: 200, body: resource as Resource, headers: versionHeaders(resource as Resource) };
    }
    case 'PUT':
      return update(state, req, type, second);
    case 'PATCH': {
      if (!Array.isArray(req.body)) {
        throw fail(400, 'structure', 'PATCH takes a JSON Patch array (application/json-patch+json)');
      }
      const { resource } = await forward(state, req, 'PATCH', `${type}/${second}`, req.body);
      return { status: 200, body: resource as Resource, headers: versionHeaders(resource as Resource) };
    }
    case 'DELETE': {
      const { status, resource } = await forward(state, req, 'DELETE', `${type}/${second}`);
      return {
        status,
        body: resource ?? buildOutcome('informational', [{ message: `${type}/${second} deleted` }]),
      };
    }
    default:
      throw methodNotAllowed(['GET', 'PUT', 'PATCH', 'DELETE']);
  }
}

/** Body-parser errors and refusals become OperationOutcomes; anything unexpected goes to the app's handler. */
function fhirErrors(maxBodyBytes: number): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const tooManyParameters = isObject(err) && err.type === 'parameters.too.many';
    const httpError = tooManyParameters
      ? fail(413, 'too-costly', 'The form has too many parameters')
      : toHttpError(err, maxBodyBytes);
    if (httpError.status >= 500 && httpError.status !== 501) {
      next(err);
      return;
    }
    send(res, { status: httpError.status, body: httpError.outcome, headers: httpError.headers });
  };
}

function createRouter(state: ServerState, maxBodyBytes: number): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: maxBodyBytes, type: JSON_TYPES }));
  router.use(express.urlencoded({ limit: maxBodyBytes, type: FORM, extended: false }));
  router.use(async (req, res) => {
    send(res, await route(state, req));
  });
  router.use(fhirErrors(maxBodyBytes));
  return router;
}

/**
 * Starts the embedded FHIR server: indexes the R4 definitions (once per process), loads and date-shifts the
 * sample Bundles, and stores every resource with its own id (the draft ServiceRequests included).
 * @param options - samples directory, today, body limit and optionally the public base URL
 * @returns the router to mount at `/fhir` and the sample patients
 * @throws Error when a sample file is not a dated Bundle, or OperationOutcomeError when a resource is invalid
 */
export async function createEmbeddedFhirServer(options: EmbeddedFhirServerOptions): Promise<EmbeddedFhirServer> {
  ensureFhirDefinitionsIndexed();
  const repo = new SandboxRepository();
  const samples = await loadSampleBundles(options.samplesDir, options.now);
  const lastUpdated = options.now.toISOString();
  const types = new Set<ResourceType>(['CarePlan']);
  for (const template of Object.values(CLINICAL_PREFETCH)) {
    if (isResourceType(template.resourceType)) {
      types.add(template.resourceType);
    }
  }
  for (const { bundle } of samples) {
    for (const resource of resourcesOf(bundle)) {
      types.add(resource.resourceType);
      await repo.createResource({ ...resource, meta: { lastUpdated, ...resource.meta } });
    }
  }
  if (options.knowledgeDir !== undefined) {
    // What $apply applies and names: the PlanDefinition and its ActivityDefinitions.
    const applied = (name: string) => /^(PlanDefinition|ActivityDefinition)-.*\.json$/.test(name);
    for (const file of readdirSync(options.knowledgeDir).filter(applied)) {
      const resource = JSON.parse(readFileSync(path.join(options.knowledgeDir, file), 'utf8')) as Resource;
      types.add(resource.resourceType);
      await repo.createResource({ ...resource, meta: { lastUpdated } });
    }
  }
  for (const type of ['Goal', 'ServiceRequest', 'Observation'] as const) {
    types.add(type);
  }
  const patients = samples
    .flatMap(({ bundle }) => {
      const patient = describeSamplePatient(bundle, options.now);
      return patient ? [patient] : [];
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'nl'));

  const state: ServerState = {
    fhirRouter: new FhirRouter(),
    repo,
    resourceTypes: [...types],
    started: options.now,
    ...(options.apply ? { apply: options.apply } : {}),
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl.replace(/\/+$/, '') }),
  };
  return {
    router: createRouter(state, options.maxBodyBytes),
    patients,
  };
}

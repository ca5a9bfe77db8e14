import { getStatus, isOk, isResourceType } from '@medplum/core';
import type { FhirRequest, FhirRouter, HttpMethod } from '@medplum/fhir-router';
import type { Bundle, Resource, ResourceType } from '@medplum/fhirtypes';
import express from 'express';
import type { ErrorRequestHandler, Request, Response } from 'express';
import type { PlanApplier } from '../hook/plan-apply';
import { toHttpError } from '../http/errors';
import { HttpError, outcome as buildOutcome } from '../common/http-error';
import { capabilityStatement } from './capability-statement';
import type { SandboxRepository } from './fhir-repository';
import { fail, FHIR_JSON, FORM, isLenient, isObject, JSON_TYPES, resourceBody, searchParameters } from './fhir-request';
import type { JsonObject } from './fhir-request';
import { FHIR_ID, planSearch, searchsetBundle, toQueryString } from './fhir-search';
import { applyPlanDefinition } from './plan-apply-route';
import { resourcesOf } from './sample-patients';

/**
 * The REST API of the embedded FHIR server (https://hl7.org/fhir/R4/http.html): express parses the body and
 * `route` maps the request onto `FhirRouter.handleRequest` over the repository (fhir-repository.ts); what the
 * router does not do (capabilities, search details, headers, history order) is added here, in fhir-search.ts and
 * in capability-statement.ts. Every refusal is an OperationOutcome with its status.
 */

/** What the routes serve from. */
export interface ServerState {
  readonly fhirRouter: FhirRouter;
  readonly repo: SandboxRepository;
  readonly resourceTypes: readonly ResourceType[];
  readonly started: Date;
  readonly baseUrl?: string;
  readonly apply?: PlanApplier;
}

/** An answer: status, body and extra headers. */
interface Reply {
  readonly status: number;
  readonly body: Resource;
  readonly headers?: Readonly<Record<string, string>>;
}

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

/** The decoded segments of the URL path, or a 400 when one is not validly percent-encoded. */
function pathSegments(url: URL): string[] {
  try {
    return url.pathname
      .split('/')
      .filter((segment) => segment.length > 0)
      .map(decodeURIComponent);
  } catch {
    throw fail(400, 'invalid', 'The URL path is not validly percent-encoded');
  }
}

/** `POST /`: a batch or transaction Bundle. */
async function batch(state: ServerState, req: Request, method: string): Promise<Reply> {
  if (method !== 'POST') {
    throw methodNotAllowed(['POST (batch or transaction Bundle)']);
  }
  resourceBody(req, 'Bundle');
  const { status, resource } = await forward(state, req, 'POST', '', req.body);
  return { status, body: resource as Resource };
}

/** `GET metadata`: the capability statement. */
function metadata(state: ServerState, req: Request, method: string): Reply {
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

/** `PlanDefinition/[id]/$apply`: the hook's pipeline on this server's data (plan-apply-route.ts). */
async function applyOperation(state: ServerState, req: Request, planId: string): Promise<Reply> {
  if (state.apply === undefined) {
    throw fail(501, 'not-supported', '$apply is not available on this server');
  }
  if (!FHIR_ID.test(planId)) {
    throw fail(400, 'invalid', `"${planId}" is not a valid FHIR id`);
  }
  // The prefetch queries run as any client's would: reads through the router, searches through `search`.
  const read = async (relative: string) => {
    const [path = '', query] = relative.split('?');
    return query === undefined
      ? (await forward(state, req, 'GET', relative)).resource
      : (await search(state, req, path, new URL(relative, 'http://embedded.invalid/'), false)).body;
  };
  return { status: 200, body: await applyPlanDefinition(req, read, state.apply, planId) };
}

/** `[type]`: search (GET) or create (POST). */
async function typeLevel(state: ServerState, req: Request, method: string, type: string, url: URL): Promise<Reply> {
  switch (method) {
    case 'GET':
      return search(state, req, type, url, false);
    case 'POST':
      return create(state, req, type);
    default:
      throw methodNotAllowed(['GET', 'POST']);
  }
}

/** `[type]/[id]/_history` and `[type]/[id]/_history/[vid]`. */
async function history(
  state: ServerState,
  req: Request,
  method: string,
  instance: string,
  versionId: string | undefined,
  url: URL
): Promise<Reply> {
  if (method !== 'GET') {
    throw methodNotAllowed(['GET']);
  }
  if (versionId === undefined) {
    const { resource } = await forward(state, req, 'GET', `${instance}/_history${url.search}`);
    return { status: 200, body: withFullUrls(resource as Bundle, baseUrlOf(req, state)) };
  }
  if (!FHIR_ID.test(versionId)) {
    throw fail(400, 'invalid', `"${versionId}" is not a valid version id`);
  }
  const { resource } = await forward(state, req, 'GET', `${instance}/_history/${versionId}`);
  return { status: 200, body: resource as Resource, headers: versionHeaders(resource as Resource) };
}

/** `[type]/[id]`: read, update, patch or delete. */
async function instanceLevel(
  state: ServerState,
  req: Request,
  method: string,
  type: string,
  id: string
): Promise<Reply> {
  switch (method) {
    case 'GET': {
      const { resource } = await forward(state, req, 'GET', `${type}/${id}`);
      return { status: 200, body: resource as Resource, headers: versionHeaders(resource as Resource) };
    }
    case 'PUT':
      return update(state, req, type, id);
    case 'PATCH': {
      if (!Array.isArray(req.body)) {
        throw fail(400, 'structure', 'PATCH takes a JSON Patch array (application/json-patch+json)');
      }
      const { resource } = await forward(state, req, 'PATCH', `${type}/${id}`, req.body);
      return { status: 200, body: resource as Resource, headers: versionHeaders(resource as Resource) };
    }
    case 'DELETE': {
      const { status, resource } = await forward(state, req, 'DELETE', `${type}/${id}`);
      return { status, body: resource ?? buildOutcome('informational', [{ message: `${type}/${id} deleted` }]) };
    }
    default:
      throw methodNotAllowed(['GET', 'PUT', 'PATCH', 'DELETE']);
  }
}

/** Routes one request: `[type]`, `[type]/_search`, `[type]/[id]`, `[type]/[id]/_history[/vid]`, metadata. */
async function route(state: ServerState, req: Request): Promise<Reply> {
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  const url = new URL(req.url, 'http://embedded.invalid');
  const [type, second, third, fourth, ...more] = pathSegments(url);
  if (type === undefined) {
    return batch(state, req, method);
  }
  if (type === 'metadata' && second === undefined) {
    return metadata(state, req, method);
  }
  if (type === 'PlanDefinition' && second !== undefined && third === '$apply' && fourth === undefined) {
    return applyOperation(state, req, second);
  }
  if (type.startsWith('$') || second?.startsWith('$') === true || third?.startsWith('$') === true) {
    throw fail(501, 'not-supported', 'Operations are not supported by this test server');
  }
  if (!isResourceType(type)) {
    throw new HttpError(404, buildOutcome('not-found', [{ message: `Unknown resource type "${type}"` }]));
  }
  if (second === undefined) {
    return typeLevel(state, req, method, type, url);
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
  return third === '_history'
    ? history(state, req, method, `${type}/${second}`, fourth, url)
    : instanceLevel(state, req, method, type, second);
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

/**
 * The FHIR REST API as an express router: JSON and form bodies up to `maxBodyBytes`, then `route`.
 * @param state - the repository, the router and what the capability statement and $apply need
 * @param maxBodyBytes - larger bodies are refused with 413
 */
export function createFhirRouter(state: ServerState, maxBodyBytes: number): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: maxBodyBytes, type: JSON_TYPES }));
  router.use(express.urlencoded({ limit: maxBodyBytes, type: FORM, extended: false }));
  router.use(async (req, res) => {
    send(res, await route(state, req));
  });
  router.use(fhirErrors(maxBodyBytes));
  return router;
}

import type { OperationOutcome } from '@medplum/fhirtypes';
import type { Request } from 'express';
import { HttpError, outcome as buildOutcome, unsupportedMediaType } from '../common/http-error';

/**
 * What the embedded FHIR server reads from an HTTP request (content negotiation): the JSON or form body, the
 * search parameters, `Prefer: handling`; what it cannot read is refused with an OperationOutcome saying why.
 */

export const FHIR_JSON = 'application/fhir+json';
/** The JSON media types a body is parsed from. */
export const JSON_TYPES = [FHIR_JSON, 'application/json', 'application/json+fhir', 'application/json-patch+json'];
export const FORM = 'application/x-www-form-urlencoded';

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A refusal: the status and an OperationOutcome with one issue. */
export const fail = (status: number, code: NonNullable<OperationOutcome['issue']>[number]['code'], message: string) =>
  new HttpError(status, buildOutcome(code, [{ message }]));

/** `Prefer: handling=lenient`: unknown search parameters are ignored instead of refused. */
export function isLenient(req: Request): boolean {
  return /\bhandling\s*=\s*lenient\b/i.test(req.get('prefer') ?? '');
}

function mediaType(req: Request): string | undefined {
  return req.get('content-type')?.split(';')[0]?.trim().toLowerCase();
}

/** The request body as a resource (create, update), or a 400/415 saying why it is not one. */
export function resourceBody(req: Request, type: string): JsonObject {
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
export function searchParameters(req: Request, url: URL, post: boolean): [string, string][] {
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

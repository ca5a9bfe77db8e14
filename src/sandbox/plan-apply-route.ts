import type { CarePlan, Parameters, Resource } from '@medplum/fhirtypes';
import type { Request } from 'express';
import type { PlanApplier } from '../hook/plan-apply';
import { APPLY_SERVICE } from '../hook/plan-apply';
import { resolveTemplate } from '../fhir/prefetch-template';
import { acceptLanguages } from '../cds/routes';
import { badRequest, methodNotAllowed } from '../common/http-error';
import { FHIR_ID } from './fhir-search';

/**
 * `PlanDefinition/{id}/$apply` on the embedded FHIR server (GET with query parameters, or POST with a Parameters
 * body): fills the patient-view prefetch from this server's own data and hands it to the same pipeline as the
 * hook. `subject` (Patient/…) is required; `practitioner` (Practitioner/… or PractitionerRole/…) is optional.
 */

const SUBJECT = new RegExp(`^Patient/(${FHIR_ID.source.replace(/^\^|\$$/g, '')})$`);
const PRACTITIONER = new RegExp(`^Practitioner(Role)?/${FHIR_ID.source.replace(/^\^|\$$/g, '')}$`);

/** A parameter from the query string, or from a POSTed Parameters resource. */
function parameterOf(req: Request, name: string): string | undefined {
  const query = req.query[name];
  if (typeof query === 'string') {
    return query;
  }
  const body = req.body as Partial<Parameters> | undefined;
  if (req.method === 'POST' && body?.resourceType === 'Parameters') {
    const found = body.parameter?.find((parameter) => parameter.name === name);
    return found?.valueString ?? found?.valueReference?.reference;
  }
  return undefined;
}

/**
 * @param req - the request (GET or POST)
 * @param read - reads a relative FHIR URL from this server (throws its HttpError, e.g. 404)
 * @param apply - the pipeline
 * @param planId - the PlanDefinition id of the URL
 */
export async function applyPlanDefinition(
  req: Request,
  read: (url: string) => Promise<Resource | undefined>,
  apply: PlanApplier,
  planId: string
): Promise<CarePlan> {
  if (req.method !== 'GET' && req.method !== 'POST') {
    throw methodNotAllowed(['GET', 'POST']);
  }
  const subject = parameterOf(req, 'subject');
  const patientId = subject === undefined ? undefined : SUBJECT.exec(subject)?.[1];
  if (patientId === undefined) {
    throw badRequest([{ expression: 'subject', message: 'subject must be a Patient reference, e.g. Patient/123' }]);
  }
  const practitioner = parameterOf(req, 'practitioner');
  if (practitioner !== undefined && !PRACTITIONER.test(practitioner)) {
    throw badRequest([
      { expression: 'practitioner', message: 'practitioner must be a Practitioner or PractitionerRole reference' },
    ]);
  }
  await read(`PlanDefinition/${planId}`);
  const prefetch: Record<string, unknown> = {};
  for (const [key, template] of Object.entries(APPLY_SERVICE.prefetch)) {
    const url = resolveTemplate(template.query, { patientId, userId: practitioner ?? `Patient/${patientId}` });
    if (url !== undefined) {
      prefetch[key] = (await read(url)) ?? null;
    }
  }
  return apply({
    patientId,
    ...(practitioner ? { practitioner } : {}),
    prefetch,
    acceptLanguages: acceptLanguages(req.headers['accept-language']),
  });
}

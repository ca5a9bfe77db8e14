import { z } from 'zod';
import { toExpression } from '../common/expression';
import { badRequest } from '../common/http-error';
import type { Problem } from '../common/http-error';
import type { GatherInput } from '../fhir/gather';
import type { CdsServiceDefinition, HookName } from './catalogue';
import { HOOKS } from './catalogue';

/**
 * The CDS Hooks 2.0 request (https://cds-hooks.hl7.org/2.0/#http-request) and the hook contexts of
 * patient-view, order-select and order-sign (cds-hooks-library STU1). Protocol fields are checked strictly;
 * FHIR resources inside the request are only checked for the shape we rely on, because real clients send
 * `coding: [{}]` and `[]` (docs/integration.md). Unknown fields are ignored so newer clients keep working.
 */

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const USER_REFERENCE = /^(Practitioner|PractitionerRole|Patient|RelatedPerson)\/[A-Za-z0-9\-.]{1,64}$/;
// Invariant ord-1 of the order hooks: `Type/id`.
const TYPED_REFERENCE = /^[A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;

const fhirId = z
  .string({ error: 'must be a string' })
  .regex(FHIR_ID, "must be a FHIR id (1-64 letters, digits, '-', '.')");

const userId = z
  .string({ error: 'must be a string' })
  .regex(
    USER_REFERENCE,
    'must be a reference like Practitioner/123 (Practitioner, PractitionerRole, Patient, RelatedPerson)'
  );

/** A FHIR resource as far as the protocol needs: an object with a resourceType; the rest is left as sent. */
const fhirResource = z.looseObject({ resourceType: z.string({ error: 'must be a FHIR resource type' }).min(1) });

const bundle = z.looseObject({
  resourceType: z.literal('Bundle', { error: 'must be a FHIR Bundle' }),
  entry: z.array(z.looseObject({ resource: fhirResource.optional() }), { error: 'must be an array' }).optional(),
});

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' });

const fhirAuthorization = z.looseObject({
  access_token: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
  token_type: z.string({ error: 'must be a string' }).regex(/^bearer$/i, 'must be "Bearer"'),
  expires_in: z.number({ error: 'must be a number of seconds' }).nonnegative(),
  scope: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
  subject: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
  patient: fhirId.optional(),
});

const baseRequest = z.looseObject({
  hook: z.string({ error: 'is required and must be a string' }).min(1, 'must not be empty'),
  hookInstance: z.guid({ error: 'is required and must be a UUID' }),
  fhirServer: httpUrl.optional(),
  fhirAuthorization: fhirAuthorization.optional(),
  context: z.looseObject({}, { error: 'is required and must be an object' }),
  prefetch: z
    .record(z.string(), z.union([z.null(), z.looseObject({})], { error: 'must be a FHIR resource (object) or null' }), {
      error: 'must be an object',
    })
    .optional(),
  extension: z.looseObject({}, { error: 'must be an object' }).optional(),
});

const patientViewContext = z.looseObject({
  userId,
  patientId: fhirId,
  encounterId: fhirId.optional(),
});

const orderSignContext = patientViewContext.extend({ draftOrders: bundle });

const orderSelectContext = orderSignContext.extend({
  selections: z
    .array(
      z.string({ error: 'must be a string' }).regex(TYPED_REFERENCE, 'must be a reference like ServiceRequest/123'),
      {
        error: 'must be an array of references',
      }
    )
    .min(1, 'must name at least one selected order'),
});

export type FhirResourceLike = z.infer<typeof fhirResource>;
export type DraftOrdersBundle = z.infer<typeof bundle>;

interface HookRequestBase {
  hookInstance: string;
  fhirServer?: string;
  fhirAuthorization?: z.infer<typeof fhirAuthorization>;
  prefetch?: Record<string, Record<string, unknown> | null>;
  extension?: Record<string, unknown>;
}

export type PatientViewContext = z.infer<typeof patientViewContext>;
export type OrderSelectContext = z.infer<typeof orderSelectContext>;
export type OrderSignContext = z.infer<typeof orderSignContext>;

/** A validated hook request; `context` is typed by `hook`. */
export type HookRequest = HookRequestBase &
  (
    | { hook: 'patient-view'; context: PatientViewContext }
    | { hook: 'order-select'; context: OrderSelectContext }
    | { hook: 'order-sign'; context: OrderSignContext }
  );

const CONTEXT_SCHEMAS = {
  'patient-view': patientViewContext,
  'order-select': orderSelectContext,
  'order-sign': orderSignContext,
} as const;

function problemsOf(error: z.ZodError, prefix: readonly PropertyKey[] = []): Problem[] {
  return error.issues.map((issue) => {
    const expression = toExpression([...prefix, ...issue.path]);
    return { expression, message: `${expression} ${issue.message}` };
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHookName(value: string): value is HookName {
  return (HOOKS as readonly string[]).includes(value);
}

/** Every selection must point at a resource in draftOrders (order-select: "references FHIR resources in draftOrders"). */
function selectionProblems(context: OrderSelectContext): Problem[] {
  const present = new Set(
    (context.draftOrders.entry ?? []).flatMap((entry) =>
      entry.resource && typeof entry.resource.id === 'string'
        ? [`${entry.resource.resourceType}/${entry.resource.id}`]
        : []
    )
  );
  return context.selections.flatMap((selection, index) =>
    present.has(selection)
      ? []
      : [
          {
            expression: `context.selections[${index}]`,
            message: `context.selections[${index}] "${selection}" is not a resource in context.draftOrders`,
          },
        ]
  );
}

/**
 * Validates a request body for a service.
 * @param body - the parsed JSON body (anything)
 * @param service - the service that was called; `hook` must be one it serves
 * @returns the typed request
 * @throws HttpError 400 with an OperationOutcome listing every problem and its expression
 */
export function parseHookRequest(body: unknown, service: CdsServiceDefinition): HookRequest {
  if (!isPlainObject(body)) {
    throw badRequest([{ message: 'Request body must be a JSON object (a CDS Hooks request)' }]);
  }
  const base = baseRequest.safeParse(body);
  const problems: Problem[] = base.success ? [] : problemsOf(base.error);

  const hook = body.hook;
  let contextProblems: Problem[] = [];
  let context: unknown;
  if (typeof hook === 'string' && hook.length > 0) {
    if (!isHookName(hook) || !service.hooks.includes(hook)) {
      problems.push({
        expression: 'hook',
        message: `hook "${hook}" is not served by ${service.id}; it serves ${service.hooks.join(', ')}`,
      });
    } else if (isPlainObject(body.context)) {
      // Checked even when other fields are wrong, so one answer lists every problem.
      const parsed = CONTEXT_SCHEMAS[hook].safeParse(body.context);
      if (parsed.success) {
        context = parsed.data;
        if (hook === 'order-select') {
          contextProblems = selectionProblems(parsed.data as OrderSelectContext);
        }
      } else {
        contextProblems = problemsOf(parsed.error, ['context']);
      }
    }
  }
  if (base.success && base.data.fhirAuthorization && !base.data.fhirServer) {
    // Invariant cds-r-1: a token without the server it is for is meaningless.
    problems.push({ expression: 'fhirServer', message: 'fhirServer is required when fhirAuthorization is present' });
  }
  problems.push(...contextProblems);
  if (problems.length > 0 || !base.success) {
    throw badRequest(problems);
  }
  return { ...base.data, context } as HookRequest;
}

/** What gathering the record needs of a request: the prefetch, the FHIR server with its token, the context. */
export function gatherInputOf(request: HookRequest): GatherInput {
  return {
    ...(request.prefetch ? { prefetch: request.prefetch } : {}),
    ...(request.fhirServer ? { fhirServer: request.fhirServer } : {}),
    ...(request.fhirAuthorization ? { accessToken: request.fhirAuthorization.access_token } : {}),
    context: request.context,
  };
}

import { Router } from 'express';
import type { RequestHandler } from 'express';
import type { ClientAuthLocals } from '../auth/client-auth';
import type { VerifiedClient } from '../auth/jwt-verifier';
import type { TrustedIssuer } from '../auth/trusted-issuers';
import type { Config } from '../config';
import { gatherRecord } from '../fhir/gather';
import type { DataProblem, GatherSettings } from '../fhir/gather';
import type { Logger } from 'pino';
import type { AuditDraft } from '../http/audit-trail';
import { auditCards } from '../http/audit-trail';
import { methodNotAllowed, notFound, preconditionFailed, serviceUnavailable } from '../http/errors';
import { hashPatient } from '../store/patient-hash';
import type { FeedbackResult, Store } from '../store/store';
import { parseFeedback } from './feedback-request';
import { jsonBody } from '../http/json-body';
import type { RequestLogLocals } from '../http/request-log';
import type { Readiness } from '../readiness';
import type { CdsServiceDefinition } from './catalogue';
import { discoveryDocument, findService } from './catalogue';
import type { HookEvaluator } from './evaluate';
import { parseHookRequest } from './hook-request';

export interface CdsRoutesDeps {
  readonly config: Config;
  readonly services: readonly CdsServiceDefinition[];
  readonly evaluate: HookEvaluator;
  readonly readiness: Readiness;
  /** With an audit trail: the key that turns the patient reference into a keyed hash. */
  readonly audit?: { readonly hashKey: Buffer };
  /** Where feedback is stored; undefined while the store is not available (then 503). */
  readonly feedbackStore?: () => Pick<Store, 'recordFeedback'> | undefined;
  readonly logger: Logger;
  /** The trusted issuers, for the FHIR servers each may use. */
  readonly issuers: readonly TrustedIssuer[];
}

type Locals = RequestLogLocals & Partial<ClientAuthLocals> & { service?: CdsServiceDefinition; audit?: AuditDraft };

/** Who called, as the feedback rows and the audit trail record it (nothing when authentication is off). */
function callerOf(client: VerifiedClient | undefined): { issuer?: string; tenant?: string } {
  return { ...(client ? { issuer: client.iss } : {}), ...(client?.tenant ? { tenant: client.tenant } : {}) };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function rejectMethod(allowed: readonly string[]): RequestHandler {
  return () => {
    throw methodNotAllowed(allowed);
  };
}

function describeMissing(missing: readonly DataProblem[]): string {
  return `Required data could not be obtained: ${missing
    .map((problem) => `${problem.resourceType} (prefetch key "${problem.key}"): ${problem.detail}`)
    .join('; ')}`;
}

/** The limits of gathering a record, from the configuration. */
export function gatherSettingsOf(config: Config): GatherSettings {
  return {
    timeoutMs: config.fhirTimeoutMs,
    budgetMs: config.fhirBudgetMs,
    maxPages: config.fhirMaxPages,
    maxResponseBytes: config.fhirMaxResponseBytes,
  };
}

/** Parses Accept-Language into language tags, best first (`nl-BE,nl;q=0.9,en;q=0.5` → nl-BE, nl, en). */
export function acceptLanguages(header: string | undefined): string[] {
  if (!header) {
    return [];
  }
  return header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((param) => /^\s*q=([\d.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.tag.length > 0 && entry.tag !== '*' && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((entry) => entry.tag);
}

/**
 * The CDS Hooks endpoints: discovery, service calls and feedback (https://cds-hooks.hl7.org/2.0/#discovery).
 * Preflight (OPTIONS) is answered by the CORS middleware before these routes.
 */
export function cdsRoutes(deps: CdsRoutesDeps): Router {
  const router = Router();
  const discovery = discoveryDocument(deps.services);
  const settings = gatherSettingsOf(deps.config);
  const fhirServersByIssuer = new Map(
    deps.issuers.map((issuer) => [issuer.iss, (issuer.fhirServers ?? []).map((url) => `${url.replace(/\/+$/, '')}/`)])
  );
  /** With authentication on, only the FHIR servers configured for the calling issuer are contacted. */
  const allowFhirServerFor = (client: VerifiedClient | undefined) =>
    deps.config.authRequired
      ? (base: URL) =>
          (fhirServersByIssuer.get(client?.iss ?? '') ?? []).some((allowed) => base.href.startsWith(allowed))
      : undefined;

  const resolveService: RequestHandler<{ id: string }> = (req, res, next) => {
    const service = findService(deps.services, req.params.id);
    if (service === undefined) {
      throw notFound(`Unknown CDS service "${req.params.id}"; GET /cds-services lists the services`);
    }
    const locals = res.locals as Locals;
    locals.service = service;
    locals.serviceId = service.id;
    next();
  };

  router.get('/cds-services', (_req, res) => {
    res.json(discovery);
  });
  router.all('/cds-services', rejectMethod(['GET', 'OPTIONS']));

  // Feedback (2.0 "Feedback", F1–F4): several items per request, idempotent, unknown cards accepted but flagged.
  router.post(
    '/cds-services/:id/feedback',
    resolveService,
    ...jsonBody(deps.config.bodyLimitBytes),
    async (req, res) => {
      const body = parseFeedback(req.body);
      const store = deps.feedbackStore?.();
      if (store === undefined) {
        throw serviceUnavailable('Feedback cannot be stored right now; please retry');
      }
      const locals = res.locals as Locals;
      let results: FeedbackResult[];
      try {
        results = await store.recordFeedback(locals.serviceId ?? '', body.feedback, callerOf(locals.client));
      } catch (err) {
        deps.logger.error({ err }, 'feedback could not be stored');
        throw serviceUnavailable('Feedback cannot be stored right now; please retry');
      }
      res.json({ feedback: results });
    }
  );
  router.all('/cds-services/:id/feedback', resolveService, rejectMethod(['POST', 'OPTIONS']));

  router.post('/cds-services/:id', resolveService, ...jsonBody(deps.config.bodyLimitBytes), async (req, res) => {
    const locals = res.locals as Locals;
    const service = locals.service as CdsServiceDefinition;
    const body: unknown = req.body;
    // Correlate the log line even when the request turns out to be invalid.
    const hookInstance = (body as { hookInstance?: unknown } | undefined)?.hookInstance;
    if (typeof hookInstance === 'string' && GUID.test(hookInstance)) {
      locals.hookInstance = hookInstance;
    }
    if (deps.readiness.state === 'starting') {
      throw serviceUnavailable('The service is starting; rules are not loaded yet');
    }
    const request = parseHookRequest(body, service);
    locals.hook = request.hook;
    const client = locals.client;
    if (deps.audit) {
      locals.audit = {
        hookInstance: request.hookInstance,
        serviceId: service.id,
        hook: request.hook,
        ...callerOf(client),
        patientHash: hashPatient(deps.audit.hashKey, `Patient/${request.context.patientId}`),
        rulesetVersion: '',
        ruleIds: [],
        cards: [],
      };
    }

    const allowFhirServer = allowFhirServerFor(client);
    const gathered = await gatherRecord(
      service.prefetch,
      request,
      allowFhirServer ? { ...settings, allowFhirServer } : settings
    );
    if (!gathered.ok) {
      throw preconditionFailed(describeMissing(gathered.missing), `prefetch.${gathered.missing[0]?.key ?? 'patient'}`);
    }
    const result = await deps.evaluate({
      service,
      request,
      record: gathered.record,
      acceptLanguages: acceptLanguages(req.headers['accept-language']),
    });
    if (locals.audit) {
      locals.audit = {
        ...locals.audit,
        rulesetVersion: result.rulesetVersion ?? '',
        ruleIds: [...result.ruleIds],
        cards: auditCards(result.response.cards),
      };
    }
    res.json(result.response);
  });
  router.all('/cds-services/:id', resolveService, rejectMethod(['POST', 'OPTIONS']));

  return router;
}

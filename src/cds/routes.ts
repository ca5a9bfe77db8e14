import { Router } from 'express';
import type { RequestHandler, Response } from 'express';
import { clientOf } from '../auth/client-auth';
import { fhirServerPolicy } from '../auth/fhir-server-allowlist';
import type { TrustedIssuer } from '../auth/trusted-issuers';
import type { GatherSettings } from '../fhir/gather';
import type { Logger } from 'pino';
import { auditLocals, takeAuditRecord } from '../http/audit-trail';
import { requestLogFields } from '../http/request-log';
import { methodNotAllowed, notFound, serviceUnavailable } from '../common/http-error';
import { hashPatient } from '../store/patient-hash';
import type { AuditRecord } from '../store/store';
import { jsonBody } from '../http/json-body';
import { userRateLimit } from '../http/rate-limit';
import type { RateBudgets } from '../http/rate-limit';
import type { Readiness } from '../http/readiness';
import type { CdsServiceDefinition } from '../hook/catalogue';
import { discoveryDocument, findService } from '../hook/catalogue';
import type { HookEvaluator } from '../hook/evaluator';
import { runHook } from '../hook/pipeline';
import type { CardMemoryStore, HookPipelineDeps } from '../hook/pipeline';
import { parseHookRequest } from '../hook/hook-request';
import type { HookRequest } from '../hook/hook-request';
import { feedbackHandler } from './feedback-route';
import type { FeedbackStore } from './feedback-route';
import { callerOf, serviceLocals } from './locals';

/** The settings (config.ts) the CDS routes read. */
export interface CdsRoutesSettings {
  readonly authRequired: boolean;
  readonly fhirServerAllowlist: readonly string[];
  /** With the sandbox on, the embedded FHIR server below publicBaseUrl may be fetched from. */
  readonly sandbox: boolean;
  readonly publicBaseUrl: string;
  readonly bodyLimitBytes: number;
  readonly rateLimits: RateBudgets;
  readonly storeWaitMs: number;
  readonly auditCommitTimeoutMs: number;
  readonly fhirTimeoutMs: number;
  readonly fhirBudgetMs: number;
  readonly fhirMaxPages: number;
  readonly fhirMaxResponseBytes: number;
}

export interface CdsRoutesDeps {
  readonly config: CdsRoutesSettings;
  readonly services: readonly CdsServiceDefinition[];
  readonly evaluate: HookEvaluator;
  readonly readiness: Readiness;
  /**
   * With an audit trail: the key that turns the patient reference into a keyed hash, and the group commit that
   * stores an answered call's record before the answer is sent (resolves false after `timeoutMs`; the record is
   * then retried in the background and the answer goes out).
   */
  readonly audit?: {
    readonly hashKey: Buffer;
    readonly commit?: (record: AuditRecord, timeoutMs: number) => Promise<boolean>;
  };
  /** Where feedback is stored, waiting at most `timeoutMs` for it; undefined when it is not available (then 503). */
  readonly feedbackStore?: (timeoutMs: number) => Promise<FeedbackStore | undefined>;
  /** The store as it is now, for the "not now" memory of a hook call (which never waits for the store). */
  readonly memoryStore?: () => CardMemoryStore | undefined;
  readonly logger: Logger;
  /** The trusted issuers, for the FHIR servers each may use. */
  readonly issuers: readonly TrustedIssuer[];
  /** Where FHIR URLs are fetched (the embedded server's thread); as given without it. */
  readonly fhirRoute?: (url: URL) => URL;
}

/** The hook pipeline's dependencies, from the routes' own. */
function pipelineDeps(deps: CdsRoutesDeps): HookPipelineDeps {
  const { audit, memoryStore } = deps;
  return {
    evaluate: deps.evaluate,
    gather: { ...gatherSettingsOf(deps.config), ...(deps.fhirRoute ? { route: deps.fhirRoute } : {}) },
    logger: deps.logger,
    // The card memory is keyed by the audit trail's patient hash: without an audit key, every card is shown.
    ...(audit && memoryStore ? { memory: { hashKey: audit.hashKey, store: memoryStore } } : {}),
  };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function rejectMethod(allowed: readonly string[]): RequestHandler {
  return () => {
    throw methodNotAllowed(allowed);
  };
}

/** The limits of gathering a record, from the configuration. */
export function gatherSettingsOf(
  config: Pick<CdsRoutesSettings, 'fhirTimeoutMs' | 'fhirBudgetMs' | 'fhirMaxPages' | 'fhirMaxResponseBytes'>
): GatherSettings {
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

/** The audit draft of a validated call; the 412s and 500s are recorded too, with no rules and no cards. */
function auditDraft(deps: CdsRoutesDeps, res: Response, request: HookRequest, service: CdsServiceDefinition) {
  if (deps.audit) {
    auditLocals(res).audit = {
      hookInstance: request.hookInstance,
      serviceId: service.id,
      hook: request.hook,
      ...callerOf(clientOf(res)),
      patientHash: hashPatient(deps.audit.hashKey, `Patient/${request.context.patientId}`),
      rulesetVersion: '',
      ruleIds: [],
      cards: [],
    };
  }
}

/** POST /cds-services/{id}: parse the request, run the hook, commit its audit record, answer. */
function hookCallHandler(deps: CdsRoutesDeps): RequestHandler {
  const pipeline = pipelineDeps(deps);
  const allowFhirServerFor = fhirServerPolicy({
    authRequired: deps.config.authRequired,
    issuers: deps.issuers,
    allowlist: deps.config.fhirServerAllowlist,
    ...(deps.config.sandbox ? { embeddedBaseUrl: `${deps.config.publicBaseUrl}/fhir` } : {}),
  });
  return async (req, res) => {
    const logFields = requestLogFields(res);
    const trail = auditLocals(res);
    const service = serviceLocals(res).service as CdsServiceDefinition;
    const body: unknown = req.body;
    // Correlate the log line even when the request turns out to be invalid.
    const hookInstance = (body as { hookInstance?: unknown } | undefined)?.hookInstance;
    if (typeof hookInstance === 'string' && GUID.test(hookInstance)) {
      logFields.hookInstance = hookInstance;
    }
    if (deps.readiness.state === 'starting') {
      throw serviceUnavailable('The service is starting; rules are not loaded yet');
    }
    const request = parseHookRequest(body, service);
    logFields.hook = request.hook;
    auditDraft(deps, res, request, service);
    const { response, audit } = await runHook(pipeline, {
      service,
      request,
      acceptLanguages: acceptLanguages(req.headers['accept-language']),
      allowFhirServer: allowFhirServerFor(clientOf(res)),
    });
    if (trail.audit) {
      trail.audit = { ...trail.audit, ...audit };
      // Committed before the answer (group commit with concurrent calls), so every answered call is in the trail.
      const record = deps.audit?.commit ? takeAuditRecord(res.locals, 200) : undefined;
      if (record) {
        await deps.audit?.commit?.(record, deps.config.auditCommitTimeoutMs);
      }
    }
    res.json(response);
  };
}

/**
 * The CDS Hooks endpoints: discovery, service calls and feedback (https://cds-hooks.hl7.org/2.0/#discovery).
 * Preflight (OPTIONS) is answered by the CORS middleware before these routes.
 */
export function cdsRoutes(deps: CdsRoutesDeps): Router {
  const router = Router();
  const discovery = discoveryDocument(deps.services);
  const resolveService: RequestHandler<{ id: string }> = (req, res, next) => {
    const service = findService(deps.services, req.params.id);
    if (service === undefined) {
      throw notFound(`Unknown CDS service "${req.params.id}"; GET /cds-services lists the services`);
    }
    serviceLocals(res).service = service;
    requestLogFields(res).serviceId = service.id;
    next();
  };
  const body = jsonBody(deps.config.bodyLimitBytes);

  router.get('/cds-services', (_req, res) => {
    res.json(discovery);
  });
  router.all('/cds-services', rejectMethod(['GET', 'OPTIONS']));
  router.post(
    '/cds-services/:id/feedback',
    resolveService,
    ...body,
    feedbackHandler({
      ...(deps.feedbackStore ? { feedbackStore: deps.feedbackStore } : {}),
      storeWaitMs: deps.config.storeWaitMs,
      logger: deps.logger,
    })
  );
  router.all('/cds-services/:id/feedback', resolveService, rejectMethod(['POST', 'OPTIONS']));
  router.post(
    '/cds-services/:id',
    resolveService,
    ...body,
    userRateLimit(deps.config.rateLimits),
    hookCallHandler(deps)
  );
  router.all('/cds-services/:id', resolveService, rejectMethod(['POST', 'OPTIONS']));
  return router;
}

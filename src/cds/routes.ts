import { Router } from 'express';
import type { RequestHandler } from 'express';
import type { ClientAuthLocals } from '../auth/client-auth';
import type { VerifiedClient } from '../auth/jwt-verifier';
import { fhirServerPolicy } from '../auth/fhir-server-allowlist';
import type { TrustedIssuer } from '../auth/trusted-issuers';
import type { Config } from '../config';
import { gatherRecord } from '../fhir/gather';
import type { DataProblem, GatherSettings } from '../fhir/gather';
import type { Logger } from 'pino';
import type { AuditDraft } from '../http/audit-trail';
import { auditCards, takeAuditRecord } from '../http/audit-trail';
import {
  HttpError,
  methodNotAllowed,
  notFound,
  outcome,
  preconditionFailed,
  serviceUnavailable,
} from '../common/http-error';
import type { Problem } from '../common/http-error';
import { hashPatient } from '../store/patient-hash';
import type { AuditRecord, FeedbackResult, Store } from '../store/store';
import { isNotNow } from '../store/not-now';
import { orderSessionKey } from '../store/order-session';
import { parseFeedback } from './feedback-request';
import { jsonBody } from '../http/json-body';
import { userRateLimit } from '../http/rate-limit';
import type { RequestLogLocals } from '../http/request-log';
import type { Readiness } from '../readiness';
import type { CdsServiceDefinition } from '../hook/catalogue';
import { discoveryDocument, findService } from '../hook/catalogue';
import type { EvaluationResult, HookEvaluator } from '../hook/evaluate';
import { gatherInputOf, parseHookRequest } from '../hook/hook-request';

export interface CdsRoutesDeps {
  readonly config: Config;
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
  readonly memoryStore?: () => Pick<Store, 'notNowAt' | 'redFlagsShownIn' | 'rememberRedFlagsShown'> | undefined;
  readonly logger: Logger;
  /** The trusted issuers, for the FHIR servers each may use. */
  readonly issuers: readonly TrustedIssuer[];
  /** Where FHIR URLs are fetched (the embedded server's thread); as given without it. */
  readonly fhirRoute?: (url: URL) => URL;
}

type FeedbackStore = Pick<Store, 'recordFeedback'> & Partial<Pick<Store, 'rememberNotNow'>>;

/** SQLSTATE class 22 (data exception) and 23 (integrity): the item is at fault and a retry would fail again. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof TypeError || (typeof code === 'string' && /^2[23]/.test(code));
}

/** The 400 of a feedback request with invalid items: an error per problem, and a note per item that was stored. */
function feedbackRejected(
  problems: readonly Problem[],
  stored: readonly { index: number; result: FeedbackResult }[]
): HttpError {
  const issues = outcome('invalid', problems).issue;
  for (const { index, result } of stored) {
    issues.push({
      severity: 'information',
      code: 'informational',
      details: { text: `feedback[${index}] ${result.stored ? 'stored' : 'was stored before'}` },
      expression: [`feedback[${index}]`],
    });
  }
  return new HttpError(400, { resourceType: 'OperationOutcome', issue: issues });
}

type Locals = RequestLogLocals & Partial<ClientAuthLocals> & { service?: CdsServiceDefinition; audit?: AuditDraft };

/** Who called, as the feedback rows and the audit trail record it (nothing when authentication is off). */
function callerOf(client: VerifiedClient | undefined): { issuer?: string; tenant?: string } {
  return { ...(client ? { issuer: client.iss } : {}), ...(client?.tenant ? { tenant: client.tenant } : {}) };
}

/**
 * A turn of the event loop. Parsing, validating and gathering a large record each take tens of milliseconds; between
 * them other requests (a /healthz, a small hook call) get their turn instead of waiting for all of them together.
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function rejectMethod(allowed: readonly string[]): RequestHandler {
  return () => {
    throw methodNotAllowed(allowed);
  };
}

/**
 * The 412 text names what is missing and the local reason, but never what the remote server answered (status,
 * timeout or unreachable look the same), so the service cannot serve as an oracle for scanning a network.
 */
function describeMissing(missing: readonly DataProblem[]): string {
  const why = (problem: DataProblem) =>
    problem.reason === 'fetch-failed' || problem.reason === 'timeout'
      ? 'not prefetched, and fhirServer gave no usable answer'
      : problem.detail;
  return `Required data could not be obtained: ${missing
    .map((problem) => `${problem.resourceType} (prefetch key "${problem.key}"): ${why(problem)}`)
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
  const settings = { ...gatherSettingsOf(deps.config), ...(deps.fhirRoute ? { route: deps.fhirRoute } : {}) };
  const allowFhirServerFor = fhirServerPolicy({
    authRequired: deps.config.authRequired,
    issuers: deps.issuers,
    allowlist: deps.config.fhirServerAllowlist,
    ...(deps.config.sandbox ? { embeddedBaseUrl: `${deps.config.publicBaseUrl}/fhir` } : {}),
  });

  /** What the store remembers about the patient; nothing when it is not available (the card is then shown). */
  const memoryOf = async (patientHash: string | undefined, sessionKey: string | undefined) => {
    const store = deps.memoryStore?.();
    if (patientHash === undefined || store === undefined) {
      return {};
    }
    try {
      const [notNowAt, redFlagsShown] = await Promise.all([
        store.notNowAt(patientHash),
        sessionKey === undefined ? undefined : store.redFlagsShownIn(sessionKey),
      ]);
      return { ...(notNowAt ? { notNowAt } : {}), ...(redFlagsShown ? { redFlagsShown } : {}) };
    } catch (err) {
      deps.logger.warn({ err }, 'the card memory could not be read');
      return {};
    }
  };

  /** RW-10: remembers red flags shown on an unrelated order; when this fails they are shown again (safe side). */
  const rememberShown = async (sessionKey: string | undefined, shown: EvaluationResult['redFlagsShown']) => {
    const store = deps.memoryStore?.();
    if (sessionKey === undefined || shown === undefined || store === undefined) {
      return;
    }
    try {
      await store.rememberRedFlagsShown(sessionKey, shown);
    } catch (err) {
      deps.logger.warn({ err }, 'the order session could not be remembered');
    }
  };

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
      const parsed = parseFeedback(req.body);
      const { valid } = parsed;
      const problems = [...parsed.problems];
      // Posted while the store opens (or during a short outage): wait for it, bounded, rather than refuse.
      const store = valid.length > 0 ? await deps.feedbackStore?.(deps.config.storeWaitMs) : undefined;
      if (valid.length > 0 && store === undefined) {
        throw serviceUnavailable('Feedback cannot be stored right now; please retry');
      }
      const locals = res.locals as Locals;
      const stored: { index: number; result: FeedbackResult }[] = [];
      // One item per statement: an item the database refuses costs only itself.
      for (const { index, item } of valid) {
        try {
          const [result] = await (store as FeedbackStore).recordFeedback(
            locals.serviceId ?? '',
            [item],
            callerOf(locals.client)
          );
          stored.push({ index, result: result as FeedbackResult });
        } catch (err) {
          if (!isDataError(err)) {
            deps.logger.error({ error: (err as Error).message }, 'feedback could not be stored');
            throw serviceUnavailable('Feedback cannot be stored right now; please retry');
          }
          problems.push({ expression: `feedback[${index}]`, message: `feedback[${index}] cannot be stored` });
        }
      }
      const notNow = valid.map(({ item }) => item).filter(isNotNow);
      if (notNow.length > 0 && store?.rememberNotNow) {
        // The card's patient comes from its audit record, committed before the card was answered.
        try {
          await store.rememberNotNow(notNow);
        } catch (err) {
          deps.logger.error({ error: (err as Error).message }, 'the not-now memory could not be stored');
          throw serviceUnavailable('Feedback cannot be stored right now; please retry');
        }
      }
      if (problems.length > 0) {
        // Some items are invalid: the valid ones are stored all the same, and named as such, so a client that
        // fixes the bad items and sends the request again gets the others back as repeats.
        throw feedbackRejected(problems, stored);
      }
      res.json({ feedback: stored.map((entry) => entry.result) });
    }
  );
  router.all('/cds-services/:id/feedback', resolveService, rejectMethod(['POST', 'OPTIONS']));

  const perUser = userRateLimit(deps.config.rateLimits);
  router.post(
    '/cds-services/:id',
    resolveService,
    ...jsonBody(deps.config.bodyLimitBytes),
    perUser,
    async (req, res) => {
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

      await nextTurn();
      const gathered = await gatherRecord(service.prefetch, gatherInputOf(request), {
        ...settings,
        allowFhirServer: allowFhirServerFor(client),
      });
      if (!gathered.ok) {
        throw preconditionFailed(
          describeMissing(gathered.missing),
          `prefetch.${gathered.missing[0]?.key ?? 'patient'}`
        );
      }
      // An order session (RW-10) only exists on the order hooks: patient-view always shows red flags.
      const sessionKey =
        deps.audit && request.hook !== 'patient-view'
          ? orderSessionKey(deps.audit.hashKey, {
              patientId: request.context.patientId,
              userId: request.context.userId,
              ...(request.context.encounterId ? { encounterId: request.context.encounterId } : {}),
            })
          : undefined;
      await nextTurn();
      const result = await deps.evaluate({
        service,
        request,
        record: gathered.record,
        acceptLanguages: acceptLanguages(req.headers['accept-language']),
        memory: await memoryOf(locals.audit?.patientHash, sessionKey),
      });
      await rememberShown(sessionKey, result.redFlagsShown);
      if (locals.audit) {
        locals.audit = {
          ...locals.audit,
          rulesetVersion: result.rulesetVersion ?? '',
          ruleIds: [...result.ruleIds],
          cards: auditCards(result.response.cards),
        };
        // Committed before the answer (group commit with concurrent calls), so every answered call is in the trail.
        const record = deps.audit?.commit ? takeAuditRecord(res.locals, 200) : undefined;
        if (record) {
          await deps.audit?.commit?.(record, deps.config.auditCommitTimeoutMs);
        }
      }
      res.json(result.response);
    }
  );
  router.all('/cds-services/:id', resolveService, rejectMethod(['POST', 'OPTIONS']));

  return router;
}

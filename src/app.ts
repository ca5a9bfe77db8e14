import express, { Router } from 'express';
import type { Express } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { clientAuth } from './auth/client-auth';
import type { TrustedIssuer } from './auth/trusted-issuers';
import { JwtVerifier } from './auth/jwt-verifier';
import { SERVICES } from './hook/catalogue';
import type { CdsServiceDefinition } from './hook/catalogue';
import type { HookEvaluator } from './hook/evaluator';
import { cdsRoutes } from './cds/routes';
import type { Config } from './config';
import type { EvaluationPoolHealth } from './evaluation/pool';
import { corsMiddleware } from './http/cors';
import { auditTrail } from './http/audit-trail';
import { errorHandler, unknownRoute } from './http/errors';
import { addressRateLimits, issuerRateLimit } from './http/rate-limit';
import { requestLog } from './http/request-log';
import { statsRoutes } from './http/stats';
import type { Readiness } from './http/readiness';
import type { DevSigner } from './sandbox/dev-signer';
import type { EmbeddedFhirServer } from './sandbox/fhir-server';
import { sandboxRoutes } from './sandbox/routes';
import type { AuditRecord, Store } from './store/store';
import type { StoreHealth } from './store/store-keeper';
import { VERSION } from './common/version';

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly readiness: Readiness;
  /** The services offered; defaults to the catalogue. */
  readonly services?: readonly CdsServiceDefinition[];
  /** Turns a gathered record into cards (hookEvaluator in production). */
  readonly evaluate: HookEvaluator;
  /** Verifies client JWTs when CDS_AUTH is required; built from the configuration when not given. */
  readonly verifier?: JwtVerifier;
  /** The audit trail: a bounded writer and the key for the patient hash. Without it nothing is recorded. */
  readonly audit?: {
    readonly writer: {
      enqueue(record: AuditRecord): void;
      /** The group commit of answered calls; without it records are only queued after the answer. */
      commit?(record: AuditRecord, timeoutMs: number): Promise<boolean>;
    };
    readonly hashKey: Buffer;
  };
  /** The store for feedback and /stats; returns undefined while it is not open. */
  readonly store?: () => Store | undefined;
  /** The store once usable, waiting at most `timeoutMs` (feedback posted while the store opens waits for it). */
  readonly waitForStore?: (timeoutMs: number) => Promise<Store | undefined>;
  /** Whether the store is usable, for /readyz; without it the store is not part of readiness. */
  readonly storeHealth?: () => StoreHealth;
  /** The evaluation workers, for /readyz; without them calls are evaluated on the main thread. */
  readonly evaluationHealth?: () => EvaluationPoolHealth;
  /** Live operational facts for /readyz (store state, audit counts). */
  readonly status?: () => Record<string, unknown>;
  /** The trusted issuers; the configured ones by default (server.ts adds the sandbox's development signer). */
  readonly issuers?: readonly TrustedIssuer[];
  /** The sandbox: the embedded FHIR server and, in development with authentication, the page's signer. */
  readonly sandbox?: { readonly fhir: EmbeddedFhirServer; readonly signer?: DevSigner };
}

function auditOf(audit: NonNullable<AppDeps['audit']>) {
  const { writer, hashKey } = audit;
  return writer.commit
    ? {
        hashKey,
        commit: (record: AuditRecord, timeoutMs: number) =>
          writer.commit?.(record, timeoutMs) ?? Promise.resolve(false),
      }
    : { hashKey };
}

/** One verifier per process: it holds the replay cache and the fetched JWKS. */
export function createVerifier(config: Config, issuers: readonly TrustedIssuer[] = config.trustedIssuers): JwtVerifier {
  return new JwtVerifier({
    issuers,
    clockSkewSeconds: config.authClockSkewSeconds,
    maxTokenLifetimeSeconds: config.authMaxTokenLifetimeSeconds,
    replayCacheSize: config.authReplayCacheSize,
    jkuTimeoutMs: config.authJkuTimeoutMs,
  });
}

/** Proxy trust, request log, audit trail, security headers, CORS and the draining signal: before every route. */
function useFrontMiddleware(app: Express, deps: AppDeps): void {
  const { config, readiness } = deps;
  if (config.trustProxy !== undefined) {
    // Behind a reverse proxy, so req.ip (the rate-limit key without authentication) is the client's address.
    app.set('trust proxy', /^\d+$/.test(config.trustProxy) ? Number(config.trustProxy) : config.trustProxy);
  }
  app.use(requestLog(deps.logger));
  if (deps.audit) {
    app.use(auditTrail(deps.audit.writer));
  }
  // A JSON API: nothing may be framed, scripted or embedded. Cross-origin reads are governed by CORS.
  app.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      frameguard: { action: 'deny' },
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    })
  );
  app.use(corsMiddleware(config));
  // A preflight from an origin that is not allowed reaches this point: answer it without CORS headers.
  app.options('/{*path}', (_req, res) => {
    res.status(204).end();
  });
  app.use((_req, res, next) => {
    // While draining, tell keep-alive clients to reconnect elsewhere.
    if (readiness.state === 'stopping') {
      res.set('Connection', 'close');
    }
    next();
  });
}

/** `/healthz` (the process answers) and `/readyz` (ready only when knowledge, store and workers are usable). */
function healthRoutes(deps: AppDeps): Router {
  const { readiness } = deps;
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version: VERSION });
  });
  // Ready only when the rules and value sets are loaded and the store is usable; the JSON names what is not.
  router.get('/readyz', (_req, res) => {
    const store = deps.storeHealth?.();
    const evaluation = deps.evaluationHealth?.();
    const degraded = [
      ...(readiness.state === 'starting' ? ['knowledge'] : []),
      ...(store !== undefined && store.state !== 'open' ? ['store'] : []),
      // Every worker down (crashed, being replaced): hook calls would answer 503.
      ...(evaluation !== undefined && evaluation.ready === 0 ? ['evaluation'] : []),
    ];
    const status = readiness.state === 'ready' && degraded.length > 0 ? 'degraded' : readiness.state;
    res.status(status === 'ready' ? 200 : 503).json({
      status,
      ...(degraded.length > 0 ? { degraded } : {}),
      ...readiness.info,
      ...(store ? { store } : {}),
      ...(evaluation ? { evaluation } : {}),
      ...(deps.status?.() ?? {}),
    });
  });
  return router;
}

/** `/cds-services`: address budgets, client authentication when required, the issuer's budget, then the routes. */
function useCdsServices(app: Express, deps: AppDeps, issuers: readonly TrustedIssuer[]): void {
  const { config, logger } = deps;
  // Per-address budgets first: a flood (forged tokens included) is refused before any signature is checked.
  app.use('/cds-services', ...addressRateLimits(config.rateLimits));
  // Discovery, service calls and feedback: a verified client JWT when required (preflights were answered above).
  if (config.authRequired) {
    app.use(
      '/cds-services',
      clientAuth({
        verifier: deps.verifier ?? createVerifier(config, issuers),
        publicBaseUrl: config.publicBaseUrl,
        logger,
        ...(deps.store ? { replayRecord: deps.store } : {}),
      })
    );
  }
  app.use('/cds-services', issuerRateLimit(config.rateLimits));
  const store = deps.store ?? (() => undefined);
  app.use(
    cdsRoutes({
      config,
      services: deps.services ?? SERVICES,
      evaluate: deps.evaluate,
      readiness: deps.readiness,
      logger,
      issuers,
      feedbackStore: deps.waitForStore ?? (() => Promise.resolve(store())),
      memoryStore: store,
      ...(deps.sandbox?.fhir.route ? { fhirRoute: deps.sandbox.fhir.route } : {}),
      ...(deps.audit ? { audit: auditOf(deps.audit) } : {}),
    })
  );
}

/** The integrator's playground: an open FHIR server with sample patients and the page (no auth). */
function useSandbox(app: Express, config: Config, sandbox: NonNullable<AppDeps['sandbox']>): void {
  app.use('/fhir', sandbox.fhir.router);
  app.use(sandboxRoutes({ config, fhir: sandbox.fhir, ...(sandbox.signer ? { signer: sandbox.signer } : {}) }));
}

/**
 * Builds the HTTP application: security headers, CORS, request logging, health endpoints and the CDS
 * Hooks routes. It does not listen; server.ts does, and tests use it through supertest.
 * @param deps - configuration, logger, readiness and the decision function
 */
export function createApp(deps: AppDeps): Express {
  const { config } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  useFrontMiddleware(app, deps);
  app.use(healthRoutes(deps));
  useCdsServices(app, deps, deps.issuers ?? config.trustedIssuers);
  app.use(
    statsRoutes({
      authRequired: config.authRequired,
      adminToken: config.adminToken,
      store: deps.store ?? (() => undefined),
    })
  );
  if (deps.sandbox) {
    useSandbox(app, config, deps.sandbox);
  }
  app.use(unknownRoute);
  app.use(errorHandler(deps.logger, config.bodyLimitBytes));
  return app;
}

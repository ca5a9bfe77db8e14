import express from 'express';
import type { Express } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { SERVICES } from './cds/catalogue';
import type { CdsServiceDefinition } from './cds/catalogue';
import type { HookEvaluator } from './cds/evaluate';
import { cdsRoutes } from './cds/routes';
import type { Config } from './config';
import { corsMiddleware } from './http/cors';
import { errorHandler, unknownRoute } from './http/errors';
import { requestLog } from './http/request-log';
import type { Readiness } from './readiness';
import { VERSION } from './version';

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly readiness: Readiness;
  /** The services offered; defaults to the catalogue. */
  readonly services?: readonly CdsServiceDefinition[];
  /** Turns a gathered record into cards (clinicalEvaluator in production). */
  readonly evaluate: HookEvaluator;
}

/**
 * Builds the HTTP application: security headers, CORS, request logging, health endpoints and the CDS
 * Hooks routes. It does not listen; server.ts does, and tests use it through supertest.
 * @param deps - configuration, logger, readiness and the decision function
 */
export function createApp(deps: AppDeps): Express {
  const { config, logger, readiness } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(requestLog(logger));
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

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version: VERSION });
  });
  app.get('/readyz', (_req, res) => {
    res.status(readiness.state === 'ready' ? 200 : 503).json({ status: readiness.state, ...readiness.info });
  });

  app.use(cdsRoutes({ config, services: deps.services ?? SERVICES, evaluate: deps.evaluate, readiness }));
  app.use(unknownRoute);
  app.use(errorHandler(logger, config.bodyLimitBytes));
  return app;
}

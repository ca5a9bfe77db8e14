import cors from 'cors';
import type { RequestHandler } from 'express';
import type { Config } from '../config';

/**
 * CORS for browser-based CDS clients such as the public CDS Hooks sandbox (docs/integration.md): preflight
 * on every route, including POST service calls and /feedback, allowing Authorization and Content-Type.
 * The sandbox sends no credentials, so none are allowed. Origins come from CORS_ORIGINS.
 */
export function corsMiddleware(config: Pick<Config, 'corsOrigins'>): RequestHandler {
  const allowed = config.corsOrigins;
  return cors({
    origin:
      allowed === '*'
        ? '*'
        : (origin, callback) => {
            callback(null, origin !== undefined && allowed.includes(origin));
          },
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept'],
    // So browser clients of the embedded FHIR server can read where a created resource lives.
    exposedHeaders: ['Location', 'ETag'],
    maxAge: 600,
    optionsSuccessStatus: 204,
  });
}

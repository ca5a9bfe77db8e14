import cors from 'cors';
import type { RequestHandler } from 'express';

/**
 * CORS for browser-based CDS clients such as the public CDS Hooks sandbox (docs/integration.md): preflight
 * on every route, including POST service calls and /feedback, allowing Authorization and Content-Type.
 * The sandbox sends no credentials, so none are allowed. Origins come from CORS_ORIGINS.
 */
export function corsMiddleware(options: { readonly corsOrigins: '*' | readonly string[] }): RequestHandler {
  const allowed = options.corsOrigins;
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

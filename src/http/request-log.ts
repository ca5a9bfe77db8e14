import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';

/** Correlation fields a route puts in `res.locals` for the request log line. */
export interface RequestLogLocals {
  hookInstance?: string;
  serviceId?: string;
  hook?: string;
}

/** This request's correlation fields, for the route to fill in and the log line (and error log) to read. */
export function requestLogFields(res: Response): RequestLogLocals {
  return res.locals as RequestLogLocals;
}

const QUIET_PATHS = new Set(['/healthz', '/readyz']);

/**
 * One log line per request, written when the response is finished: method, path, status, latency and
 * the CDS correlation fields (hookInstance, service id, hook). Headers, query strings and bodies are
 * never logged: they can carry JWTs, FHIR access tokens or patient data.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const locals = requestLogFields(res);
      const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
      const line = {
        method: req.method,
        path: req.path,
        status: res.statusCode,
        latencyMs: Math.round(latencyMs * 100) / 100,
        ...(locals.hookInstance ? { hookInstance: locals.hookInstance } : {}),
        ...(locals.serviceId ? { service: locals.serviceId } : {}),
        ...(locals.hook ? { hook: locals.hook } : {}),
      };
      if (QUIET_PATHS.has(req.path)) {
        logger.debug(line, 'request');
      } else if (res.statusCode >= 500) {
        logger.error(line, 'request');
      } else {
        logger.info(line, 'request');
      }
    });
    next();
  };
}

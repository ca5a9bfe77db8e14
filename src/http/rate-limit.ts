import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { HttpError, outcome } from './errors';

/**
 * Requests per minute per client: the verified JWT issuer when authentication is on (one EHR, many users
 * behind one NAT), else the client IP (IPv6 grouped per /56). Over the limit: 429 with an OperationOutcome and
 * the standard RateLimit headers.
 * @param perMinute - RATE_LIMIT_PER_MINUTE
 */
export function clientRateLimit(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req, res) => {
      const issuer = (res.locals.client as { iss?: string } | undefined)?.iss;
      return issuer ? `iss:${issuer}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown', 56)}`;
    },
    handler: (_req, _res, next) => {
      next(
        new HttpError(
          429,
          outcome('throttled', [{ message: `More than ${perMinute} requests per minute from this client` }]),
          {
            'Retry-After': '60',
          }
        )
      );
    },
  });
}

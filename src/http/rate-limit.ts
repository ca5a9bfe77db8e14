import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { RateLimitInfo } from 'express-rate-limit';
import { HttpError, outcome } from '../common/http-error';

/**
 * Request budgets per minute, in this process's memory (fixed one-minute windows):
 * - per client address, before authentication, so a flood costs a counter increment and no signature check;
 * - failed authentications per address, also before authentication: a forged-token flood is cut off early;
 * - per issuer and per user (issuer + the hook's `userId`) after authentication, so one EHR's clinicians do not
 *   share one budget and one busy clinician does not exhaust the EHR's.
 * Over a budget: 429 with an OperationOutcome, `Retry-After` (seconds until the window ends) and the standard
 * RateLimit headers.
 */

export interface RateBudgets {
  /** RATE_LIMIT_PER_MINUTE: every request to /cds-services from one address. */
  readonly perAddress: number;
  /** RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: 401 answers to one address. */
  readonly authFailuresPerAddress: number;
  /** RATE_LIMIT_PER_ISSUER_PER_MINUTE. */
  readonly perIssuer: number;
  /** RATE_LIMIT_PER_USER_PER_MINUTE. */
  readonly perUser: number;
}

/** The client address; IPv6 grouped per /56 (one subscriber's prefix). */
const addressOf = (req: Request) => `ip:${ipKeyGenerator(req.ip ?? 'unknown', 56)}`;

/**
 * What the budgets after authentication read from `res.locals`: client authentication puts the verified issuer
 * there; without it (authentication off) those budgets count nothing.
 */
export interface RateLimitLocals {
  issuer?: string;
}

const issuerOf = (res: Response) => (res.locals as RateLimitLocals).issuer;

let limiters = 0;

function limiter(
  perMinute: number,
  what: string,
  key: (req: Request, res: Response) => string,
  extra: Partial<Parameters<typeof rateLimit>[0]> = {}
): RequestHandler {
  // Each limiter its own request property, so the Retry-After is that of the budget that was exceeded.
  const property = `rateLimit${++limiters}`;
  return rateLimit({
    requestPropertyName: property,
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: key,
    // The keys are built here (address grouped above); the library's IPv6 key check does not apply.
    validate: { keyGeneratorIpFallback: false },
    handler: (req, _res, next) => {
      const info = (req as unknown as Record<string, RateLimitInfo | undefined>)[property];
      const reset = info?.resetTime?.getTime() ?? Date.now() + 60_000;
      const retryAfter = Math.max(1, Math.ceil((reset - Date.now()) / 1000));
      next(
        new HttpError(429, outcome('throttled', [{ message: `More than ${perMinute} ${what} per minute` }]), {
          'Retry-After': String(retryAfter),
        })
      );
    },
    ...extra,
  });
}

/**
 * Failed authentications per address in fixed one-minute windows. Only 401 answers are counted, once they are
 * sent, so concurrent legitimate calls never use up the budget; the check before authentication is a map look-up.
 */
function authFailureLimit(perMinute: number): RequestHandler {
  let windowEnds = 0;
  let failures = new Map<string, number>();
  const current = (now: number) => {
    if (now >= windowEnds) {
      // A new window forgets the old one whole, so the map holds at most one window's addresses.
      windowEnds = now + 60_000;
      failures = new Map();
    }
    return failures;
  };
  return (req, res, next) => {
    const key = addressOf(req);
    const now = Date.now();
    if ((current(now).get(key) ?? 0) >= perMinute) {
      const retryAfter = Math.max(1, Math.ceil((windowEnds - now) / 1000));
      next(
        new HttpError(
          429,
          outcome('throttled', [
            { message: `More than ${perMinute} failed authentications from this address per minute` },
          ]),
          { 'Retry-After': String(retryAfter) }
        )
      );
      return;
    }
    res.on('finish', () => {
      if (res.statusCode === 401) {
        const counts = current(Date.now());
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    });
    next();
  };
}

/** Before authentication: the per-address budget, then the failed-authentication budget. */
export function addressRateLimits(budgets: RateBudgets): RequestHandler[] {
  return [
    limiter(budgets.perAddress, 'requests from this address', addressOf),
    authFailureLimit(budgets.authFailuresPerAddress),
  ];
}

/** After authentication: the calling issuer's budget (nothing to count without authentication). */
export function issuerRateLimit(budgets: RateBudgets): RequestHandler {
  return limiter(budgets.perIssuer, 'requests from this EHR (issuer)', (_req, res) => `iss:${issuerOf(res) ?? ''}`, {
    skip: (_req, res) => issuerOf(res) === undefined,
  });
}

/**
 * After the body is parsed: the budget of one user of one issuer. The `userId` comes from the hook request
 * (the JWT identifies the EHR, not the clinician), so it is only trusted within the verified issuer's budget.
 */
export function userRateLimit(budgets: RateBudgets): RequestHandler {
  const userOf = (req: Request) => {
    const userId = (req.body as { context?: { userId?: unknown } } | undefined)?.context?.userId;
    return typeof userId === 'string' && userId.length <= 200 ? userId : '';
  };
  return limiter(
    budgets.perUser,
    'requests from this user',
    (req, res) => JSON.stringify([issuerOf(res) ?? '', userOf(req)]),
    { skip: (req, res) => issuerOf(res) === undefined || userOf(req) === '' }
  );
}

import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { EARLIEST_YEAR, isStorableDate, LATEST_YEAR } from '../store/storable';
import type { Store } from '../store/store';
import { badRequest, serviceUnavailable } from '../common/http-error';
import { unauthorized } from './unauthorized';

/** Compares in constant time, so the admin token cannot be guessed byte by byte from response times. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A date (2026-11-01) or an RFC 3339 date-time with a time zone. */
const ISO_DATE_OR_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

function dateParam(value: unknown, name: string): Date | undefined {
  if (value === undefined) {
    return undefined;
  }
  const date =
    typeof value === 'string' && ISO_DATE_OR_TIME.test(value) && isStorableDate(value)
      ? new Date(value)
      : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw badRequest([
      {
        expression: name,
        message: `${name} must be an ISO date such as 2026-11-01 (or a date-time with time zone), in the years ${EARLIEST_YEAR}–${LATEST_YEAR}`,
      },
    ]);
  }
  return date;
}

export interface StatsOptions {
  /** CDS_AUTH=required: /stats then needs the admin token. */
  readonly authRequired: boolean;
  /** ADMIN_TOKEN; without it a protected /stats refuses every caller. */
  readonly adminToken?: string;
  /** The store; undefined while it is not open. */
  readonly store: () => Store | undefined;
}

/**
 * `GET /stats?from=&to=`: per rule id and card kind, how often cards were shown, accepted and overridden (with
 * the override reasons). Open when CDS_AUTH is off; otherwise only with `Authorization: Bearer <ADMIN_TOKEN>`.
 * @param deps - whether the admin token is needed, the token, and the store
 */
export function statsRoutes(deps: StatsOptions): Router {
  const router = Router();
  router.get('/stats', async (req, res) => {
    if (deps.authRequired) {
      // Exactly one Authorization header: with several, Node would show only the first.
      const given = req.headersDistinct.authorization ?? [];
      const token = given.length === 1 ? /^Bearer\s+(.+)$/i.exec(given[0] ?? '')?.[1] : undefined;
      if (deps.adminToken === undefined || token === undefined || !sameSecret(token, deps.adminToken)) {
        throw unauthorized();
      }
    }
    const from = dateParam(req.query.from, 'from');
    const to = dateParam(req.query.to, 'to');
    const store = deps.store();
    if (store === undefined) {
      throw serviceUnavailable('The store is not available');
    }
    const rows = await store.report({ ...(from ? { from } : {}), ...(to ? { to } : {}) });
    res.json({ ...(from ? { from: from.toISOString() } : {}), ...(to ? { to: to.toISOString() } : {}), rows });
  });
  return router;
}

import type { Response } from 'express';
import type { VerifiedClient } from '../auth/jwt-verifier';
import type { CdsServiceDefinition } from '../hook/catalogue';

/** What resolveService puts in `res.locals` for the routes after it: the service called. */
export interface ServiceLocals {
  service?: CdsServiceDefinition;
}

/** This request's service fields (resolveService sets them; the hook and feedback routes read them). */
export const serviceLocals = (res: Response): ServiceLocals => res.locals as ServiceLocals;

/** Who called, as the feedback rows and the audit trail record it (nothing when authentication is off). */
export function callerOf(client: VerifiedClient | undefined): { issuer?: string; tenant?: string } {
  return { ...(client ? { issuer: client.iss } : {}), ...(client?.tenant ? { tenant: client.tenant } : {}) };
}

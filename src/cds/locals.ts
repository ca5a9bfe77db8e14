import type { ClientAuthLocals } from '../auth/client-auth';
import type { VerifiedClient } from '../auth/jwt-verifier';
import type { AuditDraft } from '../http/audit-trail';
import type { RequestLogLocals } from '../http/request-log';
import type { CdsServiceDefinition } from '../hook/catalogue';

/** What the CDS Hooks routes read and put in `res.locals`: the middlewares' locals, the service, the audit draft. */
export type CdsLocals = RequestLogLocals &
  Partial<ClientAuthLocals> & { service?: CdsServiceDefinition; audit?: AuditDraft };

/** Who called, as the feedback rows and the audit trail record it (nothing when authentication is off). */
export function callerOf(client: VerifiedClient | undefined): { issuer?: string; tenant?: string } {
  return { ...(client ? { issuer: client.iss } : {}), ...(client?.tenant ? { tenant: client.tenant } : {}) };
}

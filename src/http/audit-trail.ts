import type { RequestHandler, Response } from 'express';
import type { AuditRecord } from '../store/store';

/** What a hook call contributes to its audit record; time, status and latency are added when it is answered. */
export type AuditDraft = Omit<AuditRecord, 'time' | 'status' | 'latencyMs'>;

/**
 * One audit record per validated hook call. An answered call (200) is committed by the route before the answer
 * is sent (takeAuditRecord); any other (412, 500) is queued when the response has been sent.
 * @param sink - the audit writer (bounded queue in front of the store)
 */
export function auditTrail(sink: { enqueue(record: AuditRecord): void }): RequestHandler {
  return (_req, res, next) => {
    auditLocals(res).auditStart = { time: new Date(), started: process.hrtime.bigint() };
    res.on('finish', () => {
      const record = takeAuditRecord(res.locals, res.statusCode);
      if (record) {
        sink.enqueue(record);
      }
    });
    next();
  };
}

/** What auditTrail puts in `res.locals` (auditStart) and what the hook route adds (audit). */
export interface AuditLocals {
  audit?: AuditDraft;
  auditStart?: { time: Date; started: bigint };
}

/** This request's audit fields, for the hook route to fill in. */
export function auditLocals(res: Response): AuditLocals {
  return res.locals as AuditLocals;
}

/**
 * The finished audit record of this call, once: the route takes it to commit it before answering (then the
 * `finish` handler above has nothing left to queue); otherwise the `finish` handler takes it.
 * @param locals - `res.locals`
 * @param status - the HTTP status the call is answered with
 */
export function takeAuditRecord(locals: Record<string, unknown>, status: number): AuditRecord | undefined {
  const { audit, auditStart } = locals as AuditLocals;
  if (audit === undefined || auditStart === undefined) {
    return undefined;
  }
  delete (locals as AuditLocals).audit;
  const latencyMs = Math.round((Number(process.hrtime.bigint() - auditStart.started) / 1e6) * 100) / 100;
  return { ...audit, time: auditStart.time, status, latencyMs };
}

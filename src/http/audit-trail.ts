import type { RequestHandler } from 'express';
import type { CdsCard } from '../cds/response';
import type { AuditCard, AuditRecord } from '../store/store';

/** What a hook call contributes to its audit record; time, status and latency are added when it is answered. */
export type AuditDraft = Omit<AuditRecord, 'time' | 'status' | 'latencyMs'>;

/**
 * One audit record per validated hook call, written when the response has been sent, whatever its status (200,
 * 412, 500). The sink queues it: writing never delays or fails the response.
 * @param sink - the audit writer (bounded queue in front of the store)
 */
export function auditTrail(sink: { enqueue(record: AuditRecord): void }): RequestHandler {
  return (_req, res, next) => {
    const time = new Date();
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const draft = (res.locals as { audit?: AuditDraft }).audit;
      if (draft) {
        const latencyMs = Math.round((Number(process.hrtime.bigint() - started) / 1e6) * 100) / 100;
        sink.enqueue({ ...draft, time, status: res.statusCode, latencyMs });
      }
    });
    next();
  };
}

/** The rule ids, kinds and suggestion uuids of each card, from its findings extension. */
export function auditCards(cards: readonly CdsCard[]): AuditCard[] {
  return cards.map((card) => {
    const findings = (card.extension?.['org.ruggensteun.findings'] ?? []) as { ruleId: string; kind: string }[];
    return {
      uuid: card.uuid ?? '',
      indicator: card.indicator,
      ruleIds: findings.map((finding) => finding.ruleId),
      kinds: [...new Set(findings.map((finding) => finding.kind))],
      suggestionUuids: (card.suggestions ?? []).flatMap((suggestion) => (suggestion.uuid ? [suggestion.uuid] : [])),
    };
  });
}

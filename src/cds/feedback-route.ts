import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { HttpError, outcome, serviceUnavailable } from '../common/http-error';
import type { Problem } from '../common/http-error';
import { isNotNow } from '../store/not-now';
import type { FeedbackResult, Store } from '../store/store';
import { parseFeedback } from './feedback-request';
import { clientOf } from '../auth/client-auth';
import { requestLogFields } from '../http/request-log';
import { callerOf } from './locals';

/**
 * POST /cds-services/{id}/feedback (CDS Hooks 2.0 "Feedback", F1–F4): several items per request, idempotent,
 * unknown cards accepted but flagged; a "not now" is remembered for the patient of its card.
 */

export type FeedbackStore = Pick<Store, 'recordFeedback'> & Partial<Pick<Store, 'rememberNotNow'>>;

export interface FeedbackRouteDeps {
  /** Where feedback is stored, waiting at most `timeoutMs` for it; undefined when it is not available (then 503). */
  readonly feedbackStore?: (timeoutMs: number) => Promise<FeedbackStore | undefined>;
  /** STORE_WAIT_MS: how long feedback posted while the store opens waits for it. */
  readonly storeWaitMs: number;
  readonly logger: Logger;
}

/** SQLSTATE class 22 (data exception) and 23 (integrity): the item is at fault and a retry would fail again. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof TypeError || (typeof code === 'string' && /^2[23]/.test(code));
}

/** The 400 of a feedback request with invalid items: an error per problem, and a note per item that was stored. */
function feedbackRejected(
  problems: readonly Problem[],
  stored: readonly { index: number; result: FeedbackResult }[]
): HttpError {
  const issues = outcome('invalid', problems).issue;
  for (const { index, result } of stored) {
    issues.push({
      severity: 'information',
      code: 'informational',
      details: { text: `feedback[${index}] ${result.stored ? 'stored' : 'was stored before'}` },
      expression: [`feedback[${index}]`],
    });
  }
  return new HttpError(400, { resourceType: 'OperationOutcome', issue: issues });
}

export function feedbackHandler(deps: FeedbackRouteDeps): RequestHandler {
  return async (req, res) => {
    const parsed = parseFeedback(req.body);
    const { valid } = parsed;
    const problems = [...parsed.problems];
    // Posted while the store opens (or during a short outage): wait for it, bounded, rather than refuse.
    const store = valid.length > 0 ? await deps.feedbackStore?.(deps.storeWaitMs) : undefined;
    if (valid.length > 0 && store === undefined) {
      throw serviceUnavailable('Feedback cannot be stored right now; please retry');
    }
    const stored: { index: number; result: FeedbackResult }[] = [];
    // One item per statement: an item the database refuses costs only itself.
    for (const { index, item } of valid) {
      try {
        const [result] = await (store as FeedbackStore).recordFeedback(
          requestLogFields(res).serviceId ?? '',
          [item],
          callerOf(clientOf(res))
        );
        stored.push({ index, result: result as FeedbackResult });
      } catch (err) {
        if (!isDataError(err)) {
          deps.logger.error({ error: (err as Error).message }, 'feedback could not be stored');
          throw serviceUnavailable('Feedback cannot be stored right now; please retry');
        }
        problems.push({ expression: `feedback[${index}]`, message: `feedback[${index}] cannot be stored` });
      }
    }
    const notNow = valid.map(({ item }) => item).filter(isNotNow);
    if (notNow.length > 0 && store?.rememberNotNow) {
      // The card's patient comes from its audit record, committed before the card was answered.
      try {
        await store.rememberNotNow(notNow);
      } catch (err) {
        deps.logger.error({ error: (err as Error).message }, 'the not-now memory could not be stored');
        throw serviceUnavailable('Feedback cannot be stored right now; please retry');
      }
    }
    if (problems.length > 0) {
      // Some items are invalid: the valid ones are stored all the same, and named as such, so a client that
      // fixes the bad items and sends the request again gets the others back as repeats.
      throw feedbackRejected(problems, stored);
    }
    res.json({ feedback: stored.map((entry) => entry.result) });
  };
}

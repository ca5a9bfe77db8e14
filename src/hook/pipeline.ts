import type { Logger } from 'pino';
import { preconditionFailed } from '../common/http-error';
import { gatherRecord } from '../fhir/gather';
import type { GatherSettings } from '../fhir/gather';
import type { DataProblem } from '../clinical/gathered-record';
import type { CdsResponse } from '../render/cds-response';
import { orderSessionKey } from '../store/order-session';
import type { RedFlagsShown } from '../store/order-session';
import { hashPatient } from '../store/patient-hash';
import type { Store } from '../store/store';
import type { CdsServiceDefinition } from './catalogue';
import type { EvaluationResult, HookAudit, HookEvaluation, HookEvaluator } from './evaluator';
import { gatherInputOf } from './hook-request';
import type { HookRequest } from './hook-request';

/**
 * One hook call, from the validated request to the answer: gather the record (fhir/gather) → read what the store
 * remembers of the patient → evaluate (evaluator.ts: normalise → facts and rules → decide → render, in this thread
 * or on an evaluation worker) → remember the red flags shown in an order session (RW-10). Returns the response and
 * the audit summary of its Decision; the HTTP route (cds/routes.ts) only parses, commits the audit and sends.
 */

/** The store's part in a hook call: the "not now" memory and the order sessions of RW-10. */
export type CardMemoryStore = Pick<Store, 'notNowAt' | 'redFlagsShownIn' | 'rememberRedFlagsShown'>;

export interface HookPipelineDeps {
  /** The evaluation: hookEvaluator in this thread, or the evaluation pool's workers. */
  readonly evaluate: HookEvaluator;
  /** The limits of gathering, and where FHIR URLs are fetched. */
  readonly gather: GatherSettings;
  /**
   * The card memory: the key of the patient hash and the store as it is now (a hook call never waits for it).
   * Without it every card is shown.
   */
  readonly memory?: { readonly hashKey: Buffer; readonly store: () => CardMemoryStore | undefined };
  readonly logger: Logger;
}

export interface HookCall {
  readonly service: CdsServiceDefinition;
  readonly request: HookRequest;
  /** Preferred languages from the request's Accept-Language header, best first (may be empty). */
  readonly acceptLanguages: readonly string[];
  /** The FHIR servers the calling client may have us contact; any when absent. */
  readonly allowFhirServer?: (fhirServer: URL) => boolean;
}

/** The answer to the client, and what the audit trail keeps about how it was reached. */
export interface HookOutcome {
  readonly response: CdsResponse;
  readonly audit: HookAudit;
}

/**
 * A turn of the event loop. Parsing, validating and gathering a large record each take tens of milliseconds; between
 * them other requests (a /healthz, a small hook call) get their turn instead of waiting for all of them together.
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The 412 text names what is missing and the local reason, but never what the remote server answered (status,
 * timeout or unreachable look the same), so the service cannot serve as an oracle for scanning a network.
 */
function describeMissing(missing: readonly DataProblem[]): string {
  const why = (problem: DataProblem) =>
    problem.reason === 'fetch-failed' || problem.reason === 'timeout'
      ? 'not prefetched, and fhirServer gave no usable answer'
      : problem.detail;
  return `Required data could not be obtained: ${missing
    .map((problem) => `${problem.resourceType} (prefetch key "${problem.key}"): ${why(problem)}`)
    .join('; ')}`;
}

/** The order session of RW-10: only the order hooks have one (patient-view always shows red flags). */
function sessionKeyOf(hashKey: Buffer, request: HookRequest): string | undefined {
  if (request.hook === 'patient-view') {
    return undefined;
  }
  return orderSessionKey(hashKey, {
    patientId: request.context.patientId,
    userId: request.context.userId,
    ...(request.context.encounterId ? { encounterId: request.context.encounterId } : {}),
  });
}

/** What the store remembers about the patient; nothing when it is not available (the card is then shown). */
async function memoryOf(
  store: CardMemoryStore,
  patientHash: string,
  sessionKey: string | undefined,
  logger: Logger
): Promise<NonNullable<HookEvaluation['memory']>> {
  try {
    const [notNowAt, redFlagsShown] = await Promise.all([
      store.notNowAt(patientHash),
      sessionKey === undefined ? undefined : store.redFlagsShownIn(sessionKey),
    ]);
    return { ...(notNowAt ? { notNowAt } : {}), ...(redFlagsShown ? { redFlagsShown } : {}) };
  } catch (err) {
    logger.warn({ err }, 'the card memory could not be read');
    return {};
  }
}

/** RW-10: remembers red flags shown on an unrelated order; when this fails they are shown again (safe side). */
async function rememberShown(
  store: CardMemoryStore | undefined,
  sessionKey: string | undefined,
  shown: RedFlagsShown | undefined,
  logger: Logger
): Promise<void> {
  if (sessionKey === undefined || shown === undefined || store === undefined) {
    return;
  }
  try {
    await store.rememberRedFlagsShown(sessionKey, shown);
  } catch (err) {
    logger.warn({ err }, 'the order session could not be remembered');
  }
}

/**
 * Runs one hook call.
 * @param deps - the evaluation, the gathering limits, the card memory and the logger
 * @param call - the service, the validated request, the clinician's languages and the client's FHIR servers
 * @returns the response and its audit summary
 * @throws HttpError 412 when required data could not be obtained; the evaluation pool's 503s
 */
export async function runHook(deps: HookPipelineDeps, call: HookCall): Promise<HookOutcome> {
  const { service, request } = call;
  await nextTurn();
  const gathered = await gatherRecord(service.prefetch, gatherInputOf(request), {
    ...deps.gather,
    ...(call.allowFhirServer ? { allowFhirServer: call.allowFhirServer } : {}),
  });
  if (!gathered.ok) {
    throw preconditionFailed(describeMissing(gathered.missing), `prefetch.${gathered.missing[0]?.key ?? 'patient'}`);
  }
  const hashKey = deps.memory?.hashKey;
  const sessionKey = hashKey === undefined ? undefined : sessionKeyOf(hashKey, request);
  await nextTurn();
  const store = deps.memory?.store();
  const memory =
    hashKey === undefined || store === undefined
      ? {}
      : await memoryOf(store, hashPatient(hashKey, `Patient/${request.context.patientId}`), sessionKey, deps.logger);
  const result: EvaluationResult = await deps.evaluate({
    service,
    request,
    record: gathered.record,
    acceptLanguages: call.acceptLanguages,
    memory,
  });
  await rememberShown(deps.memory?.store(), sessionKey, result.redFlagsShown, deps.logger);
  return { response: result.response, audit: result.audit };
}

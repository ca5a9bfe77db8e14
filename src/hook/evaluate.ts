import type { GatheredRecord } from '../fhir/gather';
import type { RedFlagsShown } from '../store/order-session';
import type { CdsServiceDefinition } from './catalogue';
import type { HookRequest } from './hook-request';
import type { CdsResponse } from '../render/cds-response';

/** Everything a decision needs: which service and hook was called, and the gathered patient record. */
export interface HookEvaluation {
  readonly service: CdsServiceDefinition;
  readonly request: HookRequest;
  readonly record: GatheredRecord;
  /** Preferred languages from the request's Accept-Language header, best first (may be empty). */
  readonly acceptLanguages: readonly string[];
  /**
   * What the store remembers about this patient: when the GP last answered "not now" to the recommendation, and
   * (on an order hook) when red flags were last shown in this order session (RW-10).
   */
  readonly memory?: { readonly notNowAt?: Date; readonly redFlagsShown?: RedFlagsShown };
}

/** The answer to the client, and what the audit trail keeps about how it was reached. */
export interface EvaluationResult {
  readonly response: CdsResponse;
  /** Every rule that fired, also those without a card of their own. */
  readonly ruleIds: readonly string[];
  readonly rulesetVersion?: string;
  /** Red flags shown on an unrelated order: the order session remembers them (RW-10). */
  readonly redFlagsShown?: RedFlagsShown;
}

/** Turns a validated request and its gathered record into the cards to return. Pure apart from clock/ids. */
export type HookEvaluator = (evaluation: HookEvaluation) => EvaluationResult | Promise<EvaluationResult>;

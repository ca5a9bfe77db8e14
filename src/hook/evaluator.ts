import type { Finding, Locale } from '../clinical/finding';
import { renderCards } from '../render/cards';
import type { CdsCard, CdsResponse } from '../render/cds-response';
import type { RedFlagsShown } from '../store/order-session';
import type { AuditCard, AuditRecord } from '../store/store';
import { analyser } from './analyse';
import type { AnalyserDeps, AnalysisInput } from './analyse';
import type { CdsServiceDefinition } from './catalogue';

/**
 * The evaluation of one hook call: the CPU part between gathering and answering, pure apart from clock and ids.
 * The Decision of analyse.ts, rendered as cards in the clinician's language with what the store remembers of the
 * patient ("not now", RW-10), and the audit summary of that Decision. This is what evaluation/ runs on its worker
 * threads ("evaluate" means this and nothing else in hook/); pipeline.ts runs the whole call around it.
 */

/** Everything a decision needs: which service and hook was called, and the gathered patient record. */
export interface HookEvaluation extends AnalysisInput {
  readonly service: CdsServiceDefinition;
  /**
   * What the store remembers about this patient: when the GP last answered "not now" to the recommendation, and
   * (on an order hook) when red flags were last shown in this order session (RW-10).
   */
  readonly memory?: { readonly notNowAt?: Date; readonly redFlagsShown?: RedFlagsShown };
}

/** What the audit trail keeps about how an answer was reached: rule set, every rule that fired, each card. */
export type HookAudit = Pick<AuditRecord, 'rulesetVersion' | 'ruleIds' | 'cards'>;

/** The answer to the client, and what the audit trail keeps about how it was reached. */
export interface EvaluationResult {
  readonly response: CdsResponse;
  readonly audit: HookAudit;
  /** Red flags shown on an unrelated order: the order session remembers them (RW-10). */
  readonly redFlagsShown?: RedFlagsShown;
}

/** Turns a validated request and its gathered record into the cards to return. */
export type HookEvaluator = (evaluation: HookEvaluation) => EvaluationResult | Promise<EvaluationResult>;

export interface EvaluatorDeps extends AnalyserDeps {
  readonly newId: () => string;
  /** An absolute URL where the physiotherapist's plan for this patient can be read (the sandbox page), if any. */
  readonly planView?: (patientId: string, locale: Locale) => string;
}

/** A card as the audit trail records it: its rules and their kinds, from the findings the card was made of. */
function auditCard(card: CdsCard, findings: readonly Finding[]): AuditCard {
  return {
    uuid: card.uuid ?? '',
    indicator: card.indicator,
    ruleIds: findings.map((finding) => finding.ruleId),
    kinds: [...new Set(findings.map((finding) => finding.kind))],
    suggestionUuids: (card.suggestions ?? []).flatMap((suggestion) => (suggestion.uuid ? [suggestion.uuid] : [])),
  };
}

export function hookEvaluator(deps: EvaluatorDeps): HookEvaluator {
  const analyse = analyser(deps);
  return async (evaluation) => {
    const { decision, context, locale, referral, programmeSince: since } = await analyse(evaluation);
    const { request } = evaluation;
    const memory = deps.knowledge.ruleset.settings.memory;
    // "Not now" silences the recommendation (never a red flag) for memory.notNowDays days.
    const notNowAt = evaluation.memory?.notNowAt?.getTime();
    const silenced = notNowAt !== undefined && deps.now().getTime() < notNowAt + memory.notNowDays * 86_400_000;
    // RW-10: on an unrelated order, red flags are shown once per order session, unless one is new since.
    const unrelatedOrder = request.hook !== 'patient-view' && decision.unrelatedOrder;
    const redFlagIds = decision.redFlags.map((finding) => finding.ruleId);
    const shown = evaluation.memory?.redFlagsShown;
    const shownInSession =
      unrelatedOrder &&
      shown !== undefined &&
      deps.now().getTime() < shown.at.getTime() + memory.orderSessionMinutes * 60_000 &&
      redFlagIds.every((id) => shown.ruleIds.includes(id));
    const findingsOf = new Map<string, readonly Finding[]>();
    const cards = renderCards(decision, {
      locale,
      links: deps.knowledge.ruleset.settings.links,
      newId: deps.newId,
      exercise: { knowledge: deps.knowledge.exercise, context, ...(referral ? { referral } : {}) },
      overrideReasons: deps.knowledge.overrideReasons,
      ...(deps.planView ? { planView: deps.planView(request.context.patientId, locale) } : {}),
      ...(since === undefined ? {} : { programmeSince: since }),
      recommendationSilenced: silenced,
      // RW-10 (rules/scope.json): an order hook speaks about a physiotherapy referral or lumbar imaging only.
      ...(request.hook === 'patient-view' ? {} : { unrelatedOrder: decision.unrelatedOrder }),
      redFlagsShownInSession: shownInSession,
      onCard: (uuid, findings) => findingsOf.set(uuid, findings),
    });
    return {
      response: { cards },
      audit: {
        rulesetVersion: decision.rulesetVersion,
        ruleIds: decision.findings.map((finding) => finding.ruleId),
        cards: cards.map((card) => auditCard(card, findingsOf.get(card.uuid ?? '') ?? [])),
      },
      ...(unrelatedOrder && !shownInSession && redFlagIds.length > 0
        ? { redFlagsShown: { at: deps.now(), ruleIds: redFlagIds } }
        : {}),
    };
  };
}

import { createReference } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { isoDay } from '../clinical/dates';
import { decide } from '../clinical/decision';
import type { Locale } from '../clinical/finding';
import { LOCALES } from '../clinical/finding';
import { findEpisode } from '../clinical/facts/episode';
import { normaliseRecord } from '../clinical/record';
import type { Knowledge } from '../knowledge';
import { renderCards } from '../render/cards';
import type { HookEvaluator } from './evaluate';
import type { HookRequest } from './hook-request';

export interface ClinicalEvaluatorDeps {
  readonly knowledge: Knowledge;
  /** CDS_LOCALE: used when Accept-Language names no supported language. */
  readonly defaultLocale: Locale;
  /** The evaluation instant; injectable so tests can fix "today". */
  readonly now: () => Date;
  readonly newId: () => string;
}

/**
 * The first supported language of Accept-Language (`nl-BE` counts as `nl`), else the default.
 * @param acceptLanguages - tags from the request, best first
 * @param fallback - CDS_LOCALE
 */
export function chooseLocale(acceptLanguages: readonly string[], fallback: Locale): Locale {
  for (const tag of acceptLanguages) {
    const primary = tag.split('-')[0]?.toLowerCase();
    const locale = LOCALES.find((candidate) => candidate === primary);
    if (locale) {
      return locale;
    }
  }
  return fallback;
}

function draftOrdersOf(request: HookRequest): { orders?: Resource[]; selections?: string[] } {
  if (request.hook === 'patient-view') {
    return {};
  }
  const orders = (request.context.draftOrders.entry ?? [])
    .map((entry) => entry.resource)
    .filter((resource) => resource !== undefined) as unknown as Resource[];
  return { orders, ...(request.hook === 'order-select' ? { selections: request.context.selections } : {}) };
}

/**
 * The decision pipeline of design.md: normalise the gathered record, evaluate the rules, apply the
 * precedence of EV-01, render the cards in the clinician's language.
 */
export function clinicalEvaluator(deps: ClinicalEvaluatorDeps): HookEvaluator {
  const { knowledge } = deps;
  return async ({ request, record, acceptLanguages }) => {
    const { orders, selections } = draftOrdersOf(request);
    const clinical = normaliseRecord({
      hook: request.hook,
      gathered: record,
      terminology: knowledge.terminology,
      now: deps.now(),
      draftOrders: orders,
      selections,
    });
    const findings = await knowledge.ruleset.evaluate(clinical);
    const decision = decide(findings, clinical, knowledge.ruleset.version);
    const locale = chooseLocale(acceptLanguages, deps.defaultLocale);
    const userId = request.context.userId;
    const context = {
      patientReference: createReference(record.patient),
      conditions: findEpisode(clinical, knowledge.ruleset.knowledge).conditions.map((condition) => condition.reference),
      ...(/^Practitioner(Role)?\//.test(userId) ? { author: userId } : {}),
      today: isoDay(clinical.today),
      rulesetVersion: knowledge.ruleset.version,
    };
    const cards = renderCards(decision, {
      locale,
      links: knowledge.ruleset.settings.links,
      newId: deps.newId,
      exercise: { knowledge: knowledge.exercise, context },
    });
    return {
      response: { cards },
      ruleIds: decision.findings.map((finding) => finding.ruleId),
      rulesetVersion: knowledge.ruleset.version,
    };
  };
}

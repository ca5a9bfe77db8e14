import { createReference } from '@medplum/core';
import type { Patient, Reference, Resource, ServiceRequest } from '@medplum/fhirtypes';
import { isoDay } from '../clinical/dates';
import { decide } from '../clinical/decision';
import type { Decision } from '../clinical/decision';
import type { KnowledgeLocale, Locale } from '../clinical/finding';
import { LOCALES } from '../clinical/finding';
import { findEpisode } from '../clinical/facts/episode';
import { normaliseRecord } from '../clinical/record';
import type { ClinicalRecord } from '../clinical/record';
import { draftOrder } from '../clinical/facts/orders';
import type { DraftOrderFact, DraftOrderParams } from '../clinical/facts/orders';
import type { Knowledge } from '../clinical/knowledge';
import type { CarePlanContext } from '../render/careplan';
import type { GatheredRecord } from '../clinical/gathered-record';
import { leaves } from '../clinical/knowledge/rule-schema';
import type { HookRequest } from './hook-request';
import { MEMORY_KEYS, programmeSince } from './programme-memory';

/**
 * Analysing one hook call's record: normalise the gathered record (clinical/record), compute the facts and run the
 * rules (clinical/ruleset), decide (clinical/decision), and find the context the CarePlan needs. Everything up to
 * the Decision; the cards (evaluator.ts) and PlanDefinition/$apply (plan-apply.ts) both start here.
 */

/** What an analysis reads: the validated request, its gathered record and the languages the clinician reads. */
export interface AnalysisInput {
  readonly request: HookRequest;
  readonly record: GatheredRecord;
  /** Preferred languages from the request's Accept-Language header, best first (may be empty). */
  readonly acceptLanguages: readonly string[];
}

export interface AnalyserDeps {
  readonly knowledge: Knowledge;
  /** CDS_LOCALE: used when Accept-Language names no supported language. */
  readonly defaultLocale: Locale;
  /** The evaluation instant; injectable so tests can fix "today". */
  readonly now: () => Date;
  /** CDS_TRANSLATIONS: languages the CarePlan texts also carry; none by default. */
  readonly translations?: readonly KnowledgeLocale[];
}

/** The record without the problems of the memory keys: a CarePlan search that failed hides no red flag. */
function clinicalPart(gathered: GatheredRecord): GatheredRecord {
  const memory = new Set<string>(MEMORY_KEYS);
  return { ...gathered, problems: gathered.problems.filter((problem) => !memory.has(problem.key)) };
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

/** A reference with the Patient's name as display, or without it when the name cannot be read. */
function patientReference(patient: Patient): Reference<Patient> {
  try {
    return createReference(patient);
  } catch {
    return { reference: `Patient/${patient.id ?? ''}` };
  }
}

/** What one evaluation of a patient's record decided, with what the renderers need. */
export interface Analysis {
  readonly decision: Decision;
  readonly context: CarePlanContext;
  readonly locale: Locale;
  /** The selected draft physiotherapy referral the programme was proposed for (order-select/order-sign). */
  readonly referral?: ServiceRequest & { id: string };
  /** A programme (draft or active plan, or a physiotherapy referral) exists in this episode, since this ISO date. */
  readonly programmeSince?: string;
}

/**
 * How TS-11 recognises a physiotherapy referral among the draft orders: the params of its `draftOrder` condition
 * in the rule files, so that the referral a programme goes with is the one the rule saw. Without such a rule no
 * referral is linked to the plan.
 */
function referralParams(ruleset: Knowledge['ruleset']): DraftOrderParams | undefined {
  const rule = ruleset.rules.find((candidate) => candidate.definition.name === 'TS-11');
  const condition = rule && leaves(rule.definition.conditions).find((leaf) => leaf.fact === 'draftOrder');
  return condition?.params === undefined ? undefined : draftOrder.params.parse(condition.params);
}

/** The selected draft physiotherapy referral (order-select/order-sign) the plan goes with, if any. */
function referralOf(
  clinical: ClinicalRecord,
  knowledge: Knowledge,
  params: DraftOrderParams | undefined,
  orders: readonly Resource[] | undefined
) {
  if (params === undefined) {
    return undefined;
  }
  const factKnowledge = knowledge.ruleset.knowledge;
  const fact = draftOrder.compute(
    params,
    { record: clinical, knowledge: factKnowledge, episode: () => findEpisode(clinical, factKnowledge) },
    []
  ) as DraftOrderFact;
  const named = new Set(fact.evidence.map((item) => item.reference));
  return orders?.find(
    (order): order is ServiceRequest & { id: string } =>
      order.resourceType === 'ServiceRequest' && typeof order.id === 'string' && named.has(`ServiceRequest/${order.id}`)
  );
}

/**
 * The decision pipeline of docs/architecture.md up to the Decision: normalise the gathered record, evaluate the
 * rules, apply the precedence of EV-01; and the context of the CarePlan (patient, episode, author, language). The
 * hook's cards and PlanDefinition/$apply both start here.
 */
export function analyser(deps: AnalyserDeps) {
  const { knowledge } = deps;
  const physiotherapyOrder = referralParams(knowledge.ruleset);
  return async ({ request, record: gathered, acceptLanguages }: AnalysisInput): Promise<Analysis> => {
    const { orders, selections } = draftOrdersOf(request);
    const now = deps.now();
    // One resource that cannot be read costs that resource and a data note (clinical/record), not the answer.
    const clinical = normaliseRecord({
      hook: request.hook,
      gathered: clinicalPart(gathered),
      terminology: knowledge.terminology,
      now,
      timeZone: knowledge.ruleset.settings.records.timeZone,
      draftOrders: orders,
      selections,
    });
    const findings = await knowledge.ruleset.evaluate(clinical);
    const decision = decide(findings, clinical, knowledge.ruleset.version);
    const userId = request.context.userId;
    const episode = findEpisode(clinical, knowledge.ruleset.knowledge);
    const context: CarePlanContext = {
      patientReference: patientReference(gathered.patient),
      conditions: episode.conditions.map((condition) => condition.reference),
      ...(/^Practitioner(Role)?\//.test(userId) ? { author: userId } : {}),
      today: isoDay(clinical.today),
      rulesetVersion: knowledge.ruleset.version,
      translations: deps.translations ?? [],
    };
    const memorySettings = {
      ...knowledge.ruleset.settings.memory,
      planUrl: knowledge.exercise.planCanonical.split('|')[0] ?? '',
    };
    const since = programmeSince(
      gathered,
      episode.onsetDay,
      memorySettings,
      knowledge.terminology,
      knowledge.ruleset.knowledge
    );
    const referral = decision.programme ? referralOf(clinical, knowledge, physiotherapyOrder, orders) : undefined;
    return {
      decision,
      context,
      locale: chooseLocale(acceptLanguages, deps.defaultLocale),
      ...(referral ? { referral } : {}),
      ...(since === undefined ? {} : { programmeSince: since }),
    };
  };
}

import { createReference } from '@medplum/core';
import type { Patient, Reference, Resource } from '@medplum/fhirtypes';
import { isoDay } from '../clinical/dates';
import { decide } from '../clinical/decision';
import type { Locale } from '../clinical/finding';
import { LOCALES } from '../clinical/finding';
import { findEpisode } from '../clinical/facts/episode';
import { normaliseRecord } from '../clinical/record';
import type { Knowledge } from '../knowledge';
import { renderCards } from '../render/cards';
import type { DataProblem, GatheredData, GatheredRecord } from '../fhir/gather';
import type { HookEvaluator } from './evaluate';
import type { HookRequest } from './hook-request';
import { MEMORY_KEYS, programmeSince } from './programme-memory';

export interface ClinicalEvaluatorDeps {
  readonly knowledge: Knowledge;
  /** CDS_LOCALE: used when Accept-Language names no supported language. */
  readonly defaultLocale: Locale;
  /** The evaluation instant; injectable so tests can fix "today". */
  readonly now: () => Date;
  readonly newId: () => string;
  /** An absolute URL where the physiotherapist's plan for this patient can be read (the sandbox page), if any. */
  readonly planView?: (patientId: string, locale: Locale) => string;
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

/**
 * The record without the resources that the pipeline cannot read, each reported as a data problem, so that
 * one malformed resource (a `coding` that is not a list, a `null` note) costs the GP that resource and a
 * data-quality note rather than the whole answer. Only called after the full record failed: each resource is
 * tried alone with the Patient, and dropped when that fails.
 */
async function withoutUnreadableResources(
  gathered: GatheredRecord,
  analyse: (record: GatheredRecord) => Promise<unknown>
): Promise<GatheredRecord> {
  const problems: DataProblem[] = [...gathered.problems];
  const data: Record<string, GatheredData> = {};
  const readsAlone = (key: string, entry: GatheredData, resource: Resource) =>
    analyse({ ...gathered, data: { [key]: { ...entry, resources: [resource] } }, problems: [] }).then(
      () => true,
      () => false
    );
  for (const [key, entry] of Object.entries(gathered.data)) {
    if (entry === undefined) {
      continue;
    }
    const readable: Resource[] = [];
    for (const resource of entry.resources) {
      // The Patient is part of every trial record, so it passes with the others or not at all.
      if (resource === gathered.patient || (await readsAlone(key, entry, resource))) {
        readable.push(resource);
      } else {
        problems.push({
          key,
          resourceType: resource.resourceType,
          reason: 'unreadable',
          detail: `${resource.resourceType}/${typeof resource.id === 'string' ? resource.id : '?'} could not be read (a field has the wrong type)`,
        });
      }
    }
    data[key] = {
      ...entry,
      resources: readable,
      complete: entry.complete && readable.length === entry.resources.length,
    };
  }
  return { ...gathered, data, problems };
}

/**
 * The decision pipeline of docs/architecture.md: normalise the gathered record, evaluate the rules, apply the
 * precedence of EV-01, render the cards in the clinician's language.
 */
export function clinicalEvaluator(deps: ClinicalEvaluatorDeps): HookEvaluator {
  const { knowledge } = deps;
  return async (evaluation) => {
    const { request, record: gathered, acceptLanguages } = evaluation;
    const { orders, selections } = draftOrdersOf(request);
    const now = deps.now();
    const analyse = async (record: GatheredRecord) => {
      const clinical = normaliseRecord({
        hook: request.hook,
        gathered: record,
        terminology: knowledge.terminology,
        now,
        timeZone: knowledge.ruleset.settings.records.timeZone,
        draftOrders: orders,
        selections,
      });
      return { clinical, findings: await knowledge.ruleset.evaluate(clinical) };
    };
    const clinicalRecord = clinicalPart(gathered);
    const { clinical, findings } = await analyse(clinicalRecord).catch(async () =>
      analyse(await withoutUnreadableResources(clinicalRecord, analyse))
    );
    const decision = decide(findings, clinical, knowledge.ruleset.version);
    const locale = chooseLocale(acceptLanguages, deps.defaultLocale);
    const userId = request.context.userId;
    const episode = findEpisode(clinical, knowledge.ruleset.knowledge);
    const context = {
      // The fallback keeps the gathered Patient: only other resources are ever dropped.
      patientReference: patientReference(gathered.patient),
      conditions: episode.conditions.map((condition) => condition.reference),
      ...(/^Practitioner(Role)?\//.test(userId) ? { author: userId } : {}),
      today: isoDay(clinical.today),
      rulesetVersion: knowledge.ruleset.version,
    };
    const memory = knowledge.ruleset.settings.memory;
    const memorySettings = { ...memory, planUrl: knowledge.exercise.planCanonical.split('|')[0] ?? '' };
    const since = programmeSince(
      gathered,
      episode.onsetDay,
      memorySettings,
      knowledge.terminology,
      knowledge.ruleset.knowledge
    );
    // "Not now" silences the recommendation (never a red flag) for memory.notNowDays days.
    const notNowAt = evaluation.memory?.notNowAt?.getTime();
    const silenced = notNowAt !== undefined && now.getTime() < notNowAt + memory.notNowDays * 86_400_000;
    const cards = renderCards(decision, {
      locale,
      links: knowledge.ruleset.settings.links,
      newId: deps.newId,
      exercise: { knowledge: knowledge.exercise, context },
      overrideReasons: knowledge.overrideReasons,
      ...(deps.planView ? { planView: deps.planView(request.context.patientId, locale) } : {}),
      ...(since === undefined ? {} : { programmeSince: since }),
      recommendationSilenced: silenced,
      // RW-10 (rules/scope.json): an order hook speaks about a physiotherapy referral or lumbar imaging only.
      ...(request.hook === 'patient-view' ? {} : { unrelatedOrder: decision.unrelatedOrder }),
    });
    return {
      response: { cards },
      ruleIds: decision.findings.map((finding) => finding.ruleId),
      rulesetVersion: knowledge.ruleset.version,
    };
  };
}

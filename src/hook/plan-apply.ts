import { randomUUID } from 'node:crypto';
import type { CarePlan, Reference, Resource } from '@medplum/fhirtypes';
import type { GatherSettings } from '../fhir/gather';
import { gatherRecord } from '../fhir/gather';
import { HttpError, outcome } from '../common/http-error';
import { knowledgeLocale } from '../clinical/finding';
import { buildCarePlan, inEveryLocale, textFields } from '../render/careplan';
import { CAREPLAN_WORDS } from '../render/careplan-words';
import { buildProposal } from '../render/proposal';
import type { Proposal } from '../render/proposal';
import { SERVICES } from './catalogue';
import type { CdsServiceDefinition } from './catalogue';
import { analyser } from './analyse';
import type { EvaluatorDeps } from './evaluator';
import { gatherInputOf, parseHookRequest } from './hook-request';

/**
 * PlanDefinition/$apply (FHIR R4 operation) of the exercise programme: the CarePlan the patient-view hook would
 * propose for the patient, from the same pipeline (prefetch → gather → rules → decision → proposal). The
 * referral and the Goals are contained resources, so the answer is one CarePlan as $apply defines.
 */

export interface PlanApplyInput {
  readonly patientId: string;
  /** The $apply `practitioner` parameter (`Practitioner/…`): the author of the plan. */
  readonly practitioner?: string;
  /** The patient-view prefetch, filled by the caller from its own data (key → resource or Bundle). */
  readonly prefetch: Readonly<Record<string, unknown>>;
  readonly acceptLanguages: readonly string[];
}

export type PlanApplier = (input: PlanApplyInput) => Promise<CarePlan>;

/** The patient-view service: its prefetch is what $apply fills. */
export const APPLY_SERVICE = SERVICES.find((service) => service.hooks.includes('patient-view')) as CdsServiceDefinition;

/** References to the new resources (`urn:uuid:<id>`) become references to contained ones (`#<id>`). */
function contained(proposal: Proposal): CarePlan {
  const own = `urn:uuid:${proposal.carePlan.id ?? ''}`;
  const local = <T extends Reference | undefined>(reference: T): T =>
    reference?.reference?.startsWith('urn:uuid:') === true
      ? { ...reference, reference: reference.reference === own ? '#' : `#${reference.reference.slice(9)}` }
      : reference;
  // A contained answer has no id of its own: the caller stores it, or not.
  const carePlan: CarePlan = { ...proposal.carePlan };
  delete carePlan.id;
  const referral = {
    ...proposal.referral,
    ...(proposal.referral.supportingInfo ? { supportingInfo: proposal.referral.supportingInfo.map(local) } : {}),
  };
  const containedResources: Resource[] = [referral, ...proposal.goals];
  return {
    ...carePlan,
    contained: containedResources,
    ...(carePlan.extension
      ? { extension: carePlan.extension.map((ext) => ({ ...ext, valueReference: local(ext.valueReference) })) }
      : {}),
    ...(carePlan.supportingInfo ? { supportingInfo: carePlan.supportingInfo.map(local) } : {}),
    ...(carePlan.goal ? { goal: carePlan.goal.map(local) } : {}),
  };
}

/**
 * @param deps - the evaluator's dependencies (knowledge, locale, clock, ids, translations)
 * @param settings - gathering limits (only the prefetch is read: there is no fhirServer)
 */
export function planApplier(deps: EvaluatorDeps, settings: GatherSettings): PlanApplier {
  const analyse = analyser(deps);
  return async ({ patientId, practitioner, prefetch, acceptLanguages }) => {
    const request = parseHookRequest(
      {
        hook: 'patient-view',
        hookInstance: randomUUID(),
        context: { userId: practitioner ?? `Patient/${patientId}`, patientId },
        prefetch,
      },
      APPLY_SERVICE
    );
    const gathered = await gatherRecord(APPLY_SERVICE.prefetch, gatherInputOf(request), settings);
    if (!gathered.ok) {
      throw new HttpError(
        404,
        outcome('not-found', [{ expression: 'subject', message: `Patient/${patientId} could not be read` }])
      );
    }
    const {
      decision,
      context,
      locale: cardLocale,
    } = await analyse({
      request,
      record: gathered.record,
      acceptLanguages,
    });
    // The CarePlan texts exist in English and Dutch (a French request gets the English plan).
    const locale = knowledgeLocale(cardLocale);
    if (decision.programme) {
      return contained(buildProposal(decision.programme, deps.knowledge.exercise, context, locale));
    }
    // No programme: an empty draft that says why, so the caller is not left guessing.
    const reasons =
      decision.exercisePlan.blockedBy.length > 0
        ? decision.exercisePlan.blockedBy.join(', ')
        : decision.advice.map((finding) => finding.ruleId).join(', ') || 'no programme rule applies';
    // The plan's header (title, subject, author, addresses) without activities, notes, period or goals.
    const dropped = new Set(['activity', 'note', 'period', 'description', '_description']);
    const header = Object.fromEntries(
      Object.entries(
        buildCarePlan({ findings: [], activities: [], notes: [] }, deps.knowledge.exercise, context, locale)
      ).filter(([key]) => !dropped.has(key))
    );
    return {
      ...header,
      ...textFields(
        'description',
        inEveryLocale((lang) => CAREPLAN_WORDS[lang].notApplicable(reasons)),
        locale,
        context.translations
      ),
    } as CarePlan;
  };
}

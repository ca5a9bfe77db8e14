import { randomUUID } from 'node:crypto';
import type { CarePlan, Goal, Reference, Resource, ServiceRequest } from '@medplum/fhirtypes';
import type { Programme } from '../clinical/programme';
import type { KnowledgeLocale as Locale } from '../clinical/finding';
import type { CdsAction } from './cds-response';
import type { ExerciseKnowledge, GoalDefinition } from '../clinical/knowledge/exercise-knowledge';
import type { CarePlanContext } from './careplan';
import { addWeeks, buildCarePlan, textFields } from './careplan';
import { CAREPLAN_WORDS } from './careplan-words';

/**
 * Everything the GP proposes for a supervised programme: the physiotherapy referral (a new draft, or the draft
 * being ordered), the Goals and the CarePlan based on the referral. New resources get an id and are referenced
 * as `urn:uuid:<id>`, so a client that applies the actions as one FHIR transaction (fullUrl `urn:uuid:<id>`,
 * CDS Hooks 2.0 "actions") resolves the references to the ids its server assigns.
 */

export interface Proposal {
  /** The referral: created when `referralIsNew`, otherwise the draft order with the plan as supporting info. */
  readonly referral: ServiceRequest;
  readonly referralIsNew: boolean;
  readonly goals: readonly Goal[];
  readonly carePlan: CarePlan;
}

const urn = (id: string) => `urn:uuid:${id}`;
const reasonOf = (context: CarePlanContext) =>
  context.conditions.length > 0 ? { reasonReference: context.conditions.map((reference) => ({ reference })) } : {};

/** A proposed Goal of the programme (PlanDefinition.goal), due at the end of the proposed period. */
export function buildGoal(
  definition: GoalDefinition,
  id: string,
  context: CarePlanContext,
  locale: Locale,
  due: string
): Goal {
  return {
    resourceType: 'Goal',
    id,
    lifecycleStatus: 'proposed',
    category: [definition.category],
    description: textFields('text', definition.description, locale, context.translations),
    subject: context.patientReference,
    startDate: context.today,
    target: [{ ...(definition.measure ? { measure: { text: definition.measure } } : {}), dueDate: due }],
    ...(context.conditions.length > 0 ? { addresses: context.conditions.map((reference) => ({ reference })) } : {}),
  } as Goal;
}

/** A new draft referral to a physiotherapist, for the LBP Condition, with the plan as supporting information. */
export function buildReferral(
  knowledge: ExerciseKnowledge,
  id: string,
  context: CarePlanContext,
  locale: Locale,
  carePlan: string
): ServiceRequest {
  return {
    resourceType: 'ServiceRequest',
    id,
    instantiatesCanonical: [knowledge.referral.canonical],
    status: 'draft',
    intent: 'order',
    code: {
      coding: knowledge.referral.code.coding,
      ...textFields('text', knowledge.referral.title, locale, context.translations),
    },
    subject: context.patientReference,
    authoredOn: context.today,
    ...(context.author ? { requester: { reference: context.author } } : {}),
    ...reasonOf(context),
    supportingInfo: [{ reference: carePlan }],
  } as ServiceRequest;
}

/** The draft order with the plan added to its supporting information (once). */
function withPlan(order: ServiceRequest, carePlan: string): ServiceRequest {
  const others = (order.supportingInfo ?? []).filter((info: Reference) => info.reference !== carePlan);
  return { ...order, supportingInfo: [...others, { reference: carePlan }] };
}

/**
 * @param programme - the composed programme
 * @param knowledge - the exercise knowledge
 * @param context - patient, conditions, author, date, translations
 * @param locale - the language of the texts
 * @param order - the draft physiotherapy referral being ordered (order-select/order-sign), if any
 */
export function buildProposal(
  programme: Programme,
  knowledge: ExerciseKnowledge,
  context: CarePlanContext,
  locale: Locale,
  order?: ServiceRequest & { id: string }
): Proposal {
  // UUIDs, because a client resolves `urn:uuid:` references only for UUIDs (RFC 4122) in its transaction.
  const newId = () => randomUUID();
  const carePlanId = newId();
  const referralId = order?.id ?? newId();
  const due = addWeeks(context.today, knowledge.programmeWeeks);
  const goals = knowledge.goals.map((definition) =>
    buildGoal(
      definition,
      newId(),
      context,
      locale,
      definition.dueWeeks ? addWeeks(context.today, definition.dueWeeks) : due
    )
  );
  const carePlan: CarePlan = {
    ...buildCarePlan(programme, knowledge, context, locale, {
      referral: order ? `ServiceRequest/${order.id}` : urn(referralId),
      goals: goals.map((goal) => urn(goal.id as string)),
    }),
    id: carePlanId,
  };
  const referral = order
    ? withPlan(order, urn(carePlanId))
    : buildReferral(knowledge, referralId, context, locale, urn(carePlanId));
  return { referral, referralIsNew: order === undefined, goals, carePlan };
}

/**
 * The actions of the suggestion: create the referral (or update the draft order), the Goals and the CarePlan.
 * CDS Hooks 2.0 asks the client to apply them together, as one transaction.
 */
export function proposalActions(proposal: Proposal, locale: Locale): CdsAction[] {
  const words = CAREPLAN_WORDS[locale];
  const create = (resource: Resource, description: string): CdsAction => ({
    type: 'create',
    description,
    resource,
  });
  return [
    proposal.referralIsNew
      ? create(proposal.referral, words.createReferral)
      : {
          type: 'update',
          description: words.updateReferral,
          resource: proposal.referral,
        },
    ...proposal.goals.map((goal) => create(goal, words.createGoal)),
    create(proposal.carePlan, words.createPlan),
  ];
}

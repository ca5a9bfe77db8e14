import type { ServiceRequest } from '@medplum/fhirtypes';
import type { Decision } from '../clinical/decision';
import type { Programme } from '../clinical/programme';
import type { Finding, Locale } from '../clinical/finding';
import { knowledgeLocale } from '../clinical/finding';
import type { ExerciseKnowledge } from '../clinical/knowledge/exercise-knowledge';
import type { CdsAction, CdsCard, CdsLink, CdsSuggestion } from './cds-response';
import type { CarePlanContext } from './careplan';
import { findingBlock, notEvaluatedLine, startBackLine, SUMMARY_MAX } from './card-lines';
import type { CardFactory } from './card-lines';
import { evidenceList } from './evidence';
import { formatDate } from './format';
import { escapeMarkdown, truncate } from './markdown';
import { MESSAGES, fill } from './messages';
import type { Messages } from './messages';
import { buildProposal, proposalActions } from './proposal';
import { programmeLine } from './programme-line';

/**
 * EV-01 steps 7–9 when no red flag is open: the exercise recommendation (with its CarePlan suggestion) or the
 * TS-10 advice, and the imaging advice on a lumbar imaging order (with a suggestion to cancel it and, where
 * allowed, to propose the exercise programme instead). An existing programme or a recent "not now" means no
 * new proposal.
 */

/** What the advice cards are written from, besides the Decision. */
export interface AdviceOptions {
  readonly locale: Locale;
  readonly newId: () => string;
  /** What the exercise programme is built from: the knowledge resources and the patient's context. */
  readonly exercise: {
    readonly knowledge: ExerciseKnowledge;
    readonly context: CarePlanContext;
    /** The draft physiotherapy referral being ordered (order-select/order-sign): the plan is attached to it. */
    readonly referral?: ServiceRequest & { id: string };
  };
  /** An absolute URL where the physiotherapist's plan (dosing, programme rules) can be read. */
  readonly planView?: string;
  /** A programme (draft or active plan, or a physiotherapy referral) exists in this episode, since this ISO date. */
  readonly programmeSince?: string;
  /** The GP answered "not now" to the recommendation recently: no new one until the window ends. */
  readonly recommendationSilenced?: boolean;
  /** An order hook whose draft order is neither a physiotherapy referral nor lumbar imaging: red flags only. */
  readonly unrelatedOrder?: boolean;
}

/** One answer's advice: what every advice card reads. */
interface Advice {
  readonly decision: Decision;
  readonly options: AdviceOptions;
  readonly card: CardFactory;
  readonly messages: Messages;
  /** The programme to propose: none while one runs or after a recent "not now". */
  readonly programme: Programme | undefined;
  /** "Programme running (since …)" when one exists in this episode. */
  readonly running: string | undefined;
}

function actionDescription(action: CdsAction, messages: Messages): string {
  if (action.resource?.resourceType === 'Goal') {
    return messages.createGoalDescription;
  }
  if (action.resource?.resourceType === 'ServiceRequest') {
    return action.type === 'update' ? messages.updateReferralDescription : messages.createReferralDescription;
  }
  return messages.createPlanDescription;
}

/** The suggestion that creates the CarePlan draft with its Goals and the referral it is based on. */
function carePlanSuggestion(
  programme: Programme,
  options: AdviceOptions,
  label: string,
  recommended: boolean
): CdsSuggestion {
  const { knowledge, context, referral } = options.exercise;
  // The CarePlan texts exist in English and Dutch; a French card carries the English plan until they are translated.
  const planLocale = knowledgeLocale(options.locale);
  const proposal = buildProposal(programme, knowledge, context, planLocale, referral);
  return {
    label,
    uuid: options.newId(),
    ...(recommended ? { isRecommended: true } : {}),
    // The EHR shows each action's description to the GP: in the card's language, without FHIR words.
    actions: proposalActions(proposal, planLocale).map((action) => ({
      ...action,
      description: actionDescription(action, MESSAGES[options.locale]),
    })),
  };
}

function planLinks(options: AdviceOptions): { links?: CdsLink[] } {
  return options.planView
    ? { links: [{ label: MESSAGES[options.locale].planLinkLabel, url: options.planView, type: 'absolute' }] }
    : {};
}

/** The exercise recommendation: the programme in one line, why, the STarT Back line, and the CarePlan to create. */
function recommendationCard(advice: Advice, programme: Programme): CdsCard {
  const { decision, options, card, messages } = advice;
  const { locale } = options;
  const main = programme.findings.find((finding) => finding.effects.includes('programme'));
  const episode = main ? main.title[locale].replace(/^[^(]*\(|\)$/g, '') : '';
  const summary = `${messages.recommendationSummary}${episode ? ` (${episode})` : ''}${messages.colon}${messages.noRedFlags}`;
  const startBack = startBackLine(decision, programme.findings, locale);
  const detail = [
    `**${messages.programme}**${messages.colon}${escapeMarkdown(programmeLine(programme, decision, options.exercise.knowledge, locale))}`,
    '',
    ...evidenceList(main ? [main] : [], locale, new Map()),
    '',
    ...(startBack ? [escapeMarkdown(startBack), ''] : []),
    `${messages.action}${messages.colon}${escapeMarkdown(messages.recommendationAction)}`,
    ...notEvaluatedLine(decision, locale),
  ];
  const recommendation = card('recommendation', 'info', truncate(summary, SUMMARY_MAX), detail, [
    ...programme.findings,
  ]);
  return {
    ...recommendation,
    ...planLinks(options),
    suggestions: [carePlanSuggestion(programme, options, messages.createPlanLabel, true)],
    selectionBehavior: 'at-most-one',
  };
}

/** The recommendation, or (signing another physiotherapy referral while a programme runs) that one runs. */
function programmeCards(advice: Advice): CdsCard[] {
  const { decision, options, card, messages, programme, running } = advice;
  const imaging = decision.imaging;
  if (programme && imaging.length === 0) {
    return [recommendationCard(advice, programme)];
  }
  if (
    decision.programme &&
    options.programmeSince &&
    running &&
    imaging.length === 0 &&
    options.unrelatedOrder === false
  ) {
    // Say so, once, instead of proposing a second programme.
    const summary = `${running}${messages.colon}${messages.noNewProgramme}`;
    return [
      card(
        'recommendation',
        'info',
        truncate(summary, SUMMARY_MAX),
        [`${escapeMarkdown(running)}.`],
        [...decision.programme.findings]
      ),
    ];
  }
  return [];
}

/** TS-10: the self-management advice, one card per advice finding, unless a programme runs or "not now". */
function selfManagementCards(advice: Advice): CdsCard[] {
  const { decision, options, card, messages } = advice;
  const { locale } = options;
  if (options.recommendationSilenced || options.programmeSince !== undefined) {
    return [];
  }
  return decision.advice.map((finding) => {
    const startBack = startBackLine(decision, [finding], locale);
    const detail = [
      ...findingBlock(finding, locale, new Map()),
      ...(startBack ? [escapeMarkdown(startBack), ''] : []),
      escapeMarkdown(messages.selfManagement),
      ...notEvaluatedLine(decision, locale),
    ];
    return card('recommendation', 'info', truncate(messages.adviceSummary, SUMMARY_MAX), detail, [finding]);
  });
}

/** The imaging advice on a lumbar imaging order: cancel it, and where allowed propose the programme instead. */
function imagingCard(advice: Advice, finding: Finding): CdsCard {
  const { decision, options, card, messages, programme, running } = advice;
  const { locale } = options;
  const alternative = programme !== undefined && finding.effects.includes('offer-exercise-alternative');
  // The imaging card stays short: the alternative is named, its programme is one click away (the suggestion).
  const lines = running
    ? [`${escapeMarkdown(running)}.`]
    : alternative
      ? [escapeMarkdown(messages.exerciseAlternative)]
      : [];
  const base = card(
    'imaging',
    'warning',
    truncate(`${messages.imagingSummaryPrefix}${finding.title[locale]}`, SUMMARY_MAX),
    [...findingBlock(finding, locale, new Map()), ...lines],
    [finding, ...(programme?.findings ?? [])]
  );
  const suggestions: CdsSuggestion[] = [
    {
      label: messages.cancelOrderLabel,
      uuid: options.newId(),
      isRecommended: true,
      actions: decision.imagingOrders.map((resourceId) => ({
        type: 'delete' as const,
        description: messages.cancelOrderDescription,
        resourceId,
      })),
    },
  ];
  if (programme && alternative) {
    suggestions.push(carePlanSuggestion(programme, options, messages.exerciseInsteadLabel, false));
  }
  return { ...base, ...(programme ? planLinks(options) : {}), suggestions, selectionBehavior: 'any' };
}

/**
 * The advice part of the cards, in this order: recommendation (or "programme running"), self-management
 * advice, imaging advice.
 * @param decision - what the rules decided (no red flag open)
 * @param options - locale, programme memory, exercise knowledge and id generator
 * @param card - makes a card with its source, override reasons and extension
 */
export function adviceCards(decision: Decision, options: AdviceOptions, card: CardFactory): CdsCard[] {
  const since = options.programmeSince;
  const messages = MESSAGES[options.locale];
  const advice: Advice = {
    decision,
    options,
    card,
    messages,
    programme: since !== undefined || options.recommendationSilenced ? undefined : decision.programme,
    running:
      since === undefined
        ? undefined
        : `${messages.programmeRunning}${since ? ` ${fill(messages.since, { date: formatDate(since, options.locale) })}` : ''}`,
  };
  return [
    ...programmeCards(advice),
    ...selfManagementCards(advice),
    ...decision.imaging.map((finding) => imagingCard(advice, finding)),
  ];
}

import type { Decision } from '../clinical/decision';
import type { Programme } from '../clinical/programme';
import type { DataDetail, Finding, Locale } from '../clinical/finding';
import { knowledgeLocale } from '../clinical/finding';
import type { RulesetSettings } from '../clinical/knowledge/rule-schema';
import type { CdsAction, CdsCard, CdsLink, CdsSuggestion } from './cds-response';
import type { ExerciseKnowledge } from '../clinical/knowledge/exercise-knowledge';
import type { ServiceRequest } from '@medplum/fhirtypes';
import type { CarePlanContext } from './careplan';
import { evidenceList, extensionText, startBackText } from './evidence';
import { formatDate } from './format';
import { buildProposal, proposalActions } from './proposal';
import { escapeMarkdown, truncate } from './markdown';
import { MESSAGES, fill } from './messages';
import type { CardKind, OverrideReasons } from '../clinical/knowledge/override-reasons';
import { programmeLine } from './programme-line';

/**
 * Renders a Decision as CDS Hooks cards a GP reads in ten seconds (docs/architecture.md "Contracts"; docs/integration.md card
 * guidance): red flags in one critical card; otherwise a warning card per exclusion and clearance and one for
 * the precautions; the advice or exercise recommendation; a data-quality card only when missing or unreadable
 * data withholds the plan or could hide a red flag (minor gaps are one "Not evaluated" line). The programme's
 * dosing lives in the CarePlan and behind a link. Rule ids, source tags and references stay in the extension.
 */

export interface RenderOptions {
  readonly locale: Locale;
  readonly links: RulesetSettings['links'];
  readonly newId: () => string;
  /** What the exercise programme is built from: the knowledge resources and the patient's context. */
  readonly exercise: {
    readonly knowledge: ExerciseKnowledge;
    readonly context: CarePlanContext;
    /** The draft physiotherapy referral being ordered (order-select/order-sign): the plan is attached to it. */
    readonly referral?: ServiceRequest & { id: string };
  };
  readonly overrideReasons: OverrideReasons;
  /** An absolute URL where the physiotherapist's plan (dosing, programme rules) can be read. */
  readonly planView?: string;
  /** A programme (draft or active plan, or a physiotherapy referral) exists in this episode, since this ISO date. */
  readonly programmeSince?: string;
  /** The GP answered "not now" to the recommendation recently: no new one until the window ends. */
  readonly recommendationSilenced?: boolean;
  /** An order hook whose draft order is neither a physiotherapy referral nor lumbar imaging: red flags only. */
  readonly unrelatedOrder?: boolean;
  /** RW-10: on an unrelated order, these red flags were already shown in this order session: not again. */
  readonly redFlagsShownInSession?: boolean;
  /** Told the findings of each card made (by its uuid), so the audit trail records them without reading cards. */
  readonly onCard?: (uuid: string, findings: readonly Finding[]) => void;
}

/** Summaries must stay under 140 characters (CDS Hooks 2.0 "Card"). */
const SUMMARY_MAX = 139;

/** Data-quality notes that are one "Not evaluated" line, not a card: they neither withhold the plan nor hide a red flag. */
const MINOR_NOTES = new Set([
  'no-recent-temperature',
  'too-few-weights',
  'lbp-onset-unknown',
  'lbp-onset-uncertain',
  'age-unknown',
  'weight-loss-explained',
]);
/** Stated on the advice or recommendation card as the STarT Back line, never elsewhere (YF-02). */
const START_BACK_NOTE = 'no-start-back';

/** The extension of every card: which rules fired with what evidence, and which rule set decided. */
export interface FindingsExtension {
  readonly ruleId: string;
  readonly kind: Finding['kind'];
  readonly urgency?: Finding['urgency'];
  /** Absent only when the finding rests on missing data alone (e.g. no STarT Back score): never an empty list. */
  readonly evidence?: readonly { readonly reference?: string; readonly text: string; readonly data?: DataDetail }[];
}

function extensionOf(
  findings: readonly Finding[],
  decision: Decision,
  locale: Locale,
  titles: ReadonlyMap<string, string>
) {
  const notes = MESSAGES[locale].notes;
  const described: FindingsExtension[] = findings.map((finding) => {
    // A data-quality finding may rest on notes alone ("no STarT Back score"): those are its evidence.
    const evidence = [
      ...finding.evidence.map((item) => ({
        ...(item.reference ? { reference: item.reference } : {}),
        text: extensionText(item, locale, titles),
        // What could not be read, structured, for audit: the line above is its wording.
        ...(item.data ? { data: item.data } : {}),
      })),
      ...(finding.evidence.length === 0 ? finding.notes.map((note) => ({ text: notes[note] ?? note })) : []),
    ];
    return {
      ruleId: finding.ruleId,
      kind: finding.kind,
      ...(finding.urgency ? { urgency: finding.urgency } : {}),
      ...(evidence.length > 0 ? { evidence } : {}),
    };
  });
  return {
    'org.ruggensteun.findings': described,
    'org.ruggensteun.ruleset': { version: decision.rulesetVersion },
  };
}

/** A finding as a few lines: its title (with the urgency of a red flag), its evidence, its action. */
function findingBlock(finding: Finding, locale: Locale, titles: ReadonlyMap<string, string>): string[] {
  const messages = MESSAGES[locale];
  const urgency = finding.urgency ? ` (${messages.urgency[finding.urgency]})` : '';
  return [
    `**${escapeMarkdown(finding.title[locale])}**${urgency}`,
    '',
    ...evidenceList([finding], locale, titles),
    '',
    ...(finding.action ? [`${messages.action}${messages.colon}${escapeMarkdown(finding.action[locale])}`, ''] : []),
  ];
}

function summaryOf(prefix: string, findings: readonly Finding[], locale: Locale): string {
  const separator = MESSAGES[locale].semicolon;
  return truncate(`${prefix}${findings.map((finding) => finding.title[locale]).join(separator)}`, SUMMARY_MAX);
}

/** The STarT Back line of YF-02, from the score the programme or advice rules read; "not recorded" when unknown. */
function startBackLine(decision: Decision, findings: readonly Finding[], locale: Locale): string | undefined {
  const messages = MESSAGES[locale];
  const score = findings.flatMap((finding) => finding.evidence).find((item) => item.score)?.score;
  if (score) {
    return startBackText(score, messages);
  }
  const unknown = decision.dataQuality.some((quality) => quality.notes.includes(START_BACK_NOTE));
  return unknown ? messages.startBack.notRecorded : undefined;
}

/** "Not evaluated: …" for the minor data gaps, or nothing. */
function notEvaluatedLine(decision: Decision, locale: Locale): string[] {
  const messages = MESSAGES[locale];
  const minor = [...new Set(decision.dataQuality.flatMap((quality) => quality.notes))].filter((note) =>
    MINOR_NOTES.has(note)
  );
  return minor.length > 0
    ? [
        '',
        `_${messages.notEvaluated}${messages.colon}${minor.map((note) => escapeMarkdown(messages.notes[note] ?? note)).join(messages.semicolon)}._`,
      ]
    : [];
}

type CardFactory = (
  kind: CardKind,
  indicator: CdsCard['indicator'],
  summary: string,
  detail: string[],
  findings: readonly Finding[]
) => CdsCard;

/** The suggestion that creates the CarePlan draft with its Goals and the referral it is based on. */
function carePlanSuggestion(
  programme: Programme,
  options: RenderOptions,
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

function actionDescription(action: CdsAction, messages: (typeof MESSAGES)[Locale]): string {
  if (action.resource?.resourceType === 'Goal') {
    return messages.createGoalDescription;
  }
  if (action.resource?.resourceType === 'ServiceRequest') {
    return action.type === 'update' ? messages.updateReferralDescription : messages.createReferralDescription;
  }
  return messages.createPlanDescription;
}

function planLinks(options: RenderOptions): { links?: CdsLink[] } {
  return options.planView
    ? { links: [{ label: MESSAGES[options.locale].planLinkLabel, url: options.planView, type: 'absolute' }] }
    : {};
}

/**
 * EV-01 steps 7–9 when no red flag is open: the exercise recommendation (with its CarePlan suggestion) or the
 * TS-10 advice, and the imaging advice on a lumbar imaging order (with a suggestion to cancel it and, where
 * allowed, to propose the exercise programme instead). An existing programme or a recent "not now" means no
 * new proposal.
 */
function adviceCards(decision: Decision, options: RenderOptions, card: CardFactory): CdsCard[] {
  const { locale } = options;
  const messages = MESSAGES[locale];
  const cards: CdsCard[] = [];
  const since = options.programmeSince;
  const running =
    since === undefined
      ? undefined
      : `${messages.programmeRunning}${since ? ` ${fill(messages.since, { date: formatDate(since, locale) })}` : ''}`;
  const programme = since !== undefined || options.recommendationSilenced ? undefined : decision.programme;
  const imaging = decision.imaging;
  const main = programme?.findings.find((finding) => finding.effects.includes('programme'));
  if (programme && imaging.length === 0) {
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
    cards.push({
      ...recommendation,
      ...planLinks(options),
      suggestions: [carePlanSuggestion(programme, options, messages.createPlanLabel, true)],
      selectionBehavior: 'at-most-one',
    });
  } else if (
    decision.programme &&
    options.programmeSince &&
    running &&
    imaging.length === 0 &&
    options.unrelatedOrder === false
  ) {
    // Signing another physiotherapy referral while a programme runs: say so, once, instead of proposing a second one.
    const summary = `${running}${messages.colon}${messages.noNewProgramme}`;
    cards.push(
      card(
        'recommendation',
        'info',
        truncate(summary, SUMMARY_MAX),
        [`${escapeMarkdown(running)}.`],
        [...decision.programme.findings]
      )
    );
  }
  if (!options.recommendationSilenced && since === undefined) {
    for (const advice of decision.advice) {
      const startBack = startBackLine(decision, [advice], locale);
      const detail = [
        ...findingBlock(advice, locale, new Map()),
        ...(startBack ? [escapeMarkdown(startBack), ''] : []),
        escapeMarkdown(messages.selfManagement),
        ...notEvaluatedLine(decision, locale),
      ];
      cards.push(card('recommendation', 'info', truncate(messages.adviceSummary, SUMMARY_MAX), detail, [advice]));
    }
  }
  for (const finding of imaging) {
    // The imaging card stays short: the alternative is named, its programme is one click away (the suggestion).
    const lines = running
      ? [`${escapeMarkdown(running)}.`]
      : programme && finding.effects.includes('offer-exercise-alternative')
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
    if (programme && finding.effects.includes('offer-exercise-alternative')) {
      suggestions.push(carePlanSuggestion(programme, options, messages.exerciseInsteadLabel, false));
    }
    cards.push({ ...base, ...(programme ? planLinks(options) : {}), suggestions, selectionBehavior: 'any' });
  }
  return cards;
}

/**
 * @param decision - what the rules decided for this patient
 * @param options - locale, guideline links, override reasons, memory and id generator
 */
export function renderCards(decision: Decision, options: RenderOptions): CdsCard[] {
  const { locale } = options;
  const messages = MESSAGES[locale];
  const titles = new Map(decision.findings.map((finding) => [finding.ruleId, finding.title[locale]]));
  const sourceOf = (findings: readonly Finding[]) => {
    const link = options.links[findings[0]?.link ?? 'default'] ?? options.links.default;
    return { label: link?.label ?? 'Ruggensteun', ...(link ? { url: link.url } : {}) };
  };
  const card: CardFactory = (kind, indicator, summary, detail, findings) => {
    const uuid = options.newId();
    options.onCard?.(uuid, findings);
    return {
      uuid,
      summary,
      detail: detail
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
        .trim(),
      indicator,
      source: sourceOf(findings),
      // Each kind of card offers only the dismissal reasons that make sense for it; the usage report counts them.
      overrideReasons: options.overrideReasons.forKind(kind, locale),
      extension: extensionOf(findings, decision, locale, titles),
    };
  };

  const serious = decision.dataQuality.filter((quality) =>
    quality.notes.some((note) => !MINOR_NOTES.has(note) && note !== START_BACK_NOTE)
  );
  const qualityCards = () =>
    serious.map((quality) => {
      const notes = quality.notes.filter((note) => !MINOR_NOTES.has(note) && note !== START_BACK_NOTE);
      const detail = [
        ...notes.map((note) => `- ${escapeMarkdown(messages.notes[note] ?? note)}`),
        '',
        // Every item that could not be read is named: the GP checks each one in the chart.
        ...evidenceList(
          [{ ...quality, evidence: quality.evidence.filter((item) => item.kind === 'data') }],
          locale,
          titles,
          Number.POSITIVE_INFINITY
        ),
        '',
        messages.dataQualityFooter,
      ];
      return card('data-quality', 'warning', truncate(messages.dataQualitySummary, SUMMARY_MAX), detail, [quality]);
    });
  if (!decision.inScope) {
    // Out of scope (e.g. no low back pain diagnosis) is only a safe silence when the record was obtained: when
    // part of it could not be read, the GP is told, or the silence would read as an all-clear.
    const dataMissing = decision.dataQuality.some((quality) => quality.notes.includes('data-not-obtained'));
    return dataMissing ? qualityCards() : [];
  }
  const cards: CdsCard[] = [];
  const others = [...decision.exclusions, ...decision.clearances, ...decision.softFlags, ...decision.precautions];
  if (decision.redFlags.length > 0 && options.unrelatedOrder && options.redFlagsShownInSession) {
    return qualityCards();
  }
  if (decision.redFlags.length > 0) {
    // One critical card: the clinician must act on it; what else was found is one line, not more cards.
    const prefix =
      messages.redFlagSummary[decision.redFlags.some((flag) => flag.urgency === 'IMMEDIATE') ? 'IMMEDIATE' : 'URGENT'];
    const detail = [
      ...decision.redFlags.flatMap((finding) => findingBlock(finding, locale, titles)),
      `**${messages.noProgramme}**`,
      ...(others.length > 0
        ? [
            '',
            `${messages.alsoNoted}${messages.colon}${others.map((finding) => escapeMarkdown(finding.title[locale])).join(messages.semicolon)}.`,
          ]
        : []),
    ];
    cards.push(
      card('red-flag', 'critical', summaryOf(prefix, decision.redFlags, locale), detail, [
        ...decision.redFlags,
        ...others,
      ])
    );
    cards.push(...qualityCards());
    return cards;
  }
  if (options.unrelatedOrder) {
    // RW-10: a prescription or a lab order is not about back pain; only a red flag (above) or missing data is said.
    return qualityCards();
  }
  // Each exclusion and clearance is its own decision for the GP: one card each.
  const blocking = [
    ...decision.exclusions.map((finding) => ({ finding, prefix: messages.exclusionSummary })),
    ...decision.clearances.map((finding) => ({ finding, prefix: messages.clearanceSummary })),
  ];
  for (const { finding, prefix } of blocking) {
    cards.push(
      card('exclusion', 'warning', summaryOf(prefix, [finding], locale), findingBlock(finding, locale, titles), [
        finding,
      ])
    );
  }
  const cautions = [...decision.softFlags, ...decision.precautions];
  // The footer promises a programme only when one is actually proposed on this answer (no contradiction).
  const advice = adviceCards(decision, options, card);
  const proposes = advice.some((item) =>
    item.suggestions?.some((suggestion) => suggestion.actions?.some((action) => action.type === 'create'))
  );
  if (cautions.length > 0) {
    const detail = [
      ...cautions.flatMap((finding) => findingBlock(finding, locale, titles)),
      ...(proposes ? [messages.precautionFooter] : []),
    ];
    cards.push(
      card('precaution', 'warning', summaryOf(messages.precautionSummary, cautions, locale), detail, cautions)
    );
  }
  cards.push(...advice);
  if (advice.length === 0 && cards.length > 0 && serious.length === 0) {
    // The minor gaps go on the card they concern; with no advice card that is the last warning.
    const last = cards[cards.length - 1] as CdsCard;
    cards[cards.length - 1] = {
      ...last,
      detail: [last.detail ?? '', ...notEvaluatedLine(decision, locale)].join('\n').trim(),
    };
  }
  cards.push(...qualityCards());
  return cards;
}

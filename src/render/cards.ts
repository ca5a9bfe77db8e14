import type { Decision, Programme } from '../clinical/decision';
import type { Evidence, Finding, Locale } from '../clinical/finding';
import type { RulesetSettings } from '../clinical/ruleset';
import type { CdsCard, CdsCoding, CdsSuggestion } from '../cds/response';
import type { ExerciseKnowledge } from '../fhir/exercise-knowledge';
import type { ServiceRequest } from '@medplum/fhirtypes';
import type { CarePlanContext } from './careplan';
import { activityText } from './careplan';
import { buildProposal, proposalActions } from './proposal';
import { escapeMarkdown, truncate } from './markdown';
import type { Messages } from './messages';
import { MESSAGES } from './messages';

/**
 * Renders a Decision as CDS Hooks cards (design.md "Contracts"): red flags in one critical card; otherwise
 * a warning card per exclusion and clearance and one for the precautions; an info card for data quality.
 * Every card carries a uuid, the guideline it cites, and the findings with their evidence as an extension.
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
}

const OVERRIDE_SYSTEM = 'https://ruggensteun.org/fhir/CodeSystem/override-reason';
const OVERRIDE_CODES = ['patient-declines', 'already-in-therapy', 'not-relevant-now', 'other'] as const;

/** The coded reasons a clinician can give for not following a suggestion (CDS Hooks 2.0 overrideReasons). */
export function overrideReasons(locale: Locale): CdsCoding[] {
  return OVERRIDE_CODES.map((code) => ({
    system: OVERRIDE_SYSTEM,
    code,
    display: MESSAGES[locale].overrideReasons[code],
  }));
}

/** The suggestion that creates the CarePlan draft with its Goals and the referral it is based on. */
function carePlanSuggestion(
  programme: Programme,
  options: RenderOptions,
  label: string,
  recommended: boolean
): CdsSuggestion {
  const { knowledge, context, referral } = options.exercise;
  const proposal = buildProposal(programme, knowledge, context, options.locale, referral);
  return {
    label,
    uuid: options.newId(),
    ...(recommended ? { isRecommended: true } : {}),
    actions: proposalActions(proposal, options.locale),
  };
}

function programmeLines(programme: Programme, options: RenderOptions): string[] {
  const messages = MESSAGES[options.locale];
  const lines = programme.activities.map(
    (activity) => `- ${escapeMarkdown(activityText(activity, options.exercise.knowledge)[options.locale])}`
  );
  if (programme.activities.some((activity) => activity.type === 'run-walk')) {
    lines.push('', escapeMarkdown(messages.runWalkQuestions));
  }
  if (programme.activities.some((activity) => activity.type === 'high-intensity')) {
    lines.push('', escapeMarkdown(messages.highIntensityNote));
  }
  for (const id of programme.notes.filter((note) => note === 'TS-28')) {
    const note = options.exercise.knowledge.conditionalNotes.get(id);
    if (note) {
      lines.push('', `${escapeMarkdown(note[options.locale])} (${id})`);
    }
  }
  return lines;
}

/** Summaries must stay under 140 characters (CDS Hooks 2.0 "Card"). */
const SUMMARY_MAX = 139;

/** The extension of every card: which rules fired with what evidence, and which rule set decided. */
export interface FindingsExtension {
  readonly ruleId: string;
  readonly kind: Finding['kind'];
  readonly urgency?: Finding['urgency'];
  readonly evidence: readonly { readonly reference?: string; readonly text: string }[];
}

/** One line of evidence in plain text (for the extension) — unescaped. */
export function evidenceText(item: Evidence, messages: Messages, titles: ReadonlyMap<string, string>): string {
  const labels = messages.evidenceLabels;
  const when = item.date ?? '';
  switch (item.kind) {
    case 'coded':
      return [item.text, item.suspected ? `(${messages.suspected})` : '', when].filter(Boolean).join(' ');
    case 'free-text':
      return `"${item.text ?? ''}" (${messages.freeText}${when ? `, ${when}` : ''})`;
    case 'temperature':
      return `${labels.temperature} ${item.value ?? ''} ${when}`.trim();
    case 'weight-change':
      return `${labels.weightChange} ${item.text ?? ''}: ${item.value ?? ''}`;
    case 'blood-pressure':
      return `${labels.bloodPressure} ${item.value ?? ''} ${when}`.trim();
    case 'age':
      return `${labels.age} ${item.value ?? ''} ${messages.ageUnit}`;
    case 'corticosteroids':
      return `${item.text ?? ''} (${item.value ?? ''})`;
    case 'rule':
      return `${item.text ?? ''}: ${titles.get(item.text ?? '') ?? ''}`;
    case 'data':
      return item.text ?? '';
  }
}

/** Evidence as a Markdown list item: record text escaped, the resource reference in code style. */
function evidenceLine(item: Evidence, messages: Messages, titles: ReadonlyMap<string, string>): string {
  const reference = item.reference ? ` — \`${item.reference.replace(/`/g, '')}\`` : '';
  return `  - ${escapeMarkdown(evidenceText(item, messages, titles))}${reference}`;
}

function findingBlock(finding: Finding, locale: Locale, titles: ReadonlyMap<string, string>): string[] {
  const messages = MESSAGES[locale];
  const urgency = finding.urgency && finding.urgency !== 'SOFT' ? `, ${finding.urgency}` : '';
  const soft = finding.urgency === 'SOFT' ? `, ${messages.softFlagLabel}` : '';
  const lines = [`**${escapeMarkdown(finding.title[locale])}** (${finding.ruleId}${urgency}${soft})`, ''];
  if (finding.action) {
    lines.push(`- ${messages.action}: ${escapeMarkdown(finding.action[locale])}`);
  }
  const evidence = finding.evidence.filter((item) => item.kind !== 'rule' || titles.has(item.text ?? ''));
  if (evidence.length > 0) {
    lines.push(`- ${messages.evidence}:`, ...evidence.map((item) => evidenceLine(item, messages, titles)));
  }
  lines.push(`- ${messages.source}: ${escapeMarkdown(finding.source)}`, '');
  return lines;
}

function extensionOf(
  findings: readonly Finding[],
  decision: Decision,
  locale: Locale,
  titles: ReadonlyMap<string, string>
) {
  const messages = MESSAGES[locale];
  const described: FindingsExtension[] = findings.map((finding) => ({
    ruleId: finding.ruleId,
    kind: finding.kind,
    ...(finding.urgency ? { urgency: finding.urgency } : {}),
    evidence: finding.evidence.map((item) => ({
      ...(item.reference ? { reference: item.reference } : {}),
      text: evidenceText(item, messages, titles),
    })),
  }));
  return {
    'org.ruggensteun.findings': described,
    'org.ruggensteun.ruleset': { version: decision.rulesetVersion },
  };
}

function summaryOf(prefix: string, findings: readonly Finding[], locale: Locale): string {
  return truncate(`${prefix}${findings.map((finding) => finding.title[locale]).join('; ')}`, SUMMARY_MAX);
}

type CardFactory = (
  indicator: CdsCard['indicator'],
  summary: string,
  detail: string[],
  findings: readonly Finding[]
) => CdsCard;

/**
 * EV-01 steps 7–9 when no red flag is open: the exercise recommendation (with its CarePlan suggestion) or the
 * TS-10 advice, and the imaging advice on a lumbar imaging order (with a suggestion to cancel it and, where
 * allowed, to propose the exercise programme instead).
 */
function adviceCards(decision: Decision, options: RenderOptions, card: CardFactory): CdsCard[] {
  const { locale } = options;
  const messages = MESSAGES[locale];
  const cards: CdsCard[] = [];
  const programme = decision.programme;
  const imaging = decision.imaging;
  if (programme && imaging.length === 0) {
    const proposed = programme.activities
      .filter((activity) => activity.role === 'proposed')
      .map((activity) => options.exercise.knowledge.activities.get(activity.type)?.title[locale] ?? activity.type);
    const detail = [
      `### ${messages.recommendationHeading}`,
      '',
      escapeMarkdown(messages.recommendationIntro),
      '',
      ...programmeLines(programme, options),
      '',
      escapeMarkdown(messages.recommendationFooter),
    ];
    const recommendation = card(
      'info',
      truncate(`${messages.recommendationSummary}${proposed.join(', ')}`, SUMMARY_MAX),
      detail,
      [...programme.findings]
    );
    cards.push({
      ...recommendation,
      suggestions: [carePlanSuggestion(programme, options, messages.createPlanLabel, true)],
      selectionBehavior: 'at-most-one',
    });
  }
  for (const advice of decision.advice) {
    cards.push(
      card('info', truncate(messages.adviceSummary, SUMMARY_MAX), findingBlock(advice, locale, new Map()), [advice])
    );
  }
  for (const finding of imaging) {
    const base = card(
      'warning',
      truncate(`${messages.imagingSummaryPrefix}${finding.title[locale]}`, SUMMARY_MAX),
      [...findingBlock(finding, locale, new Map()), ...(programme ? ['', ...programmeLines(programme, options)] : [])],
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
    cards.push({ ...base, suggestions, selectionBehavior: 'any' });
  }
  return cards;
}

/**
 * @param decision - what the rules decided for this patient
 * @param options - locale, guideline links and id generator
 */
export function renderCards(decision: Decision, options: RenderOptions): CdsCard[] {
  const { locale } = options;
  const messages = MESSAGES[locale];
  const titles = new Map(decision.findings.map((finding) => [finding.ruleId, finding.title[locale]]));
  const sourceOf = (findings: readonly Finding[]) => {
    const link = options.links[findings[0]?.link ?? 'default'] ?? options.links.default;
    return { label: link?.label ?? 'Ruggensteun', ...(link ? { url: link.url } : {}) };
  };
  const card = (
    indicator: CdsCard['indicator'],
    summary: string,
    detail: string[],
    findings: readonly Finding[]
  ): CdsCard => ({
    uuid: options.newId(),
    summary,
    detail: detail.join('\n').trim(),
    indicator,
    source: sourceOf(findings),
    // Every card can be dismissed with a coded reason, which the usage report counts.
    overrideReasons: overrideReasons(locale),
    extension: extensionOf(findings, decision, locale, titles),
  });

  const qualityCards = () =>
    decision.dataQuality.map((quality) => {
      const detail = [
        `### ${messages.dataQualityHeading}`,
        '',
        ...quality.notes.map((note) => `- ${escapeMarkdown(messages.notes[note] ?? note)}`),
        ...quality.evidence.filter((item) => item.kind === 'data').map((item) => evidenceLine(item, messages, titles)),
        '',
        messages.dataQualityFooter,
      ];
      return card('info', truncate(messages.dataQualitySummary, SUMMARY_MAX), detail, [quality]);
    });
  if (!decision.inScope) {
    // Out of scope (e.g. no low back pain diagnosis) is only a safe silence when the record was obtained: when
    // part of it could not be read, the GP is told, or the silence would read as an all-clear.
    const dataMissing = decision.dataQuality.some((quality) => quality.notes.includes('data-not-obtained'));
    return dataMissing ? qualityCards() : [];
  }
  const cards: CdsCard[] = [];
  const others = [...decision.exclusions, ...decision.clearances, ...decision.softFlags, ...decision.precautions];
  if (decision.redFlags.length > 0) {
    // One critical card: the clinician must act on it; what else was found is listed below, not as more cards.
    const immediate = decision.redFlags.some((flag) => flag.urgency === 'IMMEDIATE');
    const prefix = immediate ? messages.redFlagSummaryImmediate : messages.redFlagSummaryUrgent;
    const detail = [
      `### ${messages.redFlagHeading}`,
      '',
      ...decision.redFlags.flatMap((finding) => findingBlock(finding, locale, titles)),
      `**${messages.noProgramme}**`,
      '',
    ];
    if (others.length > 0) {
      detail.push(
        `${messages.alsoNoted}:`,
        '',
        ...others.map((finding) => `- ${escapeMarkdown(finding.title[locale])} (${finding.ruleId})`)
      );
    }
    cards.push(
      card('critical', summaryOf(prefix, decision.redFlags, locale), detail, [...decision.redFlags, ...others])
    );
  } else {
    // Each exclusion and clearance is its own decision for the GP: one card each.
    const blocking = [
      ...decision.exclusions.map((finding) => ({ finding, prefix: messages.exclusionSummary })),
      ...decision.clearances.map((finding) => ({ finding, prefix: messages.clearanceSummary })),
    ];
    for (const { finding, prefix } of blocking) {
      cards.push(
        card('warning', summaryOf(prefix, [finding], locale), findingBlock(finding, locale, titles), [finding])
      );
    }
    const cautions = [...decision.softFlags, ...decision.precautions];
    if (cautions.length > 0) {
      const detail = [
        `### ${messages.precautionHeading}`,
        '',
        ...cautions.flatMap((finding) => findingBlock(finding, locale, titles)),
        ...(decision.exercisePlan.allowed ? [messages.precautionFooter] : []),
      ];
      cards.push(card('warning', summaryOf(messages.precautionSummary, cautions, locale), detail, cautions));
    }
  }
  if (decision.redFlags.length === 0) {
    cards.push(...adviceCards(decision, options, card));
  }
  cards.push(...qualityCards());
  return cards;
}

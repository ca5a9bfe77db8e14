import type { Decision } from '../clinical/decision';
import type { DataDetail, Finding, Locale } from '../clinical/finding';
import type { RulesetSettings } from '../clinical/knowledge/rule-schema';
import type { CdsCard } from './cds-response';
import { adviceCards } from './advice-cards';
import type { AdviceOptions } from './advice-cards';
import { findingBlock, MINOR_NOTES, notEvaluatedLine, START_BACK_NOTE, SUMMARY_MAX, summaryOf } from './card-lines';
import type { CardFactory } from './card-lines';
import { evidenceList, extensionText } from './evidence';
import { escapeMarkdown, truncate } from './markdown';
import { MESSAGES } from './messages';
import type { OverrideReasons } from '../clinical/knowledge/override-reasons';

/**
 * Renders a Decision as CDS Hooks cards a GP reads in ten seconds (docs/architecture.md "Contracts"; docs/integration.md card
 * guidance): red flags in one critical card; otherwise a warning card per exclusion and clearance and one for
 * the precautions; the advice or exercise recommendation (advice-cards.ts); a data-quality card only when missing
 * or unreadable data withholds the plan or could hide a red flag (minor gaps are one "Not evaluated" line). The
 * programme's dosing lives in the CarePlan and behind a link. Rule ids, source tags and references stay in the
 * extension.
 */

export interface RenderOptions extends AdviceOptions {
  readonly links: RulesetSettings['links'];
  readonly overrideReasons: OverrideReasons;
  /** RW-10: on an unrelated order, these red flags were already shown in this order session: not again. */
  readonly redFlagsShownInSession?: boolean;
  /** Told the findings of each card made (by its uuid), so the audit trail records them without reading cards. */
  readonly onCard?: (uuid: string, findings: readonly Finding[]) => void;
}

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

/** Makes the cards of one answer: uuid, source link, override reasons of the kind, findings extension. */
function cardFactory(decision: Decision, options: RenderOptions, titles: ReadonlyMap<string, string>): CardFactory {
  const { locale } = options;
  const sourceOf = (findings: readonly Finding[]) => {
    const link = options.links[findings[0]?.link ?? 'default'] ?? options.links.default;
    return { label: link?.label ?? 'Ruggensteun', ...(link ? { url: link.url } : {}) };
  };
  return (kind, indicator, summary, detail, findings) => {
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
}

/** The notes of a data-quality finding that deserve a card: neither minor nor the STarT Back line. */
const seriousNotes = (notes: readonly string[]) =>
  notes.filter((note) => !MINOR_NOTES.has(note) && note !== START_BACK_NOTE);

/** A data-quality card per finding with serious notes: each unreadable item is named. */
function qualityCards(decision: Decision, locale: Locale, titles: ReadonlyMap<string, string>, card: CardFactory) {
  const messages = MESSAGES[locale];
  return decision.dataQuality
    .filter((quality) => seriousNotes(quality.notes).length > 0)
    .map((quality) => {
      const detail = [
        ...seriousNotes(quality.notes).map((note) => `- ${escapeMarkdown(messages.notes[note] ?? note)}`),
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
}

/** One critical card: the clinician must act on it; what else was found is one line, not more cards. */
function redFlagCard(decision: Decision, locale: Locale, titles: ReadonlyMap<string, string>, card: CardFactory) {
  const messages = MESSAGES[locale];
  const others = [...decision.exclusions, ...decision.clearances, ...decision.softFlags, ...decision.precautions];
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
  return card('red-flag', 'critical', summaryOf(prefix, decision.redFlags, locale), detail, [
    ...decision.redFlags,
    ...others,
  ]);
}

/** Each exclusion and clearance is its own decision for the GP: one card each. */
function exclusionCards(decision: Decision, locale: Locale, titles: ReadonlyMap<string, string>, card: CardFactory) {
  const messages = MESSAGES[locale];
  const blocking = [
    ...decision.exclusions.map((finding) => ({ finding, prefix: messages.exclusionSummary })),
    ...decision.clearances.map((finding) => ({ finding, prefix: messages.clearanceSummary })),
  ];
  return blocking.map(({ finding, prefix }) =>
    card('exclusion', 'warning', summaryOf(prefix, [finding], locale), findingBlock(finding, locale, titles), [finding])
  );
}

/** The soft flags and precautions in one card; its footer promises a programme only when one is proposed. */
function precautionCards(
  decision: Decision,
  locale: Locale,
  titles: ReadonlyMap<string, string>,
  card: CardFactory,
  advice: readonly CdsCard[]
): CdsCard[] {
  const messages = MESSAGES[locale];
  const cautions = [...decision.softFlags, ...decision.precautions];
  if (cautions.length === 0) {
    return [];
  }
  const proposes = advice.some((item) =>
    item.suggestions?.some((suggestion) => suggestion.actions?.some((action) => action.type === 'create'))
  );
  const detail = [
    ...cautions.flatMap((finding) => findingBlock(finding, locale, titles)),
    ...(proposes ? [messages.precautionFooter] : []),
  ];
  return [card('precaution', 'warning', summaryOf(messages.precautionSummary, cautions, locale), detail, cautions)];
}

/** The cards with the "Not evaluated" line added to the last one. */
function withNotEvaluatedLine(cards: readonly CdsCard[], decision: Decision, locale: Locale): CdsCard[] {
  const last = cards[cards.length - 1] as CdsCard;
  return [
    ...cards.slice(0, -1),
    { ...last, detail: [last.detail ?? '', ...notEvaluatedLine(decision, locale)].join('\n').trim() },
  ];
}

/**
 * @param decision - what the rules decided for this patient
 * @param options - locale, guideline links, override reasons, memory and id generator
 */
export function renderCards(decision: Decision, options: RenderOptions): CdsCard[] {
  const { locale } = options;
  const titles = new Map(decision.findings.map((finding) => [finding.ruleId, finding.title[locale]]));
  const card = cardFactory(decision, options, titles);
  const quality = () => qualityCards(decision, locale, titles, card);
  if (!decision.inScope) {
    // Out of scope (e.g. no low back pain diagnosis) is only a safe silence when the record was obtained: when
    // part of it could not be read, the GP is told, or the silence would read as an all-clear.
    const dataMissing = decision.dataQuality.some((item) => item.notes.includes('data-not-obtained'));
    return dataMissing ? quality() : [];
  }
  if (decision.redFlags.length > 0) {
    // RW-10: on an unrelated order, red flags already shown in this order session are not shown again.
    const shown = options.unrelatedOrder === true && options.redFlagsShownInSession === true;
    return shown ? quality() : [redFlagCard(decision, locale, titles, card), ...quality()];
  }
  if (options.unrelatedOrder) {
    // RW-10: a prescription or a lab order is not about back pain; only a red flag (above) or missing data is said.
    return quality();
  }
  // The uuids follow the order of creation: exclusions, advice, then the precaution card placed before the advice.
  const exclusions = exclusionCards(decision, locale, titles, card);
  const advice = adviceCards(decision, options, card);
  const cards = [...exclusions, ...precautionCards(decision, locale, titles, card, advice), ...advice];
  const serious = decision.dataQuality.some((item) => seriousNotes(item.notes).length > 0);
  // The minor gaps go on the card they concern; with no advice card that is the last warning.
  const finished =
    advice.length === 0 && cards.length > 0 && !serious ? withNotEvaluatedLine(cards, decision, locale) : cards;
  return [...finished, ...quality()];
}

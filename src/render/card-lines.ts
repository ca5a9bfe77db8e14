import type { Decision } from '../clinical/decision';
import type { Finding, Locale } from '../clinical/finding';
import type { CdsCard } from './cds-response';
import { evidenceList, startBackText } from './evidence';
import { escapeMarkdown, truncate } from './markdown';
import { MESSAGES } from './messages';
import type { CardKind } from '../clinical/knowledge/override-reasons';

/**
 * The pieces every kind of card is written with (cards.ts, advice-cards.ts): a finding as a few lines, the
 * summary, the STarT Back line and the "Not evaluated" line of the minor data gaps.
 */

/** Summaries must stay under 140 characters (CDS Hooks 2.0 "Card"). */
export const SUMMARY_MAX = 139;

/** Data-quality notes that are one "Not evaluated" line, not a card: they neither withhold the plan nor hide a red flag. */
export const MINOR_NOTES = new Set([
  'no-recent-temperature',
  'too-few-weights',
  'lbp-onset-unknown',
  'lbp-onset-uncertain',
  'age-unknown',
  'weight-loss-explained',
]);
/** Stated on the advice or recommendation card as the STarT Back line, never elsewhere (YF-02). */
export const START_BACK_NOTE = 'no-start-back';

/** Makes a card of a kind: its uuid, source, override reasons and findings extension are added. */
export type CardFactory = (
  kind: CardKind,
  indicator: CdsCard['indicator'],
  summary: string,
  detail: string[],
  findings: readonly Finding[]
) => CdsCard;

/** A finding as a few lines: its title (with the urgency of a red flag), its evidence, its action. */
export function findingBlock(finding: Finding, locale: Locale, titles: ReadonlyMap<string, string>): string[] {
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

export function summaryOf(prefix: string, findings: readonly Finding[], locale: Locale): string {
  const separator = MESSAGES[locale].semicolon;
  return truncate(`${prefix}${findings.map((finding) => finding.title[locale]).join(separator)}`, SUMMARY_MAX);
}

/** The STarT Back line of YF-02, from the score the programme or advice rules read; "not recorded" when unknown. */
export function startBackLine(decision: Decision, findings: readonly Finding[], locale: Locale): string | undefined {
  const messages = MESSAGES[locale];
  const score = findings.flatMap((finding) => finding.evidence).find((item) => item.score)?.score;
  if (score) {
    return startBackText(score, messages);
  }
  const unknown = decision.dataQuality.some((quality) => quality.notes.includes(START_BACK_NOTE));
  return unknown ? messages.startBack.notRecorded : undefined;
}

/** "Not evaluated: …" for the minor data gaps, or nothing. */
export function notEvaluatedLine(decision: Decision, locale: Locale): string[] {
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

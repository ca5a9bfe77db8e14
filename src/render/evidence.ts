import type { Evidence, Finding, Locale } from '../clinical/finding';
import { dataLine } from './data-lines';
import { formatDate, localiseText } from './format';
import { escapeMarkdown } from './markdown';
import type { Messages } from './messages';
import { MESSAGES, fill } from './messages';

/**
 * The evidence of a finding as a GP reads it: one line per source record (a diagnosis that matched by code and by
 * three phrases in its note is one line, not four), with the matched value or phrase, the kind of record and its
 * date in the GP's language — never a resource reference or a rule id (those stay in the card's extension).
 */

/** How many evidence lines a finding shows before "and N more": a card must read in ten seconds. */
const MAX_LINES = 4;

/** The STarT Back result in YF-02's words: "STarT Back: hoog risico (totaal 7/9, psychosociale subschaal 4/5)". */
export function startBackText(score: NonNullable<Evidence['score']>, messages: Messages): string {
  const words = messages.startBack;
  const distress = score.distress === undefined ? words.subscaleUnknown : `${words.distress} ${score.distress}/5`;
  return `STarT Back: ${words.groups[score.group]} (${words.total} ${score.total}/9, ${distress})`;
}

/** One piece of evidence in words, without its date and record kind (those belong to the line). */
function itemText(item: Evidence, locale: Locale, titles: ReadonlyMap<string, string>): string {
  const messages = MESSAGES[locale];
  const labels = messages.evidenceLabels;
  const value = localiseText(item.value ?? '', locale);
  switch (item.kind) {
    case 'coded':
      return `${item.text ?? ''}${item.suspected ? ` (${messages.suspected})` : ''}${
        item.statusUnclear ? ` (${messages.statusUnclear})` : ''
      }`;
    case 'free-text':
      return `${messages.quotes[0]}${item.text ?? ''}${messages.quotes[1]}`;
    case 'temperature':
      return `${labels.temperature} ${value}${item.unitAssumed ? ` (${messages.unitAssumed})` : ''}`;
    case 'weight-change':
      return `${labels.weightChange} ${localiseText(item.text ?? '', locale)}${value ? `: ${value}` : ''}`.trim();
    case 'blood-pressure':
      return `${labels.bloodPressure} ${value}`;
    case 'age':
      return `${labels.age} ${value} ${messages.ageUnit}`;
    case 'corticosteroids':
      return `${item.text ?? ''}${value ? ` (${value})` : ''}`;
    case 'start-back':
      return item.score ? startBackText(item.score, messages) : 'STarT Back';
    case 'rule':
      return titles.get(item.text ?? '') ?? '';
    case 'data':
      return dataLine(item, locale);
  }
}

/** The source record of a piece of evidence, or the evidence itself when it names none. */
function sourceKey(item: Evidence, index: number): string {
  return item.reference ?? `#${item.kind}:${item.text ?? ''}:${item.value ?? ''}:${index}`;
}

/**
 * The evidence lines of findings, unescaped: one per source record, in order of first appearance, identical
 * texts once. Rule evidence (RF-C) names the rule's title; rules without a title here are left out.
 */
export function evidenceLines(
  findings: readonly Finding[],
  locale: Locale,
  titles: ReadonlyMap<string, string>,
  maxLines = MAX_LINES
): string[] {
  const messages = MESSAGES[locale];
  const groups = new Map<string, Evidence[]>();
  findings
    .flatMap((finding) => finding.evidence)
    // A STarT Back score is the card's own STarT Back line, not evidence.
    .filter((item) => item.kind !== 'start-back' && (item.kind !== 'rule' || titles.has(item.text ?? '')))
    .forEach((item, index) => {
      const key = sourceKey(item, index);
      groups.set(key, [...(groups.get(key) ?? []), item]);
    });
  const lines = [...groups.values()].map((items) => {
    const coded = [
      ...new Set(items.filter((item) => item.kind !== 'free-text').map((item) => itemText(item, locale, titles))),
    ];
    const phrases = [
      ...new Set(items.filter((item) => item.kind === 'free-text').map((item) => itemText(item, locale, titles))),
    ];
    // A phrase alone is quoted; next to a coded display it says where it was found.
    const said = coded.length > 0 ? `${messages.inText}${messages.colon}${phrases.join(', ')}` : phrases.join(', ');
    const text = [...coded, ...(phrases.length > 0 ? [said] : [])].join(messages.semicolon);
    const type = items[0]?.reference?.split('/')[0] ?? '';
    const dates = items
      .map((item) => item.date)
      .filter((date): date is string => date !== undefined)
      .sort();
    const latest = dates.at(-1);
    const where = [messages.recordKinds[type], latest ? formatDate(latest, locale) : undefined].filter(Boolean);
    return where.length > 0 ? `${text} (${where.join(', ')})` : text;
  });
  const unique = [...new Set(lines.filter((line) => line.trim() !== ''))];
  return unique.length > maxLines + 1
    ? [...unique.slice(0, maxLines), fill(messages.more, { n: unique.length - maxLines })]
    : unique;
}

/** Evidence lines as a Markdown list. */
export function evidenceList(
  findings: readonly Finding[],
  locale: Locale,
  titles: ReadonlyMap<string, string>,
  maxLines = MAX_LINES
): string[] {
  return evidenceLines(findings, locale, titles, maxLines).map((line) => `- ${escapeMarkdown(line)}`);
}

/** The plain text of one piece of evidence for the card's extension (audit): as before, with its ISO date. */
export function extensionText(item: Evidence, locale: Locale, titles: ReadonlyMap<string, string>): string {
  const text = itemText(item, locale, titles);
  return item.date ? `${text} ${item.date}` : text;
}

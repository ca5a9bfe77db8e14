/**
 * Free text (docs/clinical-specification.md RW-08, RW-09): concept terms of rules/keywords.json found with the ConText
 * approach (Harkema et al. 2009; the Dutch ContextD, Afzal et al. 2014) in Dutch and English GP notes. The engine
 * lives in ./text/: tokens (normalisation, abbreviations), analysis (sentences, triggers and their scopes, time
 * expressions), term-patterns and terms (concept patterns and their index), mentions (the status of each mention),
 * matcher (per keyword list).
 * This module is the interface the facts use; docs/free-text.md explains the rule files.
 */
import type { DayNumber, Window } from './dates';
import { isWithin } from './dates';
import type { Evidence } from './finding';
import type { TextMatch } from './text/matcher';
import { foldCase } from './text/language';

export type { KeywordMatcher, TextMatch, TextSource } from './text/matcher';
export { COUNTED } from './text/matcher';
export type { MentionStatus, AppliedModifier } from './text/mentions';
export { MENTION_STATUSES } from './text/mentions';

/** Lower-case, strip diacritics, fold whitespace; exported for tests and reuse. */
export function normaliseText(text: string): string {
  return foldCase(text).replace(/\s+/gu, ' ').trim();
}

/**
 * Whether a counted mention fits a rule's time window. The mention's day is its text's day minus the days the text
 * itself names ("vorig jaar koorts" is a year before the note). A historical mention whose time is unknown fits no
 * window; an undated text is taken as written today (an undated finding cannot be shown to be old).
 */
export function mentionInWindow(
  match: TextMatch,
  textDay: DayNumber | undefined,
  today: DayNumber,
  window: Window | undefined
): boolean {
  if (window === undefined) {
    return true;
  }
  if (match.status === 'historical' && match.daysAgo === undefined) {
    return false;
  }
  // An undated text is read as written today: the latest it can be.
  return isWithin((textDay ?? today) - (match.daysAgo ?? 0), today, window);
}

/** True for a mention of the present: not historical unless the text dates it (currentOnly rules). */
export const isCurrentMention = (match: TextMatch): boolean =>
  match.status !== 'historical' || match.daysAgo !== undefined;

/**
 * The evidence of a counted mention: the snippet (which shows the matched phrase with its trigger), suspected for
 * an uncertain mention, and for a non-affirmed one the status with the triggers that decided it, so a reviewer
 * sees why it counted ("historical: «geen», «sinds eergisteren»").
 */
export function mentionEvidence(match: TextMatch): Evidence {
  const triggers = match.modifiers.map((m) => `«${m.trigger}»`).join(', ');
  return {
    kind: 'free-text',
    reference: match.source.reference,
    text: match.snippet,
    ...(match.source.date ? { date: match.source.date } : {}),
    ...(match.status === 'uncertain' ? { suspected: true } : {}),
    ...(match.status === 'affirmed' ? {} : { value: triggers ? `${match.status}: ${triggers}` : match.status }),
  };
}

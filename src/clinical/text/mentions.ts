import type { Analysis, FoundTrigger, TimeExpression } from './analysis';
import type { ModifierCategory, TextLanguage } from './language';
import type { TermHit } from './terms';

/**
 * The ConText status of one concept mention (RW-09). `affirmed`, `uncertain` (counts as suspected) and `historical`
 * (counts when its time fits the rule's window) are findings; `negated`, `hypothetical` and `family` are not.
 */
export type MentionStatus = 'affirmed' | 'negated' | 'historical' | 'hypothetical' | 'family' | 'uncertain';
export const MENTION_STATUSES: readonly MentionStatus[] = [
  'affirmed',
  'negated',
  'historical',
  'hypothetical',
  'family',
  'uncertain',
];

/** A modifier that applied to a mention, with its trigger as written in the record. */
export interface AppliedModifier {
  readonly category: ModifierCategory | 'time';
  readonly trigger: string;
  /** Offsets of the trigger in the text. */
  readonly start: number;
  readonly end: number;
}

export interface Resolution {
  readonly status: MentionStatus;
  readonly modifiers: readonly AppliedModifier[];
  /**
   * Days before the text's date at which the finding was last present, when the text says: 0 for "sinds 3 dagen"
   * (ongoing), 2 for "geen koorts meer sinds eergisteren" (it ended then), 365 for "vorig jaar". Undefined when the
   * text gives no time; a historical mention without a time cannot be placed in a window.
   */
  readonly daysAgo?: number;
}

/** Status priority when several modifiers apply (family > hypothetical > negated > historical > uncertain). */
const PRIORITY: readonly ModifierCategory[] = ['family', 'hypothetical', 'negated', 'historical', 'uncertain'];

function inScope(trigger: FoundTrigger, hit: TermHit): boolean {
  const { scopeFrom, scopeTo } = trigger;
  const covers = (i: number) => i >= scopeFrom && i <= scopeTo;
  const overlapsTrigger = hit.spans.some(([a, b]) => a <= trigger.last && b >= trigger.first);
  return !overlapsTrigger && (covers(hit.first) || covers(hit.last));
}

/** Token range of the part of the sentence around a hit, between commas and terminators ("maar", "but"). */
export function segmentOf(analysis: Analysis, hit: TermHit, from: number, to: number): [number, number] {
  const { tokens, clauseOf } = analysis;
  const clause = clauseOf[hit.first];
  let a = hit.first;
  while (a > from && tokens[a - 1]?.norm !== ',' && clauseOf[a - 1] === clause) {
    a--;
  }
  let b = hit.last;
  while (b < to - 1 && tokens[b + 1]?.norm !== ',' && clauseOf[b + 1] === clauseOf[hit.last]) {
    b++;
  }
  return [a, b];
}

function nearestTime(analysis: Analysis, hit: TermHit): TimeExpression | undefined {
  const sentence = analysis.sentences[hit.sentence];
  if (sentence === undefined) {
    return undefined;
  }
  // The time of the mention's own sentence part, else the nearest one of its sentence ("Partus, 6 weken geleden").
  const [a, b] = segmentOf(analysis, hit, sentence.from, sentence.to);
  const distance = (t: TimeExpression) => Math.min(Math.abs(t.first - hit.last), Math.abs(t.last - hit.first));
  const nearest = (times: readonly TimeExpression[]) =>
    times.reduce<TimeExpression | undefined>(
      (best, t) => (best === undefined || distance(t) < distance(best) ? t : best),
      undefined
    );
  const inSentence = analysis.times.filter((t) => t.sentence === hit.sentence);
  return nearest(inSentence.filter((t) => t.first >= a && t.last <= b)) ?? nearest(inSentence);
}

function hasResolvedMarker(language: TextLanguage, analysis: Analysis, trigger: FoundTrigger, hit: TermHit): boolean {
  const sentence = analysis.sentences[hit.sentence];
  const end = Math.min(sentence?.to ?? 0, hit.last + 4);
  for (let i = trigger.last + 1; i < end; i++) {
    for (const marker of language.resolvedMarkers) {
      if (marker.every((word, k) => analysis.tokens[i + k]?.norm === word)) {
        return true;
      }
    }
  }
  return false;
}

/** Applies the triggers and time expressions of the hit's sentence. */
export function resolve(language: TextLanguage, text: string, analysis: Analysis, hit: TermHit): Resolution {
  const applied = (analysis.triggersBySentence.get(hit.sentence) ?? []).filter((t) => inScope(t, hit));
  const quote = (first: number, last: number) => {
    const start = analysis.tokens[first]?.start ?? 0;
    const end = analysis.tokens[last]?.end ?? start;
    return { trigger: text.slice(start, end), start, end };
  };
  const modifiers: AppliedModifier[] = applied.map((t) => ({
    category: t.trigger.category as ModifierCategory,
    ...quote(t.first, t.last),
  }));
  const time = nearestTime(analysis, hit);
  if (time !== undefined) {
    modifiers.push({ category: 'time', ...quote(time.first, time.last) });
  }
  const categories = new Set(modifiers.map((m) => m.category));
  const top = PRIORITY.find((category) => categories.has(category));
  const timeDays = time === undefined ? undefined : time.kind === 'since' ? 0 : time.days;

  if (top === 'negated') {
    // "geen koorts meer sinds eergisteren": it was there until then, so it is a recent past finding.
    const resolved = applied.some(
      (t) => t.trigger.category === 'negated' && hasResolvedMarker(language, analysis, t, hit)
    );
    return resolved ? { status: 'historical', modifiers, daysAgo: time?.days ?? 0 } : { status: 'negated', modifiers };
  }
  if (top === 'family' || top === 'hypothetical') {
    return { status: top, modifiers };
  }
  if (top === 'historical') {
    return { status: 'historical', modifiers, ...(time?.kind === 'ago' ? { daysAgo: time.days } : {}) };
  }
  if (time?.kind === 'ago' && time.days > language.historicalAfterDays) {
    return { status: 'historical', modifiers, daysAgo: time.days };
  }
  return { status: top === 'uncertain' ? 'uncertain' : 'affirmed', modifiers, daysAgo: timeDays ?? 0 };
}

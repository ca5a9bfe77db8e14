import type { Category, TextLanguage, Trigger } from './language';
import type { Token } from './tokens';
import { findSectionTriggers } from './sections';
import { tokenise } from './tokens';
import type { FoundTrigger, Sentence } from './spans';
export type { FoundTrigger, Sentence } from './spans';

/**
 * The language-level reading of one text, done once per text whatever the number of concept lists: tokens,
 * sentences, the ConText triggers with their scopes (Harkema et al. 2009), and time expressions. Every step is
 * one pass over the tokens; a scope walk is bounded by its sentence and its maxScope, so the cost stays linear.
 */

export interface TimeExpression {
  readonly first: number;
  readonly last: number;
  /** `since`: ongoing since then ("sinds 3 dagen"); `ago`: at that time ("vorig jaar", "3 weken geleden"). */
  readonly kind: 'since' | 'ago';
  readonly days: number;
  readonly sentence: number;
}

export interface Analysis {
  readonly tokens: readonly Token[];
  readonly sentences: readonly Sentence[];
  readonly triggers: readonly FoundTrigger[];
  /** Triggers by sentence, for mentions to look up. */
  readonly triggersBySentence: ReadonlyMap<number, readonly FoundTrigger[]>;
  readonly times: readonly TimeExpression[];
  /**
   * Clause number of every token: a new clause starts at each sentence, comma and terminator ("maar", "but"). The
   * parts of a term stand in one clause ("roodheid keel, rugpijn" is no redness of the back).
   */
  readonly clauseOf: Int32Array;
}

/** True when `phrase` (normalised tokens) stands at token `i`. */
function phraseAt(tokens: readonly Token[], i: number, phrase: readonly string[], end: number): boolean {
  if (i + phrase.length > end) {
    return false;
  }
  for (let k = 0; k < phrase.length; k++) {
    if (tokens[i + k]?.norm !== phrase[k]) {
      return false;
    }
  }
  return true;
}

function anyPhraseAt(
  tokens: readonly Token[],
  i: number,
  phrases: readonly (readonly string[])[] | undefined,
  end: number
): boolean {
  return phrases !== undefined && phrases.some((p) => phraseAt(tokens, i, p, end));
}

function splitSentences(tokens: readonly Token[]): Sentence[] {
  const sentences: Sentence[] = [];
  let from = 0;
  const close = (to: number) => {
    if (to > from) {
      sentences.push({ from, to });
    }
  };
  tokens.forEach((token, i) => {
    if (token.hard) {
      close(i);
      from = i + 1;
    }
  });
  close(tokens.length);
  return sentences;
}

/** Terminator phrases by their first word, per category (every token of a scope is checked against them). */
type TerminatorIndex = ReadonlyMap<Category | 'all', ReadonlyMap<string, readonly (readonly string[])[]>>;
const terminatorIndexes = new WeakMap<TextLanguage, TerminatorIndex>();

function terminatorIndex(language: TextLanguage): TerminatorIndex {
  let index = terminatorIndexes.get(language);
  if (index === undefined) {
    const built = new Map<Category | 'all', Map<string, (readonly string[])[]>>();
    for (const [category, phrases] of language.terminators) {
      const byFirst = new Map<string, (readonly string[])[]>();
      for (const phrase of phrases) {
        const first = phrase[0];
        if (first !== undefined) {
          byFirst.set(first, [...(byFirst.get(first) ?? []), phrase]);
        }
      }
      built.set(category, byFirst);
    }
    index = built;
    terminatorIndexes.set(language, index);
  }
  return index;
}

/** True when a terminator of `category` stands at token `i` (only phrases starting with its word can). */
function terminatorAt(
  index: TerminatorIndex,
  tokens: readonly Token[],
  i: number,
  category: Category | 'all',
  end: number
): boolean {
  const word = tokens[i]?.norm;
  return word !== undefined && anyPhraseAt(tokens, i, index.get(category)?.get(word), end);
}

class ScopeWalker {
  private readonly terminators: TerminatorIndex;

  constructor(
    private readonly language: TextLanguage,
    private readonly tokens: readonly Token[]
  ) {
    this.terminators = terminatorIndex(language);
  }

  isTerminator(i: number, category: Category, end: number): boolean {
    return (
      terminatorAt(this.terminators, this.tokens, i, 'all', end) ||
      terminatorAt(this.terminators, this.tokens, i, category, end)
    );
  }

  /** A comma inside a negated or uncertain list ("geen koorts, rillingen of gewichtsverlies") keeps the scope open. */
  listContinues(comma: number, category: Category, end: number): boolean {
    for (let j = comma + 1; j < Math.min(end, comma + LIST_LOOKAHEAD); j++) {
      const token = this.tokens[j] as Token;
      if (token.isNumber || this.isTerminator(j, category, end)) {
        return false;
      }
      if (this.language.listConjunctions.has(token.norm)) {
        return true;
      }
    }
    return false;
  }

  forward(trigger: Trigger, last: number, end: number): number {
    let words = 0;
    let i = last + 1;
    for (; i < end; i++) {
      const token = this.tokens[i] as Token;
      if (this.isTerminator(i, trigger.category, end)) {
        break;
      }
      const comma = token.norm === ',';
      if (
        comma &&
        (trigger.scope === 'clause' || (trigger.scope === 'list' && !this.listContinues(i, trigger.category, end)))
      ) {
        break;
      }
      if (token.isWord && ++words > trigger.maxScope) {
        break;
      }
    }
    return i - 1;
  }

  backward(trigger: Trigger, first: number, start: number, end: number): number {
    let words = 0;
    let i = first - 1;
    for (; i >= start; i--) {
      const token = this.tokens[i] as Token;
      if ((token.norm === ',' && trigger.scope !== 'sentence') || this.isTerminator(i, trigger.category, end)) {
        break;
      }
      if (token.isWord && ++words > trigger.maxScope) {
        break;
      }
    }
    return i + 1;
  }
}

/** How far (tokens) a list, or the word a trigger requires ("terugkomen" for "bij"), is looked for. */
const LIST_LOOKAHEAD = 30;
const REQUIRES_WINDOW = 20;

function requirementNear(tokens: readonly Token[], trigger: Trigger, first: number, last: number, sentence: Sentence) {
  const from = Math.max(sentence.from, first - REQUIRES_WINDOW);
  const to = Math.min(sentence.to, last + REQUIRES_WINDOW);
  for (let k = from; k < to; k++) {
    if ((k < first || k > last) && anyPhraseAt(tokens, k, trigger.requires, sentence.to)) {
      return true;
    }
  }
  return false;
}

function findTriggers(
  language: TextLanguage,
  tokens: readonly Token[],
  sentences: readonly Sentence[]
): FoundTrigger[] {
  const found: FoundTrigger[] = [];
  const walker = new ScopeWalker(language, tokens);
  sentences.forEach((sentence, index) => {
    const { from, to } = sentence;
    for (let i = from; i < to; i++) {
      const candidates = language.triggers.get((tokens[i] as Token).norm);
      const longest = candidates?.find((c) => phraseAt(tokens, i, c.tokens, to));
      if (longest === undefined) {
        continue;
      }
      const last = i + longest.tokens.length - 1;
      // A word may be a trigger in both directions ("ontkend koorts", "koorts ontkend"): all of the longest apply.
      for (const trigger of candidates ?? []) {
        if (trigger.tokens.length === longest.tokens.length && phraseAt(tokens, i, trigger.tokens, to)) {
          const scoped = scopeOf(walker, trigger, i, last, sentence, tokens);
          if (scoped !== undefined) {
            found.push({ trigger, first: i, last, ...scoped, sentence: index });
          }
        }
      }
      // Longest match first; the words of a trigger (or pseudo trigger) are not read again.
      i = last;
    }
  });
  return found;
}

function scopeOf(
  walker: ScopeWalker,
  trigger: Trigger,
  i: number,
  last: number,
  sentence: Sentence,
  tokens: readonly Token[]
): { scopeFrom: number; scopeTo: number } | undefined {
  const { from, to } = sentence;
  const next = tokens[last + 1];
  const ends = last + 1 >= to || (next !== undefined && !next.isWord);
  const required = trigger.requires.length === 0 || requirementNear(tokens, trigger, i, last, sentence);
  if ((trigger.atEnd && !ends) || !required) {
    return undefined;
  }
  const forward = trigger.direction !== 'backward';
  const backward = trigger.direction !== 'forward';
  return {
    scopeFrom: backward ? walker.backward(trigger, i, from, to) : last + 1,
    scopeTo: forward ? walker.forward(trigger, last, to) : i - 1,
  };
}

const NUMBER = /^\d+(?:[.,]\d+)?$/u;
const YEAR = /^(19|20)\d\d$/u;

function numberValue(language: TextLanguage, word: string): number | undefined {
  if (NUMBER.test(word)) {
    return Number(word.replace(',', '.'));
  }
  return language.time.numbers.get(word);
}

type Point = TextLanguage['time']['points'][number];
const pointIndex = new WeakMap<TextLanguage, Map<string, Point[]>>();

function pointsOf(language: TextLanguage): Map<string, Point[]> {
  let index = pointIndex.get(language);
  if (index === undefined) {
    index = new Map();
    for (const point of language.time.points) {
      const first = point.tokens[0] ?? '';
      index.set(first, [...(index.get(first) ?? []), point]);
    }
    pointIndex.set(language, index);
  }
  return index;
}

function findTimes(
  language: TextLanguage,
  tokens: readonly Token[],
  sentences: readonly Sentence[],
  referenceYear: number | undefined
): TimeExpression[] {
  const { time } = language;
  const found: TimeExpression[] = [];
  sentences.forEach((sentence, index) => {
    const { from, to } = sentence;
    for (let i = from; i < to; i++) {
      const previous = tokens[i - 1];
      const since = previous !== undefined && i - 1 >= from && time.since.has(previous.norm);
      const point = pointsOf(language)
        .get((tokens[i] as Token).norm)
        ?.find((p) => phraseAt(tokens, i, p.tokens, to));
      if (point !== undefined) {
        const last = i + point.tokens.length - 1;
        found.push({
          first: since ? i - 1 : i,
          last,
          kind: since ? 'since' : 'ago',
          days: point.days,
          sentence: index,
        });
        i = last;
        continue;
      }
      const word = (tokens[i] as Token).norm;
      if (YEAR.test(word) && referenceYear !== undefined) {
        const days = Math.max(0, (referenceYear - Number(word)) * 365);
        found.push({ first: since ? i - 1 : i, last: i, kind: since ? 'since' : 'ago', days, sentence: index });
        continue;
      }
      const n = numberValue(language, word);
      const unit = tokens[i + 1] && i + 1 < to ? time.units.get((tokens[i + 1] as Token).norm) : undefined;
      if (n === undefined || unit === undefined) {
        continue;
      }
      const after = tokens[i + 2];
      // "il y a 2 ans": the words that make it a time ago may stand before the number.
      const before = time.agoBefore.find((p) => i - p.length >= from && phraseAt(tokens, i - p.length, p, to));
      const ago = before !== undefined || (after !== undefined && i + 2 < to && time.ago.has(after.norm));
      found.push({
        first: before !== undefined ? i - before.length : since ? i - 1 : i,
        last: ago && before === undefined ? i + 2 : i + 1,
        kind: ago ? 'ago' : 'since',
        days: Math.round(n * unit),
        sentence: index,
      });
      i += ago && before === undefined ? 2 : 1;
    }
  });
  return found;
}

function clausesOf(language: TextLanguage, tokens: readonly Token[], sentences: readonly Sentence[]): Int32Array {
  const clauseOf = new Int32Array(tokens.length).fill(-1);
  const terminators = terminatorIndex(language);
  let clause = 0;
  for (const { from, to } of sentences) {
    clause++;
    for (let i = from; i < to; i++) {
      if ((tokens[i] as Token).norm === ',' || terminatorAt(terminators, tokens, i, 'all', to)) {
        clause++;
      }
      clauseOf[i] = clause;
    }
  }
  return clauseOf;
}

/** Reads a text once: tokens, sentences, triggers with scopes, time expressions. */
export function analyse(language: TextLanguage, text: string, referenceYear?: number): Analysis {
  const tokens = tokenise(language, text);
  const sentences = splitSentences(tokens);
  const triggers = [
    ...findTriggers(language, tokens, sentences),
    ...findSectionTriggers(language, text, tokens, sentences),
  ];
  const triggersBySentence = new Map<number, FoundTrigger[]>();
  for (const trigger of triggers) {
    if (trigger.trigger.category !== 'pseudo') {
      triggersBySentence.set(trigger.sentence, [...(triggersBySentence.get(trigger.sentence) ?? []), trigger]);
    }
  }
  return {
    tokens,
    sentences,
    clauseOf: clausesOf(language, tokens, sentences),
    triggers,
    triggersBySentence,
    times: findTimes(language, tokens, sentences, referenceYear),
  };
}

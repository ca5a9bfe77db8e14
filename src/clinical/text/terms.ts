import type { Analysis } from './analysis';
import type { TextLanguage } from './language';
import type { Alternative, Part, TermSource } from './term-patterns';
import { alternativeAt, compilePart, invalid, lastWordMatches, MIN_STEM_LENGTH } from './term-patterns';
import type { Token } from './tokens';
import { TurnCache } from './turn-cache';

/**
 * The index of the compiled concept terms of every keyword list (term-patterns.ts compiles each pattern): finds the
 * terms whose parts occur in an analysed text, sentence by sentence.
 */

export interface CompiledTerm {
  /** As written in the rule file (for `keyword` in matches). */
  readonly label: string;
  /** The keyword list it belongs to. */
  readonly list: number;
  readonly required: number;
  readonly excludes: readonly Alternative[];
}

export interface TermHit {
  readonly term: number;
  /** Token indices of every part found (required and optional), inclusive ranges. */
  readonly spans: readonly (readonly [number, number])[];
  readonly first: number;
  readonly last: number;
  readonly sentence: number;
}

const NO_PARTS: readonly Part[] = [];
/** Distinct text words whose parts are remembered (for one event-loop turn). */
const WORDS_KEPT = 50_000;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) {
    map.set(key, [value]);
  } else {
    list.push(value);
  }
}

export class TermIndex {
  readonly terms: CompiledTerm[] = [];
  /** Single-word parts by their first MIN_STEM_LENGTH letters (shorter words: by the whole word). */
  private readonly single = new Map<string, Part[]>();
  private readonly multi = new Map<string, Part[]>();
  private readonly compounds: Part[] = [];
  /** Text word → the single-word parts it matches; emptied when a list is added. */
  private wordParts = new TurnCache<string, readonly Part[]>(WORDS_KEPT);

  private readonly terminatorWords: ReadonlySet<string>;
  /** Per list: words that, where they overlap a match, cancel it ("koortslip" is not "koorts"). */
  private readonly excludes = new Map<number, Alternative[]>();

  constructor(
    private readonly language: TextLanguage,
    readonly window: number
  ) {
    this.terminatorWords = new Set(
      [...(language.terminators.get('all') ?? [])].filter((p) => p.length === 1).map((p) => p[0] as string)
    );
  }

  private add(part: Part): void {
    this.wordParts = new TurnCache(WORDS_KEPT);
    const [first, second] = part.alternative.words;
    if (first === undefined) {
      return;
    }
    if (part.alternative.compound) {
      this.compounds.push(part);
    } else if (second === undefined) {
      push(this.single, first.slice(0, MIN_STEM_LENGTH), part);
    } else {
      push(this.multi, first, part);
    }
  }

  /**
   * Adds the terms of one keyword list; all lists share one index, so a text is read once for all of them.
   * @throws TermError naming the bad term (nothing of the list is added then)
   */
  addList(list: number, sources: readonly TermSource[], listExcludes: readonly string[]): void {
    const { language, terminatorWords } = this;
    const seen = new Set<string>();
    const terms: { term: CompiledTerm; parts: Omit<Part, 'term'>[] }[] = [];
    for (const source of sources) {
      const label = typeof source === 'string' ? source : JSON.stringify(source);
      const required = typeof source === 'string' ? source.split('+') : source.all;
      const optional = typeof source === 'string' ? [] : (source.optional ?? []);
      if (required.some((p) => p.trim() === '')) {
        throw invalid(label, 'a "+" group has an empty part');
      }
      const compiled = required.map((p) => compilePart(language, label, p, terminatorWords));
      const key = JSON.stringify(compiled);
      if (seen.has(key)) {
        continue;
      }
      seen.add(key);
      const excludes =
        typeof source === 'string'
          ? []
          : (source.exclude ?? []).flatMap((p) => compilePart(language, label, p, terminatorWords));
      const parts = [
        ...compiled.flatMap((alternatives, index) => alternatives.map((alternative) => ({ index, alternative }))),
        ...optional.flatMap((p) =>
          compilePart(language, label, p, terminatorWords).map((alternative) => ({ index: -1, alternative }))
        ),
      ];
      terms.push({ term: { label, list, required: compiled.length, excludes }, parts });
    }
    const excludes = listExcludes.flatMap((p) => compilePart(language, p, p, terminatorWords));
    this.excludes.set(list, excludes);
    for (const { term, parts } of terms) {
      const index = this.terms.length;
      this.terms.push(term);
      parts.forEach((part) => {
        this.add({ term: index, ...part });
      });
    }
  }

  private partsAt(tokens: readonly Token[], i: number, end: number, onHit: (part: Part, last: number) => void): void {
    const token = tokens[i] as Token;
    if (!token.isWord) {
      return;
    }
    // A hyphenated word is read as its parts and as one word: "lage-rugpijn" = "lage rugpijn" = "lagerugpijn".
    let word = token.norm;
    for (let last = i; ;) {
      this.singleWordsAt(word, last, onHit);
      const next = tokens[last + 1];
      if (!(tokens[last] as Token).joinNext || next === undefined || last + 1 >= end) {
        break;
      }
      word += next.norm;
      last++;
    }
    for (const part of this.multi.get(word) ?? []) {
      const last = alternativeAt(part.alternative, tokens, i, end);
      if (last >= 0) {
        onHit(part, last);
      }
    }
  }

  private singleWordsAt(word: string, last: number, onHit: (part: Part, last: number) => void): void {
    let parts = this.wordParts.get(word);
    if (parts === undefined) {
      parts = this.singleWordParts(word);
      this.wordParts.set(word, parts);
    }
    for (const part of parts) {
      onHit(part, last);
    }
  }

  /** The single-word parts a text word matches, in index order (text words repeat: looked up once a turn). */
  private singleWordParts(word: string): readonly Part[] {
    const parts: Part[] = [];
    // A candidate's word shares the text word's first letters: at most MIN_STEM_LENGTH lookups per word
    // (short candidates such as "L4" are stored whole and may still start a longer word: "L4L5").
    for (let length = 1; length <= Math.min(MIN_STEM_LENGTH, word.length); length++) {
      for (const part of this.single.get(word.slice(0, length)) ?? []) {
        if (lastWordMatches(part.alternative, part.alternative.words[0] ?? '', word)) {
          parts.push(part);
        }
      }
    }
    for (const part of this.compounds) {
      if (word.includes(part.alternative.words[0] ?? '')) {
        parts.push(part);
      }
    }
    return parts.length === 0 ? NO_PARTS : parts;
  }

  private excluded(alternatives: readonly Alternative[], tokens: readonly Token[], from: number, to: number) {
    for (let i = from; i < to; i++) {
      for (const alternative of alternatives) {
        if (alternativeAt(alternative, tokens, i, to) >= 0) {
          return true;
        }
      }
    }
    return false;
  }

  private overlapsExclude(
    excludes: readonly Alternative[],
    tokens: readonly Token[],
    first: number,
    last: number,
    from: number,
    to: number
  ) {
    for (const alternative of excludes) {
      for (let i = Math.max(from, first - alternative.words.length + 1); i <= last; i++) {
        const end = alternativeAt(alternative, tokens, i, to);
        if (end >= first) {
          return true;
        }
      }
    }
    return false;
  }

  /** Every hit of every term, sentence by sentence: one hit per occurrence of a term's first part. */
  find(analysis: Analysis): TermHit[] {
    const { tokens, sentences } = analysis;
    const hits: TermHit[] = [];
    sentences.forEach((sentence, sentenceIndex) => {
      const { from, to } = sentence;
      // Per term, per part index: the spans found, in text order (so the nearest is a binary search away).
      const found = new Map<number, Map<number, Span[]>>();
      for (let i = from; i < to; i++) {
        this.partsAt(tokens, i, to, (part, last) => {
          let byIndex = found.get(part.term);
          if (byIndex === undefined) {
            byIndex = new Map();
            found.set(part.term, byIndex);
          }
          push(byIndex, part.index, { first: i, last });
        });
      }
      for (const [termIndex, byIndex] of found) {
        const term = this.terms[termIndex] as CompiledTerm;
        for (const anchor of byIndex.get(0) ?? []) {
          const spans: [number, number][] = [[anchor.first, anchor.last]];
          for (let index = 1; index <= term.required; index++) {
            // index === term.required stands for the optional parts (stored under -1).
            const key = index === term.required ? -1 : index;
            const nearest = nearestSpan(byIndex.get(key), anchor.first, this.window);
            if (nearest !== undefined) {
              spans.push([nearest.first, nearest.last]);
            } else if (key !== -1) {
              spans.length = 0;
              break;
            }
          }
          if (spans.length === 0) {
            continue;
          }
          if (term.excludes.length > 0 && this.excluded(term.excludes, tokens, from, to)) {
            continue;
          }
          const excludes = this.excludes.get(term.list) ?? [];
          if (excludes.length > 0 && spans.some(([a, b]) => this.overlapsExclude(excludes, tokens, a, b, from, to))) {
            continue;
          }
          const first = Math.min(...spans.map((s) => s[0]));
          const last = Math.max(...spans.map((s) => s[1]));
          // The parts of a term stand in one clause: "roodheid maar rug", "roodheid keel, rugpijn" are no "roodheid+rug".
          if (analysis.clauseOf[first] !== analysis.clauseOf[last]) {
            continue;
          }
          hits.push({ term: termIndex, spans, first, last, sentence: sentenceIndex });
        }
      }
    });
    return hits;
  }
}

interface Span {
  readonly first: number;
  readonly last: number;
}

/** The span nearest to `anchor` (by start) within `window` tokens, from spans sorted by start. */
function nearestSpan(spans: readonly Span[] | undefined, anchor: number, window: number): Span | undefined {
  if (spans === undefined || spans.length === 0) {
    return undefined;
  }
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((spans[mid] as Span).first < anchor) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  const candidates = [spans[lo - 1], spans[lo]].filter((s): s is Span => s !== undefined);
  const best = candidates.sort((a, b) => Math.abs(a.first - anchor) - Math.abs(b.first - anchor))[0];
  return best !== undefined && Math.abs(best.first - anchor) <= window ? best : undefined;
}

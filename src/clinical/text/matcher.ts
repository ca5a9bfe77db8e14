import type { Analysis } from './analysis';
import { analyse } from './analysis';
import type { TextLanguage } from './language';
import type { AppliedModifier, MentionStatus } from './mentions';
import { resolve, segmentOf } from './mentions';
import { makeSnippet, trimSpan } from './snippet';
import type { TermSource } from './term-patterns';
import type { TermHit } from './terms';
import { TermIndex } from './terms';
import { TurnCache } from './turn-cache';

/** A piece of free text from the record. */
export interface TextSource {
  /** e.g. 'Condition/c1' */
  readonly reference: string;
  /** e.g. 'code.text', 'note', 'valueString' */
  readonly field: string;
  readonly text: string;
  /** ISO date of the resource, when known */
  readonly date?: string;
}

/** One mention of a concept, with its ConText status. */
export interface TextMatch {
  /** The term as given in the rule file, e.g. 'koorts' */
  readonly keyword: string;
  /** The matched words as they stand in the text (original spelling/case), e.g. 'Koortsig' */
  readonly matched: string;
  /** The sentence part around the match and its triggers, original text, at most ~80 characters */
  readonly snippet: string;
  readonly source: TextSource;
  readonly status: MentionStatus;
  /** The triggers (and time expression) that decided the status, as written. */
  readonly modifiers: readonly AppliedModifier[];
  /** Days before the text's date the finding was last present, when the text says (see Resolution). */
  readonly daysAgo?: number;
}

/** Keywords compiled once (at rule-load time) and reused for every request. */
export interface KeywordMatcher {
  readonly keywords: readonly string[];
  /** Mentions that count as findings (affirmed, uncertain, historical), in source order then text order. */
  findAll(sources: readonly TextSource[]): TextMatch[];
  /** True when findAll would return at least one match. */
  matchesAny(sources: readonly TextSource[]): boolean;
  /** Every mention with its status, including negated, hypothetical and family ones (evaluation, review). */
  mentions(sources: readonly TextSource[]): TextMatch[];
}

/** Statuses that are findings: an uncertain mention is a suspected finding, a historical one needs its time. */
export const COUNTED: ReadonlySet<MentionStatus> = new Set(['affirmed', 'uncertain', 'historical']);

const GROUP_JOINER = ' … ';

/** Every part of `inner` lies inside a part of `outer`. */
const covers = (outer: TermHit, inner: TermHit) =>
  inner.spans.every(([a, b]) => outer.spans.some(([c, d]) => c <= a && d >= b));

/** A mention as far as its text decides it: everything of a TextMatch but the source. */
type TextMention = Omit<TextMatch, 'source'>;

/**
 * What a lexicon knows about one text string (with its reference year): the mentions of every list that has one,
 * resolved when the text is read, so its tokens and analysis are garbage at once (a record of 10,000 texts kept them
 * all, and the collector spent a third of the time on them). Identical texts of a record share one reading.
 */
interface TextReading {
  readonly mentions: ReadonlyMap<number, readonly TextMention[]>;
}

/** One list's mentions in one source: all of them, and those that count as findings. */
interface SourceMentions {
  readonly all: readonly TextMatch[];
  readonly counted: readonly TextMatch[];
}

/** The reading of one source: its text's reading, and by list number the mentions carrying this source. */
interface SourceReading {
  readonly text: TextReading;
  readonly lists: (SourceMentions | undefined)[];
}

const EMPTY_READING: TextReading = { mentions: new Map() };
const NO_MENTIONS: SourceMentions = { all: [], counted: [] };
/** Readings of text strings are shared for one event-loop turn: enough for a record, and no text outlives it. */
const SHARED_TEXTS = 20_000;
/** From this many sources on, a frozen sources array is indexed by list once, for all lists. */
const INDEXED_SOURCES = 32;
const NO_SOURCES: readonly TextSource[] = [];

/**
 * All keyword lists of the rule files in one index, compiled once at start-up: a text is tokenised, analysed and
 * searched once for every list (linear in its length), and each list then resolves only its own hits.
 */
export class Lexicon {
  readonly index: TermIndex;
  /** The reading of a source, kept as long as the source object lives (the record's lifetime). */
  private readonly readings = new WeakMap<TextSource, SourceReading>();
  /** Text → reference year (NaN: none) → reading. */
  private readonly texts = new TurnCache<string, Map<number, TextReading>>(SHARED_TEXTS);
  /** By frozen sources array (a record's texts), by list number: its sources with hits of that list. */
  private readonly indexes = new WeakMap<readonly TextSource[], (TextSource[] | undefined)[]>();

  constructor(
    readonly language: TextLanguage,
    window: number
  ) {
    this.index = new TermIndex(language, window);
  }

  reading(source: TextSource): SourceReading {
    let reading = this.readings.get(source);
    if (reading === undefined) {
      reading = { text: this.textReading(source), lists: [] };
      this.readings.set(source, reading);
    }
    return reading;
  }

  /**
   * The sources that can mention a list, in their order. Every list asks about all texts of a record, which as a
   * frozen array (it cannot change) is read once and indexed by list: each list then visits only its own sources.
   */
  sourcesFor(sources: readonly TextSource[], list: number): readonly TextSource[] {
    if (sources.length < INDEXED_SOURCES || !Object.isFrozen(sources)) {
      return sources;
    }
    let index = this.indexes.get(sources);
    if (index === undefined) {
      index = [];
      for (const source of sources) {
        for (const withHits of this.reading(source).text.mentions.keys()) {
          (index[withHits] ??= []).push(source);
        }
      }
      this.indexes.set(sources, index);
    }
    return index[list] ?? NO_SOURCES;
  }

  private textReading(source: TextSource): TextReading {
    const parsed = source.date ? Number(source.date.slice(0, 4)) : NaN;
    const year = Number.isFinite(parsed) ? parsed : NaN;
    let byYear = this.texts.get(source.text);
    let reading = byYear?.get(year);
    if (reading !== undefined) {
      return reading;
    }
    const analysis = analyse(this.language, source.text, Number.isNaN(year) ? undefined : year);
    const hitsByList = new Map<number, TermHit[]>();
    for (const hit of this.index.find(analysis)) {
      const list = this.index.terms[hit.term]?.list ?? -1;
      const hits = hitsByList.get(list);
      if (hits === undefined) {
        hitsByList.set(list, [hit]);
      } else {
        hits.push(hit);
      }
    }
    // Most texts mention nothing: they share one empty reading, so a large record stays small in memory.
    reading = EMPTY_READING;
    if (hitsByList.size > 0) {
      const mentions = new Map<number, readonly TextMention[]>();
      for (const [list, hits] of hitsByList) {
        mentions.set(list, this.resolveHits(source.text, analysis, hits));
      }
      reading = { mentions };
    }
    if (byYear === undefined) {
      byYear = new Map();
      this.texts.set(source.text, byYear);
    }
    byYear.set(year, reading);
    return reading;
  }

  private resolveHits(text: string, analysis: Analysis, found: readonly TermHit[]): TextMention[] {
    const language = this.language;
    const hits = [...found].sort((a, b) => a.first - b.first || b.last - a.last || a.term - b.term);
    const matches: { hit: TermHit; match: TextMention }[] = [];
    const kept: { hit: TermHit; status: MentionStatus }[] = [];
    for (const hit of hits) {
      const resolution = resolve(language, text, analysis, hit);
      // A shorter term inside a longer one of the same status adds nothing ("krachtsverlies" in "krachtsverlies been").
      if (kept.some((k) => k.status === resolution.status && covers(k.hit, hit))) {
        continue;
      }
      kept.push({ hit, status: resolution.status });
      matches.push({ hit, match: this.toMatch(text, analysis, hit, resolution) });
    }
    // Longest first for the check above; text order (then list order) for the caller.
    return matches.sort((a, b) => a.hit.first - b.hit.first || a.hit.term - b.hit.term).map((m) => m.match);
  }

  private toMatch(text: string, analysis: Analysis, hit: TermHit, resolution: ReturnType<typeof resolve>): TextMention {
    const { tokens } = analysis;
    const spans = [...hit.spans]
      .sort((a, b) => a[0] - b[0])
      .map(([a, b]) => ({ start: tokens[a]?.start ?? 0, end: tokens[b]?.end ?? 0 }))
      .filter((s, k, all) => k === 0 || s.start !== all[k - 1]?.start);
    // The snippet is the comma-separated part of the sentence around the match, widened to show its triggers.
    const sentence = analysis.sentences[hit.sentence] ?? { from: 0, to: tokens.length };
    const [a, b] = segmentOf(analysis, hit, sentence.from, sentence.to);
    const shown = [...spans, ...resolution.modifiers];
    const focus = {
      start: Math.min(...shown.map((s) => s.start)),
      end: Math.max(...shown.map((s) => s.end)),
    };
    const clauseStart = Math.min(tokens[a]?.start ?? 0, focus.start);
    const clauseEnd = Math.max(tokens[b]?.end ?? text.length, focus.end);
    return {
      keyword: this.index.terms[hit.term]?.label ?? '',
      matched: spans.map((s) => text.slice(s.start, s.end)).join(GROUP_JOINER),
      snippet: makeSnippet(text, trimSpan(text, clauseStart, clauseEnd), focus),
      status: resolution.status,
      modifiers: resolution.modifiers,
      ...(resolution.daysAgo === undefined ? {} : { daysAgo: resolution.daysAgo }),
    };
  }
}

export class ContextMatcher implements KeywordMatcher {
  readonly keywords: readonly string[];

  constructor(
    private readonly lexicon: Lexicon,
    private readonly list: number,
    terms: readonly TermSource[],
    exclude: readonly string[]
  ) {
    lexicon.index.addList(list, terms, exclude);
    this.keywords = Object.freeze(terms.map((t) => (typeof t === 'string' ? t : JSON.stringify(t))));
  }

  mentions(sources: readonly TextSource[]): TextMatch[] {
    const found: TextMatch[] = [];
    for (const source of this.lexicon.sourcesFor(sources, this.list)) {
      found.push(...this.scan(source).all);
    }
    return found;
  }

  findAll(sources: readonly TextSource[]): TextMatch[] {
    const found: TextMatch[] = [];
    for (const source of this.lexicon.sourcesFor(sources, this.list)) {
      found.push(...this.scan(source).counted);
    }
    return found;
  }

  matchesAny(sources: readonly TextSource[]): boolean {
    return this.lexicon.sourcesFor(sources, this.list).some((source) => this.scan(source).counted.length > 0);
  }

  /** The mentions of this list in a source, made once per source (facts ask the same list several times). */
  private scan(source: TextSource): SourceMentions {
    const reading = this.lexicon.reading(source);
    const resolved = reading.text.mentions.get(this.list);
    if (resolved === undefined) {
      return NO_MENTIONS;
    }
    let mentions = reading.lists[this.list];
    if (mentions === undefined) {
      const all = resolved.map((mention) => withSource(mention, source));
      mentions = { all, counted: all.filter((m) => COUNTED.has(m.status)) };
      reading.lists[this.list] = mentions;
    }
    return mentions;
  }
}

/** A text's mention as a match of one source (in TextMatch's field order). */
function withSource(mention: TextMention, source: TextSource): TextMatch {
  const { keyword, matched, snippet, status, modifiers, daysAgo } = mention;
  return {
    keyword,
    matched,
    snippet,
    source,
    status,
    modifiers,
    ...(daysAgo === undefined ? {} : { daysAgo }),
  };
}

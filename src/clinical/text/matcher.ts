import type { Analysis } from './analysis';
import { analyse } from './analysis';
import type { TextLanguage } from './language';
import type { AppliedModifier, MentionStatus } from './mentions';
import { resolve, segmentOf } from './mentions';
import { makeSnippet, trimSpan } from './snippet';
import type { TermHit, TermSource } from './terms';
import { TermIndex } from './terms';

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

/** What a lexicon knows about one text: its analysis, the hits of all lists, and each list's mentions. */
interface TextReading {
  readonly analysis?: Analysis;
  readonly hitsByList: ReadonlyMap<number, readonly TermHit[]>;
  readonly mentions: Map<number, TextMatch[]>;
}

/**
 * All keyword lists of the rule files in one index, compiled once at start-up: a text is tokenised, analysed and
 * searched once for every list (linear in its length), and each list then resolves only its own hits.
 */
const EMPTY_READING: TextReading = { hitsByList: new Map(), mentions: new Map() };

export class Lexicon {
  readonly index: TermIndex;
  /** The reading of a text, kept as long as the text object lives (the record's lifetime). */
  private readonly readings = new WeakMap<TextSource, TextReading>();

  constructor(
    readonly language: TextLanguage,
    window: number
  ) {
    this.index = new TermIndex(language, window);
  }

  reading(source: TextSource): TextReading {
    let reading = this.readings.get(source);
    if (reading === undefined) {
      const year = source.date ? Number(source.date.slice(0, 4)) : undefined;
      const analysis = analyse(this.language, source.text, Number.isFinite(year) ? year : undefined);
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
      // Most texts mention nothing: they keep no analysis, so a large record stays small in memory.
      reading = hitsByList.size === 0 ? EMPTY_READING : { analysis, hitsByList, mentions: new Map() };
      this.readings.set(source, reading);
    }
    return reading;
  }
}

const NO_MATCHES: TextMatch[] = [];

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
    return sources.flatMap((source) => this.scan(source));
  }

  findAll(sources: readonly TextSource[]): TextMatch[] {
    return this.mentions(sources).filter((m) => COUNTED.has(m.status));
  }

  matchesAny(sources: readonly TextSource[]): boolean {
    return sources.some((source) => this.scan(source).some((m) => COUNTED.has(m.status)));
  }

  /** The mentions of this list in a text, resolved once per text (facts ask the same list several times). */
  private scan(source: TextSource): TextMatch[] {
    const reading = this.lexicon.reading(source);
    const hits = reading.hitsByList.get(this.list);
    if (hits === undefined || reading.analysis === undefined) {
      return NO_MATCHES;
    }
    let matches = reading.mentions.get(this.list);
    if (matches === undefined) {
      matches = this.resolveHits(source, reading.analysis, hits);
      reading.mentions.set(this.list, matches);
    }
    return matches;
  }

  private resolveHits(source: TextSource, analysis: Analysis, found: readonly TermHit[]): TextMatch[] {
    const language = this.lexicon.language;
    const hits = [...found].sort((a, b) => a.first - b.first || b.last - a.last || a.term - b.term);
    const matches: { hit: TermHit; match: TextMatch }[] = [];
    const kept: { hit: TermHit; status: MentionStatus }[] = [];
    for (const hit of hits) {
      const resolution = resolve(language, source.text, analysis, hit);
      // A shorter term inside a longer one of the same status adds nothing ("krachtsverlies" in "krachtsverlies been").
      if (kept.some((k) => k.status === resolution.status && covers(k.hit, hit))) {
        continue;
      }
      kept.push({ hit, status: resolution.status });
      matches.push({ hit, match: this.toMatch(source, analysis, hit, resolution) });
    }
    // Longest first for the check above; text order (then list order) for the caller.
    return matches.sort((a, b) => a.hit.first - b.hit.first || a.hit.term - b.hit.term).map((m) => m.match);
  }

  private toMatch(
    source: TextSource,
    analysis: Analysis,
    hit: TermHit,
    resolution: ReturnType<typeof resolve>
  ): TextMatch {
    const { tokens } = analysis;
    const text = source.text;
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
      keyword: this.lexicon.index.terms[hit.term]?.label ?? '',
      matched: spans.map((s) => text.slice(s.start, s.end)).join(GROUP_JOINER),
      snippet: makeSnippet(text, trimSpan(text, clauseStart, clauseEnd), focus),
      source,
      status: resolution.status,
      modifiers: resolution.modifiers,
      ...(resolution.daysAgo === undefined ? {} : { daysAgo: resolution.daysAgo }),
    };
  }
}

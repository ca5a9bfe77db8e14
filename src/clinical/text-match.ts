/**
 * Keyword matching in free text (Condition.code.text, notes, Observation.valueString, …) with negation handling,
 * as specified in docs/clinical-specification.md §2, "General data rules for all flags" (the "Free text" bullet):
 *
 * - Dutch and English keywords, case-insensitive, diacritics ignored ("reumatoïde" = "reumatoide").
 * - A negation word ("geen", "niet", "nooit", "ontkent", "zonder", "no", "not", "denies", "negative for") negates
 *   the keywords that follow it up to the end of its clause; negation words after a keyword do not negate it
 *   ("6 kg afgevallen zonder dieet" is positive).
 * - A clause ends at `.` `;` `:` `!` `?` `,`, a line break, or the words "maar", "wel", "but".
 * - Keyword phrases that contain a negation word ("kan niet plassen") are matched as whole phrases first and are
 *   not negated by their own words.
 * - Safety-first (**DESIGN**): unresolved cases fire, because a false "please confirm" costs a clinician a glance
 *   and a missed red flag can cost a patient.
 *
 * Keywords are compiled once, at rule-load time ({@link compileKeywords}); each request then tokenises every text
 * once and walks the tokens left to right, so the cost is linear in the text length and no regex is built per call.
 */

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

export interface TextMatch {
  /** The keyword as given by the caller (rule file), e.g. 'koorts' */
  readonly keyword: string;
  /** The matched words as they stand in the text (original spelling/case), e.g. 'Koortsig' */
  readonly matched: string;
  /** The clause (or at most ~80 characters) around the match, original text, trimmed, for display */
  readonly snippet: string;
  readonly source: TextSource;
}

/** Keywords compiled once (at rule-load time) and reused for every request. */
export interface KeywordMatcher {
  readonly keywords: readonly string[];
  /** Non-negated matches of any keyword in any source, in source order then text order. */
  findAll(sources: readonly TextSource[]): TextMatch[];
  /** True when findAll would return at least one match (may stop early). */
  matchesAny(sources: readonly TextSource[]): boolean;
}

/** Single-word negations (§2). "denied"/"ontkend" are the past-tense forms a record uses just as often. */
const NEGATION_WORDS: ReadonlySet<string> = new Set([
  'geen',
  'niet',
  'nooit',
  'ontkent',
  'ontkend',
  'zonder',
  'no',
  'not',
  'denies',
  'denied',
]);
/** The two-word negation "negative for" (§2); "negative" alone is not a negation. */
const NEGATION_PAIR_FIRST = 'negative';
const NEGATION_PAIR_SECOND = 'for';

/** Words that end a clause (§2). */
const CLAUSE_WORDS: ReadonlySet<string> = new Set(['maar', 'wel', 'but']);

/**
 * One token per match: group 1 is a word, group 2 a clause-ending mark.
 *
 * Word characters are letters, combining marks (a decomposed "ï" stays in its word), digits, and invisible format
 * characters such as the soft hyphen (they are dropped when normalising, so "koorts\u00ADig" reads "koortsig").
 * A `.` or `,` between two digits belongs to the number, so "38,5" and "38.5" do not end a clause.
 * Clause marks are §2's `. ; : ! ? ,` and line breaks, plus "…" and the full-width forms: an extra boundary only
 * shortens a negation's reach, which errs towards firing.
 * Everything else (spaces, hyphens, brackets, emoji, …) separates words without ending the clause.
 */
const TOKEN_PATTERN =
  /((?:[\p{L}\p{M}\p{N}\p{Cf}]|(?<=\p{N})[.,](?=\p{N}))+)|([.;:!?,…。，；：！？\n\r\v\f\u0085\u2028\u2029])/gu;
const MARKS_AND_FORMAT = /[\p{M}\p{Cf}]/gu;
const WHITESPACE_RUN = /\s+/gu;
const WHITESPACE_CHAR = /^\s$/u;
/** Characters that continue a number: a keyword ending in a digit must not match a longer number. */
const NUMBER_CONTINUATION = /^[\p{N}.,]$/u;
const ENDS_WITH_DIGIT = /\p{N}$/u;
/** What may stand between the words of a keyword: spaces, hyphens/dashes and apostrophes. */
const KEYWORD_SEPARATORS = /^[\s\-\u2010-\u2014'\u2019]*$/u;

/** Longest snippet (before the "…" marks added where the clause was cut). */
const SNIPPET_MAX = 80;
const ELLIPSIS = '…';
/** Joins the parts of a '+' group in {@link TextMatch.matched}. */
const GROUP_JOINER = ' … ';

/**
 * Lower-case, strip diacritics (NFD + remove combining marks), fold whitespace; exported for tests and reuse.
 * Invisible format characters (soft hyphen, zero-width space) are removed as well, as in matching.
 */
export function normaliseText(text: string): string {
  return normaliseWord(text).replace(WHITESPACE_RUN, ' ').trim();
}

/** Lower-case first: some capitals lower-case to a letter plus a combining mark ("İ" → "i̇"), removed next. */
function normaliseWord(word: string): string {
  return word.toLowerCase().normalize('NFD').replace(MARKS_AND_FORMAT, '');
}

interface Token {
  /** Normalised word; '' for a clause mark. */
  readonly norm: string;
  /** Offsets in the original text. */
  readonly start: number;
  readonly end: number;
  readonly isClauseMark: boolean;
}

function tokenise(text: string): Token[] {
  const tokens: Token[] = [];
  // The pattern is shared; matching is synchronous, so resetting it here is enough.
  TOKEN_PATTERN.lastIndex = 0;
  for (let m = TOKEN_PATTERN.exec(text); m !== null; m = TOKEN_PATTERN.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    const word = m[1];
    if (word === undefined) {
      tokens.push({ norm: '', start, end, isClauseMark: true });
      continue;
    }
    const norm = normaliseWord(word);
    // A "word" of only format characters (e.g. a zero-width joiner between emoji) is transparent.
    if (norm !== '') {
      tokens.push({ norm, start, end, isClauseMark: false });
    }
  }
  return tokens;
}

/**
 * The tokens of a record text, kept for as long as the text object lives: the record's texts are scanned once
 * per keyword list (dozens per evaluation) but tokenised once.
 */
const tokenCache = new WeakMap<TextSource, readonly Token[]>();

function tokensOf(source: TextSource): readonly Token[] {
  let tokens = tokenCache.get(source);
  if (tokens === undefined) {
    tokens = tokenise(source.text);
    tokenCache.set(source, tokens);
  }
  return tokens;
}

/** One '+'-separated part of a keyword (a whole keyword when it has no '+'). */
interface Part {
  /** Normalised words, at least one. */
  readonly words: readonly string[];
  readonly keywordIndex: number;
  readonly partIndex: number;
  /** What may follow the last word inside the same text word (see {@link lastWordExtension}). */
  readonly extension: LastWordExtension;
  /**
   * Written with a leading `*` ("*kanker"): the word may also stand at the end of or inside a compound word
   * ("longkanker", "darmkankers"); Dutch builds compounds by putting words in front.
   */
  readonly inCompound: boolean;
}

/**
 * How the last word of a keyword may be extended inside a text word:
 * - `stem`: by anything, so "koorts" matches "koortsig" and "metastase" matches "metastasen";
 * - `number`: by anything but more of the number, so "L4" matches "L4L5" but "L1" does not match "L12", nor "38" "38,5";
 * - `whole`: not at all, for words of one or two letters, which are abbreviations or function words rather than stems
 *   ("no" must not match "nothing", "RA" must not match "radiculair").
 */
type LastWordExtension = 'stem' | 'number' | 'whole';

/** Shortest last word that acts as a stem. */
const MIN_STEM_LENGTH = 3;

function lastWordExtension(word: string): LastWordExtension {
  if (ENDS_WITH_DIGIT.test(word)) {
    return 'number';
  }
  return word.length >= MIN_STEM_LENGTH ? 'stem' : 'whole';
}

interface CompiledKeyword {
  readonly keyword: string;
  readonly partCount: number;
}

interface Span {
  readonly start: number;
  readonly end: number;
}

interface Found {
  readonly keywordIndex: number;
  readonly start: number;
  readonly match: TextMatch;
}

function invalidKeyword(keyword: string, reason: string): Error {
  return new Error(`Invalid keyword ${JSON.stringify(keyword)}: ${reason}`);
}

function compilePartWords(keyword: string, partText: string): string[] {
  const tokens = tokenise(partText);
  const words = tokens.filter((t) => !t.isClauseMark).map((t) => t.norm);
  if (words.length === 0) {
    throw invalidKeyword(keyword, 'it has no letters or digits');
  }
  // Matches never span a clause, so these keywords could never fire: fail at load time instead of silently.
  if (tokens.some((t) => t.isClauseMark)) {
    throw invalidKeyword(keyword, 'it contains a clause mark (. , ; : ! ? or a line break), so it could never match');
  }
  if (words.some((w) => CLAUSE_WORDS.has(w))) {
    throw invalidKeyword(keyword, 'it contains "maar", "wel" or "but", which end a clause, so it could never match');
  }
  // Shorthand such as "anus/bilnaad" or "metastase(n)" would silently match less than its author meant.
  let position = 0;
  for (const token of [...tokens, { start: partText.length, end: partText.length }]) {
    const gap = partText.slice(position, token.start);
    if (!KEYWORD_SEPARATORS.test(gap)) {
      throw invalidKeyword(
        keyword,
        `unsupported character(s) ${JSON.stringify(gap.trim())}; list alternatives as separate keywords`
      );
    }
    position = token.end;
  }
  return words;
}

/**
 * Compile a keyword list (from a rule file) for repeated matching.
 *
 * A keyword is one or more words; `a+b` is an all-of group whose parts must all occur, non-negated, in one clause.
 * Keywords that normalise to the same words are matched once, under the first spelling.
 *
 * @param keywords - Dutch/English keywords as written in the rule file, e.g. `koorts`, `kan niet plassen`, `rood+rug`.
 * @returns A matcher to reuse for every request.
 * @throws Error naming the bad keyword (empty, only punctuation, a '+' group with an empty part, a clause mark or
 *   clause word inside, or shorthand characters such as '/' and '(')
 */
export function compileKeywords(keywords: readonly string[]): KeywordMatcher {
  const compiled: CompiledKeyword[] = [];
  const parts: Part[] = [];
  const seen = new Set<string>();
  for (const keyword of keywords) {
    if (keyword.trim() === '') {
      throw invalidKeyword(keyword, 'it is empty');
    }
    const compounds: boolean[] = [];
    const partWords = keyword.split('+').map((partText) => {
      if (partText.trim() === '') {
        throw invalidKeyword(keyword, 'a "+" group has an empty part');
      }
      const inCompound = partText.trimStart().startsWith('*');
      const words = compilePartWords(keyword, inCompound ? partText.trimStart().slice(1) : partText);
      if (inCompound && words.length > 1) {
        throw invalidKeyword(keyword, 'only a single word can be marked "*" (inside compound words)');
      }
      compounds.push(inCompound);
      return words;
    });
    const key = partWords.map((words, index) => `${compounds[index] ? '*' : ''}${words.join(' ')}`).join('+');
    if (seen.has(key)) {
      continue;
    }
    seen.add(key);
    const keywordIndex = compiled.length;
    compiled.push({ keyword, partCount: partWords.length });
    partWords.forEach((words, partIndex) => {
      const last = words[words.length - 1] ?? '';
      parts.push({
        words,
        keywordIndex,
        partIndex,
        extension: lastWordExtension(last),
        inCompound: compounds[partIndex] === true,
      });
    });
  }
  return new CompiledMatcher(Object.freeze([...keywords]), compiled, parts);
}

function lastWordMatches(part: Part, keywordWord: string, textWord: string): boolean {
  if (textWord.length === keywordWord.length) {
    return textWord === keywordWord;
  }
  // §2 keywords such as "metastase" and "koorts" stand for their inflections ("metastasen", "koortsig").
  if (!textWord.startsWith(keywordWord)) {
    return false;
  }
  switch (part.extension) {
    case 'stem':
      return true;
    case 'number':
      return !NUMBER_CONTINUATION.test(textWord.charAt(keywordWord.length));
    case 'whole':
      return false;
  }
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) {
    map.set(key, [value]);
  } else {
    list.push(value);
  }
}

class CompiledMatcher implements KeywordMatcher {
  /** Single-word parts by their (whole) word; the text word may be longer (prefix rule). */
  private readonly singleWordParts = new Map<string, Part[]>();
  /** Distinct lengths of the single-word parts, ascending: the prefixes of a text word worth looking up. */
  private readonly singleWordLengths: number[];
  /** Multi-word parts by their first word, which must match whole. */
  private readonly multiWordParts = new Map<string, Part[]>();
  /** Parts marked `*`: looked for inside every text word. */
  private readonly compoundParts: Part[] = [];

  constructor(
    readonly keywords: readonly string[],
    private readonly compiled: readonly CompiledKeyword[],
    parts: readonly Part[]
  ) {
    const lengths = new Set<number>();
    for (const part of parts) {
      const [first, second] = part.words;
      if (first === undefined) {
        continue;
      }
      if (part.inCompound) {
        this.compoundParts.push(part);
      } else if (second === undefined) {
        pushTo(this.singleWordParts, first, part);
        lengths.add(first.length);
      } else {
        pushTo(this.multiWordParts, first, part);
      }
    }
    this.singleWordLengths = [...lengths].sort((a, b) => a - b);
  }

  findAll(sources: readonly TextSource[]): TextMatch[] {
    return sources.flatMap((source) => this.scan(source, false));
  }

  matchesAny(sources: readonly TextSource[]): boolean {
    return sources.some((source) => this.scan(source, true).length > 0);
  }

  /** Calls `onMatch(part, lastTokenIndex)` for every part whose words start at token `i`. */
  private partsAt(tokens: readonly Token[], i: number, onMatch: (part: Part, last: number) => void): void {
    const word = tokens[i]?.norm ?? '';
    for (const length of this.singleWordLengths) {
      if (length > word.length) {
        break;
      }
      const candidates = this.singleWordParts.get(length === word.length ? word : word.slice(0, length));
      for (const part of candidates ?? []) {
        if (lastWordMatches(part, part.words[0] ?? '', word)) {
          onMatch(part, i);
        }
      }
    }
    for (const part of this.compoundParts) {
      if (word.includes(part.words[0] ?? '')) {
        onMatch(part, i);
      }
    }
    for (const part of this.multiWordParts.get(word) ?? []) {
      const last = i + part.words.length - 1;
      let ok = true;
      for (let k = 1; ok && k < part.words.length; k++) {
        const token = tokens[i + k];
        const keywordWord = part.words[k] ?? '';
        // Consecutive words of one clause: a clause mark or clause word between them fails here.
        ok =
          token !== undefined &&
          !token.isClauseMark &&
          !CLAUSE_WORDS.has(token.norm) &&
          (i + k === last ? lastWordMatches(part, keywordWord, token.norm) : token.norm === keywordWord);
      }
      if (ok) {
        onMatch(part, last);
      }
    }
  }

  private scan(source: TextSource, stopAtFirst: boolean): TextMatch[] {
    const text = source.text;
    const tokens = tokensOf(source);
    const found: Found[] = [];

    let clauseStart = 0;
    let negated = false;
    /** Highest token index inside a matched keyword phrase: negation words up to here belong to a phrase. */
    let coveredUntil = -1;
    /** Non-negated single-keyword matches of the current clause (their snippet needs the clause end). */
    let pending: { keywordIndex: number; span: Span }[] = [];
    /** '+' groups seen in the current clause: the first non-negated occurrence of each part. */
    const groups = new Map<number, (Span | undefined)[]>();

    const closeClause = (clauseEnd: number): void => {
      const clause = trimSpan(text, clauseStart, clauseEnd);
      for (const { keywordIndex, span } of pending) {
        found.push(this.toFound(source, keywordIndex, [span], clause));
      }
      for (const [keywordIndex, spans] of groups) {
        const complete = spans.filter((s): s is Span => s !== undefined);
        if (complete.length === spans.length) {
          found.push(this.toFound(source, keywordIndex, complete, clause));
        }
      }
      pending = [];
      groups.clear();
      negated = false;
    };

    for (let i = 0; i < tokens.length && !(stopAtFirst && found.length > 0); i++) {
      const token = tokens[i];
      if (token === undefined) {
        break;
      }
      if (token.isClauseMark) {
        closeClause(token.start);
        clauseStart = token.end;
        continue;
      }
      if (CLAUSE_WORDS.has(token.norm)) {
        // The word opens the next clause's snippet ("wel rillingen") but takes no part in matching.
        closeClause(token.start);
        clauseStart = token.start;
        continue;
      }

      // Phrases first (§2): a keyword starting here is judged by the negations before it, and claims its own words,
      // so the "niet" of "kan niet plassen" is not a negation.
      const negatedHere = negated;
      this.partsAt(tokens, i, (part, last) => {
        coveredUntil = Math.max(coveredUntil, last);
        if (negatedHere) {
          return;
        }
        const span = { start: token.start, end: tokens[last]?.end ?? token.end };
        const entry = this.compiled[part.keywordIndex];
        if (entry === undefined || entry.partCount === 1) {
          pending.push({ keywordIndex: part.keywordIndex, span });
          return;
        }
        let spans = groups.get(part.keywordIndex);
        if (spans === undefined) {
          spans = new Array<Span | undefined>(entry.partCount).fill(undefined);
          groups.set(part.keywordIndex, spans);
        }
        spans[part.partIndex] ??= span;
      });

      // DESIGN: a negation word inside a matched phrase belongs to that phrase and negates nothing else either
      // ("kan niet plassen en koorts" fires both). This only ever adds matches, so it errs towards firing.
      if (coveredUntil < i && NEGATION_WORDS.has(token.norm)) {
        negated = true;
      } else if (coveredUntil < i - 1 && token.norm === NEGATION_PAIR_SECOND) {
        const previous = tokens[i - 1];
        if (previous !== undefined && !previous.isClauseMark && previous.norm === NEGATION_PAIR_FIRST) {
          negated = true;
        }
      }
    }
    if (!(stopAtFirst && found.length > 0)) {
      closeClause(text.length);
    }

    // Group matches are completed at the clause end; order everything by position in the text.
    found.sort((a, b) => a.start - b.start || a.keywordIndex - b.keywordIndex);
    return found.map((f) => f.match);
  }

  private toFound(source: TextSource, keywordIndex: number, spans: readonly Span[], clause: Span): Found {
    const ordered = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
    const distinct = ordered.filter(
      (s, k) => k === 0 || s.start !== ordered[k - 1]?.start || s.end !== ordered[k - 1]?.end
    );
    const start = Math.min(...distinct.map((s) => s.start));
    const end = Math.max(...distinct.map((s) => s.end));
    const text = source.text;
    return {
      keywordIndex,
      start,
      match: {
        keyword: this.compiled[keywordIndex]?.keyword ?? '',
        matched: distinct.map((s) => text.slice(s.start, s.end)).join(GROUP_JOINER),
        snippet: makeSnippet(text, clause, { start, end }),
        source,
      },
    };
  }
}

function isSpaceAt(text: string, index: number): boolean {
  return WHITESPACE_CHAR.test(text.charAt(index));
}

function trimSpan(text: string, start: number, end: number): Span {
  let s = start;
  let e = end;
  while (s < e && isSpaceAt(text, s)) {
    s++;
  }
  while (e > s && isSpaceAt(text, e - 1)) {
    e--;
  }
  return { start: s, end: e };
}

/**
 * The clause around a match for display; a clause longer than {@link SNIPPET_MAX} is cut to a window around the
 * match, at word boundaries where possible, with "…" where text was left out.
 */
function makeSnippet(text: string, clause: Span, match: Span): string {
  if (clause.end - clause.start <= SNIPPET_MAX) {
    return text.slice(clause.start, clause.end);
  }
  const length = match.end - match.start;
  let from = match.start;
  let to = match.start + SNIPPET_MAX;
  if (length < SNIPPET_MAX) {
    const pad = Math.floor((SNIPPET_MAX - length) / 2);
    from = Math.max(clause.start, match.start - pad);
    to = Math.min(clause.end, from + SNIPPET_MAX);
    from = Math.max(clause.start, to - SNIPPET_MAX);
  }
  // Do not start or end in the middle of a word, unless that would cut into the match.
  if (from > clause.start && !isSpaceAt(text, from - 1)) {
    for (let k = from; k < match.start; k++) {
      if (isSpaceAt(text, k)) {
        from = k + 1;
        break;
      }
    }
  }
  if (to < clause.end && !isSpaceAt(text, to)) {
    for (let k = to - 1; k >= match.end; k--) {
      if (isSpaceAt(text, k)) {
        to = k;
        break;
      }
    }
  }
  // Never split a surrogate pair (emoji and other astral characters).
  if (from > clause.start && isLowSurrogate(text.charCodeAt(from))) {
    from++;
  }
  if (to < clause.end && isLowSurrogate(text.charCodeAt(to))) {
    to--;
  }
  const body = text.slice(from, to).trim();
  return (from > clause.start ? ELLIPSIS : '') + body + (to < clause.end ? ELLIPSIS : '');
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

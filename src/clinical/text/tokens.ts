import type { TextLanguage } from './language';
import { foldCase } from './language';
import { TurnCache } from './turn-cache';

/**
 * Tokens of a free text: normalised words (abbreviations expanded, spelling folded) and punctuation marks, each
 * with its offsets in the original text so evidence can quote the record verbatim.
 */
export interface Token {
  /** Normalised word, or the mark character itself. */
  readonly norm: string;
  readonly start: number;
  readonly end: number;
  readonly isWord: boolean;
  /** A sentence boundary: . ; ! … a bullet, a line break, or a SOEP prefix such as "S:". */
  readonly hard: boolean;
  readonly isNumber: boolean;
  /** Joined to the next token by a hyphen ("rug-pijn"): terms match the parts and the joined word. */
  readonly joinNext?: boolean;
}

/**
 * Word characters are letters, combining marks, digits and invisible format characters (dropped when normalising,
 * so "koorts\u00ADig" reads "koortsig"). A `.` or `,` between digits belongs to the number ("38,5"); a hyphen between
 * letters links its parts ("rug-pijn": "rug" + "pijn", matched as "rugpijn" too), also across a line break.
 */
const WORD = String.raw`(?:[\p{L}\p{M}\p{N}\p{Cf}]|(?<=\p{N})[.,](?=\p{N})|(?<=[\p{L}\p{N}])[-\u2010\u2011](?:\r?\n)?(?=\p{L}))+`;
const MARK = String.raw`[.;:!?,…()[\]/+=•·▪|*\-\u2010-\u2014\n\r\v\f\u0085\u2028\u2029。，；：！？]`;
const HARD = /^[.;!…•·▪|*\n\r\v\f\u0085\u2028\u2029。；！]$/u;
const HYPHENS = /[-\u2010\u2011]\r?\n?/gu;
const HAS_DIGIT = /\p{N}/u;
/** The apostrophe of a French elision ("d'anesthésie", "l’examen"). */
const APOSTROPHE = /^['\u2019]\p{L}/u;
/** Dashes are one mark, whatever their width. */
const DASHES = /^[\u2010-\u2014]$/u;

const patterns = new WeakMap<TextLanguage, RegExp>();

function patternOf(language: TextLanguage): RegExp {
  let pattern = patterns.get(language);
  if (pattern === undefined) {
    const dotted = language.dottedPattern?.source;
    pattern = new RegExp(`${dotted ? `(${dotted})|` : '()'}(${WORD})|(${MARK})`, 'giu');
    patterns.set(language, pattern);
  }
  return pattern;
}

/** Distinct words whose normalisation is remembered (for one event-loop turn). */
const WORDS_KEPT = 50_000;
const folders = new WeakMap<TextLanguage, (word: string) => string>();

function folderOf(language: TextLanguage): (word: string) => string {
  let folder = folders.get(language);
  if (folder === undefined) {
    // One pass per word: all folds in one pattern, longest first ("ph" before a single letter).
    const folds = new Map(language.folds.filter(([from]) => from !== ''));
    const sources = [...folds.keys()].sort((a, b) => b.length - a.length);
    const pattern =
      sources.length === 0
        ? undefined
        : new RegExp(sources.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
    // Words repeat across the texts of a record: each is folded once a turn.
    const folded = new TurnCache<string, string>(WORDS_KEPT);
    folder =
      pattern === undefined
        ? (word) => word
        : (word) => {
            let result = folded.get(word);
            if (result === undefined) {
              result = word.replace(pattern, (m) => folds.get(m) ?? m);
              folded.set(word, result);
            }
            return result;
          };
    folders.set(language, folder);
  }
  return folder;
}

interface RawToken {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly isWord: boolean;
  readonly dotted: boolean;
  readonly joinNext?: boolean;
}

const caseFolded = new TurnCache<string, string>(WORDS_KEPT);

function foldWordCase(word: string): string {
  let key = caseFolded.get(word);
  if (key === undefined) {
    key = foldCase(word);
    caseFolded.set(word, key);
  }
  return key;
}

/** The hyphen-separated parts of a word, each with its offsets. */
function pushWordParts(raw: RawToken[], word: string, start: number): void {
  let offset = 0;
  const parts = word.split(HYPHENS);
  HYPHENS.lastIndex = 0;
  const separators = word.match(HYPHENS) ?? [];
  parts.forEach((part, k) => {
    const key = foldWordCase(part);
    // A "word" of only format characters (a zero-width joiner between emoji) is transparent.
    if (key !== '') {
      raw.push({
        key,
        start: start + offset,
        end: start + offset + part.length,
        isWord: true,
        dotted: false,
        joinNext: k < parts.length - 1,
      });
    }
    offset += part.length + (separators[k]?.length ?? 0);
  });
}

function rawTokens(language: TextLanguage, text: string): RawToken[] {
  const pattern = patternOf(language);
  const raw: RawToken[] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    if (m[1]) {
      raw.push({ key: foldCase(m[1]).replace(/\s/gu, ''), start, end, isWord: true, dotted: true });
    } else if (m[2] !== undefined) {
      pushWordParts(raw, m[2], start);
    } else if (m[3] !== undefined) {
      const mark = DASHES.test(m[3]) ? '-' : m[3] === '\r' ? '\n' : m[3];
      raw.push({ key: mark, start, end, isWord: false, dotted: false });
    }
  }
  return raw;
}

/**
 * "mamma-ca 2012", "mamma ca 2012": the word is the tail of a known abbreviation ("mammaca"), so the number after it
 * is a year, not the "circa" of "ca. 5 kg".
 */
function completesAbbreviation(language: TextLanguage, previous: RawToken | undefined, t: RawToken): boolean {
  return (
    previous !== undefined &&
    previous.isWord &&
    !previous.dotted &&
    (previous.joinNext === true || language.abbreviations.has(previous.key + t.key))
  );
}

/** Tokenises and normalises a text (a record text, a keyword or a trigger: all are read the same way). */
export function tokenise(language: TextLanguage, text: string): Token[] {
  const fold = folderOf(language);
  const raw = rawTokens(language, text);
  const tokens: Token[] = [];
  let sentenceStart = true;
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i] as RawToken;
    if (!t.isWord) {
      tokens.push({ norm: t.key, start: t.start, end: t.end, isWord: false, hard: HARD.test(t.key), isNumber: false });
      sentenceStart = HARD.test(t.key);
      continue;
    }
    const next = raw[i + 1];
    // A SOEP prefix ("S:", "O:", "E:", "A:", "P:") starts a new part of the note, like a sentence end.
    if (sentenceStart && next?.key === ':' && !t.dotted && language.sectionPrefixes.has(t.key)) {
      tokens.push({ norm: '\n', start: t.start, end: next.end, isWord: false, hard: true, isNumber: false });
      i++;
      continue;
    }
    sentenceStart = false;
    const nextWord = raw.slice(i + 1, i + 3).find((r) => r.isWord);
    const beforeNumber =
      nextWord !== undefined &&
      HAS_DIGIT.test(nextWord.key) &&
      !completesAbbreviation(language, raw[i - 1], t) &&
      language.beforeNumber.get(t.key);
    const elided = APOSTROPHE.test(text.slice(t.end, t.end + 2)) ? language.elisions.get(t.key) : undefined;
    const expansion = (elided === undefined ? undefined : [elided]) ??
      (beforeNumber || undefined) ??
      (t.dotted ? language.dotted.get(t.key) : undefined) ??
      language.abbreviations.get(t.key) ?? [t.key];
    expansion.forEach((word, k) => {
      tokens.push({
        norm: fold(word),
        start: t.start,
        end: t.end,
        isWord: true,
        hard: false,
        isNumber: HAS_DIGIT.test(word),
        ...(t.joinNext && k === expansion.length - 1 ? { joinNext: true } : {}),
      });
    });
  }
  return tokens;
}

/** The normalised words and marks of a phrase (for compiling keywords and triggers). */
export function phraseTokens(language: TextLanguage, text: string): string[] {
  return tokenise(language, text).map((t) => t.norm);
}

import { z } from 'zod';
import type { TextLanguage } from './language';
import type { Token } from './tokens';
import { tokenise } from './tokens';

/**
 * Concept term patterns of rules/keywords.json (docs/free-text.md):
 * - a string is a phrase whose words stand in this order ("kan niet plassen"); its last word may be the start of a
 *   longer word ("koorts" = "koortsig", "metastase" = "metastasen"); `[de]` marks an optional word; `a|b` gives
 *   alternatives; `*word` also matches inside a compound ("*kanker" = "longkanker");
 * - `a+b` (or an object `{ "all": [...] }`) are parts that must all occur in one sentence, in any order, within the
 *   list's window ("krachtsverlies+beide benen" = "beide benen krachteloos" when "krachteloos" is a part alternative);
 * - an object may add `optional` parts (shown in the evidence when present) and `exclude` phrases (no match in a
 *   sentence that has one).
 */

export const termSchema = z.union([
  z.string().min(1),
  z.strictObject({
    all: z.array(z.string().min(1)).min(1),
    optional: z.array(z.string().min(1)).optional(),
    exclude: z.array(z.string().min(1)).optional(),
  }),
]);
export type TermSource = z.infer<typeof termSchema>;

export type Extension = 'stem' | 'number' | 'whole';

export interface Alternative {
  readonly words: readonly string[];
  readonly compound: boolean;
  readonly extension: Extension;
}

export interface Part {
  readonly term: number;
  /** Index among the term's required parts, or -1 for an optional part. */
  readonly index: number;
  readonly alternative: Alternative;
}

/** Shortest last word that acts as a stem; shorter ones are abbreviations or function words ("no", "RA"). */
export const MIN_STEM_LENGTH = 3;
const ENDS_WITH_DIGIT = /\p{N}$/u;
const NUMBER_CONTINUATION = /^[\p{N}.,]$/u;
/** What may stand between the words of a keyword besides letters: spaces, hyphens, apostrophes, [ ] and |. */
const ALLOWED = /^[\p{L}\p{M}\p{N}\p{Cf}\s\-\u2010-\u2014'\u2019[\]|*.,]*$/u;
/** Dashes between words separate them ("hernia–operatie"); a hyphen joins ("rug-pijn"), see tokens.ts. */
const DASH = /[\u2012-\u2014]/gu;
const HYPHEN_BETWEEN_LETTERS = /(?<=\p{L})-(?=\p{L})/gu;
const HAS_HYPHEN_BETWEEN_LETTERS = /(?<=\p{L})-(?=\p{L})/u;

export class TermError extends Error {}

export function invalid(term: string, reason: string): TermError {
  return new TermError(`Invalid keyword ${JSON.stringify(term)}: ${reason}`);
}

/** "doof gevoel rond [de] anus" → with and without "de". */
function expandOptional(text: string): string[] {
  const match = /\[([^\]]*)\]/u.exec(text);
  if (match === null) {
    return [text];
  }
  const before = text.slice(0, match.index);
  const after = text.slice(match.index + match[0].length);
  return [...expandOptional(`${before}${match[1] ?? ''}${after}`), ...expandOptional(`${before} ${after}`)];
}

export function compilePart(language: TextLanguage, label: string, text: string, terminatorWords: ReadonlySet<string>) {
  if (!ALLOWED.test(text)) {
    throw invalid(label, `unsupported character(s) in ${JSON.stringify(text)}; list alternatives with "|"`);
  }
  const alternatives: Alternative[] = [];
  for (const raw of text.split('|')) {
    if (raw.trim() === '') {
      throw invalid(label, 'an empty alternative');
    }
    const compound = raw.trimStart().startsWith('*');
    const body = compound ? raw.trimStart().slice(1) : raw;
    const variants = expandOptional(body.replace(DASH, ' ')).flatMap((v) =>
      HAS_HYPHEN_BETWEEN_LETTERS.test(v) ? [v, v.replace(HYPHEN_BETWEEN_LETTERS, ' ')] : [v]
    );
    for (const variant of variants) {
      const tokens = tokenise(language, variant);
      if (tokens.some((t) => !t.isWord)) {
        throw invalid(label, 'it contains a sentence or clause mark, so it could never match');
      }
      const words = tokens.map((t) => t.norm);
      if (words.length === 0) {
        throw invalid(label, 'it has no letters or digits');
      }
      if (words.some((w) => terminatorWords.has(w))) {
        throw invalid(label, `it contains a scope terminator (${words.join(' ')}), so it could never match`);
      }
      if (compound && words.length > 1) {
        throw invalid(label, 'only a single word can be marked "*" (inside compound words)');
      }
      const last = words[words.length - 1] ?? '';
      const extension: Extension = ENDS_WITH_DIGIT.test(last)
        ? 'number'
        : last.length >= MIN_STEM_LENGTH
          ? 'stem'
          : 'whole';
      alternatives.push({ words, compound, extension });
      // "lage rugpijn" is also written "lage-rugpijn", which reads as one word.
      if (words.length > 1 && !compound) {
        alternatives.push({ words: [words.join('')], compound: false, extension });
      }
    }
  }
  return alternatives;
}

export function lastWordMatches(alternative: Alternative, keywordWord: string, textWord: string): boolean {
  if (textWord.length === keywordWord.length) {
    return textWord === keywordWord;
  }
  if (!textWord.startsWith(keywordWord)) {
    return false;
  }
  switch (alternative.extension) {
    case 'stem':
      return true;
    case 'number':
      return !NUMBER_CONTINUATION.test(textWord.charAt(keywordWord.length));
    case 'whole':
      return false;
  }
}

/** Finds the alternative's words at token `i`; returns the last token index or -1. */
export function alternativeAt(alternative: Alternative, tokens: readonly Token[], i: number, end: number): number {
  const words = alternative.words;
  const lastIndex = i + words.length - 1;
  if (lastIndex >= end) {
    return -1;
  }
  for (let k = 0; k < words.length; k++) {
    const token = tokens[i + k] as Token;
    const word = words[k] as string;
    if (!token.isWord) {
      return -1;
    }
    if (alternative.compound) {
      if (!token.norm.includes(word)) {
        return -1;
      }
    } else if (k === words.length - 1 ? !lastWordMatches(alternative, word, token.norm) : token.norm !== word) {
      return -1;
    }
  }
  return lastIndex;
}

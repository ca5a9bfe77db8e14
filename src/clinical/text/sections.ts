import type { FoundTrigger, Sentence } from './spans';
import type { TextLanguage, Trigger } from './language';
import type { Token } from './tokens';

/**
 * Section headers on a line of their own ("Familieanamnese:", "VG:", "Antécédents familiaux :"): the header's
 * modifier applies to every line below it, up to a blank line, a SOEP prefix ("S:") or the next header line (any
 * short "Words:" line, so "Medicatie:" ends a "VG:" block and a fever below it is not read as history).
 */

/** Most words of a line's label ("Fam. anamnese:", "Past medical history:", after abbreviations are expanded). */
const LABEL_WORDS = 5;
const LINE_BREAK = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/gu;

const lineBreaks = (text: string) => text.match(LINE_BREAK)?.length ?? 0;

interface Line {
  readonly sentence: number;
  /** The words of a label that starts the line ("Medicatie:", "Anamnese: ..."): it closes the block above. */
  readonly label?: readonly string[];
  /** The label is all there is on the line: a header that may open a block. */
  readonly header: boolean;
  /** A blank line, or a SOEP prefix ("S:"), stands before it. */
  readonly breakBefore: boolean;
}

/** The words before a colon at the start of a sentence, when they are a short label (not "2012:"). */
function labelOf(tokens: readonly Token[], { from, to }: Sentence): string[] | undefined {
  for (let i = from; i < Math.min(to, from + LABEL_WORDS + 1); i++) {
    const token = tokens[i] as Token;
    if (token.norm === ':') {
      return i > from ? tokens.slice(from, i).map((t) => t.norm) : undefined;
    }
    if (!token.isWord || token.isNumber) {
      return undefined;
    }
  }
  return undefined;
}

function linesOf(text: string, tokens: readonly Token[], sentences: readonly Sentence[]): Line[] {
  return sentences.map((sentence, index) => {
    const first = tokens[sentence.from] as Token;
    const previous = sentences[index - 1];
    const between = text.slice(previous === undefined ? 0 : (tokens[previous.to - 1] as Token).end, first.start);
    // A SOEP prefix is a hard token whose own text is no line break ("S:").
    const boundary = tokens[sentence.from - 1];
    const soep = boundary?.norm === '\n' && lineBreaks(text.slice(boundary.start, boundary.end)) === 0;
    const startsLine = previous === undefined || soep || lineBreaks(between) > 0;
    const label = startsLine ? labelOf(tokens, sentence) : undefined;
    const next = sentences[index + 1];
    const lineEnd = next === undefined ? text.length : (tokens[next.from] as Token).start;
    const rest = text.slice((tokens[sentence.from + (label?.length ?? 0)] as Token).end, lineEnd);
    const header =
      label !== undefined &&
      sentence.to - sentence.from === label.length + 1 &&
      (next === undefined || lineBreaks(rest) > 0);
    return { sentence: index, ...(label ? { label } : {}), header, breakBefore: soep || lineBreaks(between) > 1 };
  });
}

/** The header triggers of a language by their words ("familieanamnese", "voorgeschiedenis"). */
function headerTrigger(language: TextLanguage, words: readonly string[]): Trigger | undefined {
  const key = words.join(' ');
  return language.sectionHeaders.find((h) => h.tokens.join(' ') === key);
}

/** One found trigger per line under a modifying header, its scope the whole line. */
export function findSectionTriggers(
  language: TextLanguage,
  text: string,
  tokens: readonly Token[],
  sentences: readonly Sentence[]
): FoundTrigger[] {
  if (language.sectionHeaders.length === 0) {
    return [];
  }
  const found: FoundTrigger[] = [];
  let open: { trigger: Trigger; first: number; last: number } | undefined;
  for (const line of linesOf(text, tokens, sentences)) {
    const sentence = sentences[line.sentence] as Sentence;
    if (line.breakBefore || line.label !== undefined) {
      open = undefined;
    }
    if (line.header && line.label !== undefined) {
      const trigger = headerTrigger(language, line.label);
      open = trigger === undefined ? undefined : { trigger, first: sentence.from, last: sentence.to - 2 };
      continue;
    }
    if (open !== undefined) {
      found.push({ ...open, scopeFrom: sentence.from, scopeTo: sentence.to - 1, sentence: line.sentence });
    }
  }
  return found;
}

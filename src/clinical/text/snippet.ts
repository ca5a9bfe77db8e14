/** Evidence snippets: the sentence around a match, cut to a window around the match and its triggers. */

export interface Span {
  readonly start: number;
  readonly end: number;
}

const WHITESPACE_CHAR = /^\s$/u;
/** Longest snippet (before the "…" marks added where the sentence was cut). */
const SNIPPET_MAX = 80;
const ELLIPSIS = '…';

function isSpaceAt(text: string, index: number): boolean {
  return WHITESPACE_CHAR.test(text.charAt(index));
}

export function trimSpan(text: string, start: number, end: number): Span {
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
export function makeSnippet(text: string, clause: Span, match: Span): string {
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

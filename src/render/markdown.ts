/**
 * Card `detail` is GitHub-flavoured Markdown rendered by the EHR (CDS Hooks 2.0 "Card"). Text from the
 * patient record (and, defensively, from rule files) could contain Markdown or HTML. Every character that
 * can start emphasis, code, a link or image, raw HTML, an entity, a table or strikethrough is escaped with
 * a backslash, bare URLs and e-mail addresses are broken so GFM does not turn them into links, and line
 * breaks are folded so the text can never start a new list item, heading or block of its own.
 */
const ACTIVE_CHARACTERS = /[\\`*_{}[\]<>#|~!&@]/g;

/** Escapes text for use inside a line of Markdown. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n\t\u2028\u2029]+/g, ' ')
    .replace(ACTIVE_CHARACTERS, (character) => `\\${character}`)
    .replace(/:\/\//g, ':\\/\\/')
    .replace(/\b(www)\./gi, '$1\\.')
    .trim();
}

/** Shortens a one-line text to at most `max` characters, ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

import type { Locale } from '../clinical/finding';

/**
 * Dates and numbers as a GP reads them in each language: 1-12-2026 (nl), 1/12/2026 (fr), 1 Dec 2026 (en), and
 * the decimal comma in Dutch and French ("38,9 °C").
 */

const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An ISO date (YYYY, YYYY-MM or YYYY-MM-DD, time ignored) in the locale's way; other text is returned as is. */
export function formatDate(iso: string, locale: Locale): string {
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(iso);
  if (!match) {
    return iso;
  }
  const [, year, month, day] = match;
  const m = month === undefined ? undefined : Number(month);
  const d = day === undefined ? undefined : Number(day);
  if (locale === 'en') {
    return [d, m === undefined ? undefined : EN_MONTHS[m - 1], year].filter((part) => part !== undefined).join(' ');
  }
  const separator = locale === 'fr' ? '/' : '-';
  return [d, m, year].filter((part) => part !== undefined).join(separator);
}

/** Decimal points between digits become commas in Dutch and French ("38.9 °C" → "38,9 °C"). */
export function formatNumbers(text: string, locale: Locale): string {
  return locale === 'en' ? text : text.replace(/(\d)\.(\d)/g, '$1,$2');
}

/** Text computed by the service (weights, values): its ISO dates and decimal points in the locale's way. */
export function localiseText(text: string, locale: Locale): string {
  return formatNumbers(
    text.replace(/\b\d{4}-\d{2}-\d{2}\b/g, (iso) => formatDate(iso, locale)),
    locale
  );
}

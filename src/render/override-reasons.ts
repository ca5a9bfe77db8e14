import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Locale } from '../clinical/finding';
import { LOCALES } from '../clinical/finding';
import type { CdsCoding } from './cds-response';

/**
 * The override reasons each kind of card offers (CDS Hooks 2.0 card.overrideReasons), read from
 * fhir-resources/knowledge/CodeSystem-override-reason.json: the card kinds are its not-selectable concepts, and
 * each reason names the kinds it belongs to with the property `card-kind`. A red flag can then never be
 * dismissed as "already in exercise therapy".
 */

export const CARD_KINDS = ['red-flag', 'recommendation', 'imaging', 'exclusion', 'precaution', 'data-quality'] as const;
export type CardKind = (typeof CARD_KINDS)[number];

/** The reason whose feedback silences the recommendation for a while (rules/ruleset.json memory). */
export const NOT_NOW = 'not-now';

const FILE = 'CodeSystem-override-reason.json';

const concept = z.looseObject({
  code: z.string().min(1),
  display: z.string().min(1),
  designation: z.array(z.looseObject({ language: z.string(), value: z.string().min(1) })).optional(),
  property: z
    .array(z.looseObject({ code: z.string(), valueCode: z.string().optional(), valueBoolean: z.boolean().optional() }))
    .optional(),
});
const codeSystem = z.looseObject({ resourceType: z.literal('CodeSystem'), url: z.url(), concept: z.array(concept) });

export interface OverrideReasons {
  readonly system: string;
  /** The reasons of a card kind, with displays in `locale`. */
  forKind(kind: CardKind, locale: Locale): CdsCoding[];
}

/** Thrown when the CodeSystem is missing, malformed or leaves a card kind without reasons. */
export class OverrideReasonsError extends Error {}

/**
 * @param dir - fhir-resources/knowledge
 * @throws OverrideReasonsError naming the problems
 */
export function loadOverrideReasons(dir: string): OverrideReasons {
  let parsed;
  try {
    parsed = codeSystem.safeParse(JSON.parse(readFileSync(path.join(dir, FILE), 'utf8')));
  } catch (err) {
    throw new OverrideReasonsError(`${FILE}: ${err instanceof Error ? err.message : 'cannot be read'}`);
  }
  if (!parsed.success) {
    throw new OverrideReasonsError(`${FILE}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  const { url, concept: concepts } = parsed.data;
  const problems: string[] = [];
  const display = (item: z.infer<typeof concept>, locale: Locale) =>
    locale === 'en' ? item.display : item.designation?.find((entry) => entry.language === locale)?.value;
  const byKind = new Map<CardKind, z.infer<typeof concept>[]>(CARD_KINDS.map((kind) => [kind, []]));
  const kinds = new Set(
    concepts
      .filter((item) => item.property?.some((p) => p.code === 'notSelectable' && p.valueBoolean))
      .map((item) => item.code)
  );
  for (const kind of CARD_KINDS.filter((kind) => !kinds.has(kind))) {
    problems.push(`no not-selectable concept for the card kind "${kind}"`);
  }
  for (const item of concepts.filter((entry) => !kinds.has(entry.code))) {
    const of = (item.property ?? []).filter((p) => p.code === 'card-kind').map((p) => p.valueCode ?? '');
    if (of.length === 0) {
      problems.push(`reason "${item.code}" names no card-kind`);
    }
    for (const kind of of) {
      const list = byKind.get(kind as CardKind);
      if (list === undefined) {
        problems.push(`reason "${item.code}": unknown card-kind "${kind}"`);
      } else {
        list.push(item);
      }
    }
    for (const locale of LOCALES.filter((locale) => display(item, locale) === undefined)) {
      problems.push(`reason "${item.code}" has no ${locale} designation`);
    }
  }
  for (const [kind, list] of byKind) {
    if (list.length === 0) {
      problems.push(`card kind "${kind}" has no reasons`);
    }
  }
  if (problems.length > 0) {
    throw new OverrideReasonsError(`${FILE}: ${problems.join('; ')}`);
  }
  return {
    system: url,
    forKind: (kind, locale) =>
      (byKind.get(kind) ?? []).map((item) => ({
        system: url,
        code: item.code,
        display: display(item, locale) ?? item.display,
      })),
  };
}

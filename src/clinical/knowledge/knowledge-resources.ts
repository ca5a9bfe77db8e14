import { z } from 'zod';
import type { KnowledgeLocale as Locale, Localised } from '../finding';
import { KNOWLEDGE_LOCALES as LOCALES } from '../finding';

/**
 * The shapes of the FHIR resources in fhir-resources/knowledge that exercise-knowledge.ts reads (ActivityDefinition,
 * PlanDefinition with its actions and goals), and their texts: English with a translation extension per other
 * language of LOCALES.
 */

const TRANSLATION = 'http://hl7.org/fhir/StructureDefinition/translation';

const quantity = z.looseObject({ value: z.number(), unit: z.string(), system: z.string(), code: z.string() });
export const extension = z.looseObject({
  url: z.string(),
  valueString: z.string().optional(),
  valueCode: z.string().optional(),
  valueId: z.string().optional(),
  valueTiming: z.looseObject({}).optional(),
  valueRange: z.looseObject({ low: quantity.optional(), high: quantity.optional() }).optional(),
  get extension() {
    return z.array(extension).optional();
  },
});
export type Extension = z.infer<typeof extension>;
export const translatable = z.looseObject({ extension: z.array(extension) }).optional();

export const activityDefinition = z.looseObject({
  resourceType: z.literal('ActivityDefinition'),
  url: z.string().min(1),
  version: z.string().min(1),
  title: z.string().min(1),
  _title: translatable,
  code: z.looseObject({ coding: z.array(z.looseObject({ system: z.string(), code: z.string() })).min(1) }),
  extension: z.array(extension),
});

export const planAction = z.looseObject({
  id: z.string().optional(),
  title: z.string().optional(),
  textEquivalent: z.string().optional(),
  _textEquivalent: translatable,
  extension: z.array(extension).optional(),
});
export const planGoal = z.looseObject({
  id: z.string().min(1),
  category: z.looseObject({ coding: z.array(z.looseObject({ system: z.string(), code: z.string() })).min(1) }),
  description: z.looseObject({ text: z.string().min(1), _text: translatable }),
  target: z
    .array(
      z.looseObject({
        measure: z.looseObject({ text: z.string().min(1) }).optional(),
        due: z.looseObject({ value: z.number().positive(), code: z.literal('wk') }).optional(),
      })
    )
    .optional(),
});
export const planDefinition = z.looseObject({
  resourceType: z.literal('PlanDefinition'),
  url: z.string().min(1),
  version: z.string().min(1),
  goal: z.array(planGoal).min(1),
  action: z
    .array(
      z.looseObject({
        id: z.string(),
        title: z.string(),
        timingDuration: z.looseObject({ value: z.number().positive(), code: z.literal('wk') }).optional(),
        action: z.array(planAction),
      })
    )
    .length(4),
});

function translation(element: z.infer<typeof translatable>, locale: Locale): string | undefined {
  const found = element?.extension.find(
    (ext) => ext.url === TRANSLATION && ext.extension?.some((part) => part.url === 'lang' && part.valueCode === locale)
  );
  return found?.extension?.find((part) => part.url === 'content')?.valueString;
}

/**
 * The English text with its translation into every other supported language, or undefined (with a problem
 * naming what is missing) when one is missing: a CarePlan is never half in another language.
 */
export function localisedOf(
  english: string | undefined,
  element: z.infer<typeof translatable>,
  where: string,
  problems: string[]
): Localised | undefined {
  const texts: Partial<Record<Locale, string>> = { en: english };
  for (const locale of LOCALES.filter((candidate) => candidate !== 'en')) {
    texts[locale] = translation(element, locale);
  }
  const missing = LOCALES.filter((locale) => !texts[locale]);
  if (missing.length > 0) {
    problems.push(`${where}: no text in ${missing.join(', ')}`);
    return undefined;
  }
  return texts as Localised;
}

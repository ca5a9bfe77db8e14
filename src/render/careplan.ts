import type { Annotation, CarePlan, CarePlanActivity, Extension, Reference } from '@medplum/fhirtypes';
import type { Programme, ProgrammeActivity } from '../clinical/programme';
import type { KnowledgeLocale as Locale, Localised } from '../clinical/finding';
import { KNOWLEDGE_LOCALES as LOCALES } from '../clinical/finding';
import type { DoseRange, ExerciseKnowledge } from '../clinical/knowledge/exercise-knowledge';
import { CAREPLAN_WORDS } from './careplan-words';

/**
 * The CarePlan draft the GP proposes and the physiotherapist tailors and accepts (docs/clinical-specification.md §6
 * encoding hints): status draft, intent proposal, one activity per exercise type with its dose in words, the
 * Timing only as far as it says the same, and the guideline range of each dose parameter as a `dose-parameter`
 * extension (docs/physiotherapist.md); the proposed period, the Goals and the referral it is based on; the
 * programme rules and notes grouped in `note`, each once.
 */

export interface CarePlanContext {
  readonly patientReference: Reference;
  /** The LBP Conditions of the current episode (`Condition/<id>`). */
  readonly conditions: readonly string[];
  /** The user who proposes it (context.userId), when a Practitioner or PractitionerRole. */
  readonly author?: string;
  /** The evaluation date, YYYY-MM-DD. */
  readonly today: string;
  readonly rulesetVersion: string;
  /** CDS_TRANSLATIONS: languages attached to every text as FHIR translations; none by default. */
  readonly translations: readonly Locale[];
}

/** What the CarePlan points at: the referral it is based on and its Goals (references, e.g. `urn:uuid:…`). */
export interface CarePlanLinks {
  readonly referral?: string;
  readonly goals: readonly string[];
}

/**
 * R4's CarePlan.basedOn may only name another CarePlan; R5 allows a ServiceRequest. The referral is therefore in
 * `supportingInfo` (R4) and in the R5 element as its cross-version extension, which R4 clients may read.
 */
export const BASED_ON_R5 = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-CarePlan.basedOn';

const TRANSLATION = 'http://hl7.org/fhir/StructureDefinition/translation';
export const DOSE_PARAMETER_EXTENSION = 'https://ruggensteun.org/fhir/StructureDefinition/dose-parameter';

/** A text for a FHIR string element: the value and, when other languages are configured, its `_element`. */
export function textElement(
  text: Localised,
  locale: Locale,
  translations: readonly Locale[]
): { value: string; extension?: { extension: Extension[] } } {
  const others = translations.filter((other) => other !== locale);
  if (others.length === 0) {
    return { value: text[locale] };
  }
  return {
    value: text[locale],
    extension: {
      extension: others.map((other) => ({
        url: TRANSLATION,
        extension: [
          { url: 'lang', valueCode: other },
          { url: 'content', valueString: text[other] },
        ],
      })),
    },
  };
}

/** `{ field, _field }` of a text, without `_field` when there is no translation. */
export function textFields(
  field: string,
  text: Localised,
  locale: Locale,
  translations: readonly Locale[]
): Record<string, unknown> {
  const { value, extension } = textElement(text, locale, translations);
  return { [field]: value, ...(extension ? { [`_${field}`]: extension } : {}) };
}

/** A text built the same way in every language. */
export function inEveryLocale(build: (locale: Locale) => string): Localised {
  return Object.fromEntries(LOCALES.map((locale) => [locale, build(locale)])) as Localised;
}

/** The dose of an activity in words, with the novice start of a standard strength dose, without its name. */
export function doseText(activity: ProgrammeActivity, knowledge: ExerciseKnowledge): Localised {
  const definition = knowledge.activities.get(activity.type);
  const dose = definition?.doses.get(activity.dose) ?? definition?.doses.get('standard');
  const novice =
    activity.type === 'strength' && activity.dose === 'standard' ? definition?.doses.get('novice') : undefined;
  return inEveryLocale((locale) => {
    const words = CAREPLAN_WORDS[locale];
    const start = novice ? ` (${words.noviceStart}${words.colon}${novice.text[locale]})` : '';
    return `${words.roles[activity.role]}${words.colon}${dose?.text[locale] ?? ''}${start}`;
  });
}

/** "Strength training — Proposed: 2–3 days/week …", for the card's list of activities. */
export function activityText(activity: ProgrammeActivity, knowledge: ExerciseKnowledge): Localised {
  const title = knowledge.activities.get(activity.type)?.title;
  const dose = doseText(activity, knowledge);
  return inEveryLocale((locale) => `${title?.[locale] ?? activity.type} — ${dose[locale]}`);
}

function rangeExtension(range: DoseRange): Extension {
  return {
    url: DOSE_PARAMETER_EXTENSION,
    extension: [
      { url: 'parameter', valueCode: range.parameter },
      {
        url: 'range',
        valueRange: { ...(range.low ? { low: range.low } : {}), ...(range.high ? { high: range.high } : {}) },
      },
    ],
  };
}

function activities(
  programme: Programme,
  knowledge: ExerciseKnowledge,
  context: CarePlanContext,
  locale: Locale
): CarePlanActivity[] {
  return programme.activities.flatMap((item) => {
    const definition = knowledge.activities.get(item.type);
    if (definition === undefined) {
      return [];
    }
    const dose = definition.doses.get(item.dose) ?? definition.doses.get('standard');
    const ranges = dose?.ranges ?? [];
    return [
      {
        detail: {
          ...(ranges.length > 0 ? { extension: ranges.map(rangeExtension) } : {}),
          kind: 'ServiceRequest',
          instantiatesCanonical: [definition.canonical],
          code: {
            coding: definition.code.coding,
            ...textFields('text', definition.title, locale, context.translations),
          },
          status: 'not-started',
          ...(dose?.timing ? { scheduledTiming: dose.timing } : {}),
          ...textFields('description', doseText(item, knowledge), locale, context.translations),
        },
      },
    ];
  });
}

/**
 * The programme rules and the programme's conditional notes, one Annotation per note group (Markdown list),
 * each note once: a note that says the same as a programme rule is folded into it ("PG-07, TS-29: …").
 */
function notes(programme: Programme, knowledge: ExerciseKnowledge, context: CarePlanContext, locale: Locale) {
  const entries = new Map<string, { ids: string[]; text: Localised; group: string }>();
  const add = (id: string, text: Localised) => {
    const placement = knowledge.placement.get(id);
    const same = placement?.sameAs ? entries.get(placement.sameAs) : undefined;
    if (same) {
      same.ids.push(id);
    } else {
      entries.set(id, { ids: [id], text, group: placement?.group ?? '' });
    }
  };
  for (const rule of knowledge.programmeRules) {
    add(rule.id, rule.text);
  }
  for (const id of programme.notes) {
    const text = knowledge.conditionalNotes.get(id);
    if (text) {
      add(id, text);
    }
  }
  return knowledge.noteGroups.flatMap((group): Annotation[] => {
    const members = [...entries.values()].filter((entry) => entry.group === group.id);
    if (members.length === 0) {
      return [];
    }
    const text = inEveryLocale((lang) =>
      [
        `**${group.title[lang]}**`,
        ...members.map((entry) => `- ${entry.ids.join(', ')}${CAREPLAN_WORDS[lang].colon}${entry.text[lang]}`),
      ].join('\n')
    );
    return [textFields('text', text, locale, context.translations) as unknown as Annotation];
  });
}

/** The day `weeks` weeks after `day` (YYYY-MM-DD). */
export function addWeeks(day: string, weeks: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + weeks * 7);
  return date.toISOString().slice(0, 10);
}

/**
 * @param programme - the composed programme
 * @param knowledge - ActivityDefinitions and PlanDefinition
 * @param context - patient, conditions, author, date, translations
 * @param locale - language of the texts
 * @param links - the referral and the Goals it points at
 */
export function buildCarePlan(
  programme: Programme,
  knowledge: ExerciseKnowledge,
  context: CarePlanContext,
  locale: Locale,
  links: CarePlanLinks = { goals: [] }
): CarePlan {
  const ruleIds = programme.findings.map((finding) => finding.ruleId).join(', ');
  return {
    resourceType: 'CarePlan',
    status: 'draft',
    intent: 'proposal',
    instantiatesCanonical: [knowledge.planCanonical],
    ...(links.referral ? { extension: [{ url: BASED_ON_R5, valueReference: { reference: links.referral } }] } : {}),
    ...textFields(
      'title',
      inEveryLocale((lang) => CAREPLAN_WORDS[lang].title),
      locale,
      context.translations
    ),
    ...textFields(
      'description',
      inEveryLocale((lang) => CAREPLAN_WORDS[lang].description(context.rulesetVersion, ruleIds)),
      locale,
      context.translations
    ),
    subject: context.patientReference,
    period: { start: context.today, end: addWeeks(context.today, knowledge.programmeWeeks) },
    created: context.today,
    ...(context.author ? { author: { reference: context.author } } : {}),
    ...(context.conditions.length > 0 ? { addresses: context.conditions.map((reference) => ({ reference })) } : {}),
    ...(links.referral ? { supportingInfo: [{ reference: links.referral }] } : {}),
    ...(links.goals.length > 0 ? { goal: links.goals.map((reference) => ({ reference })) } : {}),
    activity: activities(programme, knowledge, context, locale),
    note: notes(programme, knowledge, context, locale),
  } as CarePlan;
}

import type { CarePlan, CarePlanActivity, Extension, Reference } from '@medplum/fhirtypes';
import type { Programme, ProgrammeActivity } from '../clinical/decision';
// French CarePlan texts are not written yet: a French card's CarePlan falls back to English (KnowledgeLocale).
import type { KnowledgeLocale as Locale, Localised } from '../clinical/finding';
import type { ExerciseKnowledge } from '../fhir/exercise-knowledge';
import { MESSAGES } from './messages';

/**
 * The CarePlan draft the GP proposes and the physiotherapist accepts (docs/architecture.md "Contracts";
 * docs/clinical-specification.md §6 encoding hints): status draft, intent proposal, one activity per exercise type
 * with its complete dose in words and its timing, the programme rules in `note`. Texts are in the card's
 * language, with the other language as a FHIR translation extension.
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
}

const TRANSLATION = 'http://hl7.org/fhir/StructureDefinition/translation';

/** The text in one language plus the `_element` with the other language (FHIR R4 translation extension). */
function bilingual(text: Localised, locale: Locale): [string, { extension: Extension[] }] {
  const other: Locale = locale === 'en' ? 'nl' : 'en';
  return [
    text[locale],
    {
      extension: [
        {
          url: TRANSLATION,
          extension: [
            { url: 'lang', valueCode: other },
            { url: 'content', valueString: text[other] },
          ],
        },
      ],
    },
  ];
}

/** "Strength training (proposed): 2–3 days/week …" in both languages; a standard strength dose names the novice start too. */
export function activityText(activity: ProgrammeActivity, knowledge: ExerciseKnowledge): Localised {
  const definition = knowledge.activities.get(activity.type);
  const dose = definition?.doses.get(activity.dose) ?? definition?.doses.get('standard');
  const novice =
    activity.type === 'strength' && activity.dose === 'standard' ? definition?.doses.get('novice') : undefined;
  const text = (locale: Locale) => {
    const role = MESSAGES[locale].roles[activity.role];
    const start = novice
      ? ` (${locale === 'en' ? 'novices start at' : 'beginners starten met'}: ${novice.text[locale]})`
      : '';
    return `${definition?.title[locale] ?? activity.type} (${role}): ${dose?.text[locale] ?? ''}${start}`;
  };
  return { en: text('en'), nl: text('nl') };
}

/**
 * @param programme - the composed programme
 * @param knowledge - ActivityDefinitions and PlanDefinition
 * @param context - patient, conditions, author, date
 * @param locale - language of the texts (the other one is attached as translation)
 */
export function buildCarePlan(
  programme: Programme,
  knowledge: ExerciseKnowledge,
  context: CarePlanContext,
  locale: Locale
): CarePlan {
  const [title, _title] = bilingual({ en: MESSAGES.en.carePlanTitle, nl: MESSAGES.nl.carePlanTitle }, locale);
  const ruleIds = programme.findings.map((finding) => finding.ruleId).join(', ');
  const [description, _description] = bilingual(
    {
      en: `Draft proposed by Ruggensteun (rule set ${context.rulesetVersion}; ${ruleIds}) for the physiotherapist to review and accept. Each activity is a candidate: include it when a related impairment is found; agree the duration with the patient before the start.`,
      nl: `Concept voorgesteld door Ruggensteun (regelset ${context.rulesetVersion}; ${ruleIds}) voor de fysiotherapeut om te beoordelen en over te nemen. Elke activiteit is een kandidaat: neem haar op als er een samenhangende beperking is; spreek de duur vóór de start met de patiënt af.`,
    },
    locale
  );

  const activity: CarePlanActivity[] = programme.activities.flatMap((item) => {
    const definition = knowledge.activities.get(item.type);
    if (definition === undefined) {
      return [];
    }
    const dose = definition.doses.get(item.dose) ?? definition.doses.get('standard');
    const [text, _text] = bilingual(activityText(item, knowledge), locale);
    const [codeText, _codeText] = bilingual(definition.title, locale);
    return [
      {
        detail: {
          kind: 'ServiceRequest',
          instantiatesCanonical: [definition.canonical],
          code: { coding: definition.code.coding, text: codeText, _text: _codeText },
          status: 'not-started',
          ...(dose?.timing ? { scheduledTiming: dose.timing } : {}),
          description: text,
          _description: _text,
        },
      } as CarePlanActivity,
    ];
  });

  const noteTexts: Localised[] = [
    ...knowledge.programmeRules.map((rule) => ({
      en: `${rule.id}: ${rule.text.en}`,
      nl: `${rule.id}: ${rule.text.nl}`,
    })),
    ...programme.notes.flatMap((id) => {
      const note = knowledge.conditionalNotes.get(id);
      return note ? [{ en: `${id}: ${note.en}`, nl: `${id}: ${note.nl}` }] : [];
    }),
  ];
  const note = noteTexts.map((text) => {
    const [value, _value] = bilingual(text, locale);
    return { text: value, _text: _value };
  });

  return {
    resourceType: 'CarePlan',
    status: 'draft',
    intent: 'proposal',
    instantiatesCanonical: [knowledge.planCanonical],
    title,
    _title,
    description,
    _description,
    subject: context.patientReference,
    created: context.today,
    ...(context.author ? { author: { reference: context.author } } : {}),
    ...(context.conditions.length > 0 ? { addresses: context.conditions.map((reference) => ({ reference })) } : {}),
    activity,
    note,
  } as CarePlan;
}

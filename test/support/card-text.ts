import type { CdsCard } from '../../src/render/cds-response';

/** What no card text may hold (issue 13): raw references, rule ids, internal tags, and English in nl/fr. */

export const RAW_REFERENCE =
  /\b(Patient|Condition|Observation|MedicationStatement|MedicationRequest|Procedure|QuestionnaireResponse|ServiceRequest|CarePlan)\/[\w.-]+/;
export const RULE_ID = /\b(RF|SF|EX|CL|PR|TS|IM|DQ|SC|DS|YF|RW|EV|PG)-(\d{1,2}|C)\b/;
export const INTERNAL_TAG = /\b(S00\d|DESIGN|HW-[A-Z]+|KNGF-B\d+|CKS-RF|NHG-LRS|NICE-NG59|FHIR|CarePlan)\b/;
/** English words that have no place in Dutch or French text (tool names such as "STarT Back" are allowed). */
const ENGLISH = [
  'the',
  'and',
  'with',
  'without',
  'should',
  'please',
  'urgent',
  'immediate',
  'emergency',
  'referral',
  'assess',
  'found',
  'evidence',
  'source',
  'suspected',
  'weight',
  'fever',
  'pain',
  'exercise',
  'walking',
  'strength',
  'flexibility',
  'recorded',
  'risk',
  'days',
  'start low',
  'go slow',
  'not now',
  'patient declines',
  'already',
  'imaging',
  'order',
  'measurement',
  'diagnosis',
  'self-management',
  // What the data-quality lines used to say in English inside Dutch and French cards.
  'not',
  'could',
  'read',
  'counted',
  'sent',
  'matches',
  'search',
  'failed',
  'recognised',
  'unit',
  'outside',
  'birth',
  'medication',
  'entries',
  'another',
];
export const englishIn = (text: string) =>
  ENGLISH.filter((word) => new RegExp(`(^|[^\\p{L}])${word}([^\\p{L}]|$)`, 'iu').test(text));

/** The words the GP reads on a card: summary, detail, override reasons, suggestion and link labels. */
export function textsOf(card: CdsCard): string[] {
  return [
    card.summary,
    card.detail ?? '',
    ...(card.overrideReasons ?? []).map((reason) => reason.display ?? ''),
    ...(card.suggestions ?? []).flatMap((suggestion) => [
      suggestion.label,
      ...(suggestion.actions ?? []).map((action) => action.description),
    ]),
    ...(card.links ?? []).map((link) => link.label),
  ];
}

import type { KnowledgeLocale as Locale } from '../clinical/finding';

/**
 * The words of the CarePlan, Goals and referral around the knowledge texts (which live in
 * fhir-resources/knowledge), and the descriptions of the suggestion's actions. One entry per language: a new
 * Locale does not compile until its words are here.
 */
export interface CarePlanWords {
  readonly title: string;
  readonly description: (rulesetVersion: string, ruleIds: string) => string;
  readonly roles: { readonly proposed: string; readonly optional: string; readonly option: string };
  readonly noviceStart: string;
  /** ": ", in French " : ". */
  readonly colon: string;
  readonly createReferral: string;
  readonly updateReferral: string;
  readonly createGoal: string;
  readonly createPlan: string;
  /** PlanDefinition/$apply when the rules propose no programme: why (rule ids), and what to look at instead. */
  readonly notApplicable: (reasons: string) => string;
}

export const CAREPLAN_WORDS: Readonly<Record<Locale, CarePlanWords>> = {
  en: {
    title: 'Supervised exercise therapy for low back pain',
    description: (version, ids) =>
      `Draft proposed by Ruggensteun (rule set ${version}; ${ids}) for the physiotherapist to review, tailor and accept.`,
    roles: { proposed: 'Proposed', optional: 'Optional, when indicated', option: 'Option, by preference' },
    noviceStart: 'novices start at',
    colon: ': ',
    createReferral: 'Create a draft referral to a physiotherapist for supervised exercise therapy',
    updateReferral: 'Attach the exercise programme to the draft physiotherapy referral (supporting information)',
    createGoal: 'Create a proposed treatment goal',
    createPlan: 'Create the draft CarePlan with the supervised exercise programme, based on the referral',
    notApplicable: (reasons) =>
      `No exercise programme is proposed for this patient (${reasons}); the CDS Hooks cards of lbp-patient-view say why and what to do instead.`,
  },
  nl: {
    title: 'Gesuperviseerde oefentherapie bij lage rugpijn',
    description: (version, ids) =>
      `Concept voorgesteld door Ruggensteun (regelset ${version}; ${ids}) voor de fysiotherapeut om te beoordelen, af te stemmen en over te nemen.`,
    roles: { proposed: 'Voorgesteld', optional: 'Optioneel, als geïndiceerd', option: 'Optie, naar voorkeur' },
    noviceStart: 'beginners starten met',
    colon: ': ',
    createReferral: 'Maak een conceptverwijzing naar de fysiotherapeut voor oefentherapie onder begeleiding',
    updateReferral:
      'Voeg het oefenprogramma toe aan de conceptverwijzing naar de fysiotherapeut (ondersteunende informatie)',
    createGoal: 'Maak een voorgesteld behandeldoel',
    createPlan: 'Maak het concept-CarePlan met het oefenprogramma onder begeleiding, op basis van de verwijzing',
    notApplicable: (reasons) =>
      `Voor deze patiënt wordt geen oefenprogramma voorgesteld (${reasons}); de CDS Hooks-kaarten van lbp-patient-view zeggen waarom en wat in plaats daarvan te doen.`,
  },
  fr: {
    title: 'Thérapie par l’exercice supervisée pour la lombalgie',
    description: (version, ids) =>
      `Projet proposé par Ruggensteun (ensemble de règles ${version} ; ${ids}), à revoir, adapter et accepter par le kinésithérapeute.`,
    roles: { proposed: 'Proposé', optional: 'Facultatif, si indiqué', option: 'Option, selon la préférence' },
    noviceStart: 'les débutants commencent par',
    colon: ' : ',
    createReferral: 'Créer un projet de prescription de kinésithérapie pour une thérapie par l’exercice supervisée',
    updateReferral:
      'Joindre le programme d’exercices au projet de prescription de kinésithérapie (information complémentaire)',
    createGoal: 'Créer un objectif de traitement proposé',
    createPlan:
      'Créer le projet de plan de soins avec le programme d’exercices supervisés, sur la base de la prescription',
    notApplicable: (reasons) =>
      `Aucun programme d’exercices n’est proposé pour ce patient (${reasons}) ; les cartes CDS Hooks de lbp-patient-view disent pourquoi et que faire à la place.`,
  },
};

import type { ExerciseType } from '../clinical/programme';
import type { Locale } from '../clinical/finding';

/**
 * The words of the cards around the rule texts (which live in the rule files), in Dutch (the default), French
 * (Belgian usage: KCE, SSMG) and English. Dutch and French follow their own conventions: formal "u"/"vous",
 * dates as 1-12-2026 and 1/12/2026, decimal comma (see format.ts).
 */
export interface Messages {
  /** Summary prefixes of the critical card, by the most urgent flag. */
  readonly redFlagSummary: { readonly IMMEDIATE: string; readonly URGENT: string };
  /** Shown after a red flag's title. */
  readonly urgency: { readonly IMMEDIATE: string; readonly URGENT: string; readonly SOFT: string };
  readonly noProgramme: string;
  readonly alsoNoted: string;
  readonly exclusionSummary: string;
  readonly clearanceSummary: string;
  readonly precautionSummary: string;
  readonly precautionFooter: string;
  readonly dataQualitySummary: string;
  readonly dataQualityFooter: string;
  /** "Not evaluated: …" in the card a minor data gap concerns. */
  readonly notEvaluated: string;
  readonly action: string;
  readonly suspected: string;
  /** RW-07: another record says this ended, but the dates cannot tell which is later. */
  readonly statusUnclear: string;
  /** Introduces free-text phrases found in a record. */
  readonly inText: string;
  /** What kind of record a piece of evidence comes from, by resource type. */
  readonly recordKinds: Readonly<Record<string, string>>;
  readonly evidenceLabels: {
    readonly temperature: string;
    readonly weightChange: string;
    readonly bloodPressure: string;
    readonly age: string;
  };
  readonly ageUnit: string;
  /** After a temperature recorded without a unit. */
  readonly unitAssumed: string;
  readonly more: string;
  /** Short phrases, for the "Not evaluated" line and the data-quality card. */
  readonly notes: Readonly<Record<string, string>>;
  readonly startBack: {
    readonly groups: { readonly low: string; readonly medium: string; readonly high: string };
    readonly total: string;
    readonly distress: string;
    readonly subscaleUnknown: string;
    readonly notRecorded: string;
  };
  readonly recommendationSummary: string;
  readonly noRedFlags: string;
  /** ": " — French puts a space before the colon. */
  readonly colon: string;
  /** Quotation marks around a phrase from the record: „…” (nl), « … » (fr), “…” (en). */
  readonly quotes: readonly [string, string];
  /** "; ", in French " ; ". */
  readonly semicolon: string;
  readonly programme: string;
  readonly byPreference: string;
  readonly whenIndicated: string;
  readonly walkingFirst: string;
  readonly timesPerWeek: string;
  readonly integrated: string;
  readonly exerciseNames: Readonly<Record<ExerciseType, string>>;
  readonly recommendationAction: string;
  readonly selfManagement: string;
  readonly planLinkLabel: string;
  /** "Exercise programme running", then `since` with the date when it is known. */
  readonly programmeRunning: string;
  readonly since: string;
  readonly noNewProgramme: string;
  readonly roles: { readonly proposed: string; readonly optional: string; readonly option: string };
  readonly createPlanLabel: string;
  readonly createPlanDescription: string;
  /** The other actions of the plan suggestion: the referral it is based on, and its goals. */
  readonly createReferralDescription: string;
  readonly updateReferralDescription: string;
  readonly createGoalDescription: string;
  readonly carePlanTitle: string;
  readonly adviceSummary: string;
  readonly imagingSummaryPrefix: string;
  readonly cancelOrderLabel: string;
  readonly cancelOrderDescription: string;
  readonly exerciseInsteadLabel: string;
  readonly exerciseAlternative: string;
}

const nl: Messages = {
  redFlagSummary: { IMMEDIATE: 'Rode vlag, verwijs met spoed: ', URGENT: 'Rode vlag, eerst beoordelen: ' },
  urgency: { IMMEDIATE: 'spoed', URGENT: 'eerst beoordelen', SOFT: 'zachte rode vlag' },
  noProgramme: 'Geen oefenprogramma zolang deze rode vlag niet is uitgesloten.',
  alsoNoted: 'Verder gevonden',
  exclusionSummary: 'Geen oefenprogramma voor aspecifieke lage rugpijn: ',
  clearanceSummary: 'Eerst medische beoordeling, dan oefentherapie: ',
  precautionSummary: 'Oefentherapie aanpassen: ',
  precautionFooter: 'Het oefenprogramma kan worden voorgesteld, aangepast aan deze aandachtspunten.',
  dataQualitySummary: 'Gegevens ontbreken of zijn onleesbaar: een rode vlag kan gemist zijn; geen oefenprogramma',
  dataQualityFooter: 'Ontbrekende gegevens gelden nooit als normaal.',
  notEvaluated: 'Niet beoordeeld',
  action: 'Actie',
  suspected: 'vermoedelijk',
  statusUnclear: 'status onduidelijk, ook als beëindigd vastgelegd',
  inText: 'in de tekst',
  recordKinds: {
    Condition: 'diagnose',
    Observation: 'meting',
    MedicationStatement: 'medicatie',
    MedicationRequest: 'voorschrift',
    Procedure: 'verrichting',
    QuestionnaireResponse: 'vragenlijst',
    ServiceRequest: 'aanvraag',
  },
  evidenceLabels: { temperature: 'Temperatuur', weightChange: 'Gewicht', bloodPressure: 'Bloeddruk', age: 'Leeftijd' },
  ageUnit: 'jaar',
  unitAssumed: 'zonder eenheid vastgelegd, als °C gelezen',
  more: 'en nog {n}',
  notes: {
    'no-recent-temperature': 'geen temperatuur in de afgelopen 7 dagen',
    'too-few-weights': 'gewichtsverloop (minder dan twee metingen)',
    'lbp-onset-unknown': 'duur van de rugpijn (begindatum onbekend)',
    'lbp-onset-uncertain': 'duur van de rugpijn (begin afgeleid van de registratiedatum)',
    'age-unknown': 'leeftijdsgrenzen (geen geboortedatum)',
    'weight-loss-explained': 'gewichtsverlies na een bevalling of bewust afvallen (niet als rode vlag geteld)',
    'data-not-obtained': 'een deel van het dossier kon niet uit het EPD worden opgehaald',
    'unit-not-understood': 'een meting met een onbekende eenheid',
    'unreadable-code': 'een diagnose of meting zonder bruikbare code of tekst',
    'implausible-value': 'een meting buiten het fysiologische bereik (tik- of eenheidsfout?), genegeerd',
    'lbp-code-not-understood': 'de rugpijn is alleen aan de tekst herkend, de code niet (controleer de codering)',
    'measurement-not-understood': 'een meting met een onbekende code (geen oefenprogramma tot deze is nagekeken)',
    'medication-unresolved': 'een medicatie zonder code (corticosteroïden niet te controleren)',
    'no-start-back': 'STarT Back niet vastgelegd',
  },
  startBack: {
    groups: { low: 'laag risico', medium: 'gemiddeld risico', high: 'hoog risico' },
    total: 'totaal',
    distress: 'psychosociale subschaal',
    subscaleUnknown: 'subschaal onbekend',
    notRecorded: 'STarT Back niet vastgelegd',
  },
  recommendationSummary: 'Stel gesuperviseerde oefentherapie voor',
  noRedFlags: 'geen rode vlaggen gevonden',
  colon: ': ',
  semicolon: '; ',
  quotes: ['„', '”'],
  programme: 'Programma',
  byPreference: 'naar voorkeur',
  whenIndicated: 'als geïndiceerd',
  walkingFirst: 'wandelen eerst, licht tot matig beginnen',
  timesPerWeek: '{n} dagen per week',
  integrated: 'geïntegreerd',
  exerciseNames: {
    aerobic: 'duurtraining',
    strength: 'krachttraining',
    flexibility: 'flexibiliteitstraining',
    neuromotor: 'neuromotorische training',
    functional: 'functionele training',
    'run-walk': 'hardloop-wandelprogramma',
    'high-intensity': 'hoogintensieve training',
    'mind-body': 'pilates, yoga of tai chi',
  },
  recommendationAction:
    'Maak het concept-oefenprogramma voor de fysiotherapeut; dosering en programmaregels staan in het plan.',
  selfManagement:
    'Zelfmanagement: leg uit dat rugpijn meestal vanzelf verbetert, adviseer actief te blijven en geef de patiënt schriftelijke informatie mee.',
  planLinkLabel: 'Oefenprogramma en dosering bekijken',
  programmeRunning: 'Oefenprogramma loopt',
  since: 'sinds {date}',
  noNewProgramme: 'geen nieuw programma voorgesteld',
  roles: { proposed: 'voorgesteld', optional: 'optioneel, als geïndiceerd', option: 'optie, naar voorkeur' },
  createPlanLabel: 'Maak oefenprogramma voor de fysiotherapeut',
  createPlanDescription: 'Maakt een concept-oefenprogramma aan voor de fysiotherapeut',
  createReferralDescription: 'Maakt een conceptverwijzing naar de fysiotherapeut voor oefentherapie onder begeleiding',
  updateReferralDescription: 'Voegt het oefenprogramma toe aan de conceptverwijzing naar de fysiotherapeut',
  createGoalDescription: 'Maakt een voorgesteld behandeldoel aan',
  carePlanTitle: 'Gesuperviseerde oefentherapie bij lage rugpijn',
  adviceSummary: 'Acute lage rugpijn zonder rode vlaggen: adviseer actief te blijven; nog geen oefenprogramma',
  imagingSummaryPrefix: 'Beeldvorming: ',
  cancelOrderLabel: 'Annuleer de aanvraag voor beeldvorming',
  cancelOrderDescription: 'Verwijdert de concept-aanvraag voor beeldvorming',
  exerciseInsteadLabel: 'Maak in plaats daarvan een oefenprogramma',
  exerciseAlternative: 'Alternatief: gesuperviseerde oefentherapie door de fysiotherapeut (zie de suggestie).',
};

const fr: Messages = {
  redFlagSummary: { IMMEDIATE: "Drapeau rouge, adressez d'urgence : ", URGENT: "Drapeau rouge, évaluez d'abord : " },
  urgency: { IMMEDIATE: 'urgence', URGENT: "évaluer d'abord", SOFT: 'drapeau rouge mineur' },
  noProgramme: "Pas de programme d'exercices tant que ce drapeau rouge n'est pas exclu.",
  alsoNoted: 'Également relevé',
  exclusionSummary: "Pas de programme d'exercices pour lombalgie non spécifique : ",
  clearanceSummary: "D'abord une évaluation médicale, ensuite les exercices : ",
  precautionSummary: 'Adapter les exercices : ',
  precautionFooter: "Le programme d'exercices peut être proposé, adapté à ces précautions.",
  dataQualitySummary:
    "Données manquantes ou illisibles : un drapeau rouge peut avoir échappé ; pas de programme d'exercices",
  dataQualityFooter: 'Une donnée manquante ne vaut jamais comme normale.',
  notEvaluated: 'Non évalué',
  action: 'Action',
  suspected: 'suspecté',
  statusUnclear: 'statut incertain, aussi enregistré comme terminé',
  inText: 'dans le texte',
  recordKinds: {
    Condition: 'diagnostic',
    Observation: 'mesure',
    MedicationStatement: 'médication',
    MedicationRequest: 'prescription',
    Procedure: 'intervention',
    QuestionnaireResponse: 'questionnaire',
    ServiceRequest: 'demande',
  },
  evidenceLabels: {
    temperature: 'Température',
    weightChange: 'Poids',
    bloodPressure: 'Tension artérielle',
    age: 'Âge',
  },
  ageUnit: 'ans',
  unitAssumed: 'enregistrée sans unité, lue en °C',
  more: 'et {n} autres',
  notes: {
    'no-recent-temperature': 'pas de température au cours des 7 derniers jours',
    'too-few-weights': 'évolution du poids (moins de deux mesures)',
    'lbp-onset-unknown': 'durée de la lombalgie (date de début inconnue)',
    'lbp-onset-uncertain': "durée de la lombalgie (début déduit de la date d'enregistrement)",
    'age-unknown': "limites d'âge (pas de date de naissance)",
    'weight-loss-explained':
      'perte de poids après un accouchement ou un amaigrissement volontaire (non comptée comme drapeau rouge)',
    'data-not-obtained': "une partie du dossier n'a pas pu être obtenue du DMI",
    'unit-not-understood': 'une mesure avec une unité inconnue',
    'unreadable-code': 'un diagnostic ou une mesure sans code ni texte utilisable',
    'implausible-value': 'une mesure hors des valeurs physiologiques (erreur de saisie ou d’unité ?), ignorée',
    'lbp-code-not-understood': 'la lombalgie n’est reconnue que par son texte, pas par son code (vérifiez le codage)',
    'measurement-not-understood': 'une mesure sous un code inconnu (pas de programme d’exercices avant vérification)',
    'medication-unresolved': 'un médicament sans code (corticoïdes non vérifiables)',
    'no-start-back': 'STarT Back non enregistré',
  },
  startBack: {
    groups: { low: 'risque faible', medium: 'risque moyen', high: 'risque élevé' },
    total: 'total',
    distress: 'sous-score psychosocial',
    subscaleUnknown: 'sous-score inconnu',
    notRecorded: 'STarT Back non enregistré',
  },
  recommendationSummary: 'Proposez des exercices supervisés',
  noRedFlags: 'aucun drapeau rouge trouvé',
  colon: ' : ',
  semicolon: ' ; ',
  quotes: ['« ', ' »'],
  programme: 'Programme',
  byPreference: 'selon la préférence',
  whenIndicated: 'si indiqué',
  walkingFirst: "la marche d'abord, début léger à modéré",
  timesPerWeek: '{n} jours par semaine',
  integrated: 'intégré',
  exerciseNames: {
    aerobic: 'endurance',
    strength: 'renforcement musculaire',
    flexibility: 'souplesse',
    neuromotor: 'contrôle moteur',
    functional: 'entraînement fonctionnel',
    'run-walk': 'programme course-marche',
    'high-intensity': 'entraînement à haute intensité',
    'mind-body': 'pilates, yoga ou tai-chi',
  },
  recommendationAction:
    "Créez le projet de programme d'exercices pour le kinésithérapeute ; le dosage et les règles du programme figurent dans le plan.",
  selfManagement:
    "Autogestion : expliquez que la lombalgie s'améliore le plus souvent d'elle-même, conseillez de rester actif et remettez une information écrite au patient.",
  planLinkLabel: "Voir le programme d'exercices et le dosage",
  programmeRunning: "Programme d'exercices en cours",
  since: 'depuis le {date}',
  noNewProgramme: 'pas de nouveau programme proposé',
  roles: { proposed: 'proposé', optional: 'facultatif, si indiqué', option: 'option, selon la préférence' },
  createPlanLabel: "Créer le programme d'exercices pour le kinésithérapeute",
  createPlanDescription: "Crée un projet de programme d'exercices pour le kinésithérapeute",
  createReferralDescription: 'Crée un projet de prescription de kinésithérapie pour des exercices supervisés',
  updateReferralDescription: "Joint le programme d'exercices au projet de prescription de kinésithérapie",
  createGoalDescription: 'Crée un objectif de traitement proposé',
  carePlanTitle: 'Exercices supervisés pour la lombalgie',
  adviceSummary:
    "Lombalgie aiguë sans drapeau rouge : conseillez de rester actif ; pas encore de programme d'exercices",
  imagingSummaryPrefix: 'Imagerie : ',
  cancelOrderLabel: "Annuler la demande d'imagerie",
  cancelOrderDescription: "Supprime le projet de demande d'imagerie",
  exerciseInsteadLabel: "Créer plutôt un programme d'exercices",
  exerciseAlternative: 'Alternative : exercices supervisés par le kinésithérapeute (voir la suggestion).',
};

const en: Messages = {
  redFlagSummary: { IMMEDIATE: 'Red flag, refer as an emergency: ', URGENT: 'Red flag, assess first: ' },
  urgency: { IMMEDIATE: 'emergency', URGENT: 'assess first', SOFT: 'soft red flag' },
  noProgramme: 'No exercise programme while this red flag is not ruled out.',
  alsoNoted: 'Also noted',
  exclusionSummary: 'No exercise programme for non-specific low back pain: ',
  clearanceSummary: 'Medical clearance first, then exercise: ',
  precautionSummary: 'Adapt the exercise therapy: ',
  precautionFooter: 'The exercise programme can be proposed, adapted to these precautions.',
  dataQualitySummary: 'Data missing or unreadable: a red flag may have been missed; no exercise programme',
  dataQualityFooter: 'Missing data never counts as normal.',
  notEvaluated: 'Not evaluated',
  action: 'Action',
  suspected: 'suspected',
  statusUnclear: 'status unclear, also recorded as ended',
  inText: 'in the text',
  recordKinds: {
    Condition: 'diagnosis',
    Observation: 'measurement',
    MedicationStatement: 'medication',
    MedicationRequest: 'prescription',
    Procedure: 'procedure',
    QuestionnaireResponse: 'questionnaire',
    ServiceRequest: 'order',
  },
  evidenceLabels: { temperature: 'Temperature', weightChange: 'Weight', bloodPressure: 'Blood pressure', age: 'Age' },
  ageUnit: 'years',
  unitAssumed: 'recorded without a unit, read as °C',
  more: 'and {n} more',
  notes: {
    'no-recent-temperature': 'no temperature in the last 7 days',
    'too-few-weights': 'weight trend (fewer than two weights)',
    'lbp-onset-unknown': 'duration of the back pain (onset unknown)',
    'lbp-onset-uncertain': 'duration of the back pain (onset taken from the recording date)',
    'age-unknown': 'age limits (no birth date)',
    'weight-loss-explained': 'weight loss after a delivery or intentional loss (not counted as a red flag)',
    'data-not-obtained': 'part of the record could not be obtained from the EHR',
    'unit-not-understood': 'a measurement with a unit that was not understood',
    'unreadable-code': 'a diagnosis or measurement without a usable code or text',
    'implausible-value': 'a measurement outside the physiological range (a typing or unit error?), ignored',
    'lbp-code-not-understood': 'the back pain was recognised from its text only, not its code (check the coding)',
    'measurement-not-understood': 'a measurement under an unknown code (no exercise programme until it is checked)',
    'medication-unresolved': 'a medication without a code (corticosteroids not checked)',
    'no-start-back': 'STarT Back not recorded',
  },
  startBack: {
    groups: { low: 'low risk', medium: 'medium risk', high: 'high risk' },
    total: 'total',
    distress: 'distress',
    subscaleUnknown: 'subscale unknown',
    notRecorded: 'STarT Back not recorded',
  },
  recommendationSummary: 'Propose supervised exercise therapy',
  noRedFlags: 'no red flags found',
  colon: ': ',
  semicolon: '; ',
  quotes: ['“', '”'],
  programme: 'Programme',
  byPreference: 'by preference',
  whenIndicated: 'when indicated',
  walkingFirst: 'walking first, light-to-moderate start',
  timesPerWeek: '{n} days a week',
  integrated: 'integrated',
  exerciseNames: {
    aerobic: 'aerobic',
    strength: 'strength',
    flexibility: 'flexibility',
    neuromotor: 'motor control',
    functional: 'functional training',
    'run-walk': 'run-walk programme',
    'high-intensity': 'high-intensity training',
    'mind-body': 'pilates, yoga or tai chi',
  },
  recommendationAction:
    'Create the draft exercise programme for the physiotherapist; dosing and programme rules are in the plan.',
  selfManagement:
    'Self-management: explain that back pain usually improves by itself, advise staying active and give written information.',
  planLinkLabel: 'View the exercise programme and dosing',
  programmeRunning: 'Exercise programme running',
  since: 'since {date}',
  noNewProgramme: 'no new programme proposed',
  roles: { proposed: 'proposed', optional: 'optional, when indicated', option: 'option, by preference' },
  createPlanLabel: 'Create the exercise programme for the physiotherapist',
  createPlanDescription: 'Creates a draft exercise programme for the physiotherapist',
  createReferralDescription: 'Creates a draft referral to a physiotherapist for supervised exercise therapy',
  updateReferralDescription: 'Attaches the exercise programme to the draft physiotherapy referral',
  createGoalDescription: 'Creates a proposed treatment goal',
  carePlanTitle: 'Supervised exercise therapy for low back pain',
  adviceSummary: 'Acute low back pain without red flags: advise staying active; no exercise programme yet',
  imagingSummaryPrefix: 'Imaging: ',
  cancelOrderLabel: 'Cancel the imaging order',
  cancelOrderDescription: 'Deletes the draft imaging order',
  exerciseInsteadLabel: 'Create an exercise programme instead',
  exerciseAlternative: 'Alternative: supervised exercise therapy with the physiotherapist (see the suggestion).',
};

export const MESSAGES: Readonly<Record<Locale, Messages>> = { nl, fr, en };

/** Fills `{name}` placeholders. */
export function fill(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole));
}

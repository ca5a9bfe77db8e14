import type { Locale } from '../clinical/finding';

/**
 * The words of the cards around the rule texts (which live in the rule files), in English and Dutch.
 */
export interface Messages {
  readonly redFlagSummaryImmediate: string;
  readonly redFlagSummaryUrgent: string;
  readonly redFlagHeading: string;
  readonly noProgramme: string;
  readonly alsoNoted: string;
  readonly exclusionSummary: string;
  readonly clearanceSummary: string;
  readonly precautionSummary: string;
  readonly precautionHeading: string;
  readonly precautionFooter: string;
  readonly softFlagLabel: string;
  readonly dataQualitySummary: string;
  readonly dataQualityHeading: string;
  readonly dataQualityFooter: string;
  readonly action: string;
  readonly evidence: string;
  readonly source: string;
  readonly suspected: string;
  readonly statusUnclear: string;
  readonly freeText: string;
  readonly dateUnknown: string;
  readonly evidenceLabels: {
    readonly temperature: string;
    readonly weightChange: string;
    readonly bloodPressure: string;
    readonly age: string;
  };
  readonly ageUnit: string;
  readonly notes: Readonly<Record<string, string>>;
  readonly recommendationSummary: string;
  readonly recommendationHeading: string;
  readonly recommendationIntro: string;
  readonly recommendationFooter: string;
  readonly roles: { readonly proposed: string; readonly optional: string; readonly option: string };
  readonly runWalkQuestions: string;
  readonly highIntensityNote: string;
  readonly createPlanLabel: string;
  readonly createPlanDescription: string;
  readonly carePlanTitle: string;
  readonly adviceSummary: string;
  readonly imagingSummaryPrefix: string;
  readonly cancelOrderLabel: string;
  readonly cancelOrderDescription: string;
  readonly exerciseInsteadLabel: string;
  readonly overrideReasons: Readonly<
    Record<'patient-declines' | 'already-in-therapy' | 'not-relevant-now' | 'other', string>
  >;
}

const en: Messages = {
  redFlagSummaryImmediate: 'Red flag, emergency referral: ',
  redFlagSummaryUrgent: 'Red flag, GP evaluation first: ',
  redFlagHeading: 'Red flags',
  noProgramme: 'No exercise programme is proposed while this red flag is open.',
  alsoNoted: 'Also noted',
  exclusionSummary: 'Exercise programme for non-specific LBP does not apply: ',
  clearanceSummary: 'Medical clearance needed before exercise: ',
  precautionSummary: 'Precautions for exercise therapy: ',
  precautionHeading: 'Precautions',
  precautionFooter: 'The exercise programme can be proposed, adapted to these precautions.',
  softFlagLabel: 'soft red flag',
  dataQualitySummary: 'Not all data could be evaluated: check before relying on an all-clear',
  dataQualityHeading: 'What could not be evaluated',
  dataQualityFooter: 'Missing data never counts as normal and never fires a red flag by itself.',
  action: 'Action',
  evidence: 'Evidence',
  source: 'Source',
  suspected: 'suspected',
  statusUnclear: 'status unclear: also recorded as ended',
  freeText: 'free text, please confirm',
  dateUnknown: 'date unknown',
  evidenceLabels: {
    temperature: 'Body temperature',
    weightChange: 'Body weight',
    bloodPressure: 'Blood pressure',
    age: 'Age',
  },
  ageUnit: 'years',
  notes: {
    'no-recent-temperature':
      'No body temperature measured recently (RF-03): fever can only be found in diagnoses and text.',
    'too-few-weights': 'Fewer than two body weights in the look-back (RF-04): weight loss cannot be computed.',
    'lbp-onset-unknown':
      'Onset of the low back pain unknown: duration and RF-06 (first episode after 50) cannot be evaluated.',
    'lbp-onset-uncertain': 'Onset of the low back pain taken from the recording date: duration is uncertain.',
    'age-unknown': 'No birth date: age limits cannot be evaluated.',
    'weight-loss-explained':
      'Weight loss above the RF-04 threshold explained by a delivery or intentional weight loss: not counted as a red flag.',
    'data-not-obtained': 'Part of the record could not be obtained from the EHR.',
    'unit-not-understood': 'A measurement has a unit that was not understood and was ignored.',
    'implausible-value': 'A measurement outside the physiological range (a typing or unit error?) was ignored.',
    'unreadable-code': 'A diagnosis without a usable code or text was ignored.',
    'lbp-code-not-understood':
      'The back pain was recognised from its text only: its code was not understood. Check the coding.',
    'measurement-not-understood':
      'A measurement under a code that was not recognised could not be evaluated: no exercise programme until it is checked.',
    'medication-unresolved': 'A medication without a code in the resource could not be checked for corticosteroids.',
    'no-start-back':
      'No STarT Back score in this episode: consider the STarT Back Screening Tool at first contact (KNGF B.2.1, NICE NG59 1.1.2).',
  },
  recommendationSummary: 'Propose supervised exercise therapy: ',
  recommendationHeading: 'Supervised exercise therapy',
  recommendationIntro:
    'A draft exercise programme (FHIR CarePlan, status draft) for the physiotherapist, who includes each activity only when a related impairment is found and agrees the duration with the patient.',
  recommendationFooter:
    'The physiotherapist reviews the draft and accepts it. Stop and contact the physician on new or worsening symptoms.',
  roles: { proposed: 'proposed', optional: 'optional, when indicated', option: 'option, by preference' },
  runWalkQuestions:
    'Before offering the run-walk programme, ask: does the patient already run regularly or do sport at a high level (the study excluded them)? Is there a smartphone with internet? Is there a scoliosis with an indication for surgery?',
  highIntensityNote:
    'High-intensity training starts with an exercise (stress) test and is always supervised by experienced physiotherapists.',
  createPlanLabel: 'Create exercise programme (CarePlan draft)',
  createPlanDescription: 'Create a draft CarePlan with the supervised exercise programme for the physiotherapist',
  carePlanTitle: 'Supervised exercise therapy for low back pain',
  adviceSummary: 'Acute low back pain, low risk: advise staying active; no exercise programme yet',
  imagingSummaryPrefix: 'Imaging: ',
  cancelOrderLabel: 'Cancel the imaging order',
  cancelOrderDescription: 'Delete the draft imaging order',
  exerciseInsteadLabel: 'Create exercise programme instead (CarePlan draft)',
  overrideReasons: {
    'patient-declines': 'Patient declines',
    'already-in-therapy': 'Already in exercise therapy or physiotherapy',
    'not-relevant-now': 'Not relevant now',
    other: 'Other reason',
  },
};

const nl: Messages = {
  redFlagSummaryImmediate: 'Rode vlag, spoedverwijzing: ',
  redFlagSummaryUrgent: 'Rode vlag, eerst beoordeling door de huisarts: ',
  redFlagHeading: 'Rode vlaggen',
  noProgramme: 'Er wordt geen oefenprogramma voorgesteld zolang deze rode vlag openstaat.',
  alsoNoted: 'Verder gevonden',
  exclusionSummary: 'Oefenprogramma voor aspecifieke lage rugpijn niet van toepassing: ',
  clearanceSummary: 'Medische beoordeling nodig vóór oefentherapie: ',
  precautionSummary: 'Aandachtspunten voor oefentherapie: ',
  precautionHeading: 'Aandachtspunten',
  precautionFooter: 'Het oefenprogramma kan worden voorgesteld, aangepast aan deze aandachtspunten.',
  softFlagLabel: 'zachte rode vlag',
  dataQualitySummary:
    'Niet alle gegevens konden worden beoordeeld: controleer dit vóór u op een geruststelling vertrouwt',
  dataQualityHeading: 'Wat niet kon worden beoordeeld',
  dataQualityFooter: 'Ontbrekende gegevens gelden nooit als normaal en geven op zichzelf nooit een rode vlag.',
  action: 'Actie',
  evidence: 'Bevindingen',
  source: 'Bron',
  suspected: 'vermoedelijk',
  statusUnclear: 'status onduidelijk: ook als beëindigd vastgelegd',
  freeText: 'vrije tekst, graag bevestigen',
  dateUnknown: 'datum onbekend',
  evidenceLabels: {
    temperature: 'Lichaamstemperatuur',
    weightChange: 'Lichaamsgewicht',
    bloodPressure: 'Bloeddruk',
    age: 'Leeftijd',
  },
  ageUnit: 'jaar',
  notes: {
    'no-recent-temperature':
      'Geen recente lichaamstemperatuur gemeten (RF-03): koorts kan alleen uit diagnoses en tekst blijken.',
    'too-few-weights':
      'Minder dan twee gewichtsmetingen in de terugkijkperiode (RF-04): gewichtsverlies niet te berekenen.',
    'lbp-onset-unknown':
      'Begin van de lage rugpijn onbekend: de duur en RF-06 (eerste episode na het 50e jaar) zijn niet te beoordelen.',
    'lbp-onset-uncertain': 'Begin van de lage rugpijn afgeleid van de registratiedatum: de duur is onzeker.',
    'age-unknown': 'Geen geboortedatum: leeftijdsgrenzen zijn niet te beoordelen.',
    'weight-loss-explained':
      'Gewichtsverlies boven de drempel van RF-04 verklaard door een bevalling of bewust afvallen: niet geteld als rode vlag.',
    'data-not-obtained': 'Een deel van het dossier kon niet uit het EPD worden opgehaald.',
    'unit-not-understood': 'Een meting met een onbekende eenheid is genegeerd.',
    'implausible-value': 'Een meting buiten het fysiologisch mogelijke bereik (tik- of eenheidsfout?) is genegeerd.',
    'unreadable-code': 'Een diagnose zonder bruikbare code of tekst is genegeerd.',
    'lbp-code-not-understood':
      'De rugpijn is alleen aan de tekst herkend: de code werd niet begrepen. Controleer de codering.',
    'measurement-not-understood':
      'Een meting met een onbekende code kon niet worden beoordeeld: geen oefenprogramma tot deze is nagekeken.',
    'medication-unresolved': 'Een medicatie zonder code kon niet worden gecontroleerd op corticosteroïden.',
    'no-start-back':
      'Geen STarT Back-score in deze episode: overweeg de STarT Back Screening Tool bij het eerste contact (KNGF B.2.1, NICE NG59 1.1.2).',
  },
  recommendationSummary: 'Stel gesuperviseerde oefentherapie voor: ',
  recommendationHeading: 'Gesuperviseerde oefentherapie',
  recommendationIntro:
    'Een concept-oefenprogramma (FHIR CarePlan, status concept) voor de fysiotherapeut, die elke activiteit alleen opneemt als er een samenhangende beperking is en de duur met de patiënt afspreekt.',
  recommendationFooter:
    'De fysiotherapeut beoordeelt het concept en neemt het over. Stop en neem contact op met de arts bij nieuwe of toenemende klachten.',
  roles: { proposed: 'voorgesteld', optional: 'optioneel, als geïndiceerd', option: 'optie, naar voorkeur' },
  runWalkQuestions:
    'Vraag vóór het hardloop-wandelprogramma: loopt de patiënt al regelmatig hard of sport hij op hoog niveau (de studie sloot hen uit)? Is er een smartphone met internet? Is er een scoliose met een operatie-indicatie?',
  highIntensityNote:
    'Hoogintensieve training begint met een inspanningstest en staat altijd onder begeleiding van ervaren fysiotherapeuten.',
  createPlanLabel: 'Maak oefenprogramma (concept-CarePlan)',
  createPlanDescription: 'Maak een concept-CarePlan met het gesuperviseerde oefenprogramma voor de fysiotherapeut',
  carePlanTitle: 'Gesuperviseerde oefentherapie bij lage rugpijn',
  adviceSummary: 'Acute lage rugpijn, laag risico: adviseer actief te blijven; nog geen oefenprogramma',
  imagingSummaryPrefix: 'Beeldvorming: ',
  cancelOrderLabel: 'Annuleer de aanvraag voor beeldvorming',
  cancelOrderDescription: 'Verwijder de concept-aanvraag voor beeldvorming',
  exerciseInsteadLabel: 'Maak in plaats daarvan een oefenprogramma (concept-CarePlan)',
  overrideReasons: {
    'patient-declines': 'Patiënt wil het niet',
    'already-in-therapy': 'Al in oefentherapie of fysiotherapie',
    'not-relevant-now': 'Nu niet relevant',
    other: 'Andere reden',
  },
};

export const MESSAGES: Readonly<Record<Locale, Messages>> = { en, nl };

import type { DataDetail, DataIssue, Evidence, Locale } from '../clinical/finding';
import { localiseText } from './format';
import { MESSAGES, fill } from './messages';

/**
 * The data-quality lines of a card in the GP's language: what could not be read, short and without technical
 * words ("Diagnoses: de server telde 4, stuurde er 1 — mogelijk onvolledig"). The record's own words (a
 * measurement's display) and values are filled in; the technical detail stays in the logs and the 412 answer.
 */

interface DataWords {
  /** Each issue; `{type}` is the kind of data, `{text}` the record's words, `{value}` its value, `{code}`, `{range}`. */
  readonly issues: Readonly<Record<DataIssue, string>>;
  /** The same issue with its numbers, used when the numbers are known. */
  readonly counted: Readonly<Partial<Record<DataIssue, string>>>;
  /** The kinds of data a prefetch key holds, as a heading ("Diagnoses"). */
  readonly types: Readonly<Record<string, string>>;
  readonly unknownType: string;
  /** Stands for the record's words when it has none. */
  readonly unnamed: string;
}

const WORDS: Readonly<Record<Locale, DataWords>> = {
  nl: {
    issues: {
      'client-error': '{type}: het EPD kon deze gegevens niet meesturen',
      'not-available': '{type}: niet meegestuurd en niet op te vragen',
      'fetch-failed': '{type}: opvragen mislukt',
      timeout: '{type}: het EPD antwoordde niet op tijd',
      unreadable: '{type}: antwoord onleesbaar',
      truncated: '{type}: niet alle pagina’s gelezen — mogelijk onvolledig',
      incomplete: '{type}: het antwoord is mogelijk onvolledig',
      'wrong-patient': '{type}: gegevens van een andere patiënt genegeerd',
      'no-usable-code': 'zonder bruikbare code of tekst',
      'measurement-not-understood': '{text} {value}: code {code} niet herkend, niet beoordeeld',
      'medication-not-coded': 'zonder code',
      'medication-unnamed': 'zonder ATC-code of naam',
      'unit-not-understood': '{text} {value}: eenheid niet herkend',
      'implausible-value': '{text} {value}: buiten {range}, genegeerd',
      'no-birth-date': 'geen geboortedatum',
      'lbp-code-not-understood': '{text}: code niet herkend, alleen aan de tekst herkend',
    },
    counted: {
      incomplete: '{type}: de server telde {counted}, stuurde er {sent} — mogelijk onvolledig',
      truncated: '{type}: alleen de eerste {pages} pagina’s gelezen — mogelijk onvolledig',
      unreadable: '{type}: {entries} onleesbare items',
      'wrong-patient': '{type}: {entries} gegevens van een andere patiënt genegeerd',
    },
    types: {
      Patient: 'Patiëntgegevens',
      Condition: 'Diagnoses',
      Observation: 'Metingen',
      MedicationStatement: 'Medicatie',
      MedicationRequest: 'Voorschriften',
      Procedure: 'Verrichtingen',
      QuestionnaireResponse: 'Vragenlijsten',
      CarePlan: 'Behandelplannen',
      ServiceRequest: 'Aanvragen',
    },
    unknownType: 'Gegevens',
    unnamed: 'meting',
  },
  fr: {
    issues: {
      'client-error': '{type} : le DMI n’a pas pu transmettre ces données',
      'not-available': '{type} : ni transmis ni consultables',
      'fetch-failed': '{type} : la consultation a échoué',
      timeout: '{type} : le DMI n’a pas répondu à temps',
      unreadable: '{type} : réponse illisible',
      truncated: '{type} : toutes les pages n’ont pas été lues — peut-être incomplet',
      incomplete: '{type} : la réponse est peut-être incomplète',
      'wrong-patient': '{type} : données d’un autre patient ignorées',
      'no-usable-code': 'sans code ni texte utilisable',
      'measurement-not-understood': '{text} {value} : code {code} non reconnu, non évalué',
      'medication-not-coded': 'sans code',
      'medication-unnamed': 'sans code ATC ni nom',
      'unit-not-understood': '{text} {value} : unité non reconnue',
      'implausible-value': '{text} {value} : hors de {range}, ignoré',
      'no-birth-date': 'pas de date de naissance',
      'lbp-code-not-understood': '{text} : code non reconnu, reconnu par son texte seulement',
    },
    counted: {
      incomplete: '{type} : le serveur en a compté {counted}, en a envoyé {sent} — peut-être incomplet',
      truncated: '{type} : seules les {pages} premières pages ont été lues — peut-être incomplet',
      unreadable: '{type} : {entries} éléments illisibles',
      'wrong-patient': '{type} : {entries} données d’un autre patient ignorées',
    },
    types: {
      Patient: 'Données du patient',
      Condition: 'Diagnostics',
      Observation: 'Mesures',
      MedicationStatement: 'Médication',
      MedicationRequest: 'Prescriptions',
      Procedure: 'Interventions',
      QuestionnaireResponse: 'Questionnaires',
      CarePlan: 'Plans de traitement',
      ServiceRequest: 'Demandes',
    },
    unknownType: 'Données',
    unnamed: 'mesure',
  },
  en: {
    issues: {
      'client-error': '{type}: the EHR could not send this data',
      'not-available': '{type}: neither sent nor retrievable',
      'fetch-failed': '{type}: retrieval failed',
      timeout: '{type}: the EHR did not answer in time',
      unreadable: '{type}: answer unreadable',
      truncated: '{type}: not every page was read — possibly incomplete',
      incomplete: '{type}: the answer is possibly incomplete',
      'wrong-patient': '{type}: data about another patient ignored',
      'no-usable-code': 'without a usable code or text',
      'measurement-not-understood': '{text} {value}: code {code} not recognised, not evaluated',
      'medication-not-coded': 'without a code',
      'medication-unnamed': 'without an ATC code or a name',
      'unit-not-understood': '{text} {value}: unit not recognised',
      'implausible-value': '{text} {value}: outside {range}, ignored',
      'no-birth-date': 'no birth date',
      'lbp-code-not-understood': '{text}: code not recognised, recognised by its text only',
    },
    counted: {
      incomplete: '{type}: the server counted {counted}, sent {sent} — possibly incomplete',
      truncated: '{type}: only the first {pages} pages were read — possibly incomplete',
      unreadable: '{type}: {entries} unreadable entries',
      'wrong-patient': '{type}: {entries} items about another patient ignored',
    },
    types: {
      Patient: 'Patient details',
      Condition: 'Diagnoses',
      Observation: 'Measurements',
      MedicationStatement: 'Medication',
      MedicationRequest: 'Prescriptions',
      Procedure: 'Procedures',
      QuestionnaireResponse: 'Questionnaires',
      CarePlan: 'Treatment plans',
      ServiceRequest: 'Requests',
    },
    unknownType: 'Data',
    unnamed: 'measurement',
  },
};

/** The name of a vital sign, from the labels the other evidence lines use. */
function measureName(measure: NonNullable<DataDetail['measure']>, locale: Locale): string {
  const labels = MESSAGES[locale].evidenceLabels;
  return { temperature: labels.temperature, weight: labels.weightChange, 'blood-pressure': labels.bloodPressure }[
    measure
  ];
}

const hasFigures = (data: DataDetail) =>
  data.counted !== undefined || data.pages !== undefined || data.entries !== undefined;

/**
 * One data-quality detail in words. Without structured detail (older evidence) its text is shown as it is.
 * @param item - `data` evidence; its `text` and `value` are the record's own (escaped by the caller)
 */
export function dataLine(item: Evidence, locale: Locale): string {
  const data = item.data;
  if (data === undefined) {
    return localiseText(item.text ?? '', locale);
  }
  const words = WORDS[locale];
  const template = (hasFigures(data) ? words.counted[data.issue] : undefined) ?? words.issues[data.issue];
  const text = fill(template, {
    type: (data.resourceType && words.types[data.resourceType]) ?? words.unknownType,
    text: data.measure ? measureName(data.measure, locale) : item.text?.trim() || words.unnamed,
    value: localiseText(item.value ?? '', locale),
    code: data.code ?? '?',
    range: localiseText(data.range ?? '', locale),
    counted: data.counted ?? '?',
    sent: data.sent ?? '?',
    pages: data.pages ?? '?',
    entries: data.entries ?? '?',
  });
  // An empty value leaves a double space or a space before the colon; the first letter is a capital.
  const spaced = text.replace(/ {2,}/g, ' ').replace(/ ,/g, ',');
  const tidy = locale === 'fr' ? spaced : spaced.replace(/ :/g, ':');
  return tidy.charAt(0).toUpperCase() + tidy.slice(1);
}

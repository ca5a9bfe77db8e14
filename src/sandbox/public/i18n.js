// @ts-check
// The page's own words in English and Dutch. Card texts come from the service in the language the page asks for
// (Accept-Language); these are only the labels around them.

const STRINGS = {
  en: {
    pageTitle: 'Ruggensteun sandbox',
    skipLink: 'Skip to main content',
    tagline: 'Try the low back pain CDS service the way an EHR and a physiotherapy system would use it.',
    languageLabel: 'Language',
    intro:
      'This page plays two systems. As the GP’s EHR it calls the CDS Hooks service (discovery, prefetch from the FHIR server at /fhir, the hook call) and shows the cards; accepting a suggestion writes to that FHIR server and sends feedback. As the physiotherapist’s system it reads the CarePlan drafts and accepts or declines them. Every request and response is shown.',
    patientHeading: 'Patient',
    patientLabel: 'Sample patient',
    patientHint: 'Thirteen made-up patients; each shows a different kind of card.',
    patientLoading: 'Loading patients…',
    born: 'born {date}',
    ageYears: '{age} years',
    gender: { female: 'female', male: 'male', other: 'other', unknown: 'gender unknown' },
    roleTabsLabel: 'Role',
    roleGp: 'GP (EHR)',
    rolePhysio: 'Physiotherapist',
    gpHeading: 'GP: what the EHR shows',
    gpIntro:
      'Pick a moment in the GP’s workflow. The page builds the CDS Hooks request like an EHR would and shows the cards it gets back.',
    scenariosLabel: 'Scenarios',
    scenarioChart: 'Open the chart',
    scenarioPhysioSelect: 'Select a physiotherapy referral',
    scenarioPhysioSign: 'Sign the physiotherapy referral',
    scenarioMriSelect: 'Select a lumbar MRI',
    scenarioMriSign: 'Sign the lumbar MRI',
    ownOrder: 'the patient’s own draft order {id}',
    builtOrder: 'a draft order built by this page ({id})',
    cardsHeading: 'Cards',
    cardsEmpty: 'No scenario run yet. Choose one above.',
    noCards: 'The service returned no cards for this patient and scenario.',
    working: 'Working…',
    indicator: { critical: 'Critical', warning: 'Warning', info: 'Info' },
    source: 'Source',
    newTab: '(opens in a new tab)',
    links: 'Links',
    smartLinkDisabled: '(SMART app link: needs a SMART launch, not available in this sandbox)',
    suggestions: 'Suggestions',
    recommended: 'Recommended',
    actionsOf: 'What accepting does:',
    dismiss: 'Dismiss',
    dismissHeading: 'Dismiss this card',
    overrideReason: 'Reason',
    noReason: 'No reason given',
    overrideComment: 'Comment (optional)',
    confirmDismiss: 'Confirm dismissal',
    cancel: 'Cancel',
    cardAccepted: 'Accepted: {label}',
    cardDismissed: 'Dismissed ({reason})',
    cardDismissedNoReason: 'Dismissed',
    exchangeHeading: 'Request and response',
    requestSummary: 'Hook request',
    responseSummary: 'Hook response',
    prefetchSummary: 'Prefetch (the EHR’s FHIR reads)',
    logSummary: 'Writes and feedback',
    nothingYet: 'Nothing yet.',
    physioHeading: 'Physiotherapist: exercise programmes',
    physioIntro:
      'The CarePlans of this patient on the FHIR server. A draft proposed by the GP can be accepted (status active) with a programme period, or declined with a reason.',
    refresh: 'Reload the CarePlans',
    noCarePlans:
      'No CarePlans for this patient yet. Create one in the GP view (“Open the chart”, then “Create exercise programme”).',
    status: 'Status',
    created: 'Created',
    period: 'Period',
    periodOpen: 'open',
    activities: 'Activities',
    notes: 'Programme notes',
    carePlanStatus: {
      draft: 'draft',
      active: 'active',
      'on-hold': 'on hold',
      revoked: 'revoked',
      completed: 'completed',
      'entered-in-error': 'entered in error',
      unknown: 'unknown',
    },
    activityStatus: 'activity status: {status}',
    activityStatusWords: {
      'not-started': 'not started',
      scheduled: 'scheduled',
      'in-progress': 'in progress',
      'on-hold': 'on hold',
      completed: 'completed',
      cancelled: 'cancelled',
      stopped: 'stopped',
      unknown: 'unknown',
    },
    latestNote: 'Latest note',
    reviewHeading: 'Review the draft',
    periodLegend: 'Programme period (optional)',
    periodStart: 'Start date',
    periodEnd: 'End date',
    accept: 'Accept the programme',
    declineReason: 'Reason for declining',
    declineHint: 'Required when declining.',
    decline: 'Decline the programme',
    declineNeedsReason: 'Give a reason for declining.',
    periodEndBeforeStart: 'The end date is before the start date.',
    declinedNote: 'Declined by the physiotherapist: {reason}',
    untitled: 'CarePlan without a title',
    timing: {
      times: '{n} × per {unit}',
      timesEvery: '{n} × every {period} {unit}',
      durationEach: '{d} {unit} each',
      bounds: 'for {n} {unit}',
      units: {
        s: ['second', 'seconds'],
        min: ['minute', 'minutes'],
        h: ['hour', 'hours'],
        d: ['day', 'days'],
        wk: ['week', 'weeks'],
        mo: ['month', 'months'],
        a: ['year', 'years'],
      },
    },
    // Status messages
    statusReady: 'Ready. Choose a patient and a scenario.',
    statusPatient: 'Patient {name} selected.',
    statusCalling: 'Calling {service} ({hook})…',
    statusCards: '{count} card(s) received from {service} ({hook}) in {ms} ms.',
    statusNoCards: 'No cards from {service} ({hook}).',
    statusServiceError: 'The service answered {status}: {message}',
    serviceErrorTitle: 'The service answered {status}. Nothing is shown to the GP; what it said:',
    statusNetworkError: 'The request failed: {message}',
    statusCreated: '{type} {ref} created',
    statusUpdated: '{type} {ref} updated',
    statusDeleted: '{ref} deleted',
    statusDraftDiscarded: '{ref} discarded (it was a draft order of this page and was not stored on the FHIR server)',
    statusFeedbackSent: 'feedback sent',
    statusNoFeedback: 'no feedback (the card or suggestion has no uuid)',
    statusFeedbackFailed: 'feedback failed ({status})',
    statusActionFailed: 'Action failed: {message}',
    statusAccepted: 'Suggestion “{label}” accepted',
    statusDismissed: 'Card dismissed',
    statusCarePlans: '{count} CarePlan(s) found for {name}.',
    statusCarePlanAccepted: 'CarePlan {ref} accepted: status is now {status}.',
    statusCarePlanDeclined: 'CarePlan {ref} declined: status is now {status}.',
    statusLanguage: 'Language: English.',
    authWarning:
      'This service requires client authentication but the sandbox cannot sign calls here (signing is only available in development). Calls will be refused with 401.',
    signingNote: 'Calls are signed: each one carries its own short-lived JWT for the exact URL called.',
    httpStatus: 'HTTP {status}',
    languageName: 'English',
    footer: 'Made-up patients only. Ruggensteun supports, and never replaces, the clinician’s judgement.',
  },
  nl: {
    pageTitle: 'Ruggensteun-sandbox',
    skipLink: 'Naar de hoofdinhoud',
    tagline: 'Probeer de CDS-service voor lage rugpijn zoals een EPD en een fysiotherapiesysteem hem gebruiken.',
    languageLabel: 'Taal',
    intro:
      'Deze pagina speelt twee systemen. Als het EPD van de huisarts roept zij de CDS Hooks-service aan (discovery, prefetch van de FHIR-server op /fhir, de hook-aanroep) en toont zij de kaarten; een suggestie overnemen schrijft naar die FHIR-server en stuurt feedback. Als het systeem van de fysiotherapeut leest zij de concept-CarePlans en neemt ze over of wijst ze af. Elk verzoek en antwoord is zichtbaar.',
    patientHeading: 'Patiënt',
    patientLabel: 'Voorbeeldpatiënt',
    patientHint: 'Dertien verzonnen patiënten; elk laat een ander soort kaart zien.',
    patientLoading: 'Patiënten laden…',
    born: 'geboren {date}',
    ageYears: '{age} jaar',
    gender: { female: 'vrouw', male: 'man', other: 'anders', unknown: 'geslacht onbekend' },
    roleTabsLabel: 'Rol',
    roleGp: 'Huisarts (EPD)',
    rolePhysio: 'Fysiotherapeut',
    gpHeading: 'Huisarts: wat het EPD toont',
    gpIntro:
      'Kies een moment in het werk van de huisarts. De pagina bouwt het CDS Hooks-verzoek zoals een EPD dat doet en toont de kaarten die terugkomen.',
    scenariosLabel: 'Scenario’s',
    scenarioChart: 'Dossier openen',
    scenarioPhysioSelect: 'Verwijzing fysiotherapie selecteren',
    scenarioPhysioSign: 'Verwijzing fysiotherapie ondertekenen',
    scenarioMriSelect: 'MRI lumbale wervelkolom selecteren',
    scenarioMriSign: 'MRI lumbale wervelkolom ondertekenen',
    ownOrder: 'de eigen conceptopdracht van de patiënt {id}',
    builtOrder: 'een conceptopdracht gemaakt door deze pagina ({id})',
    cardsHeading: 'Kaarten',
    cardsEmpty: 'Nog geen scenario uitgevoerd. Kies er hierboven een.',
    noCards: 'De service gaf geen kaarten voor deze patiënt en dit scenario.',
    working: 'Bezig…',
    indicator: { critical: 'Kritiek', warning: 'Waarschuwing', info: 'Informatie' },
    source: 'Bron',
    newTab: '(opent in een nieuw tabblad)',
    links: 'Links',
    smartLinkDisabled: '(SMART-app-link: vraagt een SMART-launch, niet beschikbaar in deze sandbox)',
    suggestions: 'Suggesties',
    recommended: 'Aanbevolen',
    actionsOf: 'Wat overnemen doet:',
    dismiss: 'Negeren',
    dismissHeading: 'Deze kaart negeren',
    overrideReason: 'Reden',
    noReason: 'Geen reden opgegeven',
    overrideComment: 'Toelichting (optioneel)',
    confirmDismiss: 'Negeren bevestigen',
    cancel: 'Annuleren',
    cardAccepted: 'Overgenomen: {label}',
    cardDismissed: 'Genegeerd ({reason})',
    cardDismissedNoReason: 'Genegeerd',
    exchangeHeading: 'Verzoek en antwoord',
    requestSummary: 'Hook-verzoek',
    responseSummary: 'Hook-antwoord',
    prefetchSummary: 'Prefetch (de FHIR-leesacties van het EPD)',
    logSummary: 'Schrijfacties en feedback',
    nothingYet: 'Nog niets.',
    physioHeading: 'Fysiotherapeut: oefenprogramma’s',
    physioIntro:
      'De CarePlans van deze patiënt op de FHIR-server. Een concept van de huisarts kan worden overgenomen (status actief) met een programmaperiode, of afgewezen met een reden.',
    refresh: 'CarePlans opnieuw laden',
    noCarePlans:
      'Nog geen CarePlans voor deze patiënt. Maak er een in de huisartsweergave (“Dossier openen”, dan “Maak oefenprogramma”).',
    status: 'Status',
    created: 'Aangemaakt',
    period: 'Periode',
    periodOpen: 'open',
    activities: 'Activiteiten',
    notes: 'Programma-afspraken',
    carePlanStatus: {
      draft: 'concept',
      active: 'actief',
      'on-hold': 'gepauzeerd',
      revoked: 'ingetrokken',
      completed: 'afgerond',
      'entered-in-error': 'foutief ingevoerd',
      unknown: 'onbekend',
    },
    activityStatus: 'status activiteit: {status}',
    activityStatusWords: {
      'not-started': 'niet gestart',
      scheduled: 'gepland',
      'in-progress': 'bezig',
      'on-hold': 'gepauzeerd',
      completed: 'afgerond',
      cancelled: 'geannuleerd',
      stopped: 'gestopt',
      unknown: 'onbekend',
    },
    latestNote: 'Laatste notitie',
    reviewHeading: 'Het concept beoordelen',
    periodLegend: 'Programmaperiode (optioneel)',
    periodStart: 'Startdatum',
    periodEnd: 'Einddatum',
    accept: 'Programma overnemen',
    declineReason: 'Reden van afwijzing',
    declineHint: 'Verplicht bij afwijzen.',
    decline: 'Programma afwijzen',
    declineNeedsReason: 'Geef een reden voor de afwijzing.',
    periodEndBeforeStart: 'De einddatum ligt vóór de startdatum.',
    declinedNote: 'Afgewezen door de fysiotherapeut: {reason}',
    untitled: 'CarePlan zonder titel',
    timing: {
      times: '{n} × per {unit}',
      timesEvery: '{n} × per {period} {unit}',
      durationEach: 'telkens {d} {unit}',
      bounds: 'gedurende {n} {unit}',
      units: {
        s: ['seconde', 'seconden'],
        min: ['minuut', 'minuten'],
        h: ['uur', 'uur'],
        d: ['dag', 'dagen'],
        wk: ['week', 'weken'],
        mo: ['maand', 'maanden'],
        a: ['jaar', 'jaar'],
      },
    },
    statusReady: 'Klaar. Kies een patiënt en een scenario.',
    statusPatient: 'Patiënt {name} gekozen.',
    statusCalling: '{service} ({hook}) aanroepen…',
    statusCards: '{count} kaart(en) ontvangen van {service} ({hook}) in {ms} ms.',
    statusNoCards: 'Geen kaarten van {service} ({hook}).',
    statusServiceError: 'De service antwoordde {status}: {message}',
    serviceErrorTitle: 'De service antwoordde {status}. De huisarts ziet niets; de melding:',
    statusNetworkError: 'Het verzoek mislukte: {message}',
    statusCreated: '{type} {ref} aangemaakt',
    statusUpdated: '{type} {ref} bijgewerkt',
    statusDeleted: '{ref} verwijderd',
    statusDraftDiscarded:
      '{ref} vervallen (het was een conceptopdracht van deze pagina, niet opgeslagen op de FHIR-server)',
    statusFeedbackSent: 'feedback verstuurd',
    statusNoFeedback: 'geen feedback (de kaart of suggestie heeft geen uuid)',
    statusFeedbackFailed: 'feedback mislukt ({status})',
    statusActionFailed: 'Actie mislukt: {message}',
    statusAccepted: 'Suggestie “{label}” overgenomen',
    statusDismissed: 'Kaart genegeerd',
    statusCarePlans: '{count} CarePlan(s) gevonden voor {name}.',
    statusCarePlanAccepted: 'CarePlan {ref} overgenomen: de status is nu {status}.',
    statusCarePlanDeclined: 'CarePlan {ref} afgewezen: de status is nu {status}.',
    statusLanguage: 'Taal: Nederlands.',
    authWarning:
      'Deze service eist clientauthenticatie, maar de sandbox kan hier geen aanroepen ondertekenen (alleen in development). Aanroepen worden geweigerd met 401.',
    signingNote:
      'Aanroepen worden ondertekend: elke aanroep krijgt een eigen kortlevende JWT voor precies de aangeroepen URL.',
    httpStatus: 'HTTP {status}',
    languageName: 'Nederlands',
    footer:
      'Alleen verzonnen patiënten. Ruggensteun ondersteunt het oordeel van de zorgverlener en vervangt het nooit.',
  },
};

export const LANGUAGES = /** @type {const} */ (['en', 'nl']);

let current = 'en';

/** @param {string} lang */
export function setLanguage(lang) {
  current = /** @type {readonly string[]} */ (LANGUAGES).includes(lang) ? lang : 'en';
  document.documentElement.lang = current;
}

export function language() {
  return current;
}

/** The locale used for dates and numbers. */
export function intlLocale() {
  return current === 'nl' ? 'nl-NL' : 'en-GB';
}

/**
 * A string (or a nested object of strings) by dotted key, with {placeholders} filled in.
 * @param {string} key
 * @param {Record<string, string | number>} [params]
 */
export function t(key, params = {}) {
  const lookup = (table) => key.split('.').reduce((node, part) => (node == null ? undefined : node[part]), table);
  const value = lookup(STRINGS[current]) ?? lookup(STRINGS.en) ?? key;
  if (typeof value !== 'string') {
    return value;
  }
  return value.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
}

/** Fills every element with data-i18n (text) and data-i18n-attr ("attribute:key") from the current language. */
export function translatePage(root = document) {
  for (const element of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll('[data-i18n]'))) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const element of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll('[data-i18n-attr]'))) {
    const [attribute, key] = element.dataset.i18nAttr.split(':');
    element.setAttribute(attribute, t(key));
  }
  document.title = t('pageTitle');
}

// @ts-check
// The sandbox page: a patient, a role (the GP's EHR or the physiotherapist's system) and a language. The GP view
// runs CDS Hooks scenarios and shows the cards; the physiotherapist view reviews the CarePlan drafts.

import { describeOutcome, displayHeaders, loadPatients, loadSettings, outcomeIssues } from './api.js';
import { loadCarePlans, renderCarePlans } from './careplans.js';
import { renderCards } from './cards.js';
import { SCENARIOS, buildRequest, callService, isOrderOfKind } from './cds-client.js';
import { el, json } from './dom.js';
import { LANGUAGES, intlLocale, language, setLanguage, t, translatePage } from './i18n.js';

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const state = {
  patients: [],
  patient: undefined,
  role: 'gp',
  busy: false,
  settings: { authRequired: false, signing: false, locale: 'en' },
  /** Whether the exchange panels show a request (otherwise they hold a placeholder). */
  hasExchange: false,
  /** The last scenario run, to run it again in another language. */
  lastScenario: undefined,
  /** The physiotherapist view's CarePlans, to render them again in another language. */
  carePlans: undefined,
  /** Draft orders sent in the last request, by reference; `stored` when the FHIR server holds them. */
  draftOrders: new Map(),
};

function report(message) {
  const status = $('status');
  // Clear first so the same message twice is announced twice.
  status.textContent = '';
  window.setTimeout(() => {
    status.textContent = message;
  }, 50);
}

function ageOf(birthDate) {
  if (typeof birthDate !== 'string') {
    return undefined;
  }
  const [year, month, day] = birthDate.split('-').map(Number);
  const now = new Date();
  let age = now.getFullYear() - year;
  if (now.getMonth() + 1 < month || (now.getMonth() + 1 === month && now.getDate() < (day ?? 1))) {
    age -= 1;
  }
  return Number.isFinite(age) ? age : undefined;
}

function formatDate(value) {
  const date = new Date(`${value}T12:00:00`);
  return Number.isNaN(date.getTime())
    ? value
    : new Intl.DateTimeFormat(intlLocale(), { day: 'numeric', month: 'long', year: 'numeric' }).format(date);
}

function genderKey(gender) {
  return ['female', 'male', 'other'].includes(gender) ? gender : 'unknown';
}

// ---------------------------------------------------------------- patient

function renderPatientOptions() {
  const select = /** @type {HTMLSelectElement} */ ($('patient'));
  const selected = state.patient?.id;
  select.replaceChildren(
    ...state.patients.map((patient) => {
      // The summary starts with age, sex and town ("38 y, female, Amersfoort. Active: …").
      const age = ageOf(patient.birthDate);
      const summary = summaryOf(patient) || (age === undefined ? '' : t('ageYears', { age }));
      return el('option', { value: patient.id, text: `${patient.name} — ${summary}` });
    })
  );
  if (selected) {
    select.value = selected;
  }
  select.disabled = state.patients.length === 0;
}

/** The patient's one-line summary in the page's language (the service sends one per language). */
function summaryOf(patient) {
  return patient.summaries?.[language()] ?? patient.summary;
}

function renderPatientBanner() {
  const banner = $('patient-banner');
  const patient = state.patient;
  if (!patient) {
    banner.replaceChildren();
    return;
  }
  const age = ageOf(patient.birthDate);
  const facts = [
    t(`gender.${genderKey(patient.gender)}`),
    age === undefined ? undefined : t('ageYears', { age }),
    patient.birthDate ? t('born', { date: formatDate(patient.birthDate) }) : undefined,
  ].filter(Boolean);
  banner.replaceChildren(
    el(
      'p',
      { class: 'patient-banner__name' },
      patient.name,
      ' ',
      el('code', { class: 'patient-banner__id', text: `Patient/${patient.id}` })
    ),
    el('p', { class: 'patient-banner__facts', text: facts.join(' · ') }),
    summaryOf(patient) ? el('p', { class: 'patient-banner__summary', text: summaryOf(patient) }) : null
  );
}

function choosePatient(id, announce = true) {
  state.patient = state.patients.find((patient) => patient.id === id) ?? state.patients[0];
  renderPatientBanner();
  renderScenarioNotes();
  clearExchange();
  state.lastScenario = undefined;
  state.carePlans = undefined;
  $('cards').dataset.state = 'idle';
  $('cards').replaceChildren(el('p', { class: 'empty', text: t('cardsEmpty') }));
  if (state.role === 'physio') {
    void refreshCarePlans();
  } else if (announce && state.patient) {
    report(t('statusPatient', { name: state.patient.name }));
  }
}

// ---------------------------------------------------------------- role tabs

function selectRole(role, focus = false) {
  state.role = role;
  for (const tab of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[role="tab"]'))) {
    const selected = tab.dataset.role === role;
    tab.setAttribute('aria-selected', String(selected));
    $(tab.getAttribute('aria-controls')).hidden = !selected;
    if (selected && focus) {
      tab.focus();
    }
  }
  if (role === 'physio') {
    void refreshCarePlans();
  }
}

function wireTabs() {
  const tabs = [.../** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[role="tab"]'))];
  for (const tab of tabs) {
    tab.addEventListener('click', () => selectRole(tab.dataset.role));
    // Arrow keys move between the tabs as well (WAI-ARIA tabs pattern); both tabs also stay in the Tab order.
    tab.addEventListener('keydown', (event) => {
      const index = tabs.indexOf(tab);
      let next;
      if (event.key === 'ArrowRight') {
        next = tabs[(index + 1) % tabs.length];
      } else if (event.key === 'ArrowLeft') {
        next = tabs[(index - 1 + tabs.length) % tabs.length];
      } else if (event.key === 'Home') {
        next = tabs[0];
      } else if (event.key === 'End') {
        next = tabs[tabs.length - 1];
      }
      if (next) {
        event.preventDefault();
        selectRole(next.dataset.role, true);
      }
    });
  }
}

// ---------------------------------------------------------------- GP scenarios

function renderScenarios() {
  const list = $('scenario-list');
  list.replaceChildren(
    ...SCENARIOS.map((scenario) => {
      const noteId = `scenario-note-${scenario.id}`;
      const button = el('button', {
        type: 'button',
        class: 'button button--scenario',
        id: `scenario-${scenario.id}`,
        'aria-describedby': noteId,
        'data-scenario': scenario.id,
        text: t(scenario.labelKey),
      });
      button.addEventListener('click', () => {
        void runScenario(scenario);
      });
      return el(
        'li',
        { class: 'scenario' },
        button,
        el(
          'p',
          { class: 'scenario__note', id: noteId },
          el('code', { text: scenario.hook }),
          ' → ',
          el('code', { text: scenario.service }),
          el('span', { class: 'scenario__order', 'data-order-note': scenario.id })
        )
      );
    })
  );
  renderScenarioNotes();
}

/** Says which draft order an order scenario sends: the patient's own or one the page builds. */
function renderScenarioNotes() {
  for (const scenario of SCENARIOS) {
    const note = document.querySelector(`[data-order-note="${scenario.id}"]`);
    if (!note || !scenario.order || !state.patient) {
      continue;
    }
    const own = (state.patient.orders ?? []).find((order) => isOrderOfKind(order, scenario.order));
    note.textContent = ` · ${own ? t('ownOrder', { id: own.id }) : t('builtOrder', { id: `sandbox-${scenario.order}-${state.patient.id}` })}`;
  }
}

function setBusy(busy) {
  state.busy = busy;
  $('cards').setAttribute('aria-busy', String(busy));
  for (const button of document.querySelectorAll('.button--scenario')) {
    // aria-disabled, not disabled: a disabled button would lose keyboard focus.
    if (busy) {
      button.setAttribute('aria-disabled', 'true');
    } else {
      button.removeAttribute('aria-disabled');
    }
  }
}

function clearExchange() {
  state.hasExchange = false;
  $('request-pre').textContent = t('nothingYet');
  $('response-pre').textContent = t('nothingYet');
  $('prefetch-list').replaceChildren();
  $('log-list').replaceChildren();
}

function httpText(method, url, headers, body) {
  const path = new URL(url).pathname + new URL(url).search;
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${new URL(url).host}`];
  for (const [name, value] of Object.entries(displayHeaders(headers))) {
    lines.push(`${name}: ${value}`);
  }
  return `${lines.join('\n')}${body === undefined ? '' : `\n\n${json(body)}`}`;
}

function responseText(exchange) {
  const body =
    exchange.body === undefined ? '' : typeof exchange.body === 'string' ? exchange.body : json(exchange.body);
  return `HTTP/1.1 ${exchange.status} ${exchange.statusText}   (${exchange.ms} ms)${body ? `\n\n${body}` : ''}`;
}

/** Adds a write or feedback exchange to the log. */
function logExchange(exchange) {
  const path = new URL(exchange.url).pathname;
  $('log-list').append(
    el(
      'li',
      {},
      el(
        'details',
        {},
        el(
          'summary',
          {},
          el('code', { text: `${exchange.method} ${path}` }),
          ` → ${exchange.status} ${exchange.statusText}`
        ),
        el('pre', {
          tabindex: '0',
          text: `${httpText(exchange.method, exchange.url, exchange.headers, exchange.requestBody)}\n\n${responseText(exchange)}`,
        })
      )
    )
  );
}

function showServiceError(exchange) {
  const issues = outcomeIssues(exchange.body);
  $('cards').replaceChildren(
    el(
      'div',
      { class: 'service-error', role: 'alert' },
      el('p', {
        class: 'service-error__title',
        text: t('serviceErrorTitle', { status: `${exchange.status} ${exchange.statusText}` }),
      }),
      issues.length > 0
        ? el(
            'ul',
            {},
            ...issues.map((issue) =>
              el(
                'li',
                {},
                el('strong', { text: `${issue.severity}: ` }),
                issue.text,
                issue.expression ? el('code', { class: 'service-error__expression', text: issue.expression }) : null
              )
            )
          )
        : el('pre', {
            tabindex: '0',
            text: typeof exchange.body === 'string' ? exchange.body : json(exchange.body ?? {}),
          })
    )
  );
}

async function runScenario(scenario) {
  const patient = state.patient;
  if (state.busy || !patient) {
    return;
  }
  setBusy(true);
  state.lastScenario = scenario;
  const lang = language();
  const cardsBox = $('cards');
  // data-state (loading, done, error) lets tests and tools wait for the answer.
  cardsBox.dataset.state = 'loading';
  cardsBox.replaceChildren(el('p', { class: 'empty', text: t('working') }));
  clearExchange();
  report(t('statusCalling', { service: scenario.service, hook: scenario.hook }));
  try {
    const { body, order, prefetchExchanges } = await buildRequest(scenario, patient);
    state.draftOrders = new Map();
    if (order) {
      state.draftOrders.set(`ServiceRequest/${order.resource.id}`, { stored: order.stored === true });
    }
    $('prefetch-list').replaceChildren(
      ...prefetchExchanges.map((exchange) =>
        el(
          'li',
          {},
          el('code', { text: `GET ${new URL(exchange.url).pathname}${new URL(exchange.url).search}` }),
          ` → ${exchange.status} ${exchange.statusText} (${exchange.ms} ms)`
        )
      )
    );
    const exchange = await callService(scenario.service, body, lang);
    state.hasExchange = true;
    $('request-pre').textContent = httpText(exchange.method, exchange.url, exchange.headers, body);
    $('response-pre').textContent = responseText(exchange);
    if (!exchange.ok) {
      cardsBox.dataset.state = 'error';
      showServiceError(exchange);
      report(
        t('statusServiceError', {
          status: `${exchange.status} ${exchange.statusText}`,
          message: describeOutcome(exchange.body) || t('nothingYet'),
        })
      );
      return;
    }
    const cards = Array.isArray(exchange.body?.cards) ? exchange.body.cards : [];
    cardsBox.dataset.state = 'done';
    renderCards(cardsBox, cards, {
      serviceId: scenario.service,
      lang,
      draftOrders: state.draftOrders,
      report,
      log: logExchange,
    });
    report(
      cards.length > 0
        ? t('statusCards', { count: cards.length, service: scenario.service, hook: scenario.hook, ms: exchange.ms })
        : t('statusNoCards', { service: scenario.service, hook: scenario.hook })
    );
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    cardsBox.dataset.state = 'error';
    cardsBox.replaceChildren(el('p', { class: 'error', role: 'alert', text: message }));
    report(t('statusNetworkError', { message }));
  } finally {
    setBusy(false);
  }
}

// ---------------------------------------------------------------- physiotherapist

/** The physiotherapist view's callbacks: a saved CarePlan replaces the cached one (for a language switch). */
const physioContext = {
  report,
  log: logExchange,
  saved: (carePlan) => {
    state.carePlans = (state.carePlans ?? []).map((plan) => (plan.id === carePlan.id ? carePlan : plan));
  },
};

async function refreshCarePlans() {
  if (!state.patient) {
    return;
  }
  state.carePlans = await loadCarePlans($('careplans'), state.patient, physioContext);
}

// ---------------------------------------------------------------- language

function applyLanguage(lang) {
  setLanguage(lang);
  /** @type {HTMLSelectElement} */ ($('language')).value = language();
  translatePage();
  renderPatientOptions();
  renderPatientBanner();
  renderScenarios();
  if (!state.hasExchange) {
    clearExchange();
  }
  renderAuthNotice();
  if (state.role === 'physio' && state.carePlans) {
    renderCarePlans($('careplans'), state.carePlans, physioContext);
  }
}

function renderAuthNotice() {
  const notice = $('auth-notice');
  const { authRequired, signing } = state.settings;
  notice.hidden = !authRequired;
  notice.textContent = authRequired ? (signing ? t('signingNote') : t('authWarning')) : '';
  notice.classList.toggle('notice--warning', authRequired && !signing);
}

function wireLanguage() {
  $('language').addEventListener('change', (event) => {
    const lang = /** @type {HTMLSelectElement} */ (event.target).value;
    applyLanguage(lang);
    try {
      localStorage.setItem('ruggensteun-sandbox-language', language());
    } catch {
      // Storage may be unavailable (private mode): the choice then lasts for this page only.
    }
    report(t('statusLanguage'));
    // Card texts come from the service: ask again in the new language.
    if (state.lastScenario && state.role === 'gp') {
      void runScenario(state.lastScenario);
    } else if (!state.lastScenario) {
      $('cards').replaceChildren(el('p', { class: 'empty', text: t('cardsEmpty') }));
    }
  });
}

function initialLanguage(serverLocale) {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  let stored;
  try {
    stored = localStorage.getItem('ruggensteun-sandbox-language');
  } catch {
    stored = undefined;
  }
  return [fromUrl, stored, serverLocale].find((lang) => LANGUAGES.includes(lang)) ?? 'nl';
}

// ---------------------------------------------------------------- start

async function start() {
  wireTabs();
  wireLanguage();
  $('patient').addEventListener('change', (event) =>
    choosePatient(/** @type {HTMLSelectElement} */ (event.target).value)
  );
  $('refresh-careplans').addEventListener('click', () => {
    void refreshCarePlans();
  });
  try {
    state.settings = await loadSettings();
  } catch (err) {
    report(t('statusNetworkError', { message: err instanceof Error ? err.message : String(err) }));
  }
  applyLanguage(initialLanguage(state.settings.locale));
  try {
    state.patients = await loadPatients();
  } catch (err) {
    report(t('statusNetworkError', { message: err instanceof Error ? err.message : String(err) }));
    return;
  }
  const params = new URLSearchParams(location.search);
  const wanted = params.get('patient');
  choosePatient(wanted ?? state.patients[0]?.id, false);
  renderPatientOptions();
  // The cards' plan link opens the physiotherapist's view of the patient (?role=physio).
  if (params.get('role') === 'physio') {
    selectRole('physio');
  }
  report(t('statusReady'));
  document.body.dataset.ready = 'true';
}

void start();

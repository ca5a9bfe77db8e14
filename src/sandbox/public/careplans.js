// @ts-check
// The physiotherapist's system: the patient's CarePlans from the FHIR server. A draft is reviewed activity by
// activity (include or exclude with a reason, the dose within the guideline range), its goals and period set, and
// accepted; an active plan's activities are marked started or completed, and the evaluation at the end closes it.
// Every change is a PUT or POST to /fhir, so the server keeps the version history; a print view gives the patient
// the schedule in their language.

import { describeFailure, fhir } from './api.js';
import { el, uid } from './dom.js';
import { intlLocale, language, t } from './i18n.js';
import { editActivity, progressControls } from './physio-activity.js';
import { evaluationForm, goalsSection } from './physio-goals.js';
import { printSchedule } from './physio-print.js';
import { tp } from './physio-i18n.js';
import { doseParameters, rangeWords } from './physio-plan.js';

const TRANSLATION = 'http://hl7.org/fhir/StructureDefinition/translation';

/**
 * A string element in the page's language: the element itself, or its FHIR translation extension (`_field`)
 * when that holds the page's language.
 */
export function translated(element, field, lang = language()) {
  const base = element?.[field];
  const translation = element?.[`_${field}`]?.extension?.find(
    (extension) =>
      extension.url === TRANSLATION &&
      extension.extension?.some(
        (part) =>
          part.url === 'lang' && typeof part.valueCode === 'string' && part.valueCode.toLowerCase().startsWith(lang)
      )
  );
  const content = translation?.extension?.find((part) => part.url === 'content')?.valueString;
  return content ?? base;
}

export function formatDate(value) {
  if (typeof value !== 'string' || value.length === 0) {
    return '';
  }
  const date = new Date(value.length === 10 ? `${value}T12:00:00` : value);
  if (Number.isNaN(date.getTime())) {
    return value;
  }
  return new Intl.DateTimeFormat(intlLocale(), { day: 'numeric', month: 'long', year: 'numeric' }).format(date);
}

function range(low, high) {
  return high !== undefined && high !== low ? `${low}–${high}` : `${low}`;
}

function unitWord(code, count) {
  const words = t(`timing.units.${code}`);
  if (!Array.isArray(words)) {
    return code ?? '';
  }
  return count === 1 ? words[0] : words[1];
}

/** A FHIR Timing in words, e.g. "2–3 × per week" or "3–5 × per week, 30 minutes each". */
export function timingInWords(timing) {
  const repeat = timing?.repeat;
  if (!repeat) {
    return timing?.code?.text ?? '';
  }
  const parts = [];
  if (repeat.frequency !== undefined) {
    const times = range(repeat.frequency, repeat.frequencyMax);
    const period = repeat.period ?? 1;
    if (period === 1 && repeat.periodMax === undefined) {
      parts.push(t('timing.times', { n: times, unit: unitWord(repeat.periodUnit, 1) }));
    } else {
      parts.push(
        t('timing.timesEvery', {
          n: times,
          period: range(period, repeat.periodMax),
          unit: unitWord(repeat.periodUnit, 2),
        })
      );
    }
  }
  if (repeat.duration !== undefined) {
    const top = repeat.durationMax ?? repeat.duration;
    parts.push(
      t('timing.durationEach', {
        d: range(repeat.duration, repeat.durationMax),
        unit: unitWord(repeat.durationUnit, top),
      })
    );
  }
  const bounds = repeat.boundsDuration;
  if (bounds?.value !== undefined) {
    parts.push(t('timing.bounds', { n: bounds.value, unit: unitWord(bounds.code ?? bounds.unit, bounds.value) }));
  }
  return parts.join(', ');
}

export function activityStatusWord(status) {
  const word = t(`activityStatusWords.${status}`);
  return typeof word === 'string' ? word : String(status);
}

export function statusWord(status) {
  const word = t(`carePlanStatus.${status ?? 'unknown'}`);
  return typeof word === 'string' ? word : String(status);
}

/**
 * @typedef {{ report: (message: string) => void, log: (exchange: import('./api.js').Exchange) => void,
 *   saved?: (carePlan: any) => void, goals?: any[] }} PhysioContext
 */

/** The version id as shown: its first 8 characters (the server's ids are UUIDs). */
export function shortVersion(resource) {
  return String(resource?.meta?.versionId ?? '?').slice(0, 8);
}

/** A FHIR write; the exchange is logged, a failure throws with the server's words. */
export async function write(context, method, path, resource) {
  const exchange = await fhir(method, path, resource);
  context.log(exchange);
  if (!exchange.ok) {
    throw new Error(`${method} /fhir/${path}: ${describeFailure(exchange)}`);
  }
  return exchange.body;
}

/**
 * Reads and shows the patient's CarePlans, with their Goals and the Patient (for the print view's language).
 * @param {HTMLElement} container
 * @param {{ id: string, name: string }} patient
 * @param {PhysioContext} context
 * @returns {Promise<any[] | undefined>} the CarePlans, to render again after a language switch
 */
export async function loadCarePlans(container, patient, context) {
  container.setAttribute('aria-busy', 'true');
  container.replaceChildren(el('p', { class: 'empty', text: t('working') }));
  try {
    const subject = encodeURIComponent(`Patient/${patient.id}`);
    const [plans, goals, person] = await Promise.all([
      fhir('GET', `CarePlan?subject=${subject}&_count=100`),
      fhir('GET', `Goal?subject=${subject}&_count=100`),
      fhir('GET', `Patient/${encodeURIComponent(patient.id)}`),
    ]);
    if (!plans.ok) {
      container.replaceChildren(el('p', { class: 'error', text: describeFailure(plans) }));
      context.report(t('statusNetworkError', { message: describeFailure(plans) }));
      return undefined;
    }
    const found = (plans.body?.entry ?? [])
      .map((entry) => entry.resource)
      .filter((resource) => resource?.resourceType === 'CarePlan')
      .sort((a, b) => String(b.meta?.lastUpdated ?? '').localeCompare(String(a.meta?.lastUpdated ?? '')));
    const bundle = { plans: found, goals: goals.ok ? (goals.body?.entry ?? []).map((entry) => entry.resource) : [] };
    Object.assign(context, { patient: person.ok ? person.body : { id: patient.id, name: [{ text: patient.name }] } });
    renderCarePlans(container, found, context, bundle.goals);
    context.report(t('statusCarePlans', { count: found.length, name: patient.name }));
    return found;
  } catch (err) {
    container.replaceChildren(el('p', { class: 'error', text: err instanceof Error ? err.message : String(err) }));
    return undefined;
  } finally {
    container.setAttribute('aria-busy', 'false');
  }
}

/** @param {HTMLElement} container @param {any[]} plans @param {PhysioContext} context @param {any[]} [goals] */
export function renderCarePlans(container, plans, context, goals = context.goals ?? []) {
  context.goals = goals;
  container.replaceChildren();
  if (plans.length === 0) {
    container.append(el('p', { class: 'empty', text: t('noCarePlans') }));
    return;
  }
  const list = el('ol', { class: 'careplan-list' });
  for (const plan of plans) {
    const item = el('li');
    item.append(renderCarePlan(plan, item, context));
    list.append(item);
  }
  container.append(list);
}

/** Replaces the plan on the page after a write, and keeps the focus on its heading. */
export function showSaved(saved, slot, context, message) {
  context.saved?.(saved);
  const replacement = renderCarePlan(saved, slot, context);
  slot.replaceChildren(replacement);
  /** @type {HTMLElement | null} */ (replacement.querySelector('.careplan__title'))?.focus();
  context.report(message ?? tp('statusSaved', { what: 'CarePlan', id: saved.id, v: shortVersion(saved) }));
}

/** The notes: each group's heading (its first line, `**…**`) and its rules as a list. */
function noteBlock(note) {
  const [first = '', ...lines] = (translated(note, 'text') ?? '').split('\n');
  const heading = /^\*\*(.+)\*\*$/.exec(first)?.[1];
  const items = (heading ? lines : [first, ...lines]).map((line) => line.replace(/^- /, '')).filter(Boolean);
  return el(
    'li',
    { class: 'note-group' },
    heading ? el('p', { class: 'note-group__title', text: heading }) : null,
    el('ul', { class: 'note-list' }, ...items.map((text) => el('li', { text })))
  );
}

async function showHistory(plan, panel, context) {
  const exchange = await fhir('GET', `CarePlan/${encodeURIComponent(plan.id)}/_history`);
  context.log(exchange);
  const versions = (exchange.body?.entry ?? []).map((entry) => entry.resource).filter(Boolean);
  panel.replaceChildren(
    el(
      'ol',
      { class: 'history-list' },
      ...versions.map((version) =>
        el('li', {
          text: tp('versionLine', {
            v: shortVersion(version),
            date: new Date(version.meta?.lastUpdated ?? '').toLocaleString(intlLocale()),
            status: statusWord(version.status),
          }),
        })
      )
    )
  );
  panel.hidden = false;
}

/** "Chosen: Repetitions 10 repetitions · Frequency 3 days/week", when the physiotherapist set a dose. */
function chosenDose(detail) {
  const chosen = doseParameters(detail).filter((parameter) => parameter.value !== undefined);
  if (chosen.length === 0) {
    return null;
  }
  const words = chosen.map(
    (parameter) =>
      `${tp(`parameters.${parameter.parameter}`)} ${rangeWords({ ...parameter, low: parameter.value, high: parameter.value })}`
  );
  return el('p', { class: 'activity__chosen', text: `${tp('chosen')}: ${words.join(' · ')}` });
}

function renderCarePlan(plan, slot, context) {
  const headingId = uid('careplan');
  const status = plan.status ?? 'unknown';
  const article = el('article', {
    class: `careplan careplan--${status}`,
    'aria-labelledby': headingId,
    'data-id': plan.id,
  });
  const period =
    plan.period?.start || plan.period?.end
      ? `${formatDate(plan.period.start) || '…'} – ${formatDate(plan.period.end) || t('periodOpen')}`
      : t('periodOpen');
  const historyPanel = el('div', { class: 'history', hidden: true });
  article.append(
    el('h3', { id: headingId, tabindex: '-1', class: 'careplan__title' }, translated(plan, 'title') ?? t('untitled')),
    el(
      'dl',
      { class: 'facts' },
      el(
        'div',
        {},
        el('dt', { text: t('status') }),
        el(
          'dd',
          {},
          el('span', { class: `status-pill status-pill--${status}`, 'data-status': status, text: statusWord(status) })
        )
      ),
      el('div', {}, el('dt', { text: t('period') }), el('dd', { text: period })),
      el(
        'div',
        {},
        el('dt', { text: 'FHIR' }),
        el('dd', {}, el('code', { text: `CarePlan/${plan.id}` }), ` · ${tp('version', { v: shortVersion(plan) })}`)
      )
    ),
    el(
      'div',
      { class: 'button-row' },
      el('button', {
        type: 'button',
        class: 'button button--secondary',
        'data-action': 'history',
        text: tp('history'),
        onclick: () => void showHistory(plan, historyPanel, context),
      }),
      el('button', {
        type: 'button',
        class: 'button button--secondary',
        'data-action': 'print',
        text: tp('print'),
        onclick: () => printSchedule(plan, context),
      })
    ),
    historyPanel
  );
  const description = translated(plan, 'description');
  if (description) {
    article.append(el('p', { class: 'careplan__description', text: description }));
  }
  const evaluation = (plan.note ?? []).find((note) => note.id === 'evaluation');
  if (evaluation) {
    article.append(
      el('p', { class: 'careplan__decision' }, el('strong', { text: `${tp('evaluationRecorded')}: ` }), evaluation.text)
    );
  }
  const activities = Array.isArray(plan.activity) ? plan.activity : [];
  if (activities.length > 0) {
    article.append(
      el('h4', { text: t('activities') }),
      el(
        'ol',
        { class: 'activity-list' },
        ...activities.map((activity, index) => {
          const detail = activity.detail ?? {};
          const timing = timingInWords(detail.scheduledTiming);
          const item = el(
            'li',
            { class: `activity activity--${detail.status ?? 'unknown'}`, 'data-activity-status': detail.status ?? '' },
            el(
              'p',
              { class: 'activity__name' },
              translated(detail.code, 'text') ?? detail.code?.coding?.[0]?.display ?? '—',
              el('span', { class: 'tag', text: activityStatusWord(detail.status) })
            ),
            el('p', { class: 'activity__dose', text: translated(detail, 'description') ?? '' }),
            timing
              ? el('p', { class: 'activity__meta' }, el('span', { class: 'activity__timing', text: timing }))
              : null,
            chosenDose(detail),
            detail.statusReason?.text
              ? el('p', { class: 'hint', text: `${tp('excludeReason')}: ${detail.statusReason.text}` })
              : null
          );
          if (status === 'draft') {
            item.append(editActivity(plan, index, slot, context));
          } else if (status === 'active') {
            item.append(progressControls(plan, index, slot, context));
          }
          return item;
        })
      )
    );
  }
  article.append(goalsSection(plan, slot, context));
  const notes = Array.isArray(plan.note) ? plan.note.filter((note) => note.id !== 'evaluation') : [];
  if (notes.length > 0) {
    article.append(el('h4', { text: t('notes') }), el('ul', { class: 'note-groups' }, ...notes.map(noteBlock)));
  }
  if (status === 'draft') {
    article.append(reviewControls(plan, slot, context));
  }
  if (status === 'active') {
    article.append(evaluationForm(plan, slot, context));
  }
  return article;
}

/** Accept with the period (every activity decided), or decline the whole draft with a reason. */
function reviewControls(plan, slot, context) {
  const startId = uid('start');
  const endId = uid('end');
  const reasonId = uid('reason');
  const start = el('input', { type: 'date', id: startId, name: 'start', value: plan.period?.start ?? '' });
  const end = el('input', { type: 'date', id: endId, name: 'end', value: plan.period?.end ?? '' });
  const reason = el('textarea', { id: reasonId, rows: 2 });
  const error = el('p', { class: 'error', role: 'alert', hidden: true });
  const fail = (message, field) => {
    error.textContent = message;
    error.hidden = false;
    field?.focus();
  };
  const save = async (changed, message) => {
    try {
      const saved = await write(context, 'PUT', `CarePlan/${encodeURIComponent(plan.id)}`, changed);
      showSaved(saved, slot, context, t(message, { ref: `CarePlan/${saved.id}`, status: statusWord(saved.status) }));
    } catch (err) {
      fail(err instanceof Error ? err.message : String(err));
    }
  };
  const accept = el('button', { type: 'button', class: 'button button--primary', text: tp('acceptProgramme') });
  accept.addEventListener('click', () => {
    const details = (plan.activity ?? []).map((activity) => activity.detail ?? {});
    const undecided = details.filter((detail) => detail.status === 'not-started').length;
    if (undecided > 0) {
      fail(tp('undecided', { n: undecided }));
      return;
    }
    if (!details.some((detail) => detail.status === 'scheduled')) {
      fail(tp('noneIncluded'));
      return;
    }
    if (start.value && end.value && end.value < start.value) {
      fail(t('periodEndBeforeStart'), end);
      return;
    }
    const period = { ...(start.value ? { start: start.value } : {}), ...(end.value ? { end: end.value } : {}) };
    void save({ ...plan, status: 'active', intent: 'plan', period }, 'statusCarePlanAccepted');
  });
  const decline = el('button', { type: 'button', class: 'button button--danger', text: t('decline') });
  decline.addEventListener('click', () => {
    const text = reason.value.trim();
    if (text.length === 0) {
      fail(t('declineNeedsReason'), reason);
      return;
    }
    const note = { text: t('declinedNote', { reason: text }), time: new Date().toISOString() };
    void save({ ...plan, status: 'revoked', note: [...(plan.note ?? []), note] }, 'statusCarePlanDeclined');
  });
  return el(
    'section',
    { class: 'review', 'aria-label': t('reviewHeading') },
    el('h4', { text: t('reviewHeading') }),
    el(
      'fieldset',
      { class: 'period' },
      el('legend', { text: t('periodLegend') }),
      el('div', { class: 'field' }, el('label', { for: startId, text: t('periodStart') }), start),
      el('div', { class: 'field' }, el('label', { for: endId, text: t('periodEnd') }), end)
    ),
    el('div', { class: 'button-row' }, accept),
    el('div', { class: 'field field--wide' }, el('label', { for: reasonId, text: t('declineReason') }), reason),
    el('div', { class: 'button-row' }, decline),
    error
  );
}

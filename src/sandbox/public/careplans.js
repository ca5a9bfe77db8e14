// @ts-check
// The physiotherapist's system: the patient's CarePlans from the FHIR server, with each activity's dose and timing
// in words and the programme notes; a draft can be accepted (status active, with a period) or declined with a reason.

import { describeFailure, fhir } from './api.js';
import { el, uid } from './dom.js';
import { intlLocale, language, t } from './i18n.js';

const TRANSLATION = 'http://hl7.org/fhir/StructureDefinition/translation';

/**
 * A string element in the page's language: the element itself, or its FHIR translation extension (`_field`)
 * when that holds the page's language.
 */
export function translated(element, field) {
  const base = element?.[field];
  const lang = language();
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

function formatDate(value) {
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

function activityStatusWord(status) {
  const word = t(`activityStatusWords.${status}`);
  return typeof word === 'string' ? word : String(status);
}

function statusWord(status) {
  const word = t(`carePlanStatus.${status ?? 'unknown'}`);
  return typeof word === 'string' ? word : String(status);
}

/**
 * @typedef {{ report: (message: string) => void, log: (exchange: import('./api.js').Exchange) => void,
 *   saved?: (carePlan: any) => void }} PhysioContext
 */

/**
 * Reads and shows the patient's CarePlans.
 * @param {HTMLElement} container
 * @param {{ id: string, name: string }} patient
 * @param {PhysioContext} context
 * @returns {Promise<any[] | undefined>} the CarePlans, to render again after a language switch
 */
export async function loadCarePlans(container, patient, context) {
  container.setAttribute('aria-busy', 'true');
  container.replaceChildren(el('p', { class: 'empty', text: t('working') }));
  try {
    const exchange = await fhir('GET', `CarePlan?subject=${encodeURIComponent(`Patient/${patient.id}`)}&_count=100`);
    if (!exchange.ok) {
      container.replaceChildren(el('p', { class: 'error', text: describeFailure(exchange) }));
      context.report(t('statusNetworkError', { message: describeFailure(exchange) }));
      return undefined;
    }
    const plans = (exchange.body?.entry ?? [])
      .map((entry) => entry.resource)
      .filter((resource) => resource?.resourceType === 'CarePlan')
      .sort((a, b) => String(b.meta?.lastUpdated ?? '').localeCompare(String(a.meta?.lastUpdated ?? '')));
    renderCarePlans(container, plans, context);
    context.report(t('statusCarePlans', { count: plans.length, name: patient.name }));
    return plans;
  } catch (err) {
    container.replaceChildren(el('p', { class: 'error', text: err instanceof Error ? err.message : String(err) }));
    return undefined;
  } finally {
    container.setAttribute('aria-busy', 'false');
  }
}

/** @param {HTMLElement} container @param {any[]} plans @param {PhysioContext} context */
export function renderCarePlans(container, plans, context) {
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

function renderCarePlan(plan, slot, context) {
  const headingId = uid('careplan');
  const status = plan.status ?? 'unknown';
  const article = el('article', {
    class: `careplan careplan--${status}`,
    'aria-labelledby': headingId,
    'data-id': plan.id,
  });
  const heading = el(
    'h3',
    { id: headingId, tabindex: '-1', class: 'careplan__title' },
    translated(plan, 'title') ?? t('untitled')
  );
  const period =
    plan.period?.start || plan.period?.end
      ? `${formatDate(plan.period.start) || '…'} – ${formatDate(plan.period.end) || t('periodOpen')}`
      : t('periodOpen');
  article.append(
    heading,
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
      el(
        'div',
        {},
        el('dt', { text: t('created') }),
        el('dd', { text: formatDate(plan.created ?? plan.meta?.lastUpdated) || '—' })
      ),
      el('div', {}, el('dt', { text: t('period') }), el('dd', { text: period })),
      el('div', {}, el('dt', { text: 'FHIR' }), el('dd', {}, el('code', { text: `CarePlan/${plan.id}` })))
    )
  );
  // A decision taken here (accepted with a note, declined with a reason) is the last note: show it first.
  const lastNote = Array.isArray(plan.note) ? plan.note[plan.note.length - 1] : undefined;
  if (lastNote?.time && status !== 'draft') {
    article.append(
      el(
        'p',
        { class: 'careplan__decision' },
        el('strong', { text: `${t('latestNote')} (${formatDate(lastNote.time)}): ` }),
        translated(lastNote, 'text') ?? ''
      )
    );
  }
  const description = translated(plan, 'description');
  if (description) {
    article.append(el('p', { class: 'careplan__description', text: description }));
  }
  const activities = Array.isArray(plan.activity) ? plan.activity : [];
  if (activities.length > 0) {
    article.append(
      el('h4', { text: t('activities') }),
      el(
        'ul',
        { class: 'activity-list' },
        ...activities.map((activity) => {
          const detail = activity.detail ?? {};
          const timing = timingInWords(detail.scheduledTiming);
          return el(
            'li',
            { class: 'activity' },
            el(
              'p',
              { class: 'activity__name' },
              translated(detail.code, 'text') ?? detail.code?.coding?.[0]?.display ?? '—'
            ),
            el('p', { class: 'activity__dose', text: translated(detail, 'description') ?? '' }),
            el(
              'p',
              { class: 'activity__meta' },
              timing ? el('span', { class: 'activity__timing', text: timing }) : null,
              detail.status
                ? el('span', {
                    class: 'hint',
                    text: t('activityStatus', { status: activityStatusWord(detail.status) }),
                  })
                : null
            )
          );
        })
      )
    );
  }
  const notes = Array.isArray(plan.note) ? plan.note : [];
  if (notes.length > 0) {
    article.append(
      el('h4', { text: t('notes') }),
      el('ul', { class: 'note-list' }, ...notes.map((note) => el('li', { text: translated(note, 'text') ?? '' })))
    );
  }
  if (status === 'draft') {
    article.append(reviewControls(plan, slot, context));
  }
  return article;
}

/** Accept with an optional period, or decline with a required reason. */
function reviewControls(plan, slot, context) {
  const startId = uid('start');
  const endId = uid('end');
  const reasonId = uid('reason');
  const reasonHintId = uid('reason-hint');
  const errorId = uid('error');
  const start = el('input', { type: 'date', id: startId, name: 'start' });
  const end = el('input', { type: 'date', id: endId, name: 'end' });
  const reason = el('textarea', { id: reasonId, rows: 2, 'aria-describedby': reasonHintId });
  const error = el('p', { class: 'error', id: errorId, hidden: true });
  const accept = el('button', { type: 'button', class: 'button button--primary', text: t('accept') });
  const decline = el('button', { type: 'button', class: 'button button--danger', text: t('decline') });

  const showError = (message, field) => {
    error.textContent = message;
    error.hidden = false;
    for (const input of [start, end, reason]) {
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
    }
    reason.setAttribute('aria-describedby', reasonHintId);
    if (field !== accept && field !== decline) {
      field.setAttribute('aria-invalid', 'true');
    }
    const described = field.getAttribute('aria-describedby');
    field.setAttribute('aria-describedby', described ? `${described} ${errorId}` : errorId);
    field.focus();
  };

  const save = async (button, changed, message) => {
    if (button.getAttribute('aria-disabled') === 'true') {
      return;
    }
    button.setAttribute('aria-disabled', 'true');
    const exchange = await fhir('PUT', `CarePlan/${encodeURIComponent(plan.id)}`, changed).catch((err) => ({
      ok: false,
      status: 0,
      statusText: err instanceof Error ? err.message : String(err),
      body: undefined,
    }));
    if ('url' in exchange) {
      context.log(exchange);
    }
    button.removeAttribute('aria-disabled');
    if (!exchange.ok) {
      showError(describeFailure(exchange), button);
      context.report(t('statusActionFailed', { message: describeFailure(exchange) }));
      return;
    }
    const saved = exchange.body?.resourceType === 'CarePlan' ? exchange.body : changed;
    context.saved?.(saved);
    const replacement = renderCarePlan(saved, slot, context);
    slot.replaceChildren(replacement);
    /** @type {HTMLElement | null} */ (replacement.querySelector('.careplan__title'))?.focus();
    context.report(t(message, { ref: `CarePlan/${saved.id}`, status: statusWord(saved.status) }));
  };

  accept.addEventListener('click', () => {
    if (start.value && end.value && end.value < start.value) {
      showError(t('periodEndBeforeStart'), end);
      return;
    }
    const period = { ...(start.value ? { start: start.value } : {}), ...(end.value ? { end: end.value } : {}) };
    const changed = { ...plan, status: 'active', ...(Object.keys(period).length > 0 ? { period } : {}) };
    void save(accept, changed, 'statusCarePlanAccepted');
  });
  decline.addEventListener('click', () => {
    const text = reason.value.trim();
    if (text.length === 0) {
      showError(t('declineNeedsReason'), reason);
      return;
    }
    const changed = {
      ...plan,
      status: 'revoked',
      note: [...(plan.note ?? []), { text: t('declinedNote', { reason: text }), time: new Date().toISOString() }],
    };
    void save(decline, changed, 'statusCarePlanDeclined');
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
    el(
      'div',
      { class: 'field field--wide' },
      el('label', { for: reasonId, text: t('declineReason') }),
      el('p', { class: 'hint', id: reasonHintId, text: t('declineHint') }),
      reason
    ),
    el('div', { class: 'button-row' }, decline),
    error
  );
}

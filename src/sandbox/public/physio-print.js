// The patient's exercise schedule: the included activities with the chosen dose, the period and the safety
// rules (PG-03, PG-09, PG-12), in the patient's language (Patient.communication) or another one chosen here.
// It opens as a page section that prints on its own (sandbox.css, @media print).

import { el, uid } from './dom.js';
import { translated } from './careplans.js';
import { doseParameters, rangeWords } from './physio-plan.js';
import { PHYSIO_LANGUAGES, tp } from './physio-i18n.js';
import { language } from './i18n.js';

function patientLanguage(patient) {
  const codes = (patient?.communication ?? []).flatMap((item) => item.language?.coding ?? []).map((c) => c.code);
  return codes.map((code) => String(code).slice(0, 2).toLowerCase()).find((code) => PHYSIO_LANGUAGES.includes(code));
}

function nameOf(patient) {
  const name = patient?.name?.[0];
  return name?.text ?? [...(name?.given ?? []), name?.family].filter(Boolean).join(' ');
}

/** "2–3 × per week, 30 min each" in the schedule's language. */
function timingWords(timing, lang) {
  const repeat = timing?.repeat;
  if (repeat?.frequency === undefined) {
    return '';
  }
  const n = repeat.frequencyMax ? `${repeat.frequency}–${repeat.frequencyMax}` : `${repeat.frequency}`;
  const parts = [tp('perWeek', { n }, lang)];
  if (repeat.duration !== undefined) {
    parts.push(tp('minutesEach', { d: repeat.duration }, lang));
  }
  return parts.join(', ');
}

function day(value, lang) {
  return value
    ? new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'long', year: 'numeric' }).format(
        new Date(`${value}T12:00:00`)
      )
    : '…';
}

function schedule(plan, patient, lang) {
  const included = (plan.activity ?? [])
    .map((activity) => activity.detail ?? {})
    .filter((detail) => ['scheduled', 'in-progress', 'completed'].includes(detail.status));
  return el(
    'div',
    { class: 'print-schedule', lang },
    el('h2', { text: tp('printHeading', {}, lang) }),
    el('p', { text: tp('printFor', { name: nameOf(patient) }, lang) }),
    plan.period?.start
      ? el('p', {
          text: tp('printPeriod', { start: day(plan.period.start, lang), end: day(plan.period.end, lang) }, lang),
        })
      : null,
    el(
      'ol',
      { class: 'print-activities' },
      ...included.map((detail) => {
        const chosen = doseParameters(detail).filter((parameter) => parameter.value !== undefined);
        return el(
          'li',
          {},
          el('h3', { text: translated(detail.code, 'text', lang) ?? detail.code?.text ?? '' }),
          chosen.length > 0
            ? el(
                'p',
                { class: 'print-dose' },
                chosen
                  .map(
                    (parameter) =>
                      `${tp(`parameters.${parameter.parameter}`, {}, lang)}: ${rangeWords({ ...parameter, low: parameter.value, high: parameter.value }, lang)}`
                  )
                  .join(' · ')
              )
            : null,
          el('p', { text: timingWords(detail.scheduledTiming, lang) }),
          el('p', { class: 'hint', text: translated(detail, 'description', lang) ?? '' })
        );
      })
    ),
    el('p', { class: 'print-safety', text: tp('printSafety', {}, lang) }),
    el('p', { text: tp('printActive', {}, lang) })
  );
}

/** Opens the print view of a plan (replacing an earlier one). */
export function printSchedule(plan, context) {
  document.getElementById('print-view')?.remove();
  const patient = context.patient;
  let lang = patientLanguage(patient) ?? language();
  const selectId = uid('print-language');
  const select = el(
    'select',
    { id: selectId },
    ...PHYSIO_LANGUAGES.map((code) => el('option', { value: code, text: code.toUpperCase(), selected: code === lang }))
  );
  const body = el('div', {}, schedule(plan, patient, lang));
  select.addEventListener('change', () => {
    lang = select.value;
    body.replaceChildren(schedule(plan, patient, lang));
  });
  const view = el(
    'section',
    { id: 'print-view', class: 'print-view', role: 'dialog', 'aria-label': tp('print') },
    el(
      'div',
      { class: 'print-view__controls' },
      el('label', { for: selectId, text: tp('printLanguage') }),
      select,
      el('button', {
        type: 'button',
        class: 'button button--primary',
        text: tp('print'),
        onclick: () => window.print(),
      }),
      el('button', {
        type: 'button',
        class: 'button button--secondary',
        text: tp('close'),
        onclick: () => view.remove(),
      })
    ),
    body
  );
  document.body.append(view);
  view.querySelector('h2')?.setAttribute('tabindex', '-1');
  view.querySelector('h2')?.focus();
}

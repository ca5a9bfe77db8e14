// One activity of a draft: include or exclude it (with a reason) and choose its dose within the guideline range;
// of an active plan: mark it started or completed. Each save is a PUT of the CarePlan (a new version).

import { el, uid } from './dom.js';
import { shortVersion, showSaved, write } from './careplans.js';
import { doseParameters, doseProblem, rangeWords, withActivity, withDecision, withDose } from './physio-plan.js';
import { tp } from './physio-i18n.js';

async function savePlan(changed, slot, context, what, error) {
  try {
    const saved = await write(context, 'PUT', `CarePlan/${encodeURIComponent(changed.id)}`, changed);
    showSaved(saved, slot, context, tp('statusSaved', { what, id: saved.id, v: shortVersion(saved) }));
  } catch (err) {
    error.textContent = err instanceof Error ? err.message : String(err);
    error.hidden = false;
  }
}

export function editActivity(plan, index, slot, context) {
  const detail = plan.activity[index].detail ?? {};
  const name = detail.code?.text ?? '';
  const group = uid('decision');
  const radio = (value, checked) =>
    el('input', { type: 'radio', name: group, value, id: `${group}-${value}`, checked });
  const include = radio('include', detail.status === 'scheduled');
  const exclude = radio('exclude', detail.status === 'cancelled');
  const reasonId = uid('exclude-reason');
  const reason = el('input', {
    type: 'text',
    id: reasonId,
    value: detail.statusReason?.text ?? '',
    autocomplete: 'off',
  });
  const error = el('p', { class: 'error', role: 'alert', hidden: true });
  const inputs = doseParameters(detail).map((parameter) => {
    const id = uid('dose');
    const hintId = `${id}-hint`;
    const input = el('input', {
      type: 'number',
      id,
      step: 'any',
      inputMode: 'decimal',
      value: parameter.value ?? '',
      'aria-describedby': hintId,
      'data-parameter': parameter.parameter,
    });
    const field = el(
      'div',
      { class: 'field field--dose' },
      el('label', { for: id, text: tp(`parameters.${parameter.parameter}`) }),
      input,
      el('p', { class: 'hint', id: hintId, text: tp('range', { range: rangeWords(parameter) }) })
    );
    return { parameter, input, field };
  });
  const save = el('button', { type: 'button', class: 'button button--secondary', text: tp('saveActivity') });
  save.addEventListener('click', () => {
    error.hidden = true;
    for (const { input } of inputs) {
      input.removeAttribute('aria-invalid');
    }
    if (!include.checked && !exclude.checked) {
      error.textContent = tp('decisionLegend');
      error.hidden = false;
      include.focus();
      return;
    }
    if (exclude.checked && reason.value.trim() === '') {
      error.textContent = tp('excludeNeedsReason');
      error.hidden = false;
      reason.focus();
      return;
    }
    const chosen = {};
    for (const { parameter, input } of inputs.filter(({ input: field }) => field.value.trim() !== '')) {
      const problem = doseProblem(parameter, input.value);
      if (problem) {
        error.textContent = problem;
        error.hidden = false;
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      chosen[parameter.parameter] = Number(input.value.replace(',', '.'));
    }
    const decided = withDecision(withDose(detail, chosen), include.checked, reason.value.trim());
    void savePlan(withActivity(plan, index, decided), slot, context, name, error);
  });
  return el(
    'div',
    { class: 'activity__edit' },
    el(
      'fieldset',
      { class: 'decision' },
      el('legend', { text: tp('decisionLegend') }),
      el('label', { class: 'choice' }, include, ` ${tp('include')}`),
      el('label', { class: 'choice' }, exclude, ` ${tp('exclude')}`),
      el('div', { class: 'field' }, el('label', { for: reasonId, text: tp('excludeReason') }), reason)
    ),
    inputs.length > 0
      ? el('fieldset', { class: 'dose' }, el('legend', { text: tp('doseLegend') }), ...inputs.map(({ field }) => field))
      : null,
    el('div', { class: 'button-row' }, save),
    error
  );
}

/** Started / completed, for the activities that were included. */
export function progressControls(plan, index, slot, context) {
  const detail = plan.activity[index].detail ?? {};
  const error = el('p', { class: 'error', role: 'alert', hidden: true });
  if (!['scheduled', 'in-progress'].includes(detail.status)) {
    return el('span');
  }
  const mark = (status, label) =>
    el('button', {
      type: 'button',
      class: 'button button--secondary',
      text: label,
      onclick: () =>
        void savePlan(withActivity(plan, index, { ...detail, status }), slot, context, detail.code?.text ?? '', error),
    });
  return el(
    'div',
    { class: 'button-row', role: 'group', 'aria-label': tp('progressHeading') },
    detail.status === 'scheduled' ? mark('in-progress', tp('start')) : null,
    mark('completed', tp('complete')),
    error
  );
}

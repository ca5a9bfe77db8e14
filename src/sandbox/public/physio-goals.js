// The plan's Goals (set before accepting: description and the date to evaluate by) and the evaluation at the end
// of the period: an Observation with the Oswestry Disability Index (the measure the goal names), the Goals'
// achievement, and the plan completed with the evaluation as a note. Each is a FHIR write.

import { el, uid } from './dom.js';
import { formatDate, showSaved, translated, write } from './careplans.js';
import { tp } from './physio-i18n.js';

const goalsOf = (plan, context) =>
  (plan.goal ?? [])
    .map((reference) => (context.goals ?? []).find((goal) => `Goal/${goal.id}` === reference.reference))
    .filter(Boolean);

export function goalsSection(plan, slot, context) {
  const goals = goalsOf(plan, context);
  const section = el(
    'section',
    { class: 'goals', 'aria-label': tp('goalsHeading') },
    el('h4', { text: tp('goalsHeading') })
  );
  if (goals.length === 0) {
    return section;
  }
  const editable = plan.status === 'draft';
  const error = el('p', { class: 'error', role: 'alert', hidden: true });
  const rows = goals.map((goal) => {
    const textId = uid('goal');
    const dueId = uid('due');
    const measure = goal.target?.[0]?.measure?.text;
    const text = el('textarea', { id: textId, rows: 2, value: translated(goal.description, 'text') ?? '' });
    const due = el('input', { type: 'date', id: dueId, value: goal.target?.[0]?.dueDate ?? '' });
    const view = el(
      'li',
      { class: 'goal', 'data-goal-status': goal.lifecycleStatus },
      editable
        ? el('div', { class: 'field field--wide' }, el('label', { for: textId, text: tp('goalDescription') }), text)
        : el('p', { text: translated(goal.description, 'text') ?? '' }),
      measure ? el('p', { class: 'hint', text: tp('goalMeasure', { measure }) }) : null,
      editable
        ? el('div', { class: 'field' }, el('label', { for: dueId, text: tp('goalDue') }), due)
        : el('p', { class: 'hint', text: `${tp('goalDue')}: ${formatDate(goal.target?.[0]?.dueDate)}` }),
      goal.achievementStatus?.text ? el('p', { class: 'tag', text: goal.achievementStatus.text }) : null
    );
    return { goal, text, due, view };
  });
  section.append(el('ul', { class: 'goal-list' }, ...rows.map((row) => row.view)));
  if (editable) {
    const save = el('button', { type: 'button', class: 'button button--secondary', text: tp('saveGoals') });
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the handler catches and shows its own errors
    save.addEventListener('click', async () => {
      try {
        const saved = [];
        for (const { goal, text, due } of rows) {
          const target = (goal.target ?? [{}]).map((item, at) =>
            at === 0 && due.value ? { ...item, dueDate: due.value } : item
          );
          const changed = {
            ...goal,
            lifecycleStatus: 'accepted',
            description: { ...goal.description, text: text.value.trim() || goal.description.text },
            target,
          };
          saved.push(await write(context, 'PUT', `Goal/${encodeURIComponent(goal.id)}`, changed));
        }
        context.goals = (context.goals ?? []).map((goal) => saved.find((item) => item.id === goal.id) ?? goal);
        showSaved(plan, slot, context, tp('statusGoalsSaved', { count: saved.length }));
      } catch (err) {
        error.textContent = err instanceof Error ? err.message : String(err);
        error.hidden = false;
      }
    });
    section.append(el('div', { class: 'button-row' }, save), error);
  }
  return section;
}

export function evaluationForm(plan, slot, context) {
  const odiId = uid('odi');
  const outcomeId = uid('outcome');
  const textId = uid('evaluation');
  const odi = el('input', { type: 'number', id: odiId, min: 0, max: 100, step: 1 });
  const outcome = el(
    'select',
    { id: outcomeId },
    ...['achieved', 'improving', 'not-achieved'].map((code) =>
      el('option', { value: code, text: tp(`outcomes.${code}`) })
    )
  );
  const text = el('textarea', { id: textId, rows: 3 });
  const error = el('p', { class: 'error', role: 'alert', hidden: true });
  const fail = (message, field) => {
    error.textContent = message;
    error.hidden = false;
    field?.focus();
  };
  const record = el('button', { type: 'button', class: 'button button--primary', text: tp('recordEvaluation') });
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the handler catches and shows its own errors
  record.addEventListener('click', async () => {
    const score = Number(odi.value);
    if (odi.value.trim() === '' || !Number.isInteger(score) || score < 0 || score > 100) {
      fail(tp('odiRange'), odi);
      return;
    }
    if (text.value.trim() === '') {
      fail(tp('evaluationNeedsText'), text);
      return;
    }
    try {
      const now = new Date().toISOString();
      const observation = await write(context, 'POST', 'Observation', {
        resourceType: 'Observation',
        status: 'final',
        category: [
          {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/observation-category',
                code: 'survey',
                display: 'Survey',
              },
            ],
          },
        ],
        code: { text: 'Oswestry Disability Index (ODI)' },
        subject: plan.subject,
        basedOn: [{ reference: `CarePlan/${plan.id}` }],
        effectiveDateTime: now,
        valueQuantity: { value: score, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
        note: [{ text: text.value.trim() }],
      });
      for (const goal of goalsOf(plan, context)) {
        const changed = {
          ...goal,
          lifecycleStatus: 'completed',
          achievementStatus: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/goal-achievement', code: outcome.value }],
            text: tp(`outcomes.${outcome.value}`),
          },
          outcomeReference: [{ reference: `Observation/${observation.id}` }],
        };
        const saved = await write(context, 'PUT', `Goal/${encodeURIComponent(goal.id)}`, changed);
        context.goals = (context.goals ?? []).map((item) => (item.id === saved.id ? saved : item));
      }
      const summary = `ODI ${score}/100; ${tp('goalOutcome')}: ${tp(`outcomes.${outcome.value}`)}. ${text.value.trim()}`;
      // The programme ends with the evaluation: what was still scheduled or running ends with it.
      const activity = (plan.activity ?? []).map((item) =>
        ['scheduled', 'in-progress'].includes(item.detail?.status)
          ? { ...item, detail: { ...item.detail, status: 'completed' } }
          : item
      );
      const closed = {
        ...plan,
        activity,
        status: 'completed',
        note: [...(plan.note ?? []), { id: 'evaluation', time: now, text: summary }],
      };
      const saved = await write(context, 'PUT', `CarePlan/${encodeURIComponent(plan.id)}`, closed);
      showSaved(saved, slot, context, tp('statusEvaluated', { id: observation.id, plan: saved.id }));
    } catch (err) {
      fail(err instanceof Error ? err.message : String(err));
    }
  });
  return el(
    'section',
    { class: 'review evaluation', 'aria-label': tp('evaluationHeading') },
    el('h4', { text: tp('evaluationHeading') }),
    el('p', { class: 'hint', text: tp('evaluationHint') }),
    el('div', { class: 'field' }, el('label', { for: odiId, text: tp('odi') }), odi),
    el('div', { class: 'field' }, el('label', { for: outcomeId, text: tp('goalOutcome') }), outcome),
    el('div', { class: 'field field--wide' }, el('label', { for: textId, text: tp('evaluationText') }), text),
    el('div', { class: 'button-row' }, record),
    error
  );
}

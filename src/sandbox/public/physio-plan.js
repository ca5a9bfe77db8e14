// What the physiotherapist changes in a CarePlan, as plain functions on the resource: include or exclude an
// activity (with a reason), set a dose parameter within the guideline range the plan carries (extension
// dose-parameter, docs/physiotherapist.md), mark progress. Every change is then written with a PUT, so the FHIR
// server keeps each version.

import { tp } from './physio-i18n.js';

export const DOSE_PARAMETER = 'https://ruggensteun.org/fhir/StructureDefinition/dose-parameter';

/**
 * The dose parameters of an activity: guideline range, unit and the value chosen so far.
 * @returns {{ parameter: string, low?: number, high?: number, unit: string, value?: number }[]}
 */
export function doseParameters(detail) {
  return (detail?.extension ?? [])
    .filter((extension) => extension.url === DOSE_PARAMETER)
    .map((extension) => {
      const part = (url) => extension.extension?.find((sub) => sub.url === url);
      const range = part('range')?.valueRange ?? {};
      return {
        parameter: part('parameter')?.valueCode ?? '?',
        ...(range.low ? { low: range.low.value } : {}),
        ...(range.high ? { high: range.high.value } : {}),
        unit: range.low?.code ?? range.high?.code ?? '',
        ...(part('value')?.valueQuantity ? { value: part('value').valueQuantity.value } : {}),
      };
    });
}

/**
 * "3–7 days/week", "≥ 30 min", "≤ 10 km/h".
 * @param {{ low?: number, high?: number, unit: string }} range
 * @param {string} [lang]
 */
export function rangeWords({ low, high, unit }, lang = undefined) {
  const words = tp(`units.${unit}`, {}, lang);
  const unitWord = typeof words === 'string' ? words : unit;
  if (low !== undefined && high !== undefined) {
    return low === high ? `${low} ${unitWord}` : `${low}–${high} ${unitWord}`;
  }
  return low !== undefined ? `≥ ${low} ${unitWord}` : `≤ ${high} ${unitWord}`;
}

/**
 * The message when a value is not a number or outside the range; undefined when it may be chosen.
 * @param {{ parameter: string, low?: number, high?: number, unit: string }} parameter
 * @param {string} text - what was typed
 */
export function doseProblem(parameter, text) {
  const label = tp(`parameters.${parameter.parameter}`);
  const value = Number(text.replace(',', '.'));
  if (text.trim() === '' || !Number.isFinite(value)) {
    return tp('notANumber', { label });
  }
  if (
    (parameter.low !== undefined && value < parameter.low) ||
    (parameter.high !== undefined && value > parameter.high)
  ) {
    const words = tp(`units.${parameter.unit}`);
    return tp('outOfRange', {
      label,
      value,
      unit: typeof words === 'string' ? words : parameter.unit,
      range: rangeWords(parameter),
    });
  }
  return undefined;
}

/** The activity's detail with the chosen values; frequency and session length also go into the Timing. */
export function withDose(detail, chosen) {
  const extension = (detail.extension ?? []).map((ext) => {
    if (ext.url !== DOSE_PARAMETER) {
      return ext;
    }
    const parameter = ext.extension?.find((sub) => sub.url === 'parameter')?.valueCode;
    const rest = (ext.extension ?? []).filter((sub) => sub.url !== 'value');
    const range = rest.find((sub) => sub.url === 'range')?.valueRange ?? {};
    const bound = range.low ?? range.high;
    if (!(parameter in chosen)) {
      return { ...ext, extension: rest };
    }
    const valueQuantity = { value: chosen[parameter], unit: bound.unit, system: bound.system, code: bound.code };
    return { ...ext, extension: [...rest, { url: 'value', valueQuantity }] };
  });
  const repeat = { ...(detail.scheduledTiming?.repeat ?? {}) };
  if ('frequency' in chosen) {
    Object.assign(repeat, { frequency: chosen.frequency, period: 1, periodUnit: 'wk' });
    delete repeat.frequencyMax;
  }
  if ('session-duration' in chosen) {
    Object.assign(repeat, { duration: chosen['session-duration'], durationUnit: 'min' });
    delete repeat.durationMax;
  }
  return {
    ...detail,
    extension,
    ...(Object.keys(repeat).length > 0 ? { scheduledTiming: { ...detail.scheduledTiming, repeat } } : {}),
  };
}

/** Include (scheduled) or exclude (cancelled, with the reason in statusReason). */
export function withDecision(detail, include, reason) {
  const { statusReason: _old, ...rest } = detail;
  return include ? { ...rest, status: 'scheduled' } : { ...rest, status: 'cancelled', statusReason: { text: reason } };
}

/** The plan with activity `index` replaced. */
export function withActivity(plan, index, detail) {
  return {
    ...plan,
    activity: plan.activity.map((activity, at) => (at === index ? { ...activity, detail } : activity)),
  };
}

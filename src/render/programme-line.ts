import type { Timing } from '@medplum/fhirtypes';
import type { Decision } from '../clinical/decision';
import type { Programme, ProgrammeActivity } from '../clinical/programme';
import type { Locale } from '../clinical/finding';
import type { ExerciseKnowledge } from '../clinical/knowledge/exercise-knowledge';
import { MESSAGES, fill } from './messages';

/**
 * The programme in one line for the GP: the exercise types with their frequency, then the optional ones and
 * those offered by preference ("duurtraining (3–5 dagen per week; wandelen eerst, licht tot matig beginnen),
 * krachttraining (2–3 dagen per week) …"). The doses themselves are the physiotherapist's, in the CarePlan.
 */

function frequency(timing: Timing | undefined, locale: Locale): string | undefined {
  const repeat = timing?.repeat;
  if (repeat?.frequency === undefined || repeat.periodUnit !== 'wk' || (repeat.period ?? 1) !== 1) {
    return undefined;
  }
  // Up to every day of the week is how the CarePlan encodes a minimum ("≥ 3 days a week"): say it as one.
  const n =
    repeat.frequencyMax === 7
      ? `≥ ${repeat.frequency}`
      : repeat.frequencyMax
        ? `${repeat.frequency}–${repeat.frequencyMax}`
        : String(repeat.frequency);
  return fill(MESSAGES[locale].timesPerWeek, { n });
}

function activityWords(
  activity: ProgrammeActivity,
  decision: Decision,
  knowledge: ExerciseKnowledge,
  locale: Locale
): string {
  const messages = MESSAGES[locale];
  const definition = knowledge.activities.get(activity.type);
  const timing = (definition?.doses.get(activity.dose) ?? definition?.doses.get('standard'))?.timing;
  const notes = [
    frequency(timing, locale) ?? (activity.type === 'functional' ? messages.integrated : undefined),
    // TS-11: in the acute episode the aerobic part starts with walking, light to moderate.
    activity.type === 'aerobic' && decision.effects.has('light-to-moderate-start') ? messages.walkingFirst : undefined,
  ].filter((note): note is string => note !== undefined);
  return `${messages.exerciseNames[activity.type]}${notes.length > 0 ? ` (${notes.join(messages.semicolon)})` : ''}`;
}

export function programmeLine(
  programme: Programme,
  decision: Decision,
  knowledge: ExerciseKnowledge,
  locale: Locale
): string {
  const messages = MESSAGES[locale];
  const of = (role: ProgrammeActivity['role']) =>
    programme.activities
      .filter((activity) => activity.role === role)
      .map((activity) => activityWords(activity, decision, knowledge, locale));
  const optional = of('optional');
  const options = programme.activities
    .filter((activity) => activity.role === 'option')
    .map((activity) => messages.exerciseNames[activity.type]);
  return [
    of('proposed').join(', '),
    ...(optional.length > 0 ? [`${messages.whenIndicated}${messages.colon}${optional.join(', ')}`] : []),
    ...(options.length > 0 ? [`${messages.byPreference}${messages.colon}${options.join(messages.semicolon)}`] : []),
  ].join(messages.semicolon);
}

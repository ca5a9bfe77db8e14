import path from 'node:path';
import type { Timing } from '@medplum/fhirtypes';
import type { DosePopulation, ExerciseType } from '../clinical/programme';
import { loadExerciseKnowledge } from '../clinical/knowledge/exercise-knowledge';

/**
 * The structured dose of every row of the dosage table (docs/clinical-specification.md §6) against its text: the
 * Timing says only what the text says (a minimum stays a minimum, a range a range), and the parameter ranges
 * the physiotherapist may choose within are the numbers of the text.
 */
const knowledge = loadExerciseKnowledge(path.join(__dirname, '..', '..', 'fhir-resources', 'knowledge'));
const week = { period: 1, periodUnit: 'wk' } as const;

type Row = [ExerciseType, DosePopulation, string, Timing | undefined, Record<string, [number?, number?]>];

/** [type, dose row, §6 text, Timing, ranges (low, high; undefined = open)]. */
const TABLE: Row[] = [
  [
    'aerobic',
    'standard',
    '≥ 5 d/wk moderate or ≥ 3 d/wk vigorous, or ≥ 3–5 d/wk combined; ≥ 30 min, bouts ≥ 10 min',
    // At least 3 of the 7 days of a week; "≥ 30 min" has no maximum, so no duration (Timing has no minimum).
    { repeat: { frequency: 3, frequencyMax: 7, ...week } },
    { frequency: [3, 7], 'session-duration': [30, undefined] },
  ],
  [
    'aerobic',
    'inactive',
    'start light-to-moderate, then build up to the standard dose',
    // The start is below the target and has no number: no Timing that would prescribe the target from day one.
    undefined,
    { frequency: [3, 7], 'session-duration': [30, undefined] },
  ],
  [
    'strength',
    'standard',
    '2–3 d/wk non-consecutive; 2–4 sets of 8–12 reps at 60–70 % 1RM',
    { repeat: { frequency: 2, frequencyMax: 3, ...week } },
    { frequency: [2, 3], sets: [2, 4], repetitions: [8, 12], load: [60, 70] },
  ],
  [
    'strength',
    'novice',
    '2–3 d/wk; 10–15 reps at 40–50 % 1RM',
    { repeat: { frequency: 2, frequencyMax: 3, ...week } },
    { frequency: [2, 3], repetitions: [10, 15], load: [40, 50] },
  ],
  [
    'strength',
    'older-adult',
    '2–3 d/wk; 10–15 reps at 40–50 % 1RM',
    { repeat: { frequency: 2, frequencyMax: 3, ...week } },
    { frequency: [2, 3], repetitions: [10, 15], load: [40, 50] },
  ],
  [
    'flexibility',
    'standard',
    '2–3 d/wk; hold 10–30 s; 2–4 repetitions',
    { repeat: { frequency: 2, frequencyMax: 3, ...week } },
    { frequency: [2, 3], hold: [10, 30], repetitions: [2, 4] },
  ],
  [
    'flexibility',
    'older-adult',
    '2–3 d/wk; hold 30–60 s; 2–4 repetitions',
    { repeat: { frequency: 2, frequencyMax: 3, ...week } },
    { frequency: [2, 3], hold: [30, 60], repetitions: [2, 4] },
  ],
  ['neuromotor', 'standard', 'no fixed frequency; tailored', undefined, {}],
  ['functional', 'standard', 'integrated in sessions', undefined, {}],
  [
    'run-walk',
    'standard',
    '3 sessions/week of 30 min; 6–10 repetitions; max 10 km/h',
    { repeat: { frequency: 3, ...week, duration: 30, durationUnit: 'min' } },
    { frequency: [3, 3], 'session-duration': [30, 30], repetitions: [6, 10], speed: [undefined, 10] },
  ],
  [
    'high-intensity',
    'standard',
    '2x/week, ~1.5 h per session, 12 weeks',
    {
      repeat: {
        frequency: 2,
        ...week,
        duration: 90,
        durationUnit: 'min',
        boundsDuration: { value: 12, unit: 'wk', system: 'http://unitsofmeasure.org', code: 'wk' },
      },
    },
    { frequency: [2, 2] },
  ],
  ['mind-body', 'standard', 'not specified in the seeds', undefined, {}],
];

describe('Timing and ranges of every dose row of §6', () => {
  it('covers every dose row of the knowledge', () => {
    const rows = [...knowledge.activities.values()].flatMap((definition) =>
      [...definition.doses.keys()].map((population) => `${definition.type}/${population}`)
    );
    expect(TABLE.map(([type, population]) => `${type}/${population}`).sort()).toEqual(rows.sort());
  });

  it.each(TABLE)('%s (%s): "%s"', (type, population, _text, timing, ranges) => {
    const dose = knowledge.activities.get(type)?.doses.get(population);
    expect(dose?.timing).toEqual(timing);
    expect(
      Object.fromEntries((dose?.ranges ?? []).map((range) => [range.parameter, [range.low?.value, range.high?.value]]))
    ).toEqual(ranges);
  });
});

/** "≥ 3", "2–3", "3" before "days/week" or "sessions/week" in a dose text: the frequencies the text states. */
function statedFrequencies(text: string): { low: number; high?: number }[] {
  return [...text.matchAll(/(≥ )?(\d+)(?:–(\d+))? (?:days|sessions)\/week/g)].map(([, atLeast, low, high]) => ({
    low: Number(low),
    ...(atLeast ? {} : { high: Number(high ?? low) }),
  }));
}

describe('the Timing never contradicts the text (every dose row, read from the text itself)', () => {
  const doses = [...knowledge.activities.values()].flatMap((definition) =>
    [...definition.doses.entries()].flatMap(([population, dose]) =>
      dose.timing?.repeat?.frequency === undefined ? [] : [[`${definition.type}/${population}`, dose] as const]
    )
  );

  it.each(doses)('%s', (_row, dose) => {
    const repeat = dose.timing?.repeat ?? {};
    const stated = statedFrequencies(dose.text.en);
    // The Timing's lowest frequency is the lowest the text allows; its highest is the text's (7 for "≥ n days").
    expect(repeat.frequency).toBe(Math.min(...stated.map((item) => item.low)));
    const open = stated.some((item) => item.high === undefined);
    expect(repeat.frequencyMax ?? repeat.frequency).toBe(
      open ? 7 : Math.max(...stated.map((item) => item.high ?? item.low))
    );
    // A duration in the Timing is one the text states exactly, never a minimum ("≥ 30 min").
    expect(dose.text.en).not.toContain(`≥ ${String(repeat.duration ?? 'no duration')} min`);
  });
});

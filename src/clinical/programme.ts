import type { Effect, Finding } from './finding';

/**
 * The programme composition (TS-11…TS-29, DS-01…DS-03): which exercise types, roles, dose rows and notes the
 * effects of the recommendation findings call for. decide() composes it only when a programme may be proposed.
 */

export const EXERCISE_TYPES = [
  'aerobic',
  'strength',
  'flexibility',
  'neuromotor',
  'functional',
  'run-walk',
  'high-intensity',
  'mind-body',
] as const;
export type ExerciseType = (typeof EXERCISE_TYPES)[number];

/** Which dose row of §6 applies (the variants of the ActivityDefinitions). */
export type DosePopulation = 'standard' | 'older-adult' | 'novice' | 'inactive';

export interface ProgrammeActivity {
  readonly type: ExerciseType;
  /** `proposed`: part of the programme; `optional`: when indicated (TS-23); `option`: offered to choose (TS-25…TS-27). */
  readonly role: 'proposed' | 'optional' | 'option';
  readonly dose: DosePopulation;
}

/** The supervised exercise programme to propose (TS-11…TS-29 with the dose rows of DS-01…DS-03). */
export interface Programme {
  /** The recommendation findings that composed it. */
  readonly findings: readonly Finding[];
  readonly activities: readonly ProgrammeActivity[];
  /** Note codes for the CarePlan: `TS-28`, `PR-01`, … (texts live in the PlanDefinition). */
  readonly notes: readonly string[];
}

/** The effects that put a type in the programme, and in which role. */
const TYPE_EFFECTS: readonly [Effect, ExerciseType, ProgrammeActivity['role']][] = [
  ['type-aerobic', 'aerobic', 'proposed'],
  ['type-strength', 'strength', 'proposed'],
  ['type-flexibility', 'flexibility', 'proposed'],
  ['type-functional', 'functional', 'proposed'],
  ['optional-neuromotor', 'neuromotor', 'optional'],
  ['option-run-walk', 'run-walk', 'option'],
  ['option-high-intensity', 'high-intensity', 'option'],
  ['option-mind-body', 'mind-body', 'option'],
];

/** Notes the CarePlan carries, by the effect (or rule) that calls for them. */
const NOTE_EFFECTS: readonly [Effect, string][] = [
  ['note-tailor', 'TS-00'],
  ['note-candidate', 'TS-01'],
  ['note-comorbidity', 'TS-03'],
  ['note-sustainable', 'TS-04'],
  ['note-behaviour-change', 'TS-28'],
  ['note-e-health', 'TS-29'],
  ['pregnancy-adapted', 'PR-01'],
];

/** Every note a programme can carry; the PlanDefinition must hold a text for each (checked at start-up). */
export const PROGRAMME_NOTE_IDS: readonly string[] = NOTE_EFFECTS.map(([, note]) => note);

function doseOf(type: ExerciseType, effects: ReadonlySet<Effect>): DosePopulation {
  const older = effects.has('dose-older-adult');
  if (type === 'strength') {
    const novice = effects.has('dose-novice') || effects.has('strength-novice-dose');
    return older ? 'older-adult' : novice ? 'novice' : 'standard';
  }
  if (type === 'flexibility') {
    return older ? 'older-adult' : 'standard';
  }
  if (type === 'aerobic') {
    return effects.has('dose-inactive') || effects.has('light-to-moderate-start') ? 'inactive' : 'standard';
  }
  // The other types have one dose row.
  return 'standard';
}

/** Options that a precaution or exclusion takes away, whichever rule offered them. */
const EXCLUDING_EFFECTS: readonly [Effect, ExerciseType][] = [
  ['excludes-run-walk', 'run-walk'],
  ['excludes-high-intensity', 'high-intensity'],
];

/**
 * @param findings - what the rules found (the recommendations compose the programme)
 * @param effects - the union of the effects of every finding
 */
export function composeProgramme(findings: readonly Finding[], effects: ReadonlySet<Effect>): Programme | undefined {
  const recommendations = findings.filter((finding) => finding.kind === 'recommendation');
  if (!effects.has('programme')) {
    return undefined;
  }
  const excluded = new Set(EXCLUDING_EFFECTS.filter(([effect]) => effects.has(effect)).map(([, type]) => type));
  const activities = TYPE_EFFECTS.filter(([effect, type]) => effects.has(effect) && !excluded.has(type)).map(
    ([, type, role]) => ({
      type,
      role,
      dose: doseOf(type, effects),
    })
  );
  const notes = NOTE_EFFECTS.filter(([effect]) => effects.has(effect)).map(([, note]) => note);
  return { findings: recommendations, activities, notes };
}

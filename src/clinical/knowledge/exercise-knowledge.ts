import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CodeableConcept, Quantity, Timing } from '@medplum/fhirtypes';
import type { z } from 'zod';
import type { DosePopulation, ExerciseType } from '../programme';
import { EXERCISE_TYPES, PROGRAMME_NOTE_IDS } from '../programme';
import type { Localised } from '../finding';
import { KNOWLEDGE_LOCALES as LOCALES } from '../finding';
import type { Extension, planAction, planGoal } from './knowledge-resources';
import { activityDefinition, localisedOf, planDefinition } from './knowledge-resources';

/**
 * The exercise-therapy knowledge of fhir-resources/knowledge, read once at start-up: one ActivityDefinition
 * per exercise type with its dose rows (§6) as `exercise-dose` extensions (text per language, Timing, and the
 * guideline range of each dose parameter), and the PlanDefinition of the programme: proposed length, Goals,
 * programme rules PG-01…PG-12, conditional notes and the groups the notes are shown in. Texts are English with
 * the other languages of LOCALES as translation extensions. Anything missing stops start-up naming the file.
 */

const DOSE = 'https://ruggensteun.org/fhir/StructureDefinition/exercise-dose';
const NOTE_GROUP = 'https://ruggensteun.org/fhir/StructureDefinition/note-group';
const SAME_AS = 'https://ruggensteun.org/fhir/StructureDefinition/same-as';
const EXERCISE_TYPE_SYSTEM = 'https://ruggensteun.org/fhir/CodeSystem/exercise-type';
export const PLAN_FILE = 'PlanDefinition-lbp-exercise-programme.json';
export const REFERRAL_FILE = 'ActivityDefinition-physiotherapy-referral.json';

/** The dose parameters a physiotherapist can set within the guideline's range. */
export const DOSE_PARAMETERS = [
  'frequency',
  'session-duration',
  'sets',
  'repetitions',
  'load',
  'hold',
  'speed',
] as const;
export type DoseParameter = (typeof DOSE_PARAMETERS)[number];

/** The guideline range of one parameter; an open end (e.g. "≥ 30 min") has no `high`. */
export interface DoseRange {
  readonly parameter: DoseParameter;
  readonly low?: Quantity;
  readonly high?: Quantity;
}

export interface Dose {
  readonly text: Localised;
  /** Only what Timing can say without contradicting the text (e.g. "≥ 3 days/week" as 3–7 per week). */
  readonly timing?: Timing;
  readonly ranges: readonly DoseRange[];
}

export interface ExerciseDefinition {
  readonly type: ExerciseType;
  /** `url|version`, for CarePlan.activity.detail.instantiatesCanonical. */
  readonly canonical: string;
  readonly code: CodeableConcept;
  readonly title: Localised;
  readonly doses: ReadonlyMap<DosePopulation, Dose>;
}

export interface GoalDefinition {
  readonly id: string;
  readonly category: CodeableConcept;
  readonly description: Localised;
  /** What the goal is measured with, when the guideline names an instrument. */
  readonly measure?: string;
  readonly dueWeeks?: number;
}

/** Where a note is shown, and the programme rule it repeats (then the CarePlan carries it once). */
export interface NotePlacement {
  readonly group: string;
  readonly sameAs?: string;
}

/** The draft physiotherapy referral that goes with the plan. */
export interface ReferralDefinition {
  readonly canonical: string;
  readonly code: CodeableConcept;
  readonly title: Localised;
}

export interface ExerciseKnowledge {
  /** `url|version` of the programme PlanDefinition. */
  readonly planCanonical: string;
  readonly referral: ReferralDefinition;
  readonly activities: ReadonlyMap<ExerciseType, ExerciseDefinition>;
  /** The proposed programme length (CarePlan.period), to be agreed with the patient (PG-01). */
  readonly programmeWeeks: number;
  readonly goals: readonly GoalDefinition[];
  /** PG-01…PG-12, in order. */
  readonly programmeRules: readonly { readonly id: string; readonly text: Localised }[];
  /** Notes that apply only sometimes (TS-01, TS-28, TS-29, PR-01), by rule id. */
  readonly conditionalNotes: ReadonlyMap<string, Localised>;
  /** The group of every programme rule and conditional note, by id. */
  readonly placement: ReadonlyMap<string, NotePlacement>;
  /** The note groups in display order. */
  readonly noteGroups: readonly { readonly id: string; readonly title: Localised }[];
}

export class ExerciseKnowledgeError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid exercise knowledge:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ExerciseKnowledgeError';
  }
}

const sub = (ext: Extension, url: string) => ext.extension?.find((child) => child.url === url);

function readDose(file: string, ext: Extension, problems: string[]): [DosePopulation, Dose] | undefined {
  const population = sub(ext, 'population')?.valueCode as DosePopulation | undefined;
  const texts = Object.fromEntries(LOCALES.map((locale) => [locale, sub(ext, `text-${locale}`)?.valueString]));
  if (!population || LOCALES.some((locale) => !texts[locale])) {
    problems.push(`${file}: an exercise-dose extension needs population and text-${LOCALES.join(', text-')}`);
    return undefined;
  }
  const ranges: DoseRange[] = [];
  for (const range of (ext.extension ?? []).filter((child) => child.url === 'range')) {
    const parameter = sub(range, 'parameter')?.valueCode as DoseParameter | undefined;
    const value = sub(range, 'value')?.valueRange;
    if (!parameter || !DOSE_PARAMETERS.includes(parameter) || !value || (!value.low && !value.high)) {
      problems.push(`${file} (${population}): a range needs a parameter of ${DOSE_PARAMETERS.join('|')} and a bound`);
      continue;
    }
    if (value.low && value.high && value.low.value > value.high.value) {
      problems.push(`${file} (${population}): the ${parameter} range is empty`);
    }
    ranges.push({ parameter, ...(value.low ? { low: value.low } : {}), ...(value.high ? { high: value.high } : {}) });
  }
  const timing = sub(ext, 'timing')?.valueTiming as Timing | undefined;
  return [population, { text: texts as Localised, ...(timing ? { timing } : {}), ranges }];
}

function readActivity(file: string, json: unknown, problems: string[]): ExerciseDefinition | undefined {
  const parsed = activityDefinition.safeParse(json);
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map((issue) => `${file}: ${issue.path.join('.')}: ${issue.message}`));
    return undefined;
  }
  const resource = parsed.data;
  const type = resource.code.coding.find((coding) => coding.system === EXERCISE_TYPE_SYSTEM)?.code;
  if (!EXERCISE_TYPES.includes(type as ExerciseType)) {
    problems.push(`${file}: code has no exercise type of ${EXERCISE_TYPE_SYSTEM}`);
    return undefined;
  }
  const doses = new Map<DosePopulation, Dose>();
  for (const ext of resource.extension.filter((candidate) => candidate.url === DOSE)) {
    const dose = readDose(file, ext, problems);
    if (dose) {
      doses.set(...dose);
    }
  }
  if (!doses.has('standard')) {
    problems.push(`${file}: no standard dose`);
  }
  const title = localisedOf(resource.title, resource._title, `${file} title`, problems);
  return {
    type: type as ExerciseType,
    canonical: `${resource.url}|${resource.version}`,
    code: resource.code,
    title: title ?? { ...Object.fromEntries(LOCALES.map((locale) => [locale, resource.title])) },
    doses,
  } as ExerciseDefinition;
}

function readGoal(goal: z.infer<typeof planGoal>, problems: string[]): GoalDefinition | undefined {
  const description = localisedOf(
    goal.description.text,
    goal.description._text,
    `${PLAN_FILE} goal ${goal.id}`,
    problems
  );
  const target = goal.target?.[0];
  return description
    ? {
        id: goal.id,
        category: goal.category,
        description,
        ...(target?.measure ? { measure: target.measure.text } : {}),
        ...(target?.due ? { dueWeeks: target.due.value } : {}),
      }
    : undefined;
}

type PlanAction = z.infer<typeof planAction>;
/** A group of the PlanDefinition's actions (exercise types, programme rules, conditional notes, note groups). */
type PlanGroup = z.infer<typeof planDefinition>['action'][number];
type Localiser = (action: PlanAction) => Localised | undefined;

/** The ActivityDefinition of each exercise type. */
function readActivities(read: (file: string) => unknown, problems: string[]): Map<ExerciseType, ExerciseDefinition> {
  const activities = new Map<ExerciseType, ExerciseDefinition>();
  for (const type of EXERCISE_TYPES) {
    const file = `ActivityDefinition-exercise-${type}.json`;
    const json = read(file);
    const definition = json === undefined ? undefined : readActivity(file, json, problems);
    if (definition) {
      activities.set(definition.type, definition);
    }
  }
  return activities;
}

/** The referral ActivityDefinition (no dose extensions). */
function readReferral(read: (file: string) => unknown, problems: string[]) {
  const referralJson = activityDefinition.omit({ extension: true }).safeParse(read(REFERRAL_FILE));
  if (!referralJson.success) {
    problems.push(`${REFERRAL_FILE}: not a readable ActivityDefinition`);
    return undefined;
  }
  return {
    canonical: `${referralJson.data.url}|${referralJson.data.version}`,
    code: referralJson.data.code,
    title: localisedOf(referralJson.data.title, referralJson.data._title, `${REFERRAL_FILE} title`, problems),
  };
}

/** Where each programme rule and conditional note is shown: its note group, and the rule it repeats if any. */
function notePlacements(
  noteActions: readonly PlanAction[],
  rules: PlanGroup,
  groups: PlanGroup,
  noteGroups: readonly { id: string }[],
  problems: string[]
): Map<string, NotePlacement> {
  const placement = new Map<string, NotePlacement>();
  for (const action of noteActions) {
    const group = action.extension?.find((ext) => ext.url === NOTE_GROUP)?.valueCode;
    const sameAs = action.extension?.find((ext) => ext.url === SAME_AS)?.valueId;
    if (!action.id || !noteGroups.some((candidate) => candidate.id === group)) {
      problems.push(`${PLAN_FILE}: note ${action.id ?? '?'} needs a note-group of ${groups.id}`);
      continue;
    }
    if (sameAs !== undefined && !rules.action.some((rule) => rule.id === sameAs)) {
      problems.push(`${PLAN_FILE}: note ${action.id} is the same as ${sameAs}, which is no programme rule`);
    }
    placement.set(action.id, { group: group as string, ...(sameAs ? { sameAs } : {}) });
  }
  return placement;
}

/** The programme rules PG-01…PG-12, in order. */
function readProgrammeRules(rules: PlanGroup, localised: Localiser, problems: string[]) {
  const programmeRules = rules.action.flatMap((action) => {
    const text = localised(action);
    return text && action.id ? [{ id: action.id, text }] : [];
  });
  const expected = Array.from({ length: 12 }, (_, index) => `PG-${String(index + 1).padStart(2, '0')}`);
  if (programmeRules.map((rule) => rule.id).join() !== expected.join()) {
    problems.push(`${PLAN_FILE}: the programme rules must be ${expected.join(', ')} in order`);
  }
  return programmeRules;
}

/** The conditional notes by id: one for every note the programme can ask for. */
function readConditionalNotes(notes: PlanGroup, localised: Localiser, problems: string[]): Map<string, Localised> {
  const conditionalNotes = new Map(
    notes.action.flatMap((action) => {
      const text = localised(action);
      return text && action.id ? [[action.id, text] as const] : [];
    })
  );
  for (const id of PROGRAMME_NOTE_IDS.filter((note) => !conditionalNotes.has(note))) {
    problems.push(`${PLAN_FILE}: no conditional note ${id} (the programme can ask for it)`);
  }
  return conditionalNotes;
}

/** The PlanDefinition's four action groups: exercise types, programme rules, conditional notes, note groups. */
function readPlan(plan: z.infer<typeof planDefinition>, problems: string[]) {
  const [types, rules, notes, groups] = plan.action as [PlanGroup, PlanGroup, PlanGroup, PlanGroup];
  const localised: Localiser = (action) =>
    localisedOf(action.textEquivalent, action._textEquivalent, `${PLAN_FILE} action ${action.id ?? '?'}`, problems);
  const noteGroups = groups.action.flatMap((action) => {
    const title = localised(action);
    return title && action.id ? [{ id: action.id, title }] : [];
  });
  const placement = notePlacements([...rules.action, ...notes.action], rules, groups, noteGroups, problems);
  const programmeRules = readProgrammeRules(rules, localised, problems);
  const conditionalNotes = readConditionalNotes(notes, localised, problems);
  if (types.timingDuration === undefined) {
    problems.push(`${PLAN_FILE}: action ${types.id} needs timingDuration in weeks (the proposed programme length)`);
  }
  const goals = plan.goal.flatMap((goal) => readGoal(goal, problems) ?? []);
  return {
    planCanonical: `${plan.url}|${plan.version}`,
    programmeWeeks: types.timingDuration?.value ?? 0,
    goals,
    programmeRules,
    conditionalNotes,
    placement,
    noteGroups,
  };
}

/**
 * @param dir - fhir-resources/knowledge
 * @throws ExerciseKnowledgeError naming every problem and its file
 */
export function loadExerciseKnowledge(dir: string): ExerciseKnowledge {
  const problems: string[] = [];
  const read = (file: string): unknown => {
    try {
      return JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    } catch (err) {
      problems.push(`${file}: ${err instanceof Error ? err.message : 'cannot be read'}`);
      return undefined;
    }
  };
  const activities = readActivities(read, problems);
  const referral = readReferral(read, problems);
  const plan = planDefinition.safeParse(read(PLAN_FILE));
  if (!plan.success) {
    problems.push(...plan.error.issues.map((issue) => `${PLAN_FILE}: ${issue.path.join('.')}: ${issue.message}`));
    throw new ExerciseKnowledgeError(problems);
  }
  const { planCanonical, ...programme } = readPlan(plan.data, problems);
  if (problems.length > 0 || referral?.title === undefined) {
    throw new ExerciseKnowledgeError(problems);
  }
  return { planCanonical, referral: { ...referral, title: referral.title }, activities, ...programme };
}

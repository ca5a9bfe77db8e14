import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CodeableConcept, Timing } from '@medplum/fhirtypes';
import { z } from 'zod';
import type { DosePopulation, ExerciseType } from '../clinical/decision';
import { EXERCISE_TYPES, PROGRAMME_NOTE_IDS } from '../clinical/decision';
import type { Localised } from '../clinical/finding';

/**
 * The exercise-therapy knowledge of fhir-resources/knowledge, read once at start-up: one ActivityDefinition
 * per exercise type with its dose rows (§6) as `exercise-dose` extensions, and the PlanDefinition of the
 * programme with the programme rules PG-01…PG-12 and the conditional notes. Texts are English with a Dutch
 * translation (the standard `translation` extension). Anything missing stops start-up naming the file.
 */

const TRANSLATION = 'http://hl7.org/fhir/StructureDefinition/translation';
const DOSE = 'https://ruggensteun.org/fhir/StructureDefinition/exercise-dose';
const EXERCISE_TYPE_SYSTEM = 'https://ruggensteun.org/fhir/CodeSystem/exercise-type';
export const PLAN_FILE = 'PlanDefinition-lbp-exercise-programme.json';

export interface Dose {
  readonly text: Localised;
  readonly timing?: Timing;
}

export interface ExerciseDefinition {
  readonly type: ExerciseType;
  /** `url|version`, for CarePlan.activity.detail.instantiatesCanonical. */
  readonly canonical: string;
  readonly code: CodeableConcept;
  readonly title: Localised;
  readonly doses: ReadonlyMap<DosePopulation, Dose>;
}

export interface ExerciseKnowledge {
  /** `url|version` of the programme PlanDefinition. */
  readonly planCanonical: string;
  readonly activities: ReadonlyMap<ExerciseType, ExerciseDefinition>;
  /** PG-01…PG-12, in order. */
  readonly programmeRules: readonly { readonly id: string; readonly text: Localised }[];
  /** Notes that apply only sometimes (TS-01, TS-28, TS-29, PR-01), by rule id. */
  readonly conditionalNotes: ReadonlyMap<string, Localised>;
}

export class ExerciseKnowledgeError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid exercise knowledge:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ExerciseKnowledgeError';
  }
}

const extension = z.looseObject({
  url: z.string(),
  valueString: z.string().optional(),
  valueCode: z.string().optional(),
  valueTiming: z.looseObject({}).optional(),
  get extension() {
    return z.array(extension).optional();
  },
});
type Extension = z.infer<typeof extension>;
const translatable = z.looseObject({ extension: z.array(extension) }).optional();

const activityDefinition = z.looseObject({
  resourceType: z.literal('ActivityDefinition'),
  url: z.string().min(1),
  version: z.string().min(1),
  title: z.string().min(1),
  _title: translatable,
  code: z.looseObject({ coding: z.array(z.looseObject({ system: z.string(), code: z.string() })).min(1) }),
  extension: z.array(extension),
});

const planAction = z.looseObject({
  id: z.string().optional(),
  title: z.string().optional(),
  textEquivalent: z.string().optional(),
  _textEquivalent: translatable,
});
const planDefinition = z.looseObject({
  resourceType: z.literal('PlanDefinition'),
  url: z.string().min(1),
  version: z.string().min(1),
  action: z.array(z.looseObject({ title: z.string(), action: z.array(planAction) })).min(3),
});

function dutch(element: z.infer<typeof translatable>): string | undefined {
  const translation = element?.extension.find((ext) => ext.url === TRANSLATION);
  const lang = translation?.extension?.find((ext) => ext.url === 'lang')?.valueCode;
  return lang === 'nl' ? translation?.extension?.find((ext) => ext.url === 'content')?.valueString : undefined;
}

const sub = (ext: Extension, url: string) => ext.extension?.find((child) => child.url === url);

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
    const population = sub(ext, 'population')?.valueCode as DosePopulation | undefined;
    const en = sub(ext, 'text-en')?.valueString;
    const nl = sub(ext, 'text-nl')?.valueString;
    if (!population || !en || !nl) {
      problems.push(`${file}: an exercise-dose extension needs population, text-en and text-nl`);
      continue;
    }
    const timing = sub(ext, 'timing')?.valueTiming as Timing | undefined;
    doses.set(population, { text: { en, nl }, ...(timing ? { timing } : {}) });
  }
  if (!doses.has('standard')) {
    problems.push(`${file}: no standard dose`);
  }
  const titleNl = dutch(resource._title);
  if (titleNl === undefined) {
    problems.push(`${file}: title has no Dutch translation`);
  }
  return {
    type: type as ExerciseType,
    canonical: `${resource.url}|${resource.version}`,
    code: resource.code,
    title: { en: resource.title, nl: titleNl ?? resource.title },
    doses,
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
  const activities = new Map<ExerciseType, ExerciseDefinition>();
  for (const type of EXERCISE_TYPES) {
    const file = `ActivityDefinition-exercise-${type}.json`;
    const json = read(file);
    const definition = json === undefined ? undefined : readActivity(file, json, problems);
    if (definition) {
      activities.set(definition.type, definition);
    }
  }
  const plan = planDefinition.safeParse(read(PLAN_FILE));
  if (!plan.success) {
    problems.push(...plan.error.issues.map((issue) => `${PLAN_FILE}: ${issue.path.join('.')}: ${issue.message}`));
    throw new ExerciseKnowledgeError(problems);
  }
  const localised = (action: z.infer<typeof planAction>): Localised | undefined => {
    const en = action.textEquivalent;
    const nl = dutch(action._textEquivalent);
    if (!en || !nl) {
      problems.push(`${PLAN_FILE}: action ${action.id ?? '?'} needs textEquivalent with a Dutch translation`);
      return undefined;
    }
    return { en, nl };
  };
  const [, rules, notes] = plan.data.action;
  const programmeRules = (rules?.action ?? []).flatMap((action) => {
    const text = localised(action);
    return text && action.id ? [{ id: action.id, text }] : [];
  });
  const expected = Array.from({ length: 12 }, (_, index) => `PG-${String(index + 1).padStart(2, '0')}`);
  if (programmeRules.map((rule) => rule.id).join() !== expected.join()) {
    problems.push(`${PLAN_FILE}: the programme rules must be ${expected.join(', ')} in order`);
  }
  const conditionalNotes = new Map(
    (notes?.action ?? []).flatMap((action) => {
      const text = localised(action);
      return text && action.id ? [[action.id, text] as const] : [];
    })
  );
  for (const id of PROGRAMME_NOTE_IDS.filter((note) => !conditionalNotes.has(note))) {
    problems.push(`${PLAN_FILE}: no conditional note ${id} (the programme can ask for it)`);
  }
  if (problems.length > 0) {
    throw new ExerciseKnowledgeError(problems);
  }
  return {
    planCanonical: `${plan.data.url}|${plan.data.version}`,
    activities,
    programmeRules,
    conditionalNotes,
  };
}

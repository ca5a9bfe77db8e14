import path from 'node:path';
import { loadRuleset } from '../rules-engine';
import type { Ruleset } from '../rules-engine';
import { loadExerciseKnowledge } from './exercise-knowledge';
import type { ExerciseKnowledge } from './exercise-knowledge';
import { loadTerminology } from './terminology';
import type { Terminology } from './terminology';
import { loadOverrideReasons } from './override-reasons';
import type { OverrideReasons } from './override-reasons';

/**
 * The clinical knowledge a process loads once at start-up, before it reports ready: the value sets in
 * fhir-resources/valuesets, the rule files in rules/ and the exercise knowledge (ActivityDefinitions,
 * PlanDefinition) in fhir-resources/knowledge. Anything malformed stops start-up with a message
 * naming the file (and the rule).
 */
export interface Knowledge {
  readonly terminology: Terminology;
  readonly ruleset: Ruleset;
  readonly exercise: ExerciseKnowledge;
  /** The override reasons of each card kind (CodeSystem-override-reason.json). */
  readonly overrideReasons: OverrideReasons;
}

/** Facts about the loaded knowledge, shown by GET /readyz. */
export function describeKnowledge(knowledge: Knowledge): Record<string, unknown> {
  return {
    ruleset: knowledge.ruleset.version,
    rules: knowledge.ruleset.rules.length,
    valueSets: knowledge.terminology.valueSetUrls.size,
  };
}

/** Where the knowledge lives: rules/ and fhir-resources/ (the service's configuration names them). */
export interface KnowledgeFolders {
  readonly rulesDir: string;
  readonly fhirResourcesDir: string;
}

/**
 * @param folders - the rules and FHIR resources folders
 * @throws when a file is missing, malformed or inconsistent
 */
export function loadKnowledge(folders: KnowledgeFolders): Knowledge {
  const terminology = loadTerminology(path.join(folders.fhirResourcesDir, 'valuesets'));
  return {
    terminology,
    ruleset: loadRuleset(folders.rulesDir, terminology),
    exercise: loadExerciseKnowledge(path.join(folders.fhirResourcesDir, 'knowledge')),
    overrideReasons: loadOverrideReasons(path.join(folders.fhirResourcesDir, 'knowledge')),
  };
}

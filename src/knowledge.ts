import path from 'node:path';
import { loadRuleset } from './clinical/ruleset';
import type { Ruleset } from './clinical/ruleset';
import type { Config } from './config';
import { loadTerminology } from './fhir/terminology';
import type { Terminology } from './fhir/terminology';

/**
 * The clinical knowledge a process loads once at start-up, before it reports ready: the value sets in
 * fhir-resources/valuesets and the rule files in rules/. Anything malformed stops start-up with a message
 * naming the file (and the rule).
 */
export interface Knowledge {
  readonly terminology: Terminology;
  readonly ruleset: Ruleset;
}

/** Facts about the loaded knowledge, shown by GET /readyz. */
export function describeKnowledge(knowledge: Knowledge): Record<string, unknown> {
  return {
    ruleset: knowledge.ruleset.version,
    rules: knowledge.ruleset.rules.length,
    valueSets: knowledge.terminology.valueSetUrls.size,
  };
}

/**
 * @param config - supplies the folders
 * @throws when a file is missing, malformed or inconsistent
 */
export function loadKnowledge(config: Pick<Config, 'fhirResourcesDir' | 'rulesDir'>): Knowledge {
  const terminology = loadTerminology(path.join(config.fhirResourcesDir, 'valuesets'));
  return { terminology, ruleset: loadRuleset(config.rulesDir, terminology) };
}

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { expandReferences, referencesIn } from '../named-conditions';
import type { KeywordMatcher } from '../text-match';
import type { TextFile } from '../text/knowledge';
import { buildTextKnowledge, TEXT_FILES } from '../text/knowledge';
import type {
  ConditionNode,
  LeafCondition,
  LoadedRule,
  RuleDefinition,
  RuleSource,
  RulesetSettings,
} from './rule-schema';
import { conditionsFileSchema, leaves, ruleFileSchema, ruleSchema, RulesetError, settingsSchema } from './rule-schema';
import type { Terminology } from './terminology';
import { valueSetUrl } from './terminology';

/**
 * Reading and cross-checking the rule files at start-up: every file against its schema (rule-schema.ts), then
 * everything a rule names (named conditions, facts and their params, value sets, keyword lists, other rules,
 * links) against what exists. All problems are collected, so one start-up names every mistake with its file and rule.
 */

/**
 * What the checks need of a fact: the schema of its params and what those params name. The engine passes its fact
 * registry in (facts/index.ts FACTS), so this folder does not depend on the facts.
 */
export interface FactSignature {
  readonly params: z.ZodType;
  references(params: unknown): {
    readonly valueSets?: readonly string[];
    readonly keywordLists?: readonly string[];
    readonly rules?: readonly string[];
  };
}

/** The rule files once valid: the settings, the rules with their named conditions expanded, the keyword lists. */
export interface RuleFiles {
  readonly settings: RulesetSettings;
  readonly rules: readonly LoadedRule[];
  readonly keywordLists: ReadonlyMap<string, KeywordMatcher>;
}

/** The files as parsed, before the cross-checks. */
interface ParsedFiles {
  settings?: RulesetSettings;
  readonly named: Map<string, ConditionNode>;
  readonly textFiles: Partial<Record<TextFile, unknown>>;
  readonly rules: LoadedRule[];
}

function parseJson(source: RuleSource, problems: string[]): unknown {
  try {
    return JSON.parse(source.text);
  } catch (err) {
    problems.push(`${source.file}: not valid JSON (${err instanceof Error ? err.message : 'parse error'})`);
    return undefined;
  }
}

function zodProblems(file: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => `${file}: ${issue.path.join('.')}: ${issue.message}`);
}

/** rules/conditions.json: its named conditions, which may not refer to other named conditions. */
function parseConditionsFile(file: string, json: unknown, into: ParsedFiles, problems: string[]): void {
  const parsed = conditionsFileSchema.safeParse(json);
  if (!parsed.success) {
    problems.push(...zodProblems(file, parsed.error));
    return;
  }
  for (const [name, entry] of Object.entries(parsed.data.conditions)) {
    into.named.set(name, entry.when);
    for (const inner of referencesIn(entry.when)) {
      problems.push(`${file}: condition "${name}" refers to "${inner}": named conditions cannot be nested`);
    }
  }
}

/** A file of rules, each rule on its own, so one broken rule does not hide the problems of the others. */
function parseRuleFile(file: string, json: unknown, into: ParsedFiles, problems: string[]): void {
  const parsed = ruleFileSchema.safeParse(json);
  if (!parsed.success) {
    problems.push(...zodProblems(file, parsed.error));
    return;
  }
  parsed.data.rules.forEach((raw, index) => {
    const definition = ruleSchema.safeParse(raw);
    if (definition.success) {
      into.rules.push({ file, definition: definition.data });
    } else {
      const name = (raw as { name?: unknown } | null)?.name;
      const label = typeof name === 'string' ? name : `#${index + 1}`;
      problems.push(
        ...definition.error.issues.map((issue) => `${file} rule ${label}: ${issue.path.join('.')}: ${issue.message}`)
      );
    }
  });
}

/** Each source by its kind: ruleset.json (settings), conditions.json, the free-text files, or a file of rules. */
function parseFiles(sources: readonly RuleSource[], problems: string[]): ParsedFiles {
  const parsed: ParsedFiles = { named: new Map(), textFiles: {}, rules: [] };
  for (const source of sources) {
    const json = parseJson(source, problems);
    if (json === undefined) {
      continue;
    }
    if (source.file === 'ruleset.json') {
      const settings = settingsSchema.safeParse(json);
      if (settings.success) {
        parsed.settings = settings.data;
      } else {
        problems.push(...zodProblems(source.file, settings.error));
      }
    } else if (source.file === 'conditions.json') {
      parseConditionsFile(source.file, json, parsed, problems);
    } else if ((TEXT_FILES as readonly string[]).includes(source.file)) {
      parsed.textFiles[source.file as TextFile] = json;
    } else {
      parseRuleFile(source.file, json, parsed, problems);
    }
  }
  return parsed;
}

/** The rules with their named conditions replaced by their definition; a named condition no rule uses is a problem. */
function expandNamedConditions(parsed: ParsedFiles, problems: string[]): LoadedRule[] {
  const used = new Set<string>();
  const rules = parsed.rules.map((rule) => {
    const where = `${rule.file} rule ${rule.definition.name}`;
    const conditions = expandReferences(rule.definition.conditions, parsed.named, used, (message) =>
      problems.push(`${where}: ${message}`)
    ) as RuleDefinition['conditions'];
    return { file: rule.file, definition: { ...rule.definition, conditions } };
  });
  for (const name of parsed.named.keys()) {
    if (!used.has(name)) {
      problems.push(`conditions.json: condition "${name}" is used by no rule`);
    }
  }
  return rules;
}

/** The rules by id; a second rule with the same id is a problem. */
function rulesById(rules: readonly LoadedRule[], problems: string[]): Map<string, LoadedRule> {
  const byId = new Map<string, LoadedRule>();
  for (const rule of rules) {
    const earlier = byId.get(rule.definition.name);
    if (earlier) {
      problems.push(`${rule.file} rule ${rule.definition.name}: duplicate rule id (also in ${earlier.file})`);
    }
    byId.set(rule.definition.name, rule);
  }
  return byId;
}

/** What the cross-checks look names up in. */
interface Names {
  readonly facts: ReadonlyMap<string, FactSignature>;
  readonly valueSetExists: (id: string) => boolean;
  readonly keywordLists: ReadonlyMap<string, KeywordMatcher>;
  readonly rules: ReadonlyMap<string, LoadedRule>;
  /** Rules using each keyword list (filled by the checks), compared with keywords.json `usedBy`. */
  readonly keywordUsers: Map<string, Set<string>>;
}

/** One fact condition of a rule: the fact exists, its params fit, and what they name exists. */
function checkLeaf(rule: LoadedRule, leaf: LeafCondition, names: Names, problems: string[]): void {
  const where = `${rule.file} rule ${rule.definition.name}`;
  const fact = names.facts.get(leaf.fact);
  if (fact === undefined) {
    problems.push(`${where}: unknown fact "${leaf.fact}" (known: ${[...names.facts.keys()].join(', ')})`);
    return;
  }
  const params = fact.params.safeParse(leaf.params ?? {});
  if (!params.success) {
    problems.push(
      ...params.error.issues.map(
        (issue) => `${where}: fact ${leaf.fact} params.${issue.path.join('.')}: ${issue.message}`
      )
    );
    return;
  }
  const references = fact.references(params.data);
  for (const id of references.valueSets ?? []) {
    if (!names.valueSetExists(id)) {
      problems.push(`${where}: unknown value set "${id}" (${valueSetUrl(id)})`);
    }
  }
  for (const name of references.keywordLists ?? []) {
    if (!names.keywordLists.has(name)) {
      problems.push(`${where}: unknown keyword list "${name}"`);
    }
    const users = names.keywordUsers.get(name) ?? new Set<string>();
    users.add(rule.definition.name);
    names.keywordUsers.set(name, users);
  }
  for (const id of references.rules ?? []) {
    const other = names.rules.get(id);
    if (other === undefined) {
      problems.push(`${where}: refers to unknown rule "${id}"`);
    } else if (other.definition.priority <= rule.definition.priority) {
      problems.push(`${where}: refers to ${id}, which must have a higher priority to run first`);
    }
  }
}

/** Each rule's link and fact conditions. */
function checkRules(
  rules: readonly LoadedRule[],
  settings: RulesetSettings | undefined,
  names: Names,
  problems: string[]
) {
  for (const rule of rules) {
    const link = rule.definition.event.params.link;
    if (link !== undefined && settings !== undefined && !(link in settings.links)) {
      problems.push(
        `${rule.file} rule ${rule.definition.name}: unknown link "${link}" (ruleset.json links: ${Object.keys(settings.links).join(', ')})`
      );
    }
    for (const leaf of leaves(rule.definition.conditions)) {
      checkLeaf(rule, leaf, names, problems);
    }
  }
}

/** keywords.json `usedBy` must name exactly the rules that use each list (buildTextKnowledge validated its shape). */
function checkKeywordUsers(parsed: ParsedFiles, names: Names, problems: string[]): void {
  const keywordFile = parsed.textFiles['keywords.json'] as
    { lists?: Record<string, { usedBy?: string[] }> } | undefined;
  const sorted = (ids: Iterable<string>) => [...ids].sort().join(', ') || 'none';
  for (const [name, list] of Object.entries(keywordFile?.lists ?? {})) {
    const declared = new Set(list.usedBy ?? []);
    const actual = names.keywordUsers.get(name) ?? new Set<string>();
    if (actual.size === 0 && name !== parsed.settings?.episode.keywords) {
      problems.push(`keywords.json: list "${name}" is used by no rule`);
    } else if (sorted(actual) !== sorted(declared)) {
      problems.push(
        `keywords.json: list "${name}": usedBy says ${sorted(declared)}, but it is used by ${sorted(actual)}`
      );
    }
  }
}

/** The value sets and keyword lists ruleset.json names for the episode and the programme memory. */
function checkSettings(settings: RulesetSettings, names: Names, problems: string[]): void {
  const { episode, memory } = settings;
  if (!names.valueSetExists(episode.valueSet)) {
    problems.push(`ruleset.json: episode: unknown value set "${episode.valueSet}"`);
  }
  if (!names.keywordLists.has(episode.keywords)) {
    problems.push(`ruleset.json: episode: unknown keyword list "${episode.keywords}"`);
  }
  if (!names.valueSetExists(memory.physiotherapyValueSet)) {
    problems.push(`ruleset.json: memory: unknown value set "${memory.physiotherapyValueSet}"`);
  }
  if (!names.keywordLists.has(memory.physiotherapyKeywords)) {
    problems.push(`ruleset.json: memory: unknown keyword list "${memory.physiotherapyKeywords}"`);
  }
}

/**
 * Validates rule, keyword and settings files and compiles the keyword lists.
 * @param sources - rule files (`*.json` of rules/), including `keywords.json` and `ruleset.json`
 * @param terminology - the loaded value sets, to check value-set references
 * @param facts - the facts a rule may name, by id
 * @throws RulesetError naming the file and rule of every problem
 */
export function validateRuleFiles(
  sources: readonly RuleSource[],
  terminology: Terminology,
  facts: ReadonlyMap<string, FactSignature>
): RuleFiles {
  const problems: string[] = [];
  const parsed = parseFiles(sources, problems);
  // Free text (RW-09): keywords.json with its normalisation and ConText modifier files, compiled once here.
  const text = buildTextKnowledge(parsed.textFiles);
  problems.push(...text.problems);
  const keywordLists = text.knowledge?.lists ?? new Map<string, KeywordMatcher>();
  const { settings } = parsed;
  if (settings === undefined && !problems.some((problem) => problem.startsWith('ruleset.json'))) {
    problems.push('ruleset.json: missing (version, episode and links)');
  }
  const rules = expandNamedConditions(parsed, problems);
  const names: Names = {
    facts,
    valueSetExists: (id) => terminology.valueSetUrls.has(valueSetUrl(id)),
    keywordLists,
    rules: rulesById(rules, problems),
    keywordUsers: new Map(),
  };
  checkRules(rules, settings, names, problems);
  checkKeywordUsers(parsed, names, problems);
  if (settings !== undefined) {
    checkSettings(settings, names, problems);
  }
  if (problems.length > 0 || settings === undefined) {
    throw new RulesetError(problems);
  }
  return { settings, rules, keywordLists };
}

/**
 * Every `*.json` of the rules folder, in name order.
 * @param dir - the rules folder
 * @throws RulesetError when the folder cannot be read
 */
export function readRuleSources(dir: string): RuleSource[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch (err) {
    throw new RulesetError([`${dir}: cannot read the rules folder (${err instanceof Error ? err.message : 'error'})`]);
  }
  return files.map((file) => ({ file, text: readFileSync(path.join(dir, file), 'utf8') }));
}

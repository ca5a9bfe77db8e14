import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Almanac, Engine, Fact } from 'json-rules-engine';
import type { RuleResult } from 'json-rules-engine';
import { z } from 'zod';
import { getOrAdd } from './get-or-add';
import type { Tree } from './named-conditions';
import { expandReferences, isReference, referencesIn } from './named-conditions';
import { EFFECTS, FINDING_KINDS, URGENCIES } from './vocabulary';
import type { Terminology } from './knowledge/terminology';
import { valueSetUrl } from './knowledge/terminology';
import type { CardText, Evidence, Finding } from './finding';
import { LOCALES } from './finding';
import type { FactContext, FactKnowledge, RuleOutcome } from './facts/context';
import { isTimeZone } from './dates';
import { findEpisode } from './facts/episode';
import { FACTS } from './facts/index';
import type { ClinicalRecord } from './record';
import type { KeywordMatcher } from './text-match';
import type { TextFile } from './text/knowledge';
import { buildTextKnowledge, TEXT_FILES } from './text/knowledge';

/**
 * The rule set: json-rules-engine rules in `rules/*.json`, one rule per id of docs/clinical-specification.md, whose
 * thresholds and windows are values in the file. Everything a rule names (facts, their params, value sets,
 * keyword lists, other rules) is checked when the files are loaded, and the engine is built once.
 */

export class RulesetError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid rule files:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'RulesetError';
  }
}

const RULE_ID = /^(?:[A-Z]{2,3}-(?:\d{2}[a-z]?|C|\d))$/;
const PATH = /^\$(\.[A-Za-z][A-Za-z0-9]*)+$/;
const OPERATORS = [
  'equal',
  'notEqual',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
] as const;

const localised = z.strictObject(
  Object.fromEntries(LOCALES.map((locale) => [locale, z.string().trim().min(1)])) as Record<keyof CardText, z.ZodString>
);

interface LeafCondition {
  fact: string;
  params?: Record<string, unknown>;
  path?: string;
  operator: (typeof OPERATORS)[number];
  value: unknown;
  note?: string;
  evidence?: string;
}
/** A condition as written in a rule file: leaves, references to named conditions, and all/any/not. */
type ConditionNode = Tree<LeafCondition>;

const noteCode = z.string().regex(/^[a-z]+(-[a-z]+)*$/, 'must be a note code such as "no-recent-temperature"');

const leafCondition = z.strictObject({
  fact: z.string().min(1),
  params: z.record(z.string(), z.unknown()).optional(),
  path: z.string().regex(PATH, 'must be a path like "$.present"').optional(),
  operator: z.enum(OPERATORS),
  value: z.union([z.number(), z.string(), z.boolean(), z.null(), z.array(z.union([z.number(), z.string()]))]),
  note: noteCode.optional(),
  /** Where in the fact's result the evidence of this condition is (default `$.evidence`). */
  evidence: z.string().regex(PATH, 'must be a path like "$.unreadable"').optional(),
});

const conditionName = z.string().regex(/^[a-z]+(-[a-z]+)*$/, 'must be a condition name such as "programme-chosen"');

const conditionNode: z.ZodType<ConditionNode> = z.lazy(() =>
  z.union([
    leafCondition,
    z.strictObject({ condition: conditionName }),
    z.strictObject({ all: z.array(conditionNode).min(1), note: noteCode.optional() }),
    z.strictObject({ any: z.array(conditionNode).min(1), note: noteCode.optional() }),
    z.strictObject({ not: conditionNode, note: noteCode.optional() }),
  ])
);

const ruleSchema = z.strictObject({
  name: z.string().regex(RULE_ID, 'must be a rule id of docs/clinical-specification.md such as "RF-03"'),
  description: z.string().min(1),
  priority: z.number().int().min(1).max(100),
  conditions: z.union([
    z.strictObject({ all: z.array(conditionNode).min(1) }),
    z.strictObject({ any: z.array(conditionNode).min(1) }),
    z.strictObject({ not: conditionNode }),
  ]),
  event: z.strictObject({
    type: z.literal('finding'),
    params: z
      .strictObject({
        kind: z.enum(FINDING_KINDS),
        urgency: z.enum(URGENCIES).optional(),
        source: z.string().min(1),
        title: localised,
        action: localised.optional(),
        effects: z.array(z.enum(EFFECTS)).default([]),
        link: z.string().min(1).optional(),
      })
      .refine((params) => (params.kind === 'red-flag') === (params.urgency !== undefined), {
        message: 'urgency is required for red flags and only for them',
        path: ['urgency'],
      }),
  }),
});
type RuleDefinition = z.infer<typeof ruleSchema>;

const ruleFileSchema = z.strictObject({ description: z.string().optional(), rules: z.array(z.unknown()).min(1) });

/** rules/conditions.json: conditions shared by several rules, by name. */
const conditionsFileSchema = z.strictObject({
  description: z.string().optional(),
  conditions: z.record(conditionName, z.strictObject({ description: z.string().min(1), when: conditionNode })),
});

const settingsSchema = z.strictObject({
  version: z.string().regex(/^\d{4}\.\d{1,2}\.\d+$/, 'must be a version like 2026.11.0'),
  description: z.string().optional(),
  episode: z.strictObject({ valueSet: z.string().min(1), keywords: z.string().min(1) }),
  /** How the record is read (RW-04): the EHR's time zone, whose calendar days the windows count. */
  records: z.strictObject({
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as "Europe/Amsterdam"'),
  }),
  /** Guideline links cited by cards, by name; `default` is used by rules that name none. */
  links: z
    .record(z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/), z.strictObject({ label: z.string().min(1), url: z.url() }))
    .refine((links) => 'default' in links, 'needs a "default" link'),
  /**
   * What the service remembers per patient: how long "not now" on the recommendation silences it, how an
   * existing physiotherapy referral is recognised (a value-set id and a keyword list), and how long an order
   * session lasts (RW-10).
   */
  memory: z.strictObject({
    description: z.string().optional(),
    notNowDays: z.number().int().min(1).max(365),
    physiotherapyValueSet: z.string().min(1),
    physiotherapyKeywords: z.string().min(1),
    /** RW-10: how long red flags shown on an unrelated order are not repeated for the same patient, user, encounter. */
    orderSessionMinutes: z.number().int().min(1).max(1440),
  }),
});

export type RulesetSettings = z.infer<typeof settingsSchema>;

export interface LoadedRule {
  readonly file: string;
  readonly definition: RuleDefinition;
}

export interface Ruleset {
  readonly version: string;
  readonly settings: RulesetSettings;
  readonly rules: readonly LoadedRule[];
  readonly knowledge: FactKnowledge;
  /** Runs every rule against a record; returns the findings of the rules that fired, highest priority first. */
  evaluate(record: ClinicalRecord): Promise<Finding[]>;
}

/** A rule file's text, with the name used in error messages. */
export interface RuleSource {
  readonly file: string;
  readonly text: string;
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

function leaves(node: ConditionNode): LeafCondition[] {
  if ('fact' in node) {
    return [node];
  }
  if (isReference(node)) {
    return [];
  }
  if ('not' in node) {
    return leaves(node.not);
  }
  return ('all' in node ? node.all : node.any).flatMap(leaves);
}

/** The keys of each `$.a.b` path; rule files hold a few dozen distinct paths. */
const pathKeys = new Map<string, readonly string[]>();

/** A dotted path resolver: faster than JSONPath and enough for `$.a.b`. */
function resolvePath(value: unknown, pathExpression: string): unknown {
  let keys = pathKeys.get(pathExpression);
  if (keys === undefined) {
    keys = pathExpression.split('.').slice(1);
    pathKeys.set(pathExpression, keys);
  }
  let current: unknown = value;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * The record and knowledge of each run, by its almanac: a fact reads them synchronously, without a constant fact
 * and the promise of its lookup (a run computes over a hundred facts).
 */
const contexts = new WeakMap<Almanac, FactContext>();
const ALMANAC_OPTIONS = { allowUndefinedFacts: false, pathResolver: resolvePath };

/**
 * What the engine gets as a condition's params: the JSON text of the rule file's params, which names them in the
 * params table. json-rules-engine deep-copies every rule's conditions on each run (with `clone`, its RuleResult
 * constructor) and hashes a fact's params (with hash-it) on every lookup; a string is cheap to copy and is its own
 * cache key.
 */
type ParamsKey = string;
/**
 * The engine passes a condition's params through untouched (to Almanac.factValue, Fact.getCacheKey and the fact's
 * callback), so a string works; its type declarations only admit objects.
 */
type EngineParams = Record<string, unknown>;
const asEngineParams = (key: ParamsKey | undefined) => key as unknown as EngineParams;
const keyOf = (params: EngineParams | undefined) => (params as unknown as ParamsKey | undefined) ?? '{}';

/** A fact whose cache key is its id followed by the params key. */
class RuleFact<T> extends Fact<T> {
  getCacheKey(params: EngineParams): string | undefined {
    return this.options.cache ? `${this.id}${keyOf(params)}` : undefined;
  }
}

/**
 * A rule's conditions as the engine gets them: only what it evaluates (fact, params key, path, operator, value,
 * all/any/not), so its copy per run is small. Each leaf's params are replaced by their key in `table` (which
 * collects the params of all rules); notes and evidence paths stay in the definition, which `explain` walks next
 * to the engine's result.
 */
function engineConditions(node: ConditionNode, table: Map<string, Record<string, unknown>>): unknown {
  if ('fact' in node) {
    const params = node.params ?? {};
    const key = JSON.stringify(params);
    table.set(key, params);
    const { fact, path: factPath, operator, value } = node;
    return factPath === undefined
      ? { fact, params: key, operator, value }
      : { fact, params: key, path: factPath, operator, value };
  }
  if (isReference(node)) {
    throw new Error(`named condition "${node.condition}" was not expanded`);
  }
  if ('not' in node) {
    return { not: engineConditions(node.not, table) };
  }
  return 'all' in node
    ? { all: node.all.map((child) => engineConditions(child, table)) }
    : { any: node.any.map((child) => engineConditions(child, table)) };
}

/** A condition after the engine's run: the same shape as it was given, each evaluated node with its result. */
interface EvaluatedNode {
  fact?: string;
  params?: ParamsKey;
  result?: boolean;
  all?: EvaluatedNode[];
  any?: EvaluatedNode[];
  not?: EvaluatedNode;
}

/**
 * The evidence and notes of the conditions that made a rule fire (a `not` contributes none): `node` is the rule
 * file's condition (notes, evidence paths) and `evaluated` the engine's result for it.
 */
async function explain(
  node: ConditionNode,
  evaluated: EvaluatedNode,
  almanac: Almanac,
  evidence: Evidence[],
  notes: string[]
): Promise<void> {
  if (evaluated.result !== true || isReference(node)) {
    return;
  }
  if ('note' in node && node.note) {
    notes.push(node.note);
  }
  if ('fact' in node) {
    const value = await almanac.factValue(node.fact, asEngineParams(evaluated.params));
    const found = resolvePath(value, node.evidence ?? '$.evidence');
    evidence.push(...(Array.isArray(found) ? (found as Evidence[]) : []));
    return;
  }
  const children = 'all' in node ? node.all : 'any' in node ? node.any : [];
  const evaluatedChildren = evaluated.all ?? evaluated.any ?? [];
  for (const [index, child] of children.entries()) {
    await explain(child, evaluatedChildren[index] ?? {}, almanac, evidence, notes);
  }
}

/**
 * The evidence without repeats (same kind, reference, text, value and structured data). Keyed by the fields
 * themselves, not by one joined string per item: evidence lists of a large record hold 10,000 items whose snippets
 * are shared strings.
 */
function dedupe(evidence: readonly Evidence[]): Evidence[] {
  const seen = new Map<string, Map<string, Map<string, Map<string, Set<string>>>>>();
  return evidence.filter((item) => {
    const byReference = getOrAdd(seen, item.kind, () => new Map<string, Map<string, Map<string, Set<string>>>>());
    const byText = getOrAdd(byReference, item.reference ?? '', () => new Map<string, Map<string, Set<string>>>());
    const byValue = getOrAdd(byText, item.text ?? '', () => new Map<string, Set<string>>());
    const data = getOrAdd(byValue, item.value ?? '', () => new Set<string>());
    // Data evidence without a record (what could not be obtained) differs only by its structured detail.
    const detail = item.data === undefined ? '' : JSON.stringify(item.data);
    if (data.has(detail)) {
      return false;
    }
    data.add(detail);
    return true;
  });
}

/** A finding that names other rules (RF-C) also shows their evidence, right after each rule's marker. */
function expandRuleEvidence(findings: Finding[]): Finding[] {
  const byId = new Map(findings.map((finding) => [finding.ruleId, finding]));
  return findings.map((finding) =>
    finding.evidence.some((item) => item.kind === 'rule')
      ? {
          ...finding,
          evidence: dedupe(
            finding.evidence.flatMap((item) =>
              item.kind === 'rule' ? [item, ...(byId.get(item.text ?? '')?.evidence ?? [])] : [item]
            )
          ),
        }
      : finding
  );
}

/**
 * Validates rule, keyword and settings files and builds the engine.
 * @param sources - rule files (`*.json` of rules/), including `keywords.json` and `ruleset.json`
 * @param terminology - the loaded value sets, to check value-set references
 * @throws RulesetError naming the file and rule of every problem
 */
export function buildRuleset(sources: readonly RuleSource[], terminology: Terminology): Ruleset {
  const problems: string[] = [];
  let settings: RulesetSettings | undefined;
  const textFiles: Partial<Record<TextFile, unknown>> = {};
  const named = new Map<string, ConditionNode>();
  /** Rules using each keyword list, checked against keywords.json `usedBy`. */
  const actualUsers = new Map<string, Set<string>>();
  const parsedRules: LoadedRule[] = [];

  for (const source of sources) {
    const json = parseJson(source, problems);
    if (json === undefined) {
      continue;
    }
    if (source.file === 'ruleset.json') {
      const parsed = settingsSchema.safeParse(json);
      if (parsed.success) {
        settings = parsed.data;
      } else {
        problems.push(...zodProblems(source.file, parsed.error));
      }
    } else if (source.file === 'conditions.json') {
      const parsed = conditionsFileSchema.safeParse(json);
      if (!parsed.success) {
        problems.push(...zodProblems(source.file, parsed.error));
        continue;
      }
      for (const [name, entry] of Object.entries(parsed.data.conditions)) {
        named.set(name, entry.when);
        for (const inner of referencesIn(entry.when)) {
          problems.push(`${source.file}: condition "${name}" refers to "${inner}": named conditions cannot be nested`);
        }
      }
    } else if ((TEXT_FILES as readonly string[]).includes(source.file)) {
      textFiles[source.file as TextFile] = json;
    } else {
      const parsed = ruleFileSchema.safeParse(json);
      if (!parsed.success) {
        problems.push(...zodProblems(source.file, parsed.error));
        continue;
      }
      // Each rule on its own, so one broken rule does not hide the problems of the others.
      parsed.data.rules.forEach((raw, index) => {
        const definition = ruleSchema.safeParse(raw);
        if (definition.success) {
          parsedRules.push({ file: source.file, definition: definition.data });
        } else {
          const name = (raw as { name?: unknown } | null)?.name;
          const label = typeof name === 'string' ? name : `#${index + 1}`;
          problems.push(
            ...definition.error.issues.map(
              (issue) => `${source.file} rule ${label}: ${issue.path.join('.')}: ${issue.message}`
            )
          );
        }
      });
    }
  }
  // Free text (RW-09): keywords.json with its normalisation and ConText modifier files, compiled once here.
  const text = buildTextKnowledge(textFiles);
  problems.push(...text.problems);
  const keywordLists = text.knowledge?.lists ?? new Map<string, KeywordMatcher>();
  if (settings === undefined && !problems.some((problem) => problem.startsWith('ruleset.json'))) {
    problems.push('ruleset.json: missing (version, episode and links)');
  }

  const usedConditions = new Set<string>();
  const rules: LoadedRule[] = parsedRules.map((rule) => {
    const where = `${rule.file} rule ${rule.definition.name}`;
    const conditions = expandReferences(rule.definition.conditions, named, usedConditions, (message) =>
      problems.push(`${where}: ${message}`)
    ) as RuleDefinition['conditions'];
    return { file: rule.file, definition: { ...rule.definition, conditions } };
  });
  for (const name of named.keys()) {
    if (!usedConditions.has(name)) {
      problems.push(`conditions.json: condition "${name}" is used by no rule`);
    }
  }

  const valueSetExists = (id: string) => terminology.valueSetUrls.has(valueSetUrl(id));
  const byName = new Map<string, LoadedRule>();
  for (const rule of rules) {
    const where = `${rule.file} rule ${rule.definition.name}`;
    const earlier = byName.get(rule.definition.name);
    if (earlier) {
      problems.push(`${where}: duplicate rule id (also in ${earlier.file})`);
    }
    byName.set(rule.definition.name, rule);
  }
  for (const rule of rules) {
    const where = `${rule.file} rule ${rule.definition.name}`;
    const link = rule.definition.event.params.link;
    if (link !== undefined && settings !== undefined && !(link in settings.links)) {
      problems.push(`${where}: unknown link "${link}" (ruleset.json links: ${Object.keys(settings.links).join(', ')})`);
    }
    for (const leaf of leaves(rule.definition.conditions)) {
      const fact = FACTS.get(leaf.fact);
      if (fact === undefined) {
        problems.push(`${where}: unknown fact "${leaf.fact}" (known: ${[...FACTS.keys()].join(', ')})`);
        continue;
      }
      const params = fact.params.safeParse(leaf.params ?? {});
      if (!params.success) {
        problems.push(
          ...params.error.issues.map(
            (issue) => `${where}: fact ${leaf.fact} params.${issue.path.join('.')}: ${issue.message}`
          )
        );
        continue;
      }
      const references = fact.references(params.data);
      for (const id of references.valueSets ?? []) {
        if (!valueSetExists(id)) {
          problems.push(`${where}: unknown value set "${id}" (${valueSetUrl(id)})`);
        }
      }
      for (const name of references.keywordLists ?? []) {
        if (!keywordLists.has(name)) {
          problems.push(`${where}: unknown keyword list "${name}"`);
        }
        const users = actualUsers.get(name) ?? new Set<string>();
        users.add(rule.definition.name);
        actualUsers.set(name, users);
      }
      for (const id of references.rules ?? []) {
        const other = byName.get(id);
        if (other === undefined) {
          problems.push(`${where}: refers to unknown rule "${id}"`);
        } else if (other.definition.priority <= rule.definition.priority) {
          problems.push(`${where}: refers to ${id}, which must have a higher priority to run first`);
        }
      }
    }
  }
  // keywords.json `usedBy` must name exactly the rules that use each list (buildTextKnowledge validated its shape).
  const keywordFile = textFiles['keywords.json'] as { lists?: Record<string, { usedBy?: string[] }> } | undefined;
  const declaredUsers = Object.entries(keywordFile?.lists ?? {}).map(
    ([name, list]) => [name, new Set(list.usedBy ?? [])] as const
  );
  for (const [name, declared] of declaredUsers) {
    const actual = actualUsers.get(name) ?? new Set<string>();
    const sorted = (ids: Iterable<string>) => [...ids].sort().join(', ') || 'none';
    if (actual.size === 0 && name !== settings?.episode.keywords) {
      problems.push(`keywords.json: list "${name}" is used by no rule`);
    } else if (sorted(actual) !== sorted(declared)) {
      problems.push(
        `keywords.json: list "${name}": usedBy says ${sorted(declared)}, but it is used by ${sorted(actual)}`
      );
    }
  }
  if (settings !== undefined) {
    if (!valueSetExists(settings.episode.valueSet)) {
      problems.push(`ruleset.json: episode: unknown value set "${settings.episode.valueSet}"`);
    }
    if (!keywordLists.has(settings.episode.keywords)) {
      problems.push(`ruleset.json: episode: unknown keyword list "${settings.episode.keywords}"`);
    }
    if (!valueSetExists(settings.memory.physiotherapyValueSet)) {
      problems.push(`ruleset.json: memory: unknown value set "${settings.memory.physiotherapyValueSet}"`);
    }
    if (!keywordLists.has(settings.memory.physiotherapyKeywords)) {
      problems.push(`ruleset.json: memory: unknown keyword list "${settings.memory.physiotherapyKeywords}"`);
    }
  }
  if (problems.length > 0 || settings === undefined) {
    throw new RulesetError(problems);
  }

  const knowledge: FactKnowledge = {
    valueSetUrl,
    keywords: (name) => keywordLists.get(name) as KeywordMatcher,
    episode: settings.episode,
  };
  const engine = new Engine([], ALMANAC_OPTIONS);
  const paramsTable = new Map<string, Record<string, unknown>>();
  for (const rule of rules) {
    const { name, priority, conditions } = rule.definition;
    // The engine deep-copies a rule's event on every run; the finding is built from the definition instead,
    // so the engine's copy carries no texts.
    engine.addRule({
      name,
      priority,
      conditions: engineConditions(conditions, paramsTable) as RuleDefinition['conditions'],
      event: { type: 'finding' },
    });
  }
  for (const fact of FACTS.values()) {
    engine.addFact(
      new RuleFact(
        fact.id,
        (params: EngineParams | undefined, almanac: Almanac) => {
          // Only facts that are not cached read the earlier rules' outcomes: the others skip building the list.
          // getResults() exists in json-rules-engine 7 but is missing from its type declarations.
          const outcomes: RuleOutcome[] = fact.cache
            ? []
            : (almanac as unknown as { getResults(): RuleResult[] }).getResults().map((result: RuleResult) => ({
                name: result.name,
                result: result.result === true,
              }));
          // A fact that throws rejects the run (it is called inside the engine's promise chain).
          return fact.compute(paramsTable.get(keyOf(params)), contexts.get(almanac) as FactContext, outcomes);
        },
        { cache: fact.cache }
      )
    );
  }
  const definitions = new Map(rules.map((rule) => [rule.definition.name, rule.definition]));

  return {
    version: settings.version,
    settings,
    rules,
    knowledge,
    async evaluate(record: ClinicalRecord): Promise<Finding[]> {
      const context: FactContext = { record, knowledge, episode: () => findEpisode(record, knowledge) };
      const almanac = new Almanac(ALMANAC_OPTIONS);
      contexts.set(almanac, context);
      const { results } = await engine.run({}, { almanac });
      const findings: Finding[] = [];
      for (const result of results) {
        const definition = definitions.get(result.name) as RuleDefinition;
        const evidence: Evidence[] = [];
        const notes: string[] = [];
        // The engine marks nested conditions with their result but not the root: the rule fired, so it held.
        const evaluated = { ...(result.conditions as unknown as EvaluatedNode), result: true };
        await explain(definition.conditions, evaluated, almanac, evidence, notes);
        const params = definition.event.params;
        findings.push({
          ruleId: definition.name,
          kind: params.kind,
          ...(params.urgency ? { urgency: params.urgency } : {}),
          source: params.source,
          title: params.title,
          ...(params.action ? { action: params.action } : {}),
          effects: params.effects,
          link: params.link ?? 'default',
          evidence: dedupe(evidence),
          notes,
        });
      }
      return expandRuleEvidence(findings).sort(
        (a, b) => (definitions.get(b.ruleId)?.priority ?? 0) - (definitions.get(a.ruleId)?.priority ?? 0)
      );
    },
  };
}

/**
 * Reads every `*.json` in the rules folder and builds the rule set.
 * @param dir - the rules folder
 * @param terminology - the loaded value sets
 */
export function loadRuleset(dir: string, terminology: Terminology): Ruleset {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch (err) {
    throw new RulesetError([`${dir}: cannot read the rules folder (${err instanceof Error ? err.message : 'error'})`]);
  }
  return buildRuleset(
    files.map((file) => ({ file, text: readFileSync(path.join(dir, file), 'utf8') })),
    terminology
  );
}

import { Almanac, Engine, Fact } from 'json-rules-engine';
import type { RuleResult } from 'json-rules-engine';
import { getOrAdd } from './get-or-add';
import { isReference } from './named-conditions';
import type { Terminology } from './knowledge/terminology';
import { valueSetUrl } from './knowledge/terminology';
import type { ConditionNode, LoadedRule, RuleDefinition, RuleSource, RulesetSettings } from './knowledge/rule-schema';
import type { RuleFiles } from './knowledge/rule-files';
import { readRuleSources, validateRuleFiles } from './knowledge/rule-files';
import type { Evidence, Finding } from './finding';
import type { FactContext, FactKnowledge, RuleOutcome } from './facts/context';
import { findEpisode } from './facts/episode';
import { FACTS } from './facts/index';
import type { ClinicalRecord } from './record';
import type { KeywordMatcher } from './text-match';

/**
 * The rules engine: the validated rule files (knowledge/rule-files.ts) become one json-rules-engine Engine with the
 * facts of facts/, built once at start-up; a run evaluates every rule against a record and turns the rules that
 * fired into Findings with their evidence and notes.
 */

export interface Ruleset {
  readonly version: string;
  readonly settings: RulesetSettings;
  readonly rules: readonly LoadedRule[];
  readonly knowledge: FactKnowledge;
  /** Runs every rule against a record; returns the findings of the rules that fired, highest priority first. */
  evaluate(record: ClinicalRecord): Promise<Finding[]>;
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
  // The children of `all` are evaluated in the order written, and the first false one ends it: a rule's gate (no
  // back pain, wrong hook) spares the rest. Nothing depends on a condition being evaluated: facts read only the
  // normalised record, and an unreadable resource is caught where it is read. `any` stays evaluated whole, so
  // that every branch that holds gives its evidence.
  return 'all' in node
    ? {
        all: node.all.map((child, index) => ({
          ...(engineConditions(child, table) as object),
          priority: node.all.length - index,
        })),
      }
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

/** The engine with every rule (only what it evaluates) and every fact of facts/. */
function buildEngine(rules: readonly LoadedRule[]): Engine {
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
  return engine;
}

/** The finding of a rule that fired, with the evidence and notes of the conditions that held. */
async function findingOf(definition: RuleDefinition, result: RuleResult, almanac: Almanac): Promise<Finding> {
  const evidence: Evidence[] = [];
  const notes: string[] = [];
  // The engine marks nested conditions with their result but not the root: the rule fired, so it held.
  const evaluated = { ...(result.conditions as unknown as EvaluatedNode), result: true };
  await explain(definition.conditions, evaluated, almanac, evidence, notes);
  const params = definition.event.params;
  return {
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
  };
}

/** The rule set of validated rule files: their engine, and the knowledge the facts read. */
function rulesetOf({ settings, rules, keywordLists }: RuleFiles): Ruleset {
  const knowledge: FactKnowledge = {
    valueSetUrl,
    keywords: (name) => keywordLists.get(name) as KeywordMatcher,
    episode: settings.episode,
  };
  const engine = buildEngine(rules);
  const definitions = new Map(rules.map((rule) => [rule.definition.name, rule.definition]));
  const priority = (ruleId: string) => definitions.get(ruleId)?.priority ?? 0;
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
        findings.push(await findingOf(definitions.get(result.name) as RuleDefinition, result, almanac));
      }
      return expandRuleEvidence(findings).sort((a, b) => priority(b.ruleId) - priority(a.ruleId));
    },
  };
}

/**
 * Validates rule, keyword and settings files and builds the engine.
 * @param sources - rule files (`*.json` of rules/), including `keywords.json` and `ruleset.json`
 * @param terminology - the loaded value sets, to check value-set references
 * @throws RulesetError naming the file and rule of every problem
 */
export function buildRuleset(sources: readonly RuleSource[], terminology: Terminology): Ruleset {
  return rulesetOf(validateRuleFiles(sources, terminology, FACTS));
}

/**
 * Reads every `*.json` in the rules folder and builds the rule set.
 * @param dir - the rules folder
 * @param terminology - the loaded value sets
 */
export function loadRuleset(dir: string, terminology: Terminology): Ruleset {
  return buildRuleset(readRuleSources(dir), terminology);
}

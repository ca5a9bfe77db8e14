import { z } from 'zod';
import { isTimeZone } from '../dates';
import type { CardText } from '../finding';
import { LOCALES } from '../finding';
import type { Tree } from '../named-conditions';
import { isReference } from '../named-conditions';
import { EFFECTS, FINDING_KINDS, URGENCIES } from '../vocabulary';

/**
 * The shape of the rule files: json-rules-engine rules in `rules/*.json` (one rule per id of
 * docs/clinical-specification.md, thresholds and windows as values), the named conditions of rules/conditions.json
 * and the settings of rules/ruleset.json. rule-files.ts reads and cross-checks them; ../rules-engine.ts runs them.
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

export interface LeafCondition {
  fact: string;
  params?: Record<string, unknown>;
  path?: string;
  operator: (typeof OPERATORS)[number];
  value: unknown;
  note?: string;
  evidence?: string;
}
/** A condition as written in a rule file: leaves, references to named conditions, and all/any/not. */
export type ConditionNode = Tree<LeafCondition>;

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

export const ruleSchema = z.strictObject({
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
export type RuleDefinition = z.infer<typeof ruleSchema>;

export const ruleFileSchema = z.strictObject({
  description: z.string().optional(),
  rules: z.array(z.unknown()).min(1),
});

/** rules/conditions.json: conditions shared by several rules, by name. */
export const conditionsFileSchema = z.strictObject({
  description: z.string().optional(),
  conditions: z.record(conditionName, z.strictObject({ description: z.string().min(1), when: conditionNode })),
});

export const settingsSchema = z.strictObject({
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

/** A rule file's text, with the name used in error messages. */
export interface RuleSource {
  readonly file: string;
  readonly text: string;
}

/** The fact conditions of a condition tree (named conditions must have been expanded to count). */
export function leaves(node: ConditionNode): LeafCondition[] {
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

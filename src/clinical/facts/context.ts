import { z } from 'zod';
import type { DayNumber, Window } from '../dates';
import { isoDay } from '../dates';
import type { DataDetail, Evidence } from '../finding';
import type { ClinicalRecord, ConditionItem, ObservationItem, RecordItem } from '../record';
import type { KeywordMatcher } from '../text-match';

/**
 * What every fact can use: the normalised record, and the knowledge that resolves the names used in rule
 * files (value-set ids, keyword-list names) to loaded value sets and compiled keyword matchers.
 */
export interface FactKnowledge {
  /** Canonical URL of a value-set id such as `fever`; validated at load time. */
  valueSetUrl(id: string): string;
  /** The compiled keyword list of that name; validated at load time. */
  keywords(name: string): KeywordMatcher;
  /** How the current LBP episode is recognised (SC-05): a value-set id and a keyword-list name. */
  readonly episode: { readonly valueSet: string; readonly keywords: string };
}

/**
 * The current episode of low back pain (SC-04, SC-05), as the context hands it to facts; `findEpisode` in
 * ./episode recognises it. Declared here, beside the context that carries it, so that the episode facts can
 * use the context without the context depending on them.
 */
export interface Episode {
  readonly present: boolean;
  readonly conditions: readonly ConditionItem[];
  /** Conditions counted only because their text names LBP: their codes were not understood (SC-06). */
  readonly byTextOnly: readonly ConditionItem[];
  readonly onsetDay?: DayNumber;
  readonly onsetUncertain: boolean;
}

/** One evaluation: created per hook call, so per-call caches live here. */
export interface FactContext {
  readonly record: ClinicalRecord;
  readonly knowledge: FactKnowledge;
  /** The current LBP episode (findEpisode computes it once per record). */
  episode(): Episode;
}

/** What a fact needs checked when a rule file is loaded. */
export interface FactReferences {
  readonly valueSets?: readonly string[];
  readonly keywordLists?: readonly string[];
  readonly rules?: readonly string[];
}

export interface FactDefinition<P = unknown> {
  readonly id: string;
  /** Schema of the params a rule passes; the rule file is rejected when they do not fit. */
  readonly params: z.ZodType<P>;
  readonly references?: (params: P) => FactReferences;
  /** False for facts whose value changes during a run: only they are given the results of earlier rules. */
  readonly cache?: boolean;
  readonly compute: (params: P, context: FactContext, results: readonly RuleOutcome[]) => unknown;
}

/** The result of a rule that already ran (rules of higher priority run first). */
export interface RuleOutcome {
  readonly name: string;
  readonly result: boolean;
}

/** Every fact result carries the evidence that supports it. */
export interface WithEvidence {
  readonly evidence: readonly Evidence[];
}

export const valueSetId = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a value-set id such as "fever"');
export const keywordListName = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a keyword-list name');
export const windowSchema = z
  .strictObject({
    days: z.number().int().min(0).max(36500).optional(),
    months: z.number().int().min(0).max(1200).optional(),
  })
  .refine(
    (window) => (window.days === undefined) !== (window.months === undefined),
    'give exactly one of days or months'
  )
  .transform((window): Window => window);

/** Evidence for a coded record item. */
export function codedEvidence(
  item: RecordItem & { readonly day?: number; readonly statusUnclear?: boolean }
): Evidence {
  return {
    kind: 'coded',
    reference: item.reference,
    text: item.display,
    ...(item.day === undefined ? {} : { date: isoDay(item.day) }),
    ...(item.suspected ? { suspected: true } : {}),
    ...(item.statusUnclear ? { statusUnclear: true } : {}),
  };
}

/**
 * Measurements of a value set whose unit could not be converted (DQ-01 "unit not understood"): reported by
 * the facts that need the unit, so a score without a unit is never mistaken for an unreadable one.
 */
export function unreadableUnits(
  items: readonly ObservationItem[],
  converted: (item: ObservationItem) => unknown,
  measure: Measure
): Evidence[] {
  return items
    .filter((item) => item.quantity !== undefined && converted(item) === undefined)
    .map((item) => ({
      kind: 'data' as const,
      reference: item.reference,
      data: { issue: 'unit-not-understood' as const, measure },
      text: item.display,
      value: `${item.quantity?.value ?? ''} ${item.quantity?.unit ?? ''}`.trim(),
      ...(item.day === undefined ? {} : { date: isoDay(item.day) }),
    }));
}

type Measure = NonNullable<DataDetail['measure']>;

/** A plausible range of a measurement, in the unit the rules use (RW-03: anything outside is a DQ note). */
export const rangeSchema = z
  .strictObject({ min: z.number(), max: z.number() })
  .refine((range) => range.min < range.max, 'min must be below max');

export const inRange = (value: number, range: { readonly min: number; readonly max: number }): boolean =>
  value >= range.min && value <= range.max;

/** Measurements outside the plausible range, as data-quality evidence naming the value as recorded. */
export function outOfRange<T extends ObservationItem>(
  items: readonly T[],
  valueOf: (item: T) => number,
  range: { readonly min: number; readonly max: number },
  unit: string,
  measure: Measure
): Evidence[] {
  return items
    .filter((item) => !inRange(valueOf(item), range))
    .map((item) => ({
      kind: 'data' as const,
      reference: item.reference,
      data: { issue: 'implausible-value' as const, measure, range: `${range.min}–${range.max} ${unit}` },
      text: item.display,
      value: `${item.quantity?.value ?? ''} ${item.quantity?.unit ?? ''}`.trim(),
      ...(item.day === undefined ? {} : { date: isoDay(item.day) }),
    }));
}

/** Rounds to two decimals, so unit conversions do not leave 38.00000001 at a threshold. */
export const round2 = (value: number): number => Math.round(value * 100) / 100;

/** A fact with its params type erased, for the registry. Params are validated by `params` at load time. */
export interface RegisteredFact {
  readonly id: string;
  readonly params: z.ZodType;
  readonly cache: boolean;
  references(params: unknown): FactReferences;
  compute(params: unknown, context: FactContext, results: readonly RuleOutcome[]): unknown;
}

export function register<P>(fact: FactDefinition<P>): RegisteredFact {
  return {
    id: fact.id,
    params: fact.params,
    cache: fact.cache ?? true,
    references: (params) => fact.references?.(params as P) ?? {},
    compute: (params, context, results) => fact.compute(params as P, context, results),
  };
}

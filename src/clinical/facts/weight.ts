import { z } from 'zod';
import type { DayNumber } from '../dates';
import { isoDay, isWithin, windowStart } from '../dates';
import type { Evidence } from '../finding';
import type { ClinicalRecord, ObservationItem } from '../record';
import { measurementsOf } from '../record';
import type { FactContext, FactDefinition } from './context';
import {
  inRange,
  keywordListName,
  outOfRange,
  rangeSchema,
  round2,
  unreadableUnits,
  valueSetId,
  windowSchema,
} from './context';

/**
 * `weightChange` (RF-04 b): weight loss computed from two body weights. W2 is the most recent weight in
 * `latestWithin`; W1 is the heaviest earlier weight measured `earlierMinDays`–`earlierMaxDays` before W2
 * (the heaviest, so no loss is missed). Weights taken during a pregnancy are not used, and the loss is
 * "explained" (no red flag, a data-quality note instead) when a delivery lies between W1 and W2 or an
 * intentional weight loss (coded, or bariatric surgery in free text) is recorded in that period.
 */
const weightParams = z.strictObject({
  valueSet: valueSetId,
  latestWithin: windowSchema,
  earlierMinDays: z.number().int().min(0),
  earlierMaxDays: z.number().int().min(1),
  pregnancyValueSet: valueSetId,
  deliveryValueSet: valueSetId,
  intentionalValueSet: valueSetId,
  intentionalKeywords: keywordListName,
  /** Body weights outside this range (kg) are not physiological: reported, never used (RW-03). */
  plausibleKg: rangeSchema,
});

export interface WeightChangeFact {
  readonly lossKg?: number;
  readonly lossPercent?: number;
  readonly explained: boolean;
  readonly explanation?: 'delivery' | 'intentional';
  /** Weights in the whole look-back (latest window plus the earlier span), for DQ-01. */
  readonly weightCount: number;
  readonly evidence: readonly Evidence[];
  /** Weights in the look-back whose unit was not understood, or known only as a bound (DQ-01). */
  readonly unreadableCount: number;
  readonly unreadable: readonly Evidence[];
  /** Weights in the look-back outside the plausible range (DQ-01). */
  readonly implausibleCount: number;
  readonly implausible: readonly Evidence[];
}

interface Weight {
  readonly reference: string;
  readonly day: DayNumber;
  readonly kg: number;
}

/** Periods of pregnancy: a pregnancy Condition from onset to abatement (or today while current). */
function pregnancyPeriods(record: ClinicalRecord, url: string): [DayNumber, DayNumber][] {
  return record.conditions
    .filter((condition) => condition.valueSets.has(url) && condition.day !== undefined)
    .map((condition) => [
      condition.day as number,
      condition.abatementDay ?? (condition.current ? record.today : (condition.day as number)),
    ]);
}

type WeightParams = z.infer<typeof weightParams>;

/** The body weights of the look-back (the latest window plus the earlier span), sorted out for DQ-01. */
interface LookBackWeights {
  /** Plausible weights in kg, the most recent first. */
  readonly weights: readonly Weight[];
  /** Weights whose unit was not understood, or known only as a bound. */
  readonly unreadable: readonly Evidence[];
  /** Weights outside the plausible range: reported, never used (RW-03). */
  readonly implausible: readonly Evidence[];
}

/** Reads the look-back weights in kg: panel components included, a bare number as kg when plausible as kg. */
function lookBackWeights(record: ClinicalRecord, url: string, params: WeightParams): LookBackWeights {
  const lookBackStart = windowStart(record.today, params.latestWithin) - params.earlierMaxDays;
  const inLookBack = (day: number | undefined) => day !== undefined && day >= lookBackStart && day <= record.today + 1;
  // A number without a unit is read as kg when plausible as kg; a bound ("> 100 kg") gives no loss.
  const kgOf = (item: ObservationItem) =>
    item.quantity?.comparator !== undefined
      ? undefined
      : (item.kg ??
        (item.quantity?.unit === '' && inRange(item.quantity.value, params.plausibleKg)
          ? item.quantity.value
          : undefined));
  // A weight may be a component of a vital-signs panel, read like its own Observation's value.
  const observed = record.observations
    .flatMap(measurementsOf)
    .filter((item) => item.valueSets.has(url) && inLookBack(item.day));
  const unreadable = unreadableUnits(observed, kgOf, 'weight');
  const read = observed
    .map((item) => ({ ...item, kg: kgOf(item) }))
    .filter((item): item is ObservationItem & { kg: number; day: number } => item.kg !== undefined);
  const implausible = outOfRange(read, (item) => item.kg, params.plausibleKg, 'kg', 'weight');
  const weights: Weight[] = read
    .filter((item) => inRange(item.kg, params.plausibleKg))
    .map((item) => ({ reference: item.reference, day: item.day, kg: item.kg }))
    .sort((a, b) => b.day - a.day);
  return { weights, unreadable, implausible };
}

/** W1 and W2 of a weight loss: the heaviest earlier weight and the latest one. */
interface ComparedWeights {
  readonly heaviest: Weight;
  readonly latest: Weight;
}

/**
 * W2, the most recent weight in `latestWithin`, and W1, the heaviest weight `earlierMinDays`–`earlierMaxDays`
 * before it that was not taken during a pregnancy; undefined when either is missing.
 */
function comparedWeights(
  weights: readonly Weight[],
  context: FactContext,
  params: WeightParams
): ComparedWeights | undefined {
  const { record, knowledge } = context;
  const latest = weights.find((weight) => isWithin(weight.day, record.today, params.latestWithin));
  if (latest === undefined) {
    return undefined;
  }
  const pregnant = pregnancyPeriods(record, knowledge.valueSetUrl(params.pregnancyValueSet));
  const duringPregnancy = (day: DayNumber) => pregnant.some(([start, end]) => day >= start && day <= end);
  const earlier = weights
    .filter(
      (weight) => weight.day >= latest.day - params.earlierMaxDays && weight.day <= latest.day - params.earlierMinDays
    )
    .filter((weight) => !duringPregnancy(weight.day));
  if (earlier.length === 0) {
    return undefined;
  }
  return { heaviest: earlier.reduce((max, weight) => (weight.kg > max.kg ? weight : max)), latest };
}

/**
 * What explains a loss from W1 to W2, if anything: a delivery between them, or an intentional weight loss
 * recorded in that period (coded, undated codes included, or named in a text).
 */
function explanationOf(
  { heaviest, latest }: ComparedWeights,
  context: FactContext,
  params: WeightParams
): WeightChangeFact['explanation'] {
  const { record, knowledge } = context;
  const between = (day: number | undefined) => day !== undefined && day >= heaviest.day && day <= latest.day;
  const deliveryUrl = knowledge.valueSetUrl(params.deliveryValueSet);
  const intentionalUrl = knowledge.valueSetUrl(params.intentionalValueSet);
  const items = [...record.conditions, ...record.observations, ...record.procedures];
  const delivered = items.some((item) => item.valueSets.has(deliveryUrl) && between(item.day));
  const intentional =
    items.some((item) => item.valueSets.has(intentionalUrl) && (item.day === undefined || between(item.day))) ||
    knowledge
      .keywords(params.intentionalKeywords)
      .matchesAny(
        record.texts.filter((text) => text.day === undefined || between(text.day)).map((text) => text.source)
      );
  return delivered ? 'delivery' : intentional ? 'intentional' : undefined;
}

export const weightChange: FactDefinition<WeightParams> = {
  id: 'weightChange',
  params: weightParams,
  references: (params) => ({
    valueSets: [params.valueSet, params.pregnancyValueSet, params.deliveryValueSet, params.intentionalValueSet],
    keywordLists: [params.intentionalKeywords],
  }),
  compute: (params, context): WeightChangeFact => {
    const { weights, unreadable, implausible } = lookBackWeights(
      context.record,
      context.knowledge.valueSetUrl(params.valueSet),
      params
    );
    const counts = {
      weightCount: weights.length,
      unreadableCount: unreadable.length,
      unreadable,
      implausibleCount: implausible.length,
      implausible,
    };
    const compared = comparedWeights(weights, context, params);
    if (compared === undefined) {
      return { explained: false, ...counts, evidence: [] };
    }
    const { heaviest, latest } = compared;
    const lossKg = round2(heaviest.kg - latest.kg);
    const lossPercent = round2((lossKg / heaviest.kg) * 100);
    const explanation = explanationOf(compared, context, params);
    return {
      lossKg,
      lossPercent,
      explained: explanation !== undefined,
      ...(explanation ? { explanation } : {}),
      ...counts,
      evidence: [
        {
          kind: 'weight-change',
          reference: latest.reference,
          text: `${heaviest.kg.toFixed(1)} kg (${isoDay(heaviest.day)}) → ${latest.kg.toFixed(1)} kg (${isoDay(latest.day)})`,
          value: `−${lossKg.toFixed(1)} kg (${lossPercent.toFixed(1)} %)`,
          date: isoDay(latest.day),
        },
      ],
    };
  },
};

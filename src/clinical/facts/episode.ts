import { z } from 'zod';
import { isoDay, yearsBetween } from '../dates';
import { getOrAdd } from '../get-or-add';
import type { Evidence } from '../finding';
import type { ClinicalRecord, ConditionItem } from '../record';
import type { Episode, FactDefinition, FactKnowledge } from './context';
import { codedEvidence, valueSetId } from './context';
import { textsOfResource } from '../text/record-texts';

/** Episodes already found, per knowledge and record: the rules and the CarePlan both ask for it per request. */
const found = new WeakMap<FactKnowledge, WeakMap<ClinicalRecord, Episode>>();

/**
 * The current episode of low back pain (SC-04, SC-05): the active LBP Conditions, recognised by the LBP
 * value set or, for a Condition whose codes are not recognised, by an LBP keyword in its code.text.
 * Its start is the earliest onset of those Conditions (onsetDateTime, onsetPeriod.start, onsetAge), else
 * their recorded date, marked "onset uncertain". Computed once per knowledge and record.
 */
export function findEpisode(record: ClinicalRecord, knowledge: FactKnowledge): Episode {
  const byRecord = getOrAdd(found, knowledge, () => new WeakMap<ClinicalRecord, Episode>());
  return getOrAdd(byRecord, record, () => computeEpisode(record, knowledge));
}

function computeEpisode(record: ClinicalRecord, knowledge: FactKnowledge): Episode {
  const url = knowledge.valueSetUrl(knowledge.episode.valueSet);
  const matcher = knowledge.keywords(knowledge.episode.keywords);
  const byTextOnly: ConditionItem[] = [];
  const conditions = record.conditions.filter((condition) => {
    if (!condition.current) {
      return false;
    }
    if (condition.valueSets.has(url)) {
      return true;
    }
    const codeTexts = textsOfResource(record, condition.reference).filter((source) => source.field === 'code.text');
    const byText = !condition.recognised && matcher.matchesAny(codeTexts);
    if (byText) {
      byTextOnly.push(condition);
    }
    return byText;
  });
  const dated = conditions.filter((condition) => condition.day !== undefined);
  const first = dated.reduce<ConditionItem | undefined>(
    (earliest, condition) =>
      earliest === undefined || (condition.day ?? 0) < (earliest.day ?? 0) ? condition : earliest,
    undefined
  );
  return {
    present: conditions.length > 0,
    conditions,
    byTextOnly,
    onsetDay: first?.day,
    onsetUncertain: first === undefined || first.onsetUncertain,
  };
}

export interface EpisodeFact {
  readonly present: boolean;
  readonly onsetKnown: boolean;
  readonly onsetUncertain: boolean;
  readonly onset?: string;
  /** Days from the episode start to the evaluation date. */
  readonly durationDays?: number;
  /** Age in whole years at the episode start (RF-06). */
  readonly ageAtOnset?: number;
  /** Some episode Conditions were recognised by their text only: their codes were not understood (SC-06). */
  readonly readFromText: boolean;
  readonly textOnlyEvidence: readonly Evidence[];
  readonly evidence: readonly Evidence[];
}

/** `lbpEpisode`: presence, start, duration and age at onset of the current LBP episode. */
export const lbpEpisode: FactDefinition<Record<string, never>> = {
  id: 'lbpEpisode',
  params: z.strictObject({}),
  compute: (_params, context): EpisodeFact => {
    const episode = context.episode();
    const { birthDay, today } = context.record;
    const onsetDay = episode.onsetDay;
    return {
      present: episode.present,
      onsetKnown: onsetDay !== undefined,
      onsetUncertain: episode.onsetUncertain,
      ...(onsetDay === undefined
        ? {}
        : {
            onset: isoDay(onsetDay),
            durationDays: today - onsetDay,
            ...(birthDay === undefined ? {} : { ageAtOnset: yearsBetween(birthDay, onsetDay) }),
          }),
      readFromText: episode.byTextOnly.length > 0,
      textOnlyEvidence: episode.byTextOnly.map((condition) => ({
        kind: 'data' as const,
        reference: condition.reference,
        data: { issue: 'lbp-code-not-understood' as const },
        text: condition.display,
      })),
      evidence: episode.conditions.map(codedEvidence),
    };
  },
};

/**
 * `earlierBackPain` (RF-06 "first episode"): a back-pain Condition of any status whose onset lies at least
 * `daysBeforeEpisode` days before the current episode's start. `earlier` is undefined when the episode
 * start is unknown, so the rule cannot fire on a guess.
 */
export const earlierBackPain: FactDefinition<{ valueSets: string[]; daysBeforeEpisode: number }> = {
  id: 'earlierBackPain',
  params: z.strictObject({
    valueSets: z.array(valueSetId).min(1),
    daysBeforeEpisode: z.number().int().min(0),
  }),
  references: (params) => ({ valueSets: params.valueSets }),
  compute: (params, context) => {
    const start = context.episode().onsetDay;
    if (start === undefined) {
      return { evidence: [] };
    }
    const urls = params.valueSets.map((id) => context.knowledge.valueSetUrl(id));
    const earlier = context.record.conditions.filter(
      (condition) =>
        condition.day !== undefined &&
        condition.day <= start - params.daysBeforeEpisode &&
        urls.some((url) => condition.valueSets.has(url))
    );
    return { earlier: earlier.length > 0, evidence: earlier.map(codedEvidence) };
  },
};

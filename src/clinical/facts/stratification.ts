import { z } from 'zod';
import type { DayNumber } from '../dates';
import { isoDay } from '../dates';
import type { QuestionnaireAnswer, QuestionnaireItem } from '../record';
import type { Evidence } from '../finding';
import type { FactDefinition } from './context';
import { valueSetId } from './context';

/**
 * `startBack` (YF-02): the Keele STarT Back Screening Tool of the current episode. The most recent of a
 * completed QuestionnaireResponse of the project's Questionnaire (items sbst-1…sbst-9: total and distress
 * subscale) and a total-score Observation (LOINC 91351-7: total only) counts; one from before the episode
 * started is ignored (docs/clinical-specification.md §4). Groups: distress ≥ `highDistressMin` → high; otherwise
 * total < `mediumTotalMin` → low, else medium. A total alone of `mediumTotalMin` or more is "medium or high
 * (subscale unknown)" and treated as medium. No usable score → unknown.
 */
const params = z.strictObject({
  questionnaire: z.url(),
  totalValueSet: valueSetId,
  highDistressMin: z.number().int().min(0).max(5),
  mediumTotalMin: z.number().int().min(0).max(9),
});

export type RiskGroup = 'low' | 'medium' | 'high' | 'unknown';

export interface StartBackFact {
  readonly known: boolean;
  readonly group: RiskGroup;
  readonly total?: number;
  readonly distress?: number;
  readonly evidence: readonly Evidence[];
}

const ITEMS = ['sbst-1', 'sbst-2', 'sbst-3', 'sbst-4', 'sbst-5', 'sbst-6', 'sbst-7', 'sbst-8', 'sbst-9'];
const DISTRESS_ITEMS = new Set(['sbst-5', 'sbst-6', 'sbst-7', 'sbst-8', 'sbst-9']);
/** Item 9 (bothersomeness) scores 1 for "very much" and "extremely"; items 1–8 for "agree". */
const SCORES_ONE = new Set(['agree', 'very-much', 'extremely']);
const SCORES_ZERO = new Set(['disagree', 'not-at-all', 'slightly', 'moderately']);

/** The score of each scored question, by linkId; a later answer to the same question wins. */
function scoresByLinkId(answers: readonly QuestionnaireAnswer[]): Map<string, number> {
  const scores = new Map<string, number>();
  for (const answer of answers) {
    const score =
      answer.code !== undefined && SCORES_ONE.has(answer.code)
        ? 1
        : answer.code !== undefined && SCORES_ZERO.has(answer.code)
          ? 0
          : answer.boolean === undefined
            ? undefined
            : Number(answer.boolean);
    if (score !== undefined) {
      scores.set(answer.linkId, score);
    }
  }
  return scores;
}

interface Score {
  readonly day: DayNumber;
  readonly total: number;
  readonly distress?: number;
  readonly evidence: Evidence;
}

function fromResponse(response: QuestionnaireItem, questionnaire: string): Score | undefined {
  const { day } = response;
  if (
    response.questionnaire !== questionnaire ||
    day === undefined ||
    !['completed', 'amended'].includes(response.status)
  ) {
    return undefined;
  }
  const answers = scoresByLinkId(response.answers);
  if (!ITEMS.every((linkId) => answers.has(linkId))) {
    return undefined;
  }
  const total = ITEMS.reduce((sum, linkId) => sum + (answers.get(linkId) ?? 0), 0);
  const distress = ITEMS.filter((linkId) => DISTRESS_ITEMS.has(linkId)).reduce(
    (sum, linkId) => sum + (answers.get(linkId) ?? 0),
    0
  );
  return {
    day,
    total,
    distress,
    evidence: {
      kind: 'coded',
      reference: response.reference,
      text: `STarT Back total ${total}/9, distress subscale ${distress}/5`,
      date: isoDay(day),
    },
  };
}

export const startBack: FactDefinition<z.infer<typeof params>> = {
  id: 'startBack',
  params,
  references: (p) => ({ valueSets: [p.totalValueSet] }),
  compute: (p, context): StartBackFact => {
    const { record, knowledge } = context;
    const start = context.episode().onsetDay;
    const totalUrl = knowledge.valueSetUrl(p.totalValueSet);
    const scores: Score[] = [
      ...record.questionnaireResponses.flatMap((response) => fromResponse(response, p.questionnaire) ?? []),
      ...record.observations.flatMap((item): Score[] =>
        item.valueSets.has(totalUrl) && item.number !== undefined && item.day !== undefined
          ? [
              {
                day: item.day,
                total: item.number,
                evidence: {
                  kind: 'coded',
                  reference: item.reference,
                  text: `STarT Back total ${item.number}/9`,
                  date: isoDay(item.day),
                },
              },
            ]
          : []
      ),
    ].filter((score) => start === undefined || score.day >= start);
    if (scores.length === 0) {
      return { known: false, group: 'unknown', evidence: [] };
    }
    const latest = scores.reduce((best, score) => (score.day > best.day ? score : best));
    const group: RiskGroup =
      latest.distress !== undefined && latest.distress >= p.highDistressMin
        ? 'high'
        : latest.total < p.mediumTotalMin
          ? 'low'
          : 'medium';
    return {
      known: true,
      group,
      total: latest.total,
      ...(latest.distress === undefined ? {} : { distress: latest.distress }),
      // The evidence carries the result itself, so a card can state it as YF-02 words it.
      evidence: [
        {
          ...latest.evidence,
          kind: 'start-back',
          score: {
            group,
            total: latest.total,
            ...(latest.distress === undefined ? {} : { distress: latest.distress }),
          },
        },
      ],
    };
  },
};

import type { QuestionnaireResponse } from '@medplum/fhirtypes';
import { toDay } from '../dates';
import { questionnaireTexts } from '../text/record-texts';
import type { Json } from './codes';
import { isEnteredInError, objects, refOf } from './codes';
import type { ReadContext, Reading } from './reading';
import { asJson, textsOf } from './reading';
import type { QuestionnaireAnswer, QuestionnaireItem } from './types';

/**
 * QuestionnaireResponses: the first answer of each question, coded or yes/no, for the scores (YF-02); their
 * free-text answers are read like notes (RW-08).
 */

/** Real responses nest a few levels; a bound keeps a hostile payload from recursing deeply. */
const MAX_DEPTH = 20;

function answersOf(items: unknown, into: QuestionnaireAnswer[], depth = 0): QuestionnaireAnswer[] {
  if (depth > MAX_DEPTH) {
    return into;
  }
  for (const item of objects<Json>(items)) {
    const answer = objects<Json>(item.answer)[0];
    const coding = answer?.valueCoding;
    const code = typeof coding === 'object' && coding !== null ? (coding as Json).code : undefined;
    const boolean = answer?.valueBoolean;
    if (typeof item.linkId === 'string' && answer !== undefined) {
      into.push({
        linkId: item.linkId,
        ...(typeof code === 'string' ? { code } : {}),
        ...(typeof boolean === 'boolean' ? { boolean } : {}),
      });
    }
    answersOf(item.item, into, depth + 1);
  }
  return into;
}

/**
 * One QuestionnaireResponse; undefined when entered in error.
 * @param response - as gathered
 * @param context - calendar
 */
export function readQuestionnaireResponse(
  response: QuestionnaireResponse,
  context: ReadContext
): Reading<QuestionnaireItem> | undefined {
  if (isEnteredInError(response.status)) {
    return undefined;
  }
  const json = asJson(response);
  const day = toDay(response.authored);
  const canonical = typeof json.questionnaire === 'string' ? json.questionnaire.split('|')[0] : undefined;
  const item: QuestionnaireItem = {
    reference: refOf(response),
    ...(canonical ? { questionnaire: canonical } : {}),
    status: typeof response.status === 'string' ? response.status : 'unknown',
    ...(day === undefined ? {} : { day }),
    answers: answersOf(json.item, []),
  };
  return { item, notes: [], texts: textsOf(response, questionnaireTexts(response), day, true, context.dates) };
}

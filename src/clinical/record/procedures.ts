import type { CodeableConcept, Procedure } from '@medplum/fhirtypes';
import { procedureTexts } from '../text/record-texts';
import { codings, displayOf, isEnteredInError, objects, refOf } from './codes';
import type { ReadContext, Reading } from './reading';
import { textsOf } from './reading';
import type { ProcedureItem } from './types';

/** Procedures: by code, and by the words of the code and body site for rules that recognise one by its words. */

/**
 * One Procedure; undefined when entered in error.
 * @param procedure - as gathered
 * @param context - coder and calendar
 */
export function readProcedure(procedure: Procedure, context: ReadContext): Reading<ProcedureItem> | undefined {
  if (isEnteredInError(procedure.status)) {
    return undefined;
  }
  const { coder, dates } = context;
  const day = dates.day(procedure.performedDateTime) ?? dates.periodDay(procedure.performedPeriod);
  const words = [
    procedure.code?.text,
    ...objects<CodeableConcept>(procedure.bodySite).map((site) => site.text ?? displayOf(site)),
  ]
    .concat(codings(procedure.code).map((coding) => coding.display))
    .filter((text): text is string => typeof text === 'string' && text.trim() !== '');
  const item: ProcedureItem = {
    reference: refOf(procedure),
    display: displayOf(procedure.code),
    valueSets: coder.valueSets(procedure.code),
    suspected: false,
    status: procedure.status,
    day,
    texts: words,
  };
  return { item, notes: [], texts: textsOf(procedure, procedureTexts(procedure), day, true, dates) };
}

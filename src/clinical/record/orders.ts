import type { CodeableConcept, Resource } from '@medplum/fhirtypes';
import { noteTexts, orderTexts } from '../text/record-texts';
import { codings, displayOf, objects, refOf } from './codes';
import type { ReadContext, Reading } from './reading';
import { asJson, textsOf } from './reading';
import type { OrderItem } from './types';

/**
 * The draft orders of order-select and order-sign, from the hook's context: what is ordered and why, and whether
 * the clinician selected it. Their words are free text dated today, like any note (RW-08).
 */

/**
 * One draft order.
 * @param order - a resource of `context.draftOrders`
 * @param selections - the `context.selections` references; empty means every order counts as selected
 * @param context - coder and calendar
 */
export function readOrder(order: Resource, selections: ReadonlySet<string>, context: ReadContext): Reading<OrderItem> {
  const json = asJson(order);
  const code = typeof json.code === 'object' && json.code !== null ? (json.code as CodeableConcept) : undefined;
  const reasonCodes = objects<CodeableConcept>(json.reasonCode);
  const reference = refOf(order);
  const item: OrderItem = {
    reference,
    display: displayOf(code),
    valueSets: context.coder.valueSets(code),
    suspected: false,
    reasonValueSets: context.coder.valueSets(...reasonCodes),
    reasonReferences: objects<{ reference?: unknown }>(json.reasonReference)
      .map((r) => r.reference)
      .filter((r): r is string => typeof r === 'string' && r !== ''),
    texts: [
      code?.text,
      ...codings(code).map((coding) => coding.display),
      ...reasonCodes.map((r) => r.text),
      ...noteTexts(json).map(([, text]) => text),
    ].filter((text): text is string => typeof text === 'string' && text.trim() !== ''),
    selected: selections.size === 0 || selections.has(reference),
  };
  return { item, notes: [], texts: textsOf(order, orderTexts(order), context.today, true, context.dates) };
}

import { z } from 'zod';
import type { Evidence } from '../finding';
import type { FactDefinition } from './context';
import { codedEvidence, keywordListName, valueSetId } from './context';

/** `hookName`: the hook that was called (TS-10 gives advice only when the chart is opened). */
export const hookName: FactDefinition<Record<string, never>> = {
  id: 'hookName',
  params: z.strictObject({}),
  compute: (_params, context) => ({ hook: context.record.hook, evidence: [] }),
};

const orderParams = z
  .strictObject({
    /** Codes that identify the order on their own. */
    valueSet: valueSetId,
    /** Codes that identify it only together with `withText` in the order's texts (e.g. ICPC -41 + "lumbaal"). */
    needsTextValueSet: valueSetId.optional(),
    withText: keywordListName.optional(),
    /** Words that identify it in the order's text alone (IM-06: "MRI" + "lumbaal"). */
    keywords: keywordListName.optional(),
  })
  .refine(
    (p) => (p.needsTextValueSet === undefined) === (p.withText === undefined),
    'needsTextValueSet goes with withText'
  );

/** How a rule names the draft orders it looks for. */
export type DraftOrderParams = z.infer<typeof orderParams>;

export interface DraftOrderFact {
  readonly present: boolean;
  /** One item per matching draft order; its `reference` is what IM-05's delete action names. */
  readonly evidence: readonly Evidence[];
}

/**
 * `draftOrder`: a selected draft order (order-select: the `selections`; order-sign: every draft order) of a
 * kind, recognised by code, by code plus text, or by text (IM-06, the physiotherapy referral of TS-11).
 */
export const draftOrder: FactDefinition<DraftOrderParams> = {
  id: 'draftOrder',
  params: orderParams,
  references: (p) => ({
    valueSets: [p.valueSet, ...(p.needsTextValueSet ? [p.needsTextValueSet] : [])],
    keywordLists: [...(p.withText ? [p.withText] : []), ...(p.keywords ? [p.keywords] : [])],
  }),
  compute: (p, context): DraftOrderFact => {
    const { knowledge, record } = context;
    const url = knowledge.valueSetUrl(p.valueSet);
    const needsTextUrl = p.needsTextValueSet ? knowledge.valueSetUrl(p.needsTextValueSet) : undefined;
    const said = (list: string | undefined, texts: readonly string[], reference: string) =>
      list !== undefined &&
      knowledge.keywords(list).matchesAny(texts.map((text, index) => ({ reference, field: `text${index}`, text })));
    const matching = record.orders.filter(
      (order) =>
        order.selected &&
        (order.valueSets.has(url) ||
          (needsTextUrl !== undefined &&
            order.valueSets.has(needsTextUrl) &&
            said(p.withText, order.texts, order.reference)) ||
          said(p.keywords, order.texts, order.reference))
    );
    return {
      present: matching.length > 0,
      evidence: matching.map(codedEvidence),
    };
  },
};

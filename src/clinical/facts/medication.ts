import { z } from 'zod';
import type { DayNumber } from '../dates';
import { isoDay, windowStart } from '../dates';
import type { Evidence } from '../finding';
import type { MedicationItem } from '../record';
import type { TextSource } from '../text-match';
import type { FactDefinition } from './context';
import { keywordListName, valueSetId, windowSchema } from './context';

/**
 * `corticosteroids` (SF-2): exposure to systemic glucocorticoids within the window, from
 * MedicationStatements and MedicationRequests with one of the statuses. A medication coded in ATC is one
 * when its code is in the value set; one without ATC (a G-Standaard or SNOMED product code) when its name
 * names a glucocorticoid (RW-05). Either way a local route or form (inhaled, nasal, topical,
 * intra-articular: a route code in `localRoutes`, or `localRouteWords` in the route, form, dosage text or
 * name) makes it local use, which does not count. Periods of use are clipped to
 * the window and merged where they overlap or touch; `cumulativeDays` is their total length and
 * `courses` their number, so a rule can ask for "≥ 3 months in 12 months or ≥ 4 courses" (NHG-FP).
 * A use without a start date counts as one course of one day: it is shown, but cannot prove long use.
 */
const params = z.strictObject({
  valueSet: valueSetId,
  within: windowSchema,
  statuses: z.array(z.string().min(1)).min(1),
  /** Glucocorticoid names, for medications without an ATC code. */
  names: keywordListName,
  localRoutes: valueSetId,
  localRouteWords: keywordListName,
});

export interface CorticosteroidFact {
  readonly cumulativeDays: number;
  readonly courses: number;
  readonly evidence: readonly Evidence[];
}

export const corticosteroids: FactDefinition<z.infer<typeof params>> = {
  id: 'corticosteroids',
  params,
  references: (p) => ({ valueSets: [p.valueSet, p.localRoutes], keywordLists: [p.names, p.localRouteWords] }),
  compute: (p, context): CorticosteroidFact => {
    const { record } = context;
    const url = context.knowledge.valueSetUrl(p.valueSet);
    const from = windowStart(record.today, p.within);
    const localRouteUrl = context.knowledge.valueSetUrl(p.localRoutes);
    const names = context.knowledge.keywords(p.names);
    const localWords = context.knowledge.keywords(p.localRouteWords);
    const sources = (item: MedicationItem, field: string, texts: readonly string[]): TextSource[] =>
      texts.map((text) => ({ reference: item.reference, field, text }));
    const isGlucocorticoid = (item: MedicationItem) =>
      item.atcCoded ? item.valueSets.has(url) : names.matchesAny(sources(item, 'medication', item.names));
    const isLocal = (item: MedicationItem) =>
      item.routeValueSets.has(localRouteUrl) ||
      localWords.matchesAny([...sources(item, 'route', item.routeTexts), ...sources(item, 'medication', item.names)]);
    const uses = record.medications.filter(
      (item) => p.statuses.includes(item.status) && isGlucocorticoid(item) && !isLocal(item)
    );
    const periods: [DayNumber, DayNumber][] = [];
    const evidence: Evidence[] = [];
    for (const use of uses) {
      const start = use.startDay ?? record.today;
      const end = use.endDay ?? (use.status === 'active' ? record.today : start);
      const clipped: [DayNumber, DayNumber] = [Math.max(start, from), Math.min(end, record.today)];
      if (clipped[0] > clipped[1]) {
        continue;
      }
      periods.push(clipped);
      evidence.push({
        kind: 'corticosteroids',
        reference: use.reference,
        text: use.display,
        value:
          use.startDay === undefined
            ? 'start unknown'
            : `${isoDay(start)} – ${use.endDay === undefined ? '…' : isoDay(end)}`,
        ...(use.startDay === undefined ? {} : { date: isoDay(start) }),
      });
    }
    periods.sort((a, b) => a[0] - b[0]);
    const merged: [DayNumber, DayNumber][] = [];
    for (const period of periods) {
      const last = merged.at(-1);
      if (last !== undefined && period[0] <= last[1] + 1) {
        last[1] = Math.max(last[1], period[1]);
      } else {
        merged.push([period[0], period[1]]);
      }
    }
    return {
      cumulativeDays: merged.reduce((sum, [start, end]) => sum + end - start + 1, 0),
      courses: merged.length,
      evidence,
    };
  },
};

import { z } from 'zod';
import type { DayNumber } from '../dates';
import { isoDay, windowStart } from '../dates';
import type { Evidence } from '../finding';
import type { FactDefinition } from './context';
import { valueSetId, windowSchema } from './context';

/**
 * `corticosteroids` (SF-2): exposure to systemic glucocorticoids within the window, from
 * MedicationStatements and MedicationRequests with one of the statuses. Periods of use are clipped to
 * the window and merged where they overlap or touch; `cumulativeDays` is their total length and
 * `courses` their number, so a rule can ask for "≥ 3 months in 12 months or ≥ 4 courses" (NHG-FP).
 * A use without a start date counts as one course of one day: it is shown, but cannot prove long use.
 */
const params = z.strictObject({
  valueSet: valueSetId,
  within: windowSchema,
  statuses: z.array(z.string().min(1)).min(1),
});

export interface CorticosteroidFact {
  readonly cumulativeDays: number;
  readonly courses: number;
  readonly evidence: readonly Evidence[];
}

export const corticosteroids: FactDefinition<z.infer<typeof params>> = {
  id: 'corticosteroids',
  params,
  references: (p) => ({ valueSets: [p.valueSet] }),
  compute: (p, context): CorticosteroidFact => {
    const { record } = context;
    const url = context.knowledge.valueSetUrl(p.valueSet);
    const from = windowStart(record.today, p.within);
    const uses = record.medications.filter((item) => item.valueSets.has(url) && p.statuses.includes(item.status));
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

import type { Database } from './database';
import type { FeedbackItem } from './feedback-item';

/**
 * The memory of "not now" (migration 2): feedback that overrides an exercise recommendation or advice card with
 * the coded reason `not-now` is stored per patient hash, taken from the audit trail of the card. Every instance
 * of the service sees it. A red-flag card never offers that reason, and only recommendation and advice cards
 * are looked up here, so a red flag is never silenced.
 */

export const OVERRIDE_SYSTEM = 'https://ruggensteun.org/fhir/CodeSystem/override-reason';
export const NOT_NOW = 'not-now';

/** Keeps the latest "not now" per patient; a card the audit trail does not know (yet) is skipped. */
const REMEMBER_NOT_NOW = `
  INSERT INTO recommendation_not_now (patient_hash, at, card_uuid)
  SELECT hook_calls.patient_hash, $2::timestamptz, $1
  FROM cards JOIN hook_calls ON hook_calls.id = cards.hook_call_id
  WHERE cards.uuid = $1 AND cards.kinds && ARRAY['recommendation', 'advice']::text[]
  LIMIT 1
  ON CONFLICT (patient_hash) DO UPDATE SET at = EXCLUDED.at, card_uuid = EXCLUDED.card_uuid
    WHERE recommendation_not_now.at < EXCLUDED.at
  RETURNING patient_hash`;

/** Whether a feedback item is a "not now" override. */
export function isNotNow(item: FeedbackItem): boolean {
  const reason = item.overrideReason?.reason;
  return item.outcome === 'overridden' && reason?.system === OVERRIDE_SYSTEM && reason.code === NOT_NOW;
}

/**
 * @returns how many of the items were remembered (a card the audit trail does not know is not)
 */
export async function rememberNotNow(db: Database, items: readonly FeedbackItem[]): Promise<number> {
  let remembered = 0;
  for (const item of items.filter(isNotNow)) {
    const rows = await db.query(REMEMBER_NOT_NOW, [item.card, item.outcomeTimestamp]);
    remembered += rows.length;
  }
  return remembered;
}

/** When "not now" was last answered for this patient, if ever. */
export async function notNowAt(db: Database, patientHash: string): Promise<Date | undefined> {
  const [row] = await db.query<{ at: Date | string }>('SELECT at FROM recommendation_not_now WHERE patient_hash = $1', [
    patientHash,
  ]);
  return row ? new Date(row.at) : undefined;
}

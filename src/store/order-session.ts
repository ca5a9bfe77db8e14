import type { Database } from './database';
import { hashPatient } from './patient-hash';

/**
 * The order-session memory of RW-10 (migration 4): on a draft order that is neither a physiotherapy referral nor
 * lumbar imaging, the red flags are shown once per order session, the same patient, user and encounter within
 * rules/ruleset.json memory.orderSessionMinutes. Kept in the store, so every instance sees it. Patient-view and the
 * orders the service is about never look here: there red flags are always shown.
 */

/** Red flags shown in a session: when, and which rules (a flag not among them is new and is shown). */
export interface RedFlagsShown {
  readonly at: Date;
  readonly ruleIds: readonly string[];
}

/**
 * The session's key: a keyed hash of patient, user and encounter, so neither id is stored in clear.
 * @param key - the patient-hash key
 */
export function orderSessionKey(
  key: Buffer,
  session: { readonly patientId: string; readonly userId: string; readonly encounterId?: string }
): string {
  return hashPatient(
    key,
    `order-session\nPatient/${session.patientId}\n${session.userId}\n${session.encounterId ?? ''}`
  );
}

/** Keeps the latest showing of the session (a late writer with an older time changes nothing). */
const REMEMBER = `
  INSERT INTO red_flag_order_sessions (session_key, shown_at, rule_ids) VALUES ($1, $2, ARRAY(SELECT jsonb_array_elements_text($3::jsonb)))
  ON CONFLICT (session_key) DO UPDATE SET shown_at = EXCLUDED.shown_at, rule_ids = EXCLUDED.rule_ids
    WHERE red_flag_order_sessions.shown_at < EXCLUDED.shown_at`;

/**
 * A session is at most a day long (memory.orderSessionMinutes ≤ 1440, checked at start-up): older rows can never
 * silence a red flag again, so they are removed rather than kept as patient-linked hashes for ever.
 */
const SESSION_MAX_MS = 24 * 60 * 60 * 1000;

export async function purgeOrderSessions(db: Database, now: Date): Promise<void> {
  await db.query('DELETE FROM red_flag_order_sessions WHERE shown_at < $1', [new Date(now.getTime() - SESSION_MAX_MS)]);
}

export async function rememberRedFlagsShown(db: Database, sessionKey: string, shown: RedFlagsShown): Promise<void> {
  await db.query(REMEMBER, [sessionKey, shown.at, JSON.stringify(shown.ruleIds)]);
}

/** When red flags were last shown in this order session, and which, if ever. */
export async function redFlagsShownIn(db: Database, sessionKey: string): Promise<RedFlagsShown | undefined> {
  const [row] = await db.query<{ shown_at: Date | string; rule_ids: string[] }>(
    'SELECT shown_at, rule_ids FROM red_flag_order_sessions WHERE session_key = $1',
    [sessionKey]
  );
  return row ? { at: new Date(row.shown_at), ruleIds: row.rule_ids } : undefined;
}

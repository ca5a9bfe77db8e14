import { openDatabase } from './database';
import type { Database, DatabaseOptions } from './database';
import { migrate } from './migrations';
import { notNowAt, rememberNotNow } from './not-now';
import type { RedFlagsShown } from './order-session';
import { purgeOrderSessions, redFlagsShownIn, rememberRedFlagsShown } from './order-session';
import type { FeedbackItem } from './feedback-item';
export type { FeedbackItem } from './feedback-item';

/**
 * The audit trail (which hook calls were answered with which cards) and clinician feedback on those
 * cards, with the report that joins the two. The SQL runs unchanged on PGlite and PostgreSQL.
 */

/** One answered hook call. `patientHash` comes from hashPatient: never put a patient id here. */
export interface AuditRecord {
  time: Date;
  hookInstance: string;
  serviceId: string;
  hook: string;
  issuer?: string;
  tenant?: string;
  patientHash: string;
  rulesetVersion: string;
  ruleIds: string[];
  status: number;
  latencyMs: number;
  cards: AuditCard[];
}

export interface AuditCard {
  uuid: string;
  indicator: string;
  ruleIds: string[];
  kinds: string[];
  suggestionUuids: string[];
}

export interface FeedbackResult {
  card: string;
  outcome: string;
  /** False when this card, outcome and outcome timestamp had been stored before (a repeat). */
  stored: boolean;
  /** Whether the audit trail has a card with this uuid. */
  knownCard: boolean;
}

export interface ReportRow {
  ruleId: string;
  kind: string;
  /** Cards shown. */
  shown: number;
  /** Shown cards whose latest feedback is `accepted`. */
  accepted: number;
  /** Shown cards whose latest feedback is `overridden`. */
  overridden: number;
  /** The overridden cards by reason: `system|code`, `comment only` or `no reason`. */
  overrideReasons: Record<string, number>;
}

export interface ReportRange {
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

export interface Store {
  /** Stores the hook calls and their cards in one transaction: all of them or none. */
  recordAudits(records: readonly AuditRecord[]): Promise<void>;
  /**
   * Stores feedback idempotently: an item whose card, outcome and outcome timestamp (the same instant,
   * however written) were stored before is reported with `stored: false`. Unknown cards are accepted.
   * Results are in the order of `items`.
   */
  recordFeedback(
    serviceId: string,
    items: FeedbackItem[],
    client?: { issuer?: string; tenant?: string }
  ): Promise<FeedbackResult[]>;
  /**
   * Remembers the "not now" overrides among `items` per patient (cards the audit trail knows); returns how many.
   * See not-now.ts.
   */
  rememberNotNow(items: readonly FeedbackItem[]): Promise<number>;
  /** When "not now" was last answered to the exercise recommendation for this patient hash. */
  notNowAt(patientHash: string): Promise<Date | undefined>;
  /** RW-10: when red flags were last shown on an unrelated order in this order session; see order-session.ts. */
  redFlagsShownIn(sessionKey: string): Promise<RedFlagsShown | undefined>;
  rememberRedFlagsShown(sessionKey: string, shown: RedFlagsShown): Promise<void>;
  /** Per rule id and card kind; see REPORT_SQL for how cards and feedback are counted. */
  report(range: ReportRange): Promise<ReportRow[]>;
  /**
   * Records a token use; false when the key was recorded before (a replay). Expired entries are purged now and
   * then, so the table holds about one token lifetime of uses.
   * @param replayKey - a hash of issuer and jti
   * @param expiresAt - from when the entry may be forgotten
   */
  rememberToken(replayKey: string, expiresAt: Date): Promise<boolean>;
  /** Resolves when the database answers (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Report key of an override without a coded reason but with a comment. */
export const COMMENT_ONLY = 'comment only';
/** Report key of an override without any reason. */
export const NO_REASON = 'no reason';
/** Report key used for a card that names no rule id or no kind, so it is still counted. */
export const NONE = '(none)';

/** Opens the database (see openDatabase), brings its schema up to date and returns the store. */
export async function openStore(options: DatabaseOptions): Promise<Store> {
  const db = await openDatabase(options);
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return createStore(db);
}

/** The store on a database whose schema is already migrated. `close()` closes the database. */
export function createStore(db: Database): Store {
  // Expired rows are purged at most once a minute, on the write that follows (replay records, order sessions).
  let nextPurge = 0;
  let nextSessionPurge = 0;
  return {
    rememberToken: async (replayKey, expiresAt) => {
      if (Date.now() >= nextPurge) {
        nextPurge = Date.now() + 60_000;
        await db.query('DELETE FROM token_uses WHERE expires_at < now()');
      }
      const rows = await db.query<{ inserted: number }>(
        `INSERT INTO token_uses (replay_key, expires_at) VALUES ($1, $2)
         ON CONFLICT (replay_key) DO NOTHING RETURNING 1 AS inserted`,
        [replayKey, expiresAt]
      );
      return rows.length === 1;
    },
    recordAudits: async (records) => {
      if (records.length > 0) {
        await db.query(INSERT_AUDITS, [JSON.stringify(records)]);
      }
    },
    recordFeedback: (serviceId, items, client) => recordFeedback(db, serviceId, items, client),
    rememberNotNow: (items) => rememberNotNow(db, items),
    notNowAt: (patientHash) => notNowAt(db, patientHash),
    redFlagsShownIn: (sessionKey) => redFlagsShownIn(db, sessionKey),
    rememberRedFlagsShown: async (sessionKey, shown) => {
      if (Date.now() >= nextSessionPurge) {
        nextSessionPurge = Date.now() + 60_000;
        await purgeOrderSessions(db, shown.at);
      }
      await rememberRedFlagsShown(db, sessionKey, shown);
    },
    report: (range) => report(db, range),
    ping: async () => {
      await db.query('SELECT 1');
    },
    close: () => db.close(),
  };
}

/**
 * The hook calls of a batch (a JSON array of AuditRecords) and their cards, in one statement, so a batch costs
 * one round trip and is stored completely or not at all. Each call takes its id from the identity sequence
 * first, so its cards can refer to it; the foreign key is checked at the end of the statement.
 */
const INSERT_AUDITS = `
  WITH batch AS (
    SELECT nextval(pg_get_serial_sequence('hook_calls', 'id')) AS id, item
    FROM jsonb_array_elements($1::jsonb) AS item
  ),
  calls AS (
    INSERT INTO hook_calls (id, time, hook_instance, service, hook, issuer, tenant, patient_hash,
                            ruleset_version, rule_ids, status, latency_ms)
    OVERRIDING SYSTEM VALUE
    SELECT id, (item->>'time')::timestamptz, item->>'hookInstance', item->>'serviceId', item->>'hook',
           item->>'issuer', item->>'tenant', item->>'patientHash', item->>'rulesetVersion',
           ARRAY(SELECT jsonb_array_elements_text(item->'ruleIds')),
           (item->>'status')::integer, (item->>'latencyMs')::double precision
    FROM batch
  )
  INSERT INTO cards (hook_call_id, uuid, indicator, rule_ids, kinds, suggestion_uuids)
  SELECT batch.id, card->>'uuid', card->>'indicator',
         ARRAY(SELECT jsonb_array_elements_text(card->'ruleIds')),
         ARRAY(SELECT jsonb_array_elements_text(card->'kinds')),
         ARRAY(SELECT jsonb_array_elements_text(card->'suggestionUuids'))
  FROM batch, jsonb_array_elements(batch.item->'cards') AS card`;

/** RFC 3339 date-time (the profile of ISO 8601 that CDS Hooks requires), with an offset or Z. */
const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/**
 * One statement per item: the feedback row is inserted unless the same (card, outcome, timestamp) is
 * there already, and whether the card is known is read in the same snapshot.
 */
const INSERT_FEEDBACK = `
  WITH known AS (SELECT EXISTS (SELECT 1 FROM cards WHERE uuid = $1::text) AS known_card),
  inserted AS (
    INSERT INTO feedback (card_uuid, service, outcome, outcome_timestamp, accepted_suggestions, override_system,
                          override_code, override_display, override_comment, known_card, issuer, tenant)
    SELECT $1::text, $2::text, $3::text, $4::timestamptz, $5::text[], $6::text, $7::text, $8::text, $9::text,
           known.known_card, $10::text, $11::text
    FROM known
    ON CONFLICT (card_uuid, outcome, outcome_timestamp) DO NOTHING
    RETURNING 1
  )
  SELECT known.known_card, EXISTS (SELECT 1 FROM inserted) AS stored FROM known`;

async function recordFeedback(
  db: Database,
  serviceId: string,
  items: FeedbackItem[],
  client: { issuer?: string; tenant?: string } = {}
): Promise<FeedbackResult[]> {
  items.forEach(checkFeedbackItem);
  // Each item is its own statement, not one transaction for the request: single-row statements cannot
  // deadlock against concurrent requests that report the same cards in another order, and a request
  // that fails half-way is simply sent again; the items already stored then come back as repeats.
  const results: FeedbackResult[] = [];
  for (const item of items) {
    const reason = item.overrideReason;
    const [row] = await db.query<{ known_card: boolean; stored: boolean }>(INSERT_FEEDBACK, [
      item.card,
      serviceId,
      item.outcome,
      item.outcomeTimestamp,
      (item.acceptedSuggestions ?? []).map((suggestion) => suggestion.id),
      reason?.reason?.system ?? null,
      reason?.reason?.code ?? null,
      reason?.reason?.display ?? null,
      reason?.userComment ?? null,
      client.issuer ?? null,
      client.tenant ?? null,
    ]);
    if (!row) {
      throw new Error('The feedback statement returned no row');
    }
    results.push({ card: item.card, outcome: item.outcome, stored: row.stored, knownCard: row.known_card });
  }
  return results;
}

function checkFeedbackItem(item: FeedbackItem, index: number): void {
  // The route validates requests; this guards the table against a caller that did not.
  const outcome: string = item.outcome;
  if (outcome !== 'accepted' && outcome !== 'overridden') {
    throw new TypeError(`feedback[${index}].outcome must be "accepted" or "overridden"`);
  }
  if (!RFC_3339.test(item.outcomeTimestamp) || Number.isNaN(Date.parse(item.outcomeTimestamp))) {
    throw new TypeError(`feedback[${index}].outcomeTimestamp is not an RFC 3339 date-time`);
  }
}

/**
 * How the report counts:
 * - A card is "shown" when its hook call's `time` lies in [from, to). Feedback on those cards counts
 *   whenever it arrived; feedback on cards outside the range, or on cards the audit trail does not have,
 *   does not count.
 * - Each card counts once for every distinct rule id × every distinct kind it carries, so a card with
 *   RF-03 and RF-06 counts for both. An empty list counts as `(none)`.
 * - The latest feedback on a card decides (greatest outcome_timestamp; on a tie the one received last):
 *   a card dismissed and later accepted counts as accepted only. So accepted + overridden <= shown.
 * - Override reasons are those of that latest feedback: `system|code` of the coded reason, else
 *   `comment only` when only a comment was given, else `no reason`.
 */
const REPORT_SQL = `
  WITH shown AS (
    SELECT c.uuid, c.rule_ids, c.kinds
    FROM cards c JOIN hook_calls h ON h.id = c.hook_call_id
    WHERE ($1::timestamptz IS NULL OR h.time >= $1::timestamptz)
      AND ($2::timestamptz IS NULL OR h.time < $2::timestamptz)
  ),
  latest AS (
    SELECT DISTINCT ON (f.card_uuid) f.card_uuid, f.outcome, f.override_system, f.override_code, f.override_comment
    FROM feedback f JOIN shown s ON s.uuid = f.card_uuid
    ORDER BY f.card_uuid, f.outcome_timestamp DESC, f.id DESC
  ),
  per_rule AS (
    SELECT DISTINCT r.rule_id, k.kind, s.uuid
    FROM shown s
    CROSS JOIN LATERAL unnest(CASE WHEN cardinality(s.rule_ids) = 0 THEN ARRAY[$3::text] ELSE s.rule_ids END)
      AS r(rule_id)
    CROSS JOIN LATERAL unnest(CASE WHEN cardinality(s.kinds) = 0 THEN ARRAY[$3::text] ELSE s.kinds END) AS k(kind)
  )
  SELECT p.rule_id, p.kind, l.outcome,
         CASE
           WHEN l.outcome <> 'overridden' THEN NULL
           WHEN l.override_code IS NOT NULL THEN coalesce(l.override_system, '') || '|' || l.override_code
           WHEN l.override_comment IS NOT NULL THEN $4::text
           ELSE $5::text
         END AS reason,
         count(*)::int AS cards
  FROM per_rule p LEFT JOIN latest l ON l.card_uuid = p.uuid
  GROUP BY 1, 2, 3, 4`;

async function report(db: Database, range: ReportRange): Promise<ReportRow[]> {
  const groups = await db.query<{
    rule_id: string;
    kind: string;
    outcome: 'accepted' | 'overridden' | null;
    reason: string | null;
    cards: number;
  }>(REPORT_SQL, [range.from ?? null, range.to ?? null, NONE, COMMENT_ONLY, NO_REASON]);
  const rows = new Map<string, ReportRow>();
  for (const group of groups) {
    const key = JSON.stringify([group.rule_id, group.kind]);
    let row = rows.get(key);
    if (!row) {
      row = { ruleId: group.rule_id, kind: group.kind, shown: 0, accepted: 0, overridden: 0, overrideReasons: {} };
      rows.set(key, row);
    }
    row.shown += group.cards;
    if (group.outcome === 'accepted') {
      row.accepted += group.cards;
    } else if (group.outcome === 'overridden') {
      row.overridden += group.cards;
      const reason = group.reason ?? NO_REASON;
      row.overrideReasons[reason] = (row.overrideReasons[reason] ?? 0) + group.cards;
    }
  }
  // Sorted here rather than in SQL, so the order does not depend on the database's collation.
  return [...rows.values()].sort((a, b) => compare(a.ruleId, b.ruleId) || compare(a.kind, b.kind));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import type { Database } from './database';

/**
 * Versioned schema migrations. Each one runs once, in order, and is recorded in `schema_migrations`.
 * A migration that has shipped is never edited: change the schema with a new, higher version.
 * The SQL must run on PostgreSQL 15+ and on PGlite (no CREATE INDEX CONCURRENTLY: it cannot run in a
 * transaction).
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'audit trail and clinician feedback',
    sql: `
-- One row per hook call the service answered. No patient identifier in clear: patient_hash is an
-- HMAC-SHA256 of the patient reference under a secret key (see patient-hash.ts).
CREATE TABLE hook_calls (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  time            timestamptz NOT NULL,
  hook_instance   text NOT NULL,
  service         text NOT NULL,
  hook            text NOT NULL,
  issuer          text,
  tenant          text,
  patient_hash    text NOT NULL,
  ruleset_version text NOT NULL,
  rule_ids        text[] NOT NULL DEFAULT '{}',
  status          integer NOT NULL CHECK (status BETWEEN 100 AND 599),
  latency_ms      double precision NOT NULL CHECK (latency_ms >= 0)
);
CREATE INDEX hook_calls_time_idx ON hook_calls (time);
CREATE INDEX hook_calls_hook_instance_idx ON hook_calls (hook_instance);

-- The cards of a hook call, by the uuid the client echoes in feedback.
CREATE TABLE cards (
  uuid             text PRIMARY KEY,
  hook_call_id     bigint NOT NULL REFERENCES hook_calls (id) ON DELETE CASCADE,
  indicator        text NOT NULL CHECK (indicator IN ('info', 'warning', 'critical')),
  rule_ids         text[] NOT NULL DEFAULT '{}',
  kinds            text[] NOT NULL DEFAULT '{}',
  suggestion_uuids text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX cards_hook_call_id_idx ON cards (hook_call_id);

-- Clinician feedback (CDS Hooks 2.0 feedback endpoint). card_uuid has no foreign key on purpose:
-- feedback for unknown cards is accepted, and feedback may arrive before the audit writer has stored
-- the card. known_card records whether the card was known when the feedback arrived. The unique key
-- makes a repeated report of the same outcome a no-op.
CREATE TABLE feedback (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  card_uuid            text NOT NULL,
  service              text NOT NULL,
  outcome              text NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
  outcome_timestamp    timestamptz NOT NULL,
  accepted_suggestions text[] NOT NULL DEFAULT '{}',
  override_system      text,
  override_code        text,
  override_display     text,
  override_comment     text,
  known_card           boolean NOT NULL,
  issuer               text,
  tenant               text,
  received_at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT feedback_once UNIQUE (card_uuid, outcome, outcome_timestamp)
);
-- The unique key above also serves look-ups by card_uuid (its leading column).
CREATE INDEX feedback_received_at_idx ON feedback (received_at);
`,
  },
  {
    version: 2,
    name: 'jti replay record',
    sql: `
-- Every accepted client token (CDS Hooks 2.0: jti prevents replay), by a hash of issuer and jti, until it would
-- be refused as expired anyway. In the store, so a replay is refused after a restart and on every instance.
CREATE TABLE token_uses (
  replay_key text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX token_uses_expires_at_idx ON token_uses (expires_at);
`,
  },
  {
    version: 3,
    name: 'not-now memory of the exercise recommendation',
    sql: `
-- When a GP last answered "not now" to the exercise recommendation for a patient (keyed hash, never an id):
-- the recommendation stays away for rules/ruleset.json memory.notNowDays after it. Red flags are never kept here.
CREATE TABLE recommendation_not_now (
  patient_hash text PRIMARY KEY,
  at           timestamptz NOT NULL,
  card_uuid    text NOT NULL
);
`,
  },
  {
    version: 4,
    name: 'red flags shown per order session',
    sql: `
-- RW-10: when red flags were last shown on an unrelated draft order (a prescription, a lab test) in one order
-- session (a keyed hash of patient hash, user and encounter, never an id), and which: they are not repeated on
-- the next order of the session within rules/ruleset.json memory.orderSessionMinutes, unless a new one appears.
CREATE TABLE red_flag_order_sessions (
  session_key text PRIMARY KEY,
  shown_at    timestamptz NOT NULL,
  rule_ids    text[] NOT NULL
);
`,
  },
];

/** The schema cannot be brought to the version this code expects. */
export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** Serialises migrations of several service instances starting against one PostgreSQL database. */
const MIGRATION_LOCK = 804_317_552;

/**
 * Brings the schema up to date in one transaction: either every pending migration is applied and
 * recorded, or none is.
 * @returns the versions applied now (empty when the schema was already current)
 * @throws MigrationError when the database is at a version this code does not know (it was migrated
 *   by a newer release), or when the migration list itself is malformed
 */
export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  checkMigrations(migrations);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const rows = await tx.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    const applied = new Set(rows.map((row) => row.version));
    const known = new Set(migrations.map((migration) => migration.version));
    const unknown = [...applied].filter((version) => !known.has(version));
    if (unknown.length > 0) {
      const latest = migrations.at(-1)?.version ?? 0;
      throw new MigrationError(
        `The database schema has version ${Math.max(...unknown)}, but this release knows versions up to ${latest}: ` +
          'it was migrated by a newer release. Run that release, or restore a backup taken before the upgrade.'
      );
    }
    const highest = Math.max(0, ...applied);
    const pending = migrations.filter((migration) => !applied.has(migration.version));
    const gap = pending.find((migration) => migration.version < highest);
    if (gap) {
      throw new MigrationError(
        `Migration ${gap.version} (${gap.name}) was never applied, but version ${highest} was: the schema history is inconsistent.`
      );
    }
    for (const migration of pending) {
      await tx.query(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    }
    return pending.map((migration) => migration.version);
  });
}

function checkMigrations(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const migration of migrations) {
    if (!Number.isInteger(migration.version) || migration.version <= previous) {
      throw new MigrationError(
        `Migration versions must be positive integers in increasing order; ${migration.version} follows ${previous}`
      );
    }
    previous = migration.version;
  }
}

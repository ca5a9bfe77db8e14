import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createTestSchema, postgresMaySkip, requireTestDatabaseUrl } from '../../test/support/postgres';
import { createLogger } from '../common/logger';
import { AuditWriter } from './audit-writer';
import { openDatabase } from './database';
import type { Database, DatabaseOptions } from './database';
import { MIGRATIONS, MigrationError, migrate } from './migrations';
import { COMMENT_ONLY, NO_REASON, createStore, openStore } from './store';
import type { AuditCard, AuditRecord, FeedbackItem, Store } from './store';

/**
 * One suite, run against the embedded store (PGlite) and a PostgreSQL server. PostgreSQL comes from
 * TEST_DATABASE_URL (`node scripts/with-postgres.mjs npx jest src/store`); without it that variant is
 * skipped, except in CI, where it fails.
 */

type Driver = Database['kind'];

/** Opening PGlite the first time creates its data folder, which takes a few seconds. */
const SLOW = 60_000;

const SNOMED = 'http://snomed.info/sct';
const PATIENT_HASH = 'a3'.repeat(32);

function auditRecord(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    time: new Date('2026-11-21T10:00:00.000Z'),
    hookInstance: randomUUID(),
    serviceId: 'lbp-triage',
    hook: 'patient-view',
    issuer: 'https://ehr.example.org',
    tenant: 'clinic-1',
    patientHash: PATIENT_HASH,
    rulesetVersion: '2026.11.1',
    ruleIds: ['RF-03'],
    status: 200,
    latencyMs: 12.75,
    cards: [],
    ...overrides,
  };
}

function card(uuid: string, ruleIds: string[], kinds: string[] = ['red-flag']): AuditCard {
  return { uuid, indicator: 'warning', ruleIds, kinds, suggestionUuids: [`${uuid}-s1`] };
}

function accepted(cardUuid: string, at: string): FeedbackItem {
  return { card: cardUuid, outcome: 'accepted', outcomeTimestamp: at, acceptedSuggestions: [{ id: `${cardUuid}-s1` }] };
}

function overridden(cardUuid: string, at: string, overrideReason?: FeedbackItem['overrideReason']): FeedbackItem {
  return { card: cardUuid, outcome: 'overridden', outcomeTimestamp: at, ...(overrideReason ? { overrideReason } : {}) };
}

async function count(db: Database, table: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return row?.n ?? -1;
}

const DRIVERS: Driver[] = ['pglite', 'postgres'];

describe.each(DRIVERS)('the store on %s', (driver) => {
  if (driver === 'postgres' && postgresMaySkip('the store on PostgreSQL (src/store/store.test.ts)')) {
    // eslint-disable-next-line jest/no-disabled-tests -- on purpose: no PostgreSQL here and not in CI
    it.skip('needs TEST_DATABASE_URL: run through `node scripts/with-postgres.mjs`', () => {
      expect(process.env.TEST_DATABASE_URL).toBeDefined();
    });
  } else {
    storeSuite(driver);
  }
});

function storeSuite(driver: Driver): void {
  let options: DatabaseOptions;
  let db: Database;
  let store: Store;
  let firstMigration: number[];
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ruggensteun-store-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    if (driver === 'postgres') {
      const schema = await createTestSchema(requireTestDatabaseUrl());
      cleanups.push(() => schema.drop());
      options = { databaseUrl: schema.url, dataDir };
    } else {
      options = { dataDir };
    }
    db = await openDatabase(options);
    firstMigration = await migrate(db);
    store = createStore(db);
  }, SLOW);

  afterAll(async () => {
    const opened = store as Store | undefined; // undefined when beforeAll failed
    await opened?.close().catch(() => undefined);
    for (const cleanup of cleanups.reverse()) {
      await cleanup();
    }
  }, SLOW);

  beforeEach(async () => {
    await db.query('TRUNCATE feedback, cards, hook_calls RESTART IDENTITY');
  });

  it('opens the expected driver and answers a ping', async () => {
    expect(db.kind).toBe(driver);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('runs several statements in a call without parameters and returns the rows of the last', async () => {
    expect(await db.query('SELECT 1 AS a; SELECT 2 AS b')).toEqual([{ b: 2 }]);
    expect(await db.query('SELECT $1::text AS a, $2::timestamptz AS t', ['x', new Date(0)])).toEqual([
      { a: 'x', t: new Date(0) },
    ]);
  });

  it('commits a transaction, rolls it back on an error, and makes nested transactions savepoints', async () => {
    await db.transaction(async (tx) => {
      await tx.query(
        "INSERT INTO hook_calls (time, hook_instance, service, hook, patient_hash, ruleset_version, status, latency_ms) VALUES (now(), 'kept', 's', 'h', 'p', 'v', 200, 1)"
      );
      await expect(
        tx.transaction(async (inner) => {
          await inner.query(
            "INSERT INTO hook_calls (time, hook_instance, service, hook, patient_hash, ruleset_version, status, latency_ms) VALUES (now(), 'undone', 's', 'h', 'p', 'v', 200, 1)"
          );
          throw new Error('undo the inner part');
        })
      ).rejects.toThrow('undo the inner part');
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query(
          "INSERT INTO hook_calls (time, hook_instance, service, hook, patient_hash, ruleset_version, status, latency_ms) VALUES (now(), 'rolled back', 's', 'h', 'p', 'v', 200, 1)"
        );
        throw new Error('roll back');
      })
    ).rejects.toThrow('roll back');
    expect(await db.query('SELECT hook_instance FROM hook_calls')).toEqual([{ hook_instance: 'kept' }]);
  });

  it('refuses a transaction handle used after its transaction, and reports SQLSTATE codes', async () => {
    let leaked: Database | undefined;
    await db.transaction((tx) => {
      leaked = tx;
      return Promise.resolve();
    });
    await expect(leaked!.query('SELECT 1')).rejects.toThrow(/transaction has ended/);
    await expect(db.query('SELECT * FROM no_such_table')).rejects.toMatchObject({ code: '42P01' });
  });

  it('applies the migrations once and records them', async () => {
    expect(firstMigration).toEqual(MIGRATIONS.map((migration) => migration.version));
    const before = await db.query<{ version: number; name: string; applied_at: Date }>(
      'SELECT version, name, applied_at FROM schema_migrations ORDER BY version'
    );
    expect(before.map((row) => [row.version, row.name])).toEqual(MIGRATIONS.map((m) => [m.version, m.name]));
    expect(await migrate(db)).toEqual([]);
    expect(await db.query('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')).toEqual(before);
  });

  it('refuses a database that a newer release has migrated', async () => {
    await db.query("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from the future')");
    try {
      await expect(migrate(db)).rejects.toThrow(MigrationError);
      await expect(migrate(db)).rejects.toThrow(/version 9999.*newer release/);
    } finally {
      await db.query('DELETE FROM schema_migrations WHERE version = 9999');
    }
  });

  it('rolls back a failed migration completely', async () => {
    const broken = [...MIGRATIONS, { version: 9000, name: 'broken', sql: 'CREATE TABLE half_done (x int); SELEC 1' }];
    await expect(migrate(db, broken)).rejects.toThrow();
    expect(await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'")).toEqual([]);
    expect(await db.query('SELECT version FROM schema_migrations WHERE version = 9000')).toEqual([]);
  });

  it('stores a hook call and its cards', async () => {
    const record = auditRecord({
      ruleIds: ['RF-03', 'RF-06', 'TS-00'],
      cards: [
        card('card-1', ['RF-03', 'RF-06']),
        { uuid: 'card-2', indicator: 'info', ruleIds: ['TS-00'], kinds: ['careplan'], suggestionUuids: ['s-a', 's-b'] },
      ],
    });
    await store.recordAudits([record]);
    const calls = await db.query<Record<string, unknown>>('SELECT *, id::text AS id FROM hook_calls');
    expect(calls).toEqual([
      {
        id: '1',
        time: record.time,
        hook_instance: record.hookInstance,
        service: 'lbp-triage',
        hook: 'patient-view',
        issuer: 'https://ehr.example.org',
        tenant: 'clinic-1',
        patient_hash: PATIENT_HASH,
        ruleset_version: '2026.11.1',
        rule_ids: ['RF-03', 'RF-06', 'TS-00'],
        status: 200,
        latency_ms: 12.75,
      },
    ]);
    expect(
      await db.query(
        'SELECT uuid, hook_call_id::text AS call, indicator, rule_ids, kinds, suggestion_uuids FROM cards ORDER BY uuid'
      )
    ).toEqual([
      {
        uuid: 'card-1',
        call: '1',
        indicator: 'warning',
        rule_ids: ['RF-03', 'RF-06'],
        kinds: ['red-flag'],
        suggestion_uuids: ['card-1-s1'],
      },
      {
        uuid: 'card-2',
        call: '1',
        indicator: 'info',
        rule_ids: ['TS-00'],
        kinds: ['careplan'],
        suggestion_uuids: ['s-a', 's-b'],
      },
    ]);
  });

  it('stores a call without cards, optional fields as NULL, and awkward array values intact', async () => {
    const anonymous = auditRecord();
    delete anonymous.issuer;
    delete anonymous.tenant;
    await store.recordAudits([{ ...anonymous, ruleIds: ['quote"d', 'comma,d', 'NULL', '', 'brace{}'] }]);
    expect(await db.query('SELECT issuer, tenant, rule_ids FROM hook_calls')).toEqual([
      { issuer: null, tenant: null, rule_ids: ['quote"d', 'comma,d', 'NULL', '', 'brace{}'] },
    ]);
    expect(await count(db, 'cards')).toBe(0);
  });

  it('writes a hook call and its cards in one transaction: all or nothing', async () => {
    const record = auditRecord({ cards: [card('same', ['RF-03']), card('same', ['RF-06'])] });
    await expect(store.recordAudits([record])).rejects.toThrow(/duplicate key/);
    expect(await count(db, 'hook_calls')).toBe(0);
    expect(await count(db, 'cards')).toBe(0);
  });

  it('writes a batch of hook calls in one transaction: all of them, or none when one is refused', async () => {
    await store.recordAudits([
      auditRecord({ hookInstance: 'batch-1', cards: [card('b1', ['RF-03'])] }),
      auditRecord({ hookInstance: 'batch-2', cards: [] }),
      auditRecord({ hookInstance: 'batch-3', cards: [card('b3', ['PR-01']), card('b3b', ['TS-00'])] }),
    ]);
    expect(await db.query('SELECT hook_instance FROM hook_calls ORDER BY id')).toEqual([
      { hook_instance: 'batch-1' },
      { hook_instance: 'batch-2' },
      { hook_instance: 'batch-3' },
    ]);
    expect(await count(db, 'cards')).toBe(3);

    await expect(
      store.recordAudits([
        auditRecord({ hookInstance: 'batch-4', cards: [card('b4', ['RF-03'])] }),
        auditRecord({ hookInstance: 'batch-5', cards: [card('b1', ['RF-03'])] }), // b1 is stored already
      ])
    ).rejects.toThrow(/duplicate key/);
    expect(await count(db, 'hook_calls')).toBe(3);
    expect(await count(db, 'cards')).toBe(3);
  });

  it(
    'keeps everything across a restart, and reopening does not migrate again',
    async () => {
      await store.recordAudits([auditRecord({ cards: [card('durable', ['RF-03'])] })]);
      await store.recordFeedback('lbp-triage', [accepted('durable', '2026-11-21T10:05:00Z')]);
      const migrations = await db.query('SELECT version, applied_at FROM schema_migrations');
      await store.close();

      const reopened = await openStore(options);
      try {
        expect(await reopened.report({})).toEqual([
          { ruleId: 'RF-03', kind: 'red-flag', shown: 1, accepted: 1, overridden: 0, overrideReasons: {} },
        ]);
        expect(await reopened.recordFeedback('lbp-triage', [accepted('durable', '2026-11-21T10:05:00Z')])).toEqual([
          { card: 'durable', outcome: 'accepted', stored: false, knownCard: true },
        ]);
      } finally {
        await reopened.close();
        db = await openDatabase(options);
        store = createStore(db);
      }
      expect(await db.query('SELECT version, applied_at FROM schema_migrations')).toEqual(migrations);
      expect(await count(db, 'hook_calls')).toBe(1);
    },
    SLOW
  );

  it('remembers red flags shown in an order session, and forgets sessions older than a day', async () => {
    await db.query('TRUNCATE red_flag_order_sessions');
    const old = new Date('2026-11-19T09:00:00.000Z');
    const now = new Date('2026-11-21T10:00:00.000Z');
    await db.query(
      `INSERT INTO red_flag_order_sessions (session_key, shown_at, rule_ids) VALUES ('old', $1, ARRAY['RF-03']), ('recent', $2, ARRAY['RF-01'])`,
      [old, new Date(now.getTime() - 23 * 3_600_000)]
    );
    // A fresh store purges on its first write.
    const fresh = createStore(db);
    await fresh.rememberRedFlagsShown('now', { at: now, ruleIds: ['RF-03', 'RF-05'] });
    expect(await fresh.redFlagsShownIn('old')).toBeUndefined();
    expect(await fresh.redFlagsShownIn('recent')).toEqual({
      at: new Date(now.getTime() - 23 * 3_600_000),
      ruleIds: ['RF-01'],
    });
    expect(await fresh.redFlagsShownIn('now')).toEqual({ at: now, ruleIds: ['RF-03', 'RF-05'] });
    // A later showing replaces the session's record; an older one (a late writer) changes nothing.
    await fresh.rememberRedFlagsShown('now', { at: new Date(now.getTime() + 60_000), ruleIds: ['RF-03'] });
    await fresh.rememberRedFlagsShown('now', { at: old, ruleIds: ['RF-08'] });
    expect(await fresh.redFlagsShownIn('now')).toEqual({ at: new Date(now.getTime() + 60_000), ruleIds: ['RF-03'] });
  });

  it('stores feedback once: a repeat, also of the same instant written differently, is not stored again', async () => {
    await store.recordAudits([auditRecord({ cards: [card('card-1', ['RF-03'])] })]);
    const item = accepted('card-1', '2026-11-21T10:05:31Z');
    expect(await store.recordFeedback('lbp-triage', [item])).toEqual([
      { card: 'card-1', outcome: 'accepted', stored: true, knownCard: true },
    ]);
    expect(await store.recordFeedback('lbp-triage', [item])).toEqual([
      { card: 'card-1', outcome: 'accepted', stored: false, knownCard: true },
    ]);
    const sameInstant = { ...item, outcomeTimestamp: '2026-11-21T11:05:31+01:00' };
    expect(await store.recordFeedback('lbp-triage', [sameInstant, item])).toEqual([
      { card: 'card-1', outcome: 'accepted', stored: false, knownCard: true },
      { card: 'card-1', outcome: 'accepted', stored: false, knownCard: true },
    ]);
    // Another outcome or another moment for the same card is new feedback.
    const later = await store.recordFeedback('lbp-triage', [
      overridden('card-1', '2026-11-21T10:05:31Z', { userComment: 'changed my mind' }),
      accepted('card-1', '2026-11-21T10:05:31.5Z'),
    ]);
    expect(later.map((result) => result.stored)).toEqual([true, true]);
    expect(await count(db, 'feedback')).toBe(3);
  });

  it('stores several items per request, in order, and accepts unknown cards', async () => {
    await store.recordAudits([auditRecord({ cards: [card('known-1', ['RF-03']), card('known-2', ['PR-01'])] })]);
    const results = await store.recordFeedback(
      'lbp-triage',
      [
        accepted('known-1', '2026-11-21T10:05:00Z'),
        { card: 'unknown', outcome: 'accepted', outcomeTimestamp: '2026-11-21T10:06:00Z' },
        overridden('known-2', '2026-11-21T10:07:00.123456Z', {
          reason: { system: SNOMED, code: '183944003', display: 'Procedure refused' },
          userComment: 'Patient declines for now',
        }),
      ],
      { issuer: 'https://ehr.example.org', tenant: 'clinic-1' }
    );
    expect(results).toEqual([
      { card: 'known-1', outcome: 'accepted', stored: true, knownCard: true },
      { card: 'unknown', outcome: 'accepted', stored: true, knownCard: false },
      { card: 'known-2', outcome: 'overridden', stored: true, knownCard: true },
    ]);
    const rows = await db.query<Record<string, unknown>>(
      `SELECT card_uuid, service, outcome, to_char(outcome_timestamp AT TIME ZONE 'UTC', 'HH24:MI:SS.US') AS at,
              accepted_suggestions, override_system, override_code, override_display, override_comment, known_card,
              issuer, tenant, received_at IS NOT NULL AS received
       FROM feedback ORDER BY id`
    );
    const common = { service: 'lbp-triage', issuer: 'https://ehr.example.org', tenant: 'clinic-1', received: true };
    const noReason = { override_system: null, override_code: null, override_display: null, override_comment: null };
    expect(rows).toEqual([
      {
        ...common,
        ...noReason,
        card_uuid: 'known-1',
        outcome: 'accepted',
        at: '10:05:00.000000',
        accepted_suggestions: ['known-1-s1'],
        known_card: true,
      },
      {
        ...common,
        ...noReason,
        card_uuid: 'unknown',
        outcome: 'accepted',
        at: '10:06:00.000000',
        accepted_suggestions: [],
        known_card: false,
      },
      {
        ...common,
        card_uuid: 'known-2',
        outcome: 'overridden',
        at: '10:07:00.123456',
        accepted_suggestions: [],
        override_system: SNOMED,
        override_code: '183944003',
        override_display: 'Procedure refused',
        override_comment: 'Patient declines for now',
        known_card: true,
      },
    ]);
  });

  it('rejects a malformed item before storing any item of the request', async () => {
    const items = [accepted('card-1', '2026-11-21T10:05:00Z'), accepted('card-2', '21/11/2026 10:05')];
    await expect(store.recordFeedback('lbp-triage', items)).rejects.toThrow(/feedback\[1\]\.outcomeTimestamp/);
    const badOutcome = { ...accepted('card-3', '2026-11-21T10:05:00Z'), outcome: 'ignored' } as unknown as FeedbackItem;
    await expect(store.recordFeedback('lbp-triage', [badOutcome])).rejects.toThrow(/outcome/);
    expect(await count(db, 'feedback')).toBe(0);
  });

  it('reports per rule id and kind: shown, accepted, overridden (latest feedback decides) and override reasons', async () => {
    await store.recordAudits([
      auditRecord({
        cards: [
          card('c1', ['RF-03', 'RF-06']),
          card('c2', ['RF-03']),
          card('c3', ['RF-03']),
          card('c4', ['PR-01'], ['precaution']),
          card('c5', ['PR-01'], ['precaution']),
          card('c6', ['TS-00'], ['careplan']),
          card('c7', ['RF-03']),
        ],
      }),
    ]);
    await store.recordAudits([auditRecord({ cards: [card('c8', ['RF-03']), card('c9', [], [])] })]);
    const declined = { reason: { system: SNOMED, code: '183944003' } };
    await store.recordFeedback('lbp-triage', [
      accepted('c1', '2026-11-21T10:01:00Z'),
      accepted('c1', '2026-11-21T10:01:30Z'), // a second acceptance of the same card counts once
      overridden('c2', '2026-11-21T10:02:00Z', { ...declined, userComment: 'not now' }),
      overridden('c3', '2026-11-21T10:03:00Z', { userComment: 'Already referred' }),
      overridden('c4', '2026-11-21T10:04:00Z', declined),
      accepted('c4', '2026-11-21T10:09:00Z'), // later: the card counts as accepted
      overridden('c6', '2026-11-21T10:06:00Z'),
      accepted('c7', '2026-11-21T10:07:00Z'),
      overridden('c7', '2026-11-21T10:08:00Z', declined), // later: the card counts as overridden
      overridden('c8', '2026-11-21T10:08:00Z', { reason: { system: 'urn:local', code: 'dup' } }),
      accepted('not-a-card', '2026-11-21T10:08:00Z'), // unknown: not in the report
    ]);

    expect(await store.report({})).toEqual([
      { ruleId: '(none)', kind: '(none)', shown: 1, accepted: 0, overridden: 0, overrideReasons: {} },
      { ruleId: 'PR-01', kind: 'precaution', shown: 2, accepted: 1, overridden: 0, overrideReasons: {} },
      {
        ruleId: 'RF-03',
        kind: 'red-flag',
        shown: 5,
        accepted: 1,
        overridden: 4,
        overrideReasons: { [`${SNOMED}|183944003`]: 2, [COMMENT_ONLY]: 1, 'urn:local|dup': 1 },
      },
      { ruleId: 'RF-06', kind: 'red-flag', shown: 1, accepted: 1, overridden: 0, overrideReasons: {} },
      { ruleId: 'TS-00', kind: 'careplan', shown: 1, accepted: 0, overridden: 1, overrideReasons: { [NO_REASON]: 1 } },
    ]);
  });

  it('counts a card with several kinds under each kind', async () => {
    await store.recordAudits([auditRecord({ cards: [card('both', ['RF-03'], ['red-flag', 'referral'])] })]);
    await store.recordFeedback('lbp-triage', [accepted('both', '2026-11-21T10:01:00Z')]);
    expect(await store.report({})).toEqual([
      { ruleId: 'RF-03', kind: 'red-flag', shown: 1, accepted: 1, overridden: 0, overrideReasons: {} },
      { ruleId: 'RF-03', kind: 'referral', shown: 1, accepted: 1, overridden: 0, overrideReasons: {} },
    ]);
  });

  it('filters on when the card was shown: from inclusive, to exclusive', async () => {
    const days = ['2026-11-01', '2026-11-02', '2026-11-03'];
    for (const day of days) {
      await store.recordAudits([
        auditRecord({ time: new Date(`${day}T12:00:00Z`), cards: [card(`card-${day}`, ['RF-03'])] }),
      ]);
      // Feedback arriving days later still counts for the day the card was shown.
      await store.recordFeedback('lbp-triage', [accepted(`card-${day}`, '2026-11-20T08:00:00Z')]);
    }
    const shown = async (from?: string, to?: string) =>
      (
        await store.report({
          ...(from ? { from: new Date(from) } : {}),
          ...(to ? { to: new Date(to) } : {}),
        })
      ).map((row) => [row.shown, row.accepted]);
    expect(await shown()).toEqual([[3, 3]]);
    expect(await shown('2026-11-02T12:00:00Z')).toEqual([[2, 2]]);
    expect(await shown(undefined, '2026-11-02T12:00:00Z')).toEqual([[1, 1]]);
    expect(await shown('2026-11-02T00:00:00Z', '2026-11-03T00:00:00Z')).toEqual([[1, 1]]);
    expect(await shown('2026-11-04T00:00:00Z')).toEqual([]);
  });

  it(
    'stores every distinct item exactly once under 1,000 posts from 50 concurrent clients',
    async () => {
      const DISTINCT = 600;
      const base = Date.parse('2026-11-21T09:00:00Z');
      const item = (k: number): FeedbackItem =>
        k % 3 === 0
          ? overridden(`conc-${k}`, new Date(base + (k % 7) * 1000).toISOString(), { userComment: `k${k}` })
          : accepted(`conc-${k}`, new Date(base + (k % 7) * 1000).toISOString());
      // Half of the cards are in the audit trail.
      await store.recordAudits([
        auditRecord({ cards: Array.from({ length: DISTINCT / 2 }, (_, k) => card(`conc-${k}`, ['RF-03'])) }),
      ]);
      const results = await Promise.all(
        Array.from({ length: 50 }, async (_, worker) => {
          const mine = [];
          for (let call = 0; call < 20; call++) {
            const g = worker * 20 + call;
            // Every key appears at least once; many appear two to four times, some within one request.
            const items = [item(g % DISTINCT), item((g * 7 + 13) % DISTINCT)];
            mine.push(...(await store.recordFeedback('lbp-triage', items, { tenant: `client-${worker}` })));
          }
          return mine;
        })
      );
      const all = results.flat();
      expect(all).toHaveLength(2000);
      const storedPerCard = new Map<string, number>();
      for (const result of all) {
        storedPerCard.set(result.card, (storedPerCard.get(result.card) ?? 0) + (result.stored ? 1 : 0));
        expect(result.knownCard).toBe(Number(result.card.slice('conc-'.length)) < DISTINCT / 2);
      }
      expect(storedPerCard.size).toBe(DISTINCT);
      expect([...storedPerCard.values()].every((stored) => stored === 1)).toBe(true);
      expect(await count(db, 'feedback')).toBe(DISTINCT);
      expect(
        await db.query('SELECT count(DISTINCT (card_uuid, outcome, outcome_timestamp))::int AS n FROM feedback')
      ).toEqual([{ n: DISTINCT }]);
    },
    SLOW
  );

  it('is written to by the AuditWriter, one record after the other', async () => {
    const lines: string[] = [];
    const logger = createLogger(
      { logLevel: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      })
    );
    const writer = new AuditWriter(store, { queueSize: 100, logger });
    for (let i = 0; i < 20; i++) {
      writer.enqueue(auditRecord({ cards: [card(`w-${i}`, ['RF-03'])] }));
    }
    writer.enqueue(auditRecord({ cards: [card('w-0', ['RF-03'])] })); // duplicate card uuid: fails
    writer.enqueue(auditRecord({ cards: [card('w-last', ['RF-03'])] }));
    await writer.flush();
    expect(writer.stats()).toEqual({ queued: 0, written: 21, dropped: 0, failed: 1, retrying: 0 });
    expect(await count(db, 'hook_calls')).toBe(21);
    expect(lines.join('')).not.toContain(PATIENT_HASH);
  });
}

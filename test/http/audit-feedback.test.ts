import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import type { CdsCard } from '../../src/render/cds-response';
import { AuditWriter } from '../../src/store/audit-writer';
import { openDatabase } from '../../src/store/database';
import type { Database } from '../../src/store/database';
import { migrate } from '../../src/store/migrations';
import { resolveHashKey } from '../../src/store/patient-hash';
import { createStore } from '../../src/store/store';
import type { ReportRow, Store } from '../../src/store/store';
import { silentLogger, testApp } from '../support/app';
import { createTestSchema, postgresMaySkip } from '../support/postgres';
import { loadSample, patientViewOf } from '../support/sample-patients';

/**
 * The audit trail and clinician feedback through the app, on the embedded store (PGlite in a temporary folder):
 * one record per hook call, patient ids only as keyed hashes, idempotent feedback joined to the cards, and the
 * report at GET /stats.
 */

let dataDir: string;
let db: Database;
let store: Store;
let writer: AuditWriter;
let app: Express;

async function openCards(sample: string): Promise<CdsCard[]> {
  const res = await request(app)
    .post('/cds-services/lbp-patient-view')
    .send(patientViewOf(loadSample(sample)))
    .expect(200);
  await writer.flush();
  return (res.body as { cards: CdsCard[] }).cards;
}

const feedback = (items: object[]) =>
  request(app).post('/cds-services/lbp-patient-view/feedback').send({ feedback: items });

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'ruggensteun-audit-'));
  db = await openDatabase({ dataDir });
  await migrate(db);
  store = createStore(db);
  writer = new AuditWriter(store, { queueSize: 100, logger: silentLogger });
  const hashKey = await resolveHashKey({ dataDir, embedded: true });
  app = testApp({}, { audit: { writer, hashKey }, store: () => store }).app;
}, 60_000);

afterAll(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('audit trail', () => {
  it('records one hook call with its rule ids, cards and suggestions, the patient only as a keyed hash', async () => {
    const cards = await openCards('chronic-clean');
    const [call] = await db.query<Record<string, unknown>>(
      `SELECT service, hook, patient_hash, ruleset_version, rule_ids, status, latency_ms FROM hook_calls ORDER BY id DESC LIMIT 1`
    );
    expect(call).toMatchObject({
      service: 'lbp-patient-view',
      hook: 'patient-view',
      ruleset_version: '2026.11.0',
      status: 200,
    });
    expect(call!.rule_ids).toEqual(expect.arrayContaining(['TS-13', 'TS-20', 'TS-26', 'TS-27']));
    expect(call!.patient_hash).toMatch(/^[0-9a-f]{64}$/);
    const everything = JSON.stringify(await db.query(`SELECT * FROM hook_calls`));
    expect(everything).not.toContain('chronic-clean');
    const stored = await db.query<{ uuid: string; suggestion_uuids: string[] }>(
      `SELECT uuid, suggestion_uuids FROM cards`
    );
    const recommendation = cards.find((card) => card.suggestions);
    expect(stored).toEqual(
      expect.arrayContaining([
        { uuid: recommendation!.uuid, suggestion_uuids: [recommendation!.suggestions![0]!.uuid] },
      ])
    );
  });

  it('records a 412 too', async () => {
    await request(app)
      .post('/cds-services/lbp-patient-view')
      .send({ ...patientViewOf(loadSample('fever')), prefetch: undefined })
      .expect(412);
    await writer.flush();
    const [call] = await db.query<{ status: number }>(`SELECT status FROM hook_calls ORDER BY id DESC LIMIT 1`);
    expect(call?.status).toBe(412);
  });

  it('keeps answering hook calls when the store is down (after the commit time limit), and retries the record', async () => {
    const failing = new AuditWriter(
      { recordAudits: () => Promise.reject(new Error('connection refused')) },
      { queueSize: 10, logger: silentLogger }
    );
    const down = testApp(
      { AUDIT_COMMIT_TIMEOUT_MS: '100' },
      { audit: { writer: failing, hashKey: Buffer.alloc(32, 1) } }
    );
    await request(down.app)
      .post('/cds-services/lbp-patient-view')
      .send(patientViewOf(loadSample('fever')))
      .expect(200);
    await failing.flush(200);
    expect(failing.stats()).toMatchObject({ failed: 0, written: 0, retrying: 1 });
  });
});

describe('feedback', () => {
  it('stores an accepted suggestion once, however often it is sent, and joins it to its card', async () => {
    const card = (await openCards('chronic-clean')).find((candidate) => candidate.suggestions)!;
    const item = {
      card: card.uuid,
      outcome: 'accepted',
      acceptedSuggestions: [{ id: card.suggestions![0]!.uuid }],
      outcomeTimestamp: '2026-11-21T10:05:31Z',
    };
    const first = await feedback([item]).expect(200);
    expect(first.body).toEqual({ feedback: [{ card: card.uuid, outcome: 'accepted', stored: true, knownCard: true }] });
    const again = await feedback([item]).expect(200);
    expect(again.body.feedback[0]).toMatchObject({ stored: false, knownCard: true });
    const rows = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM feedback WHERE card_uuid = $1`, [
      card.uuid,
    ]);
    expect(rows[0]?.count).toBe(1);
  });

  it('accepts several items, flags unknown cards, and keeps override reasons', async () => {
    const card = (await openCards('older-novice')).find((candidate) => candidate.indicator === 'warning')!;
    const res = await feedback([
      {
        card: card.uuid,
        outcome: 'overridden',
        outcomeTimestamp: '2026-11-21T10:06:00Z',
        overrideReason: {
          reason: { system: 'https://ruggensteun.org/fhir/CodeSystem/override-reason', code: 'not-relevant-now' },
        },
      },
      {
        card: 'card-from-another-service',
        outcome: 'overridden',
        outcomeTimestamp: '2026-11-21T10:07:00Z',
        overrideReason: { userComment: 'n/a' },
      },
    ]).expect(200);
    expect(res.body.feedback).toEqual([
      { card: card.uuid, outcome: 'overridden', stored: true, knownCard: true },
      { card: 'card-from-another-service', outcome: 'overridden', stored: true, knownCard: false },
    ]);
  });

  it.each([
    [{ card: 'c', outcome: 'accepted', outcomeTimestamp: '2026-11-21T10:00:00Z' }, 'feedback[0].acceptedSuggestions'],
    [{ card: 'c', outcome: 'overridden' }, 'feedback[0].outcomeTimestamp'],
    [{ card: 'c', outcome: 'overridden', outcomeTimestamp: '21-11-2026' }, 'feedback[0].outcomeTimestamp'],
    [{ card: 'c', outcome: 'dismissed', outcomeTimestamp: '2026-11-21T10:00:00Z' }, 'feedback[0].outcome'],
    [
      { card: 'c', outcome: 'overridden', outcomeTimestamp: '2026-11-21T10:00:00Z', overrideReason: {} },
      'feedback[0].overrideReason',
    ],
    [{ outcome: 'overridden', outcomeTimestamp: '2026-11-21T10:00:00Z' }, 'feedback[0].card'],
  ])('answers 400 naming the field for %j', async (item, expression) => {
    const res = await feedback([item]).expect(400);
    expect((res.body.issue as { expression: string[] }[]).flatMap((issue) => issue.expression)).toContain(expression);
  });

  it('answers 400 to a body without feedback items', async () => {
    const res = await request(app).post('/cds-services/lbp-patient-view/feedback').send({ feedback: [] }).expect(400);
    expect(res.body.issue[0].expression).toEqual(['feedback']);
  });
});

describe('GET /stats', () => {
  it('reports per rule id and card kind how often cards were shown, accepted and overridden, with the reasons', async () => {
    const res = await request(app).get('/stats').expect(200);
    const rows = res.body.rows as ReportRow[];
    const ts13 = rows.find((row) => row.ruleId === 'TS-13' && row.kind === 'recommendation');
    expect(ts13).toMatchObject({ accepted: 1, overridden: 0 });
    expect(ts13!.shown).toBeGreaterThanOrEqual(2);
    const pr04 = rows.find((row) => row.ruleId === 'PR-04' && row.kind === 'precaution');
    expect(pr04).toMatchObject({
      overridden: 1,
      overrideReasons: { 'https://ruggensteun.org/fhir/CodeSystem/override-reason|not-relevant-now': 1 },
    });
  });

  it('filters by date range and rejects a bad date', async () => {
    const future = await request(app).get('/stats?from=2100-01-01').expect(200);
    expect(future.body).toEqual({ from: '2100-01-01T00:00:00.000Z', rows: [] });
    const res = await request(app).get('/stats?from=yesterday').expect(400);
    expect(res.body.issue[0].expression).toEqual(['from']);
  });
});

/** The poison items on the embedded store above, and on PostgreSQL (which refuses such values in its columns). */
const poisonStores: [string, () => Promise<{ db: Database; close: () => Promise<void> }>][] = [
  ['PGlite', () => Promise.resolve({ db, close: () => Promise.resolve() })],
];
if (!postgresMaySkip('poison feedback items on PostgreSQL')) {
  poisonStores.push([
    'PostgreSQL',
    async () => {
      const schema = await createTestSchema();
      const postgres = await openDatabase({ dataDir: '', databaseUrl: schema.url });
      await migrate(postgres);
      return {
        db: postgres,
        close: async () => {
          await postgres.close();
          await schema.drop();
        },
      };
    },
  ]);
}

describe.each(poisonStores)('feedback with invalid items (poison items) on %s', (_name, openTarget) => {
  let target: Database;
  let close: () => Promise<void>;
  let poisonApp: Express;
  beforeAll(async () => {
    ({ db: target, close } = await openTarget());
    poisonApp = testApp({}, { store: () => createStore(target) }).app;
  }, 60_000);
  afterAll(() => close());
  const feedback = (items: object[]) =>
    request(poisonApp).post('/cds-services/lbp-patient-view/feedback').send({ feedback: items });
  const valid = (n: number) => ({
    card: `poison-test-card-${n}`,
    outcome: 'overridden',
    outcomeTimestamp: '2026-11-21T10:07:00Z',
    overrideReason: { userComment: `valid ${n}` },
  });
  const countOf = async (prefix: string) =>
    (
      await target.query<{ count: number }>(`SELECT count(*)::int AS count FROM feedback WHERE card_uuid LIKE $1`, [
        `${prefix}%`,
      ])
    )[0]?.count;

  it.each([
    ['a date that does not exist', { outcomeTimestamp: '2026-02-30T10:00:00Z' }, 'outcomeTimestamp'],
    ['year 0', { outcomeTimestamp: '0000-01-01T00:00:00Z' }, 'outcomeTimestamp'],
    ['a NUL byte in the comment', { overrideReason: { userComment: 'a\u0000b' } }, 'overrideReason.userComment'],
    ['a NUL byte in the card id', { card: 'card\u0000x' }, 'card'],
    [
      'an over-long reason code',
      { overrideReason: { reason: { system: 's', code: 'x'.repeat(500) } } },
      'overrideReason.reason.code',
    ],
  ])('%s: 400 naming the item, the valid items before and after it are stored', async (_name, change, field) => {
    const prefix = `poison-${field}-${Math.random().toString(36).slice(2)}-`;
    const items = [1, 2, 3].map((n) => ({ ...valid(n), card: `${prefix}${n}` }));
    const sent = [items[0], { ...items[1], ...change }, items[2]];
    const res = await feedback(sent as object[]).expect(400);
    const errors = (res.body as { issue: { severity: string; expression: string[] }[] }).issue.filter(
      (issue) => issue.severity === 'error'
    );
    expect(errors.map((issue) => issue.expression)).toEqual([[`feedback[1].${field}`]]);
    const notes = (res.body as { issue: { severity: string; expression: string[] }[] }).issue.filter(
      (issue) => issue.severity === 'information'
    );
    expect(notes.map((issue) => issue.expression)).toEqual([['feedback[0]'], ['feedback[2]']]);
    expect(await countOf(prefix)).toBe(2);
    // Sent again with the bad item fixed: the others are repeats, the fixed one is stored; nothing twice.
    const fixed = await feedback(items).expect(200);
    expect((fixed.body as { feedback: { stored: boolean }[] }).feedback.map((r) => r.stored)).toEqual([
      false,
      true,
      false,
    ]);
    expect(await countOf(prefix)).toBe(3);
  });
});

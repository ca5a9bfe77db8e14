import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { patientViewRequest } from '../support/hook-requests';
import { createTestSchema, postgresMaySkip } from '../support/postgres';
import type { TestSchema } from '../support/postgres';
import { post, readyz, spawnService, until } from '../support/service-process';
import type { ServiceProcess } from '../support/service-process';
import { occurrences } from '../support/store-rows';
import { createTestIssuer } from '../support/test-issuer';

/**
 * More than one process (issue 14), as real child processes: the embedded store serves one process, so a second
 * one on the same DATA_DIR refuses to start and names the holder; PostgreSQL serves several instances, which then
 * share the jti replay record (a token used on one is refused on the other), feedback idempotency and the audit.
 */
const feedbackItem = (card: string) => ({
  card,
  outcome: 'overridden',
  outcomeTimestamp: '2026-11-21T10:00:00Z',
  overrideReason: { userComment: 'two instances' },
});

let services: ServiceProcess[] = [];
let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(services.map((service) => service.kill()));
  services = [];
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  dirs = [];
});
const start = (env: Record<string, string>) => {
  const service = spawnService(env);
  services.push(service);
  return service;
};
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ruggensteun-instances-'));
  dirs.push(dir);
  return dir;
};

describe('two processes on one DATA_DIR (the embedded store)', () => {
  it('the second fails at start-up with a message naming the holder; the first keeps working', async () => {
    const dataDir = tempDir();
    const first = start({ DATA_DIR: dataDir });
    const url = await first.whenListening();
    const second = start({ DATA_DIR: dataDir });
    expect(await second.exited).toBe(1);
    const fatal = second.logs.find((line) => line.msg === 'start-up failed') as { err?: { message?: string } };
    expect(fatal.err?.message).toMatch(new RegExp(`DATA_DIR ${dataDir} is in use by process ${first.pid}\\b`));
    expect(second.logs.some((line) => line.msg === 'ready')).toBe(false);
    // The holder was not disturbed: it opens its store and keeps what it acknowledges.
    expect(await until(async () => (await readyz(url)).status === 200, 40_000)).toBe(true);
    const card = `holder-${randomUUID()}`;
    const res = await post(`${url}/cds-services/lbp-patient-view/feedback`, { feedback: [feedbackItem(card)] });
    expect(res.status).toBe(200);
    expect(await first.stop()).toBe(0);
    expect((await occurrences({ dataDir }, 'feedback', 'card_uuid', [card])).get(card)).toBe(1);
  }, 90_000);
});

const suite = postgresMaySkip('two instances on one PostgreSQL') ? describe.skip : describe;
suite('two instances on one PostgreSQL', () => {
  let schema: TestSchema;
  beforeEach(async () => {
    schema = await createTestSchema();
  });
  afterEach(async () => {
    await schema.drop();
  });

  it('a token replayed on the other instance is a 401, feedback is stored once, and the audit is complete', async () => {
    const base = 'https://cds.example.org';
    const ehr = await createTestIssuer();
    const env = {
      DATABASE_URL: schema.url,
      PATIENT_HASH_KEY: randomBytes(32).toString('hex'),
      CDS_AUTH: 'required',
      TRUSTED_ISSUERS: ehr.trustedIssuers,
      PUBLIC_BASE_URL: base,
      AUDIT_COMMIT_TIMEOUT_MS: '30000',
    };
    const [a, b] = [start({ ...env, DATA_DIR: tempDir() }), start({ ...env, DATA_DIR: tempDir() })];
    const urls = await Promise.all([a.whenListening(), b.whenListening()]);
    for (const url of urls) {
      expect(await until(async () => (await readyz(url)).status === 200, 40_000)).toBe(true);
    }
    const [urlA, urlB] = urls;
    const hookPath = '/cds-services/lbp-patient-view';
    const bearer = async (route: string) => ({ authorization: `Bearer ${await ehr.token(`${base}${route}`)}` });

    // Replay: used on A, then presented to B (and to A again).
    const call = patientViewRequest();
    const headers = await bearer(hookPath);
    expect((await post(`${urlA}${hookPath}`, call, headers)).status).toBe(200);
    expect((await post(`${urlB}${hookPath}`, patientViewRequest(), headers)).status).toBe(401);
    expect((await post(`${urlA}${hookPath}`, patientViewRequest(), headers)).status).toBe(401);

    // Hook calls on both, each with a fresh token, concurrently: every answered call is in the one audit trail.
    const answered = [call.hookInstance as string];
    await Promise.all(
      Array.from({ length: 12 }, async (_unused, n) => {
        const body = patientViewRequest();
        const res = await post(`${n % 2 === 0 ? urlA : urlB}${hookPath}`, body, await bearer(hookPath));
        expect(res.status).toBe(200);
        answered.push(body.hookInstance as string);
      })
    );

    // The same feedback sent to both instances at once, then again: one row per item.
    const feedbackPath = `${hookPath}/feedback`;
    const cards = Array.from({ length: 10 }, () => `shared-${randomUUID()}`);
    const results = await Promise.all(
      [urlA, urlB, urlA, urlB].map(async (url) => {
        const res = await post(
          `${url}${feedbackPath}`,
          { feedback: cards.map(feedbackItem) },
          await bearer(feedbackPath)
        );
        expect(res.status).toBe(200);
        return (res.body as { feedback: { stored: boolean }[] }).feedback;
      })
    );
    // Across the four posts each item was stored exactly once; the other three answers say "stored before".
    cards.forEach((_card, index) => {
      expect(results.filter((answers) => answers[index]?.stored).length).toBe(1);
    });

    expect(await Promise.all([a.stop(), b.stop()])).toEqual([0, 0]);
    const where = { dataDir: '', databaseUrl: schema.url };
    const feedback = await occurrences(where, 'feedback', 'card_uuid', cards);
    expect(cards.map((card) => feedback.get(card))).toEqual(cards.map(() => 1));
    const audited = await occurrences(where, 'hook_calls', 'hook_instance', answered);
    expect(answered.map((id) => audited.get(id))).toEqual(answered.map(() => 1));
  }, 120_000);
});

import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findBinaries, PostgresCluster } from '../../scripts/postgres-cluster.cjs';
import type { CdsCard } from '../../src/render/cds-response';
import { patientViewRequest } from '../support/hook-requests';
import { skipNotice } from '../support/postgres';
import { post, readyz, spawnService, until } from '../support/service-process';
import type { ServiceProcess } from '../support/service-process';
import { occurrences } from '../support/store-rows';

/**
 * A PostgreSQL outage and its recovery (issue 14), with a real PostgreSQL of this test's own (the binaries
 * `npm test` uses), stopped with pg_ctl and started again on the same port, and the service as a real process.
 * During the outage /readyz is 503 naming the store, hook calls are answered as before while their audit
 * records wait and are retried, and feedback gets a retryable 503 with Retry-After. After it /readyz is 200 and
 * every answered call's audit record is in the database, once.
 */
const bindir = findBinaries();
if (bindir === undefined && process.env.CI !== 'true') {
  skipNotice('the PostgreSQL outage test', 'needs the PostgreSQL server binaries (apt-get install postgresql)');
}
const suite = bindir === undefined && process.env.CI !== 'true' ? describe.skip : describe;

/** What the GP sees, without the per-call uuids. */
const shown = (cards: CdsCard[]) => cards.map((card) => ({ indicator: card.indicator, summary: card.summary }));

suite('a PostgreSQL outage', () => {
  let cluster: PostgresCluster;
  let service: ServiceProcess | undefined;
  let dataDir: string;
  beforeAll(async () => {
    if (bindir === undefined) {
      throw new Error('CI=true and no PostgreSQL server binaries: install them (apt-get install postgresql)');
    }
    cluster = new PostgresCluster({ bindir, database: 'ruggensteun_outage' });
    cluster.create();
    await cluster.start();
    dataDir = mkdtempSync(path.join(tmpdir(), 'ruggensteun-outage-'));
  }, 60_000);
  afterAll(async () => {
    await service?.kill();
    cluster.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is reported, survived and recovered from: /readyz 503 then 200, audit retried, feedback 503 then stored', async () => {
    service = spawnService({
      DATA_DIR: dataDir,
      DATABASE_URL: cluster.url,
      PATIENT_HASH_KEY: randomBytes(32).toString('hex'),
      // Short waits, so the outage shows quickly: a call waits 1 s for its audit commit, feedback 1 s for the store.
      AUDIT_COMMIT_TIMEOUT_MS: '1000',
      STORE_WAIT_MS: '1000',
    });
    const url = await service.whenListening();
    expect(await until(async () => (await readyz(url)).status === 200, 30_000)).toBe(true);
    const hook = `${url}/cds-services/lbp-patient-view`;
    const answered: string[] = [];
    const call = async () => {
      const body = patientViewRequest();
      const res = await post(hook, body);
      expect(res.status).toBe(200);
      answered.push(body.hookInstance as string);
      return shown((res.body as { cards: CdsCard[] }).cards);
    };
    const before = await call();
    expect(before.length).toBeGreaterThan(0);

    cluster.stop('fast');
    expect(await until(async () => (await readyz(url)).status === 503, 15_000)).toBe(true);
    expect((await readyz(url)).body).toMatchObject({
      status: 'degraded',
      degraded: ['store'],
      store: { state: 'unavailable' },
    });
    // The GP's answers do not depend on the store: the same cards, while their audit records wait.
    for (let n = 0; n < 3; n++) {
      expect(await call()).toEqual(before);
    }
    const pending = (await readyz(url)).body as { audit: { queued: number; retrying: number } };
    expect(pending.audit.queued).toBe(3);
    const card = `outage-${randomUUID()}`;
    const feedback = {
      feedback: [
        { card, outcome: 'overridden', outcomeTimestamp: '2026-11-21T10:00:00Z', overrideReason: { userComment: 'x' } },
      ],
    };
    const refused = await post(`${hook}/feedback`, feedback);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body).toMatchObject({ issue: [{ code: 'transient' }] });

    await cluster.start();
    expect(
      await until(async () => {
        const ready = await readyz(url);
        return ready.status === 200 && (ready.body as { audit: { queued: number } }).audit.queued === 0;
      }, 30_000)
    ).toBe(true);
    expect((await readyz(url)).body).toMatchObject({ audit: { queued: 0, written: 4, failed: 0, dropped: 0 } });
    // The client retries its feedback: stored now.
    const stored = await post(`${hook}/feedback`, feedback);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ feedback: [{ card, stored: true }] });

    expect(await service.stop()).toBe(0);
    const where = { dataDir, databaseUrl: cluster.url };
    const audited = await occurrences(where, 'hook_calls', 'hook_instance', answered);
    expect(answered.map((id) => audited.get(id))).toEqual([1, 1, 1, 1]);
    expect((await occurrences(where, 'feedback', 'card_uuid', [card])).get(card)).toBe(1);
  }, 90_000);
});

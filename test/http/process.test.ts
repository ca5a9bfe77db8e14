import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { loadTestConfig } from '../../src/config';
import { startServer } from '../../src/server';
import type { RunningServer } from '../../src/server';
import { VERSION } from '../../src/version';
import { silentLogger, testKnowledge } from '../support/app';
import { patientViewRequest } from '../support/hook-requests';

/** The real process entry: knowledge loaded before ready, health endpoints, graceful shutdown. */

describe('startServer', () => {
  let running: RunningServer | undefined;
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'ruggensteun-data-'));
  });
  afterEach(async () => {
    await running?.shutdown();
    running = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1, is ready once the value sets are loaded and audits calls answered before the store opened', async () => {
    running = await startServer(loadTestConfig({ PORT: '0', DATA_DIR: dataDir }), { logger: silentLogger });
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await request(running.url).get('/healthz').expect(200, { status: 'ok', version: VERSION });
    const ready = await request(running.url).get('/readyz').expect(200);
    expect(ready.body.status).toBe('ready');
    expect(ready.body.valueSets).toBeGreaterThan(10);
    expect(ready.body).toMatchObject({
      ruleset: '2026.11.0',
      rules: testKnowledge().ruleset.rules.length,
      // Ready before the embedded store has opened: the first creation of its folder takes seconds.
      store: 'unavailable',
      audit: { queued: 0, written: 0, dropped: 0, failed: 0 },
    });
    // A call answered while the store opens is audited once it is open, not lost.
    await request(running.url).post('/cds-services/lbp-patient-view').send(patientViewRequest()).expect(200);
    await running.storeOpened;
    // The audit record is written after the response: wait (bounded) until the writer reports it.
    const server = running;
    let after: { audit?: { written?: number } } = {};
    for (let attempt = 0; attempt < 50 && after.audit?.written !== 1; attempt++) {
      after = (await request(server.url).get('/readyz').expect(200)).body as typeof after;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(after).toMatchObject({ store: 'open', audit: { written: 1, failed: 0 } });
  });

  it('refuses to start when the knowledge cannot be loaded, naming what is missing', async () => {
    await expect(
      startServer(loadTestConfig({ PORT: '0', DATA_DIR: dataDir, FHIR_RESOURCES_DIR: 'no-such-folder' }), {
        logger: silentLogger,
      })
    ).rejects.toThrow(/no-such-folder/);
  });

  it('refuses to start when a rule file is broken, naming the file and the rule', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rules-'));
    cpSync(path.join(__dirname, '..', '..', 'rules'), dir, { recursive: true });
    const file = path.join(dir, 'red-flags.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"fact": "temperature"', '"fact": "bodyHeat"'));
    try {
      await expect(
        startServer(loadTestConfig({ PORT: '0', DATA_DIR: dataDir, RULES_DIR: dir }), { logger: silentLogger })
      ).rejects.toThrow(/red-flags\.json rule RF-03: unknown fact "bodyHeat"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on shutdown: reports not ready, finishes in-flight requests, then stops', async () => {
    let release: () => void = () => undefined;
    const entered = new Promise<void>((resolveEntered) => {
      running = undefined;
      void startServer(loadTestConfig({ PORT: '0', DATA_DIR: dataDir }), {
        logger: silentLogger,
        evaluate: () =>
          new Promise((resolve) => {
            resolveEntered();
            release = () => resolve({ response: { cards: [] }, ruleIds: [] });
          }),
      }).then((server) => {
        running = server;
        inFlight = request(server.url).post('/cds-services/lbp-patient-view').send(patientViewRequest());
        void inFlight.then(() => undefined);
      });
    });
    let inFlight: ReturnType<ReturnType<typeof request>['post']> | undefined;
    await entered;
    const server = running as unknown as RunningServer;
    const stopped = server.shutdown();
    expect(server.readiness.state).toBe('stopping');
    release();
    const res = await inFlight!;
    expect(res.status).toBe(200);
    expect(res.headers.connection).toBe('close');
    await stopped;
    expect(server.server.listening).toBe(false);
    running = undefined;
  });
});

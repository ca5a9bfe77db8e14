import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { loadTestConfig } from '../../src/config';
import { startServer } from '../../src/server';
import { LOCK_FILE, lockDataDir } from '../../src/store/data-dir-lock';
import type { RunningServer } from '../../src/server';
import { VERSION } from '../../src/common/version';
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

  it('listens on 127.0.0.1, is ready only once the store is usable, and commits calls answered before that', async () => {
    // With the evaluation in a worker thread, as in production.
    running = await startServer(loadTestConfig({ PORT: '0', DATA_DIR: dataDir, EVALUATION_WORKERS: '1' }), {
      logger: silentLogger,
    });
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await request(running.url).get('/healthz').expect(200, { status: 'ok', version: VERSION });
    // A call answered while the store opens (its first creation takes seconds) is committed once it is open.
    const answered = request(running.url).post('/cds-services/lbp-patient-view').send(patientViewRequest());
    const early = await request(running.url).get('/readyz');
    // Not ready while the store is not usable, and the JSON names the part (unless it already opened).
    const opening = { status: 'degraded', degraded: ['store'], store: { state: 'opening' } };
    expect(early.status === 503 ? early.body : opening).toMatchObject(opening);
    await answered.expect(200);
    await running.storeOpened;
    // A record that waited longer than STORE_WAIT_MS is retried with backoff (at most 5 s): wait for it, bounded.
    const server = running;
    let ready = await request(server.url).get('/readyz').expect(200);
    for (
      let attempt = 0;
      attempt < 100 && (ready.body as { audit: { written: number } }).audit.written !== 1;
      attempt++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ready = await request(server.url).get('/readyz').expect(200);
    }
    expect(ready.body.valueSets).toBeGreaterThan(10);
    expect(ready.body).toMatchObject({
      status: 'ready',
      ruleset: '2026.11.0',
      rules: testKnowledge().ruleset.rules.length,
      store: { state: 'open' },
      evaluation: { workers: 1, ready: 1, crashed: 0 },
      audit: { queued: 0, written: 1, dropped: 0, failed: 0, retrying: 0 },
    });
    expect(ready.body.degraded).toBeUndefined();
  }, 90_000);

  it('refuses a second process on the same DATA_DIR, naming the holder; takes over a stale lock', async () => {
    running = await startServer(loadTestConfig({ PORT: '0', DATA_DIR: dataDir }), { logger: silentLogger });
    await expect(
      startServer(loadTestConfig({ PORT: '0', DATA_DIR: dataDir }), { logger: silentLogger })
    ).rejects.toThrow(new RegExp(`DATA_DIR .* is in use by process ${process.pid}`));
    await running.shutdown();
    running = undefined;
    expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
    // Another live process holds the lock: refused, naming it.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(path.join(dataDir, LOCK_FILE), `${other.pid}\n`);
      expect(() => lockDataDir(dataDir)).toThrow(new RegExp(`in use by process ${other.pid}`));
    } finally {
      other.kill('SIGKILL');
      await once(other, 'exit');
    }
    // Its pid is gone now: the lock is stale and taken over.
    const lock = lockDataDir(dataDir);
    expect(readFileSync(path.join(dataDir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    lock.release();
  }, 90_000);

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
            release = () => resolve({ response: { cards: [] }, audit: { rulesetVersion: '', ruleIds: [], cards: [] } });
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
  }, 90_000);
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Condition } from '@medplum/fhirtypes';
import { loadTestConfig } from '../../src/config';
import { startServer } from '../../src/server';
import type { RunningServer } from '../../src/server';
import { EvaluationPool } from '../../src/evaluation/pool';
import { silentLogger, testApp } from '../support/app';
import { lowBackPain, patientViewRequest, fullPrefetch } from '../support/hook-requests';

/**
 * The service with its evaluation in worker threads (EVALUATION_WORKERS): the same answers as on the main thread,
 * and the main thread stays free for other calls while a heavy record is evaluated (issue 14: /healthz p99 < 50 ms
 * while a record of 10,000 Conditions with text is evaluated).
 */

/** Cards without what differs per call (uuids). */
function comparable(body: { cards: unknown[] }): unknown {
  return JSON.parse(
    JSON.stringify(body.cards).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
  );
}

/** Conditions as a GP's record holds them: free-text problem titles with a note (SOEP lines), most of them benign. */
function textConditions(count: number): Condition[] {
  const texts = [
    ['Lage rugpijn sinds 3 dagen', 'S: geen koorts, geen gewichtsverlies. O: SLR neg. P: oefentherapie'],
    ['Hypertensie', 'RR 150/90, controle over 3 maanden'],
    ['Rugklachten', 'Koorts: nee; mictie: gb'],
    ['Low back pain', 'denies fever or chills, no weight loss'],
  ];
  return Array.from({ length: count }, (_, index) => {
    const [title, note] = texts[index % texts.length] as [string, string];
    return {
      resourceType: 'Condition',
      id: `c${index}`,
      subject: { reference: 'Patient/pat-1' },
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
      },
      code: { text: title },
      note: [{ text: note }],
      recordedDate: '2026-11-20',
    };
  });
}

describe('a worker that stops', () => {
  it('costs its call a 503 OperationOutcome with Retry-After, is replaced, and /readyz tells', async () => {
    const pool = new EvaluationPool({
      size: 1,
      queueSize: 10,
      logger: silentLogger,
      workerData: {},
      script: path.join(__dirname, '..', 'support', 'fixture-evaluation-worker.cjs'),
    });
    await pool.start();
    try {
      const { app } = testApp({}, { evaluate: pool.evaluate, evaluationHealth: () => pool.health() });
      const crash = patientViewRequest({
        context: { userId: 'Practitioner/gp-1', patientId: 'crash' },
        prefetch: fullPrefetch('crash'),
      });
      const res = await request(app).post('/cds-services/lbp-patient-view').send(crash).expect(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body).toMatchObject({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'transient', details: { text: expect.stringMatching(/retry/) } }],
      });
      // Replaced: ready again, the crash counted, and the next call is answered.
      let ready = await request(app).get('/readyz');
      for (let attempt = 0; attempt < 100 && ready.status !== 200; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        ready = await request(app).get('/readyz');
      }
      expect(ready.status).toBe(200);
      expect(ready.body.evaluation).toMatchObject({ workers: 1, ready: 1, crashed: 1 });
      await request(app).post('/cds-services/lbp-patient-view').send(patientViewRequest()).expect(200);
      // No worker left: not ready, naming the part.
      await pool.close();
      const down = await request(app).get('/readyz').expect(503);
      expect(down.body).toMatchObject({ status: 'degraded', degraded: ['evaluation'] });
    } finally {
      await pool.close();
    }
  });
});

describe('evaluation workers', () => {
  let dataDir: string;
  const running: RunningServer[] = [];
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'ruggensteun-workers-'));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.shutdown()));
    rmSync(dataDir, { recursive: true, force: true });
  });
  const start = async (env: Record<string, string>) => {
    const server = await startServer(loadTestConfig({ PORT: '0', DATA_DIR: dataDir, ...env }), {
      logger: silentLogger,
    });
    running.push(server);
    return server;
  };

  it('answers as the main thread does, and /readyz shows the workers', async () => {
    // Without the sandbox, whose link in the cards names each server's own port.
    const workers = await start({ EVALUATION_WORKERS: '2', SANDBOX: 'off' });
    const ready = await request(workers.url).get('/readyz');
    expect(ready.body.evaluation).toMatchObject({ workers: 2, ready: 2, busy: 0, queued: 0, crashed: 0 });
    const requests = [
      patientViewRequest(),
      // A red flag (cauda equina, coded) and the back-pain episode: critical card, no CarePlan.
      patientViewRequest({
        prefetch: {
          ...fullPrefetch(),
          conditions: {
            resourceType: 'Bundle',
            type: 'searchset',
            entry: [
              { resource: lowBackPain() },
              {
                resource: {
                  ...lowBackPain('cond-ces'),
                  code: { coding: [{ system: 'http://snomed.info/sct', code: '192970008' }] },
                },
              },
            ],
          },
        },
      }),
    ];
    const inlineDir = mkdtempSync(path.join(tmpdir(), 'ruggensteun-inline-'));
    try {
      const inline = await startServer(
        loadTestConfig({ PORT: '0', DATA_DIR: inlineDir, EVALUATION_WORKERS: '0', SANDBOX: 'off' }),
        { logger: silentLogger }
      );
      try {
        for (const body of requests) {
          const [viaWorker, viaMain] = await Promise.all([
            request(workers.url).post('/cds-services/lbp-patient-view').send(body).expect(200),
            request(inline.url).post('/cds-services/lbp-patient-view').send(body).expect(200),
          ]);
          expect(viaWorker.body.cards.length).toBeGreaterThan(0);
          expect(comparable(viaWorker.body as { cards: unknown[] })).toEqual(
            comparable(viaMain.body as { cards: unknown[] })
          );
        }
      } finally {
        await inline.shutdown();
      }
    } finally {
      rmSync(inlineDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('keeps /healthz p99 under 50 ms (or 4× its idle p99 on a loaded machine) while a record of 10,000 Conditions with text is evaluated', async () => {
    const server = await start({ EVALUATION_WORKERS: '1', BODY_LIMIT_BYTES: String(20 * 1024 * 1024) });
    // The red flag is the very last resource: it is in the last slice sent to the worker, and must not be missed.
    const conditions = [
      ...textConditions(10_000),
      {
        ...lowBackPain('cond-ces'),
        code: { coding: [{ system: 'http://snomed.info/sct', code: '192970008' }] },
      },
    ];
    const body = patientViewRequest({
      prefetch: {
        ...fullPrefetch(),
        conditions: { resourceType: 'Bundle', type: 'searchset', entry: conditions.map((resource) => ({ resource })) },
      },
    });
    const agent = request.agent(server.url);
    await agent.get('/healthz').expect(200); // warm the keep-alive connection
    const p99 = (values: number[]) => values.sort((a, b) => a - b)[Math.ceil(values.length * 0.99) - 1] as number;
    // The same samples with the service idle: on a loaded shared machine every answer is slower, and the budget
    // grows with it; a blocked event loop (seconds for this record) exceeds it whatever the load.
    const idle: number[] = [];
    for (let sample = 0; sample < 200; sample += 1) {
      const sent = performance.now();
      await agent.get('/healthz').expect(200);
      idle.push(performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const budget = Math.max(50, 4 * p99(idle));
    // /healthz is sampled while heavy calls run one after the other, until there are enough samples for a p99 that
    // one slow sample cannot decide (bounded in time). Each sample is marked by whether the worker was evaluating
    // (/readyz: evaluation.busy) just before it. Reading and parsing each 3.2 MB body happens on this thread and
    // holds about one sample per call: apart from that one sample per call, the p99 over every sample must stay
    // within the budget.
    const samples: { ms: number; evaluating: boolean }[] = [];
    const deadline = Date.now() + 90_000;
    let calls = 0;
    while ((samples.length < 400 || calls < 2) && calls < 8 && Date.now() < deadline) {
      calls += 1;
      const heavyCall = { done: false };
      const heavy = request(server.url)
        .post('/cds-services/lbp-patient-view')
        .send(body)
        .then((res) => {
          heavyCall.done = true;
          return res;
        });
      while (!heavyCall.done && Date.now() < deadline) {
        const ready = await agent.get('/readyz');
        const evaluating = (ready.body as { evaluation?: { busy: number } }).evaluation?.busy === 1;
        const sent = performance.now();
        await agent.get('/healthz').expect(200);
        samples.push({ ms: performance.now() - sent, evaluating });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const answer = await heavy;
      expect(answer.status).toBe(200);
      const { cards } = answer.body as { cards: { indicator: string }[] };
      expect(cards.some((card) => card.indicator === 'critical')).toBe(true);
    }
    const during = samples.filter((sample) => sample.evaluating).map((sample) => sample.ms);
    // The samples really overlap the evaluation, and there are enough of them for a p99.
    expect(during.length).toBeGreaterThanOrEqual(calls * 10);
    expect(samples.length).toBeGreaterThanOrEqual(200);
    expect(p99(during)).toBeLessThan(budget);
    const all = samples.map((sample) => sample.ms).sort((a, b) => a - b);
    expect(p99(all.slice(0, all.length - calls))).toBeLessThan(budget);
  }, 150_000);
});

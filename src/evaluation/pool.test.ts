import path from 'node:path';
import type { HookEvaluation } from '../hook/evaluator';
import { SERVICES } from '../hook/catalogue';
import { HttpError } from '../common/http-error';
import { createLogger } from '../common/logger';
import { EvaluationPool } from './pool';
import type { EvaluationPoolOptions } from './pool';

const FIXTURE = path.join(__dirname, '..', '..', 'test', 'support', 'fixture-evaluation-worker.cjs');
const logger = createLogger({ logLevel: 'silent' });

function call(patientId: string): HookEvaluation {
  return {
    service: SERVICES[0]!,
    request: {
      hook: 'patient-view',
      hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
      context: { userId: 'Practitioner/1', patientId },
    },
    record: { patient: { resourceType: 'Patient', id: patientId }, data: {}, problems: [] },
    acceptLanguages: [],
  };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('timed out');
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('EvaluationPool', () => {
  const pools: EvaluationPool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.close()));
  });
  const startPool = async (options: Partial<EvaluationPoolOptions> = {}) => {
    const pool = new EvaluationPool({ size: 1, queueSize: 10, logger, workerData: {}, script: FIXTURE, ...options });
    pools.push(pool);
    await pool.start();
    return pool;
  };

  it.each(['crash', 'throw'])(
    'answers the call of a worker that stops (%s) with a 503 to retry, and replaces the worker',
    async (how) => {
      const pool = await startPool();
      const failed = await pool.evaluate(call(how)).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(HttpError);
      expect((failed as HttpError).status).toBe(503);
      expect((failed as HttpError).headers).toEqual({ 'Retry-After': '1' });
      expect((failed as HttpError).outcome.issue[0]?.details?.text).toMatch(/interrupted.*retry/);
      await until(() => pool.health().ready === 1);
      expect(pool.health()).toMatchObject({ workers: 1, ready: 1, busy: 0, crashed: 1 });
      await expect(pool.evaluate(call('pat-1'))).resolves.toEqual({ response: { cards: [] }, ruleIds: [] });
    }
  );

  it('fails to start with the reason the worker gave, when it cannot load the knowledge', async () => {
    await expect(startPool({ workerData: { failStart: true } })).rejects.toThrow(/RF-03: unknown fact "bodyHeat"/);
  });

  it('refuses calls beyond the queue with a 503, and answers waiting calls when the pool closes', async () => {
    const pool = await startPool({ queueSize: 2 });
    const running = pool.evaluate(call('hang')).catch((error: unknown) => error);
    const waiting = [pool.evaluate(call('a')), pool.evaluate(call('b'))].map((p) => p.catch((error: unknown) => error));
    await until(() => pool.health().busy === 1 && pool.health().queued === 2);
    const refused = await pool.evaluate(call('c')).catch((error: unknown) => error);
    expect((refused as HttpError).status).toBe(503);
    expect((refused as HttpError).outcome.issue[0]?.details?.text).toMatch(/Too many calls/);
    expect(pool.health().overloaded).toBe(1);
    await pool.close();
    for (const answered of [running, ...waiting]) {
      expect(((await answered) as HttpError).status).toBe(503);
    }
  });

  it('spreads calls over its workers', async () => {
    const pool = await startPool({ size: 2 });
    const hanging = pool.evaluate(call('hang')).catch((error: unknown) => error);
    await until(() => pool.health().busy === 1);
    // One worker hangs; the other still answers.
    await expect(pool.evaluate(call('pat-1'))).resolves.toMatchObject({ ruleIds: [] });
    await pool.close();
    expect(((await hanging) as HttpError).status).toBe(503);
  });
});

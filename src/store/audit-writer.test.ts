import { Writable } from 'node:stream';
import { createLogger } from '../common/logger';
import { AuditWriter } from './audit-writer';
import type { AuditRecord, Store } from './store';

const PATIENT_HASH = 'f0'.repeat(32);

function record(n: number): AuditRecord {
  return {
    time: new Date('2026-11-21T10:00:00Z'),
    hookInstance: `hook-${n}`,
    serviceId: 'lbp-triage',
    hook: 'patient-view',
    patientHash: PATIENT_HASH,
    rulesetVersion: '2026.11.1',
    ruleIds: ['RF-03'],
    status: 200,
    latencyMs: 5,
    cards: [],
  };
}

/** A pino logger whose lines are kept for inspection. */
function testLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(
    { logLevel: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    })
  );
  return { logger, lines };
}

/** A store whose writes wait until the test lets them finish. */
function controlledStore() {
  const calls: { records: readonly AuditRecord[]; finish: (error?: Error) => void }[] = [];
  let active = 0;
  let maxActive = 0;
  const store: Pick<Store, 'recordAudits'> = {
    recordAudits: (records) => {
      active++;
      maxActive = Math.max(maxActive, active);
      return new Promise<void>((resolve, reject) => {
        calls.push({
          records,
          finish: (error) => {
            active--;
            if (error) {
              reject(error);
            } else {
              resolve();
            }
          },
        });
      });
    },
  };
  return { store, calls, maxActive: () => maxActive };
}

const hookInstances = (calls: { records: readonly AuditRecord[] }[]) =>
  calls.map((call) => call.records.map((audit) => audit.hookInstance));

/** Lets queued promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('AuditWriter', () => {
  it('writes in order, one write at a time, what queued up meanwhile as one batch; flush waits for them', async () => {
    const { store, calls, maxActive } = controlledStore();
    const { logger } = testLogger();
    const writer = new AuditWriter(store, { queueSize: 10, logger });
    for (let n = 1; n <= 3; n++) {
      writer.enqueue(record(n));
    }
    expect(writer.stats()).toEqual({ queued: 3, written: 0, dropped: 0, failed: 0, retrying: 0 });
    let flushed = false;
    const flushing = writer.flush().then(() => (flushed = true));
    for (let n = 0; n < 2; n++) {
      await settle();
      expect(calls).toHaveLength(n + 1);
      calls[n]!.finish();
    }
    await flushing;
    expect(flushed).toBe(true);
    // The first record is written at once; the two that arrived during that write go together.
    expect(hookInstances(calls)).toEqual([['hook-1'], ['hook-2', 'hook-3']]);
    expect(maxActive()).toBe(1);
    expect(writer.stats()).toEqual({ queued: 0, written: 3, dropped: 0, failed: 0, retrying: 0 });
    await expect(writer.flush()).resolves.toBeUndefined();
  });

  it('with a batch window, writes the records of that window together; flush does not wait for it', async () => {
    const { store, calls } = controlledStore();
    const { logger } = testLogger();
    const writer = new AuditWriter(store, { queueSize: 10, logger, batchWindowMs: 40 });
    writer.enqueue(record(1));
    await new Promise((resolve) => setTimeout(resolve, 10));
    writer.enqueue(record(2));
    await settle();
    expect(calls).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(hookInstances(calls)).toEqual([['hook-1', 'hook-2']]);
    calls[0]!.finish();

    writer.enqueue(record(3));
    const flushing = writer.flush();
    await settle();
    expect(hookInstances(calls)).toEqual([['hook-1', 'hook-2'], ['hook-3']]);
    calls[1]!.finish();
    await flushing;
    expect(writer.stats()).toEqual({ queued: 0, written: 3, dropped: 0, failed: 0, retrying: 0 });
  });

  it('counts and logs a failed write without patient data, then writes the next record', async () => {
    const rejections = [
      Object.assign(new Error('new row violates check constraint "hook_calls_status_check"'), {
        code: '23514',
        detail: `Failing row contains (1, ${PATIENT_HASH})`,
      }),
    ];
    const written: string[] = [];
    const store: Pick<Store, 'recordAudits'> = {
      recordAudits: (records) => {
        const error = rejections.shift();
        if (error) {
          return Promise.reject(error);
        }
        written.push(...records.map((audit) => audit.hookInstance));
        return Promise.resolve();
      },
    };
    const { logger, lines } = testLogger();
    const writer = new AuditWriter(store, { queueSize: 10, logger });
    writer.enqueue(record(1));
    writer.enqueue(record(2));
    await writer.flush();
    expect(written).toEqual(['hook-2']);
    expect(writer.stats()).toEqual({ queued: 0, written: 1, dropped: 0, failed: 1, retrying: 0 });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'Could not write an audit record',
        hookInstance: 'hook-1',
        code: '23514',
        error: 'new row violates check constraint "hook_calls_status_check"',
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain(PATIENT_HASH);
  });

  it('writes a failed batch again one record at a time, so one bad record costs only itself', async () => {
    const calls: string[][] = [];
    const store: Pick<Store, 'recordAudits'> = {
      recordAudits: async (records) => {
        const ids = records.map((audit) => audit.hookInstance);
        calls.push(ids);
        await settle();
        if (ids.includes('hook-3')) {
          throw Object.assign(new Error('duplicate key value violates unique constraint "cards_pkey"'), {
            code: '23505',
          });
        }
      },
    };
    const { logger, lines } = testLogger();
    const writer = new AuditWriter(store, { queueSize: 10, logger });
    for (let n = 1; n <= 4; n++) {
      writer.enqueue(record(n));
    }
    await writer.flush();
    expect(calls).toEqual([['hook-1'], ['hook-2', 'hook-3', 'hook-4'], ['hook-2'], ['hook-3'], ['hook-4']]);
    expect(writer.stats()).toEqual({ queued: 0, written: 3, dropped: 0, failed: 1, retrying: 0 });
    expect(lines).toEqual([
      expect.objectContaining({ level: 'error', hookInstance: 'hook-3', code: '23505', failed: 1 }),
    ]);
  });

  it('keeps the records of an outage (a store that throws) and retries them until the store is back', async () => {
    let down = true;
    const written: string[] = [];
    const store: Pick<Store, 'recordAudits'> = {
      recordAudits: (records) => {
        if (down) {
          throw new Error('not connected');
        }
        written.push(...records.map((audit) => audit.hookInstance));
        return Promise.resolve();
      },
    };
    const { logger, lines } = testLogger();
    const writer = new AuditWriter(store, { queueSize: 10, logger });
    expect(() => {
      writer.enqueue(record(1));
      writer.enqueue(record(2));
    }).not.toThrow();
    await writer.flush(300);
    expect(writer.stats()).toEqual({ queued: 2, written: 0, dropped: 0, failed: 0, retrying: 2 });
    // One warning for the outage, not one per attempt.
    expect(lines.filter((line) => line.level === 'warn')).toHaveLength(1);
    down = false;
    await writer.flush(10_000);
    expect(written).toEqual(['hook-1', 'hook-2']);
    expect(writer.stats()).toEqual({ queued: 0, written: 2, dropped: 0, failed: 0, retrying: 0 });
  });

  it('commit resolves once the record is stored; concurrent commits share one write (group commit)', async () => {
    const calls: string[][] = [];
    const store: Pick<Store, 'recordAudits'> = {
      recordAudits: async (records) => {
        calls.push(records.map((audit) => audit.hookInstance));
        await new Promise((resolve) => setTimeout(resolve, 20));
      },
    };
    const writer = new AuditWriter(store, { queueSize: 100, logger: testLogger().logger });
    const first = writer.commit(record(1), 5000);
    const rest = [2, 3, 4, 5].map((n) => writer.commit(record(n), 5000));
    expect(await Promise.all([first, ...rest])).toEqual([true, true, true, true, true]);
    expect(calls).toEqual([['hook-1'], ['hook-2', 'hook-3', 'hook-4', 'hook-5']]);
  });

  it('commit answers false after its time limit while the store is down, and the record is still retried', async () => {
    let down = true;
    const store: Pick<Store, 'recordAudits'> = {
      recordAudits: () => (down ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve()),
    };
    const writer = new AuditWriter(store, { queueSize: 10, logger: testLogger().logger });
    expect(await writer.commit(record(1), 50)).toBe(false);
    down = false;
    await writer.flush(10_000);
    expect(writer.stats()).toMatchObject({ written: 1, retrying: 0, failed: 0 });
  });

  it('returns at once from enqueue while the store hangs, and drops what does not fit in the queue', async () => {
    let calls = 0;
    const hanging: Pick<Store, 'recordAudits'> = {
      recordAudits: () => {
        calls++;
        return new Promise<void>(() => undefined); // never settles
      },
    };
    const { logger, lines } = testLogger();
    const writer = new AuditWriter(hanging, { queueSize: 3, logger });
    const started = performance.now();
    for (let n = 1; n <= 10; n++) {
      writer.enqueue(record(n));
    }
    expect(performance.now() - started).toBeLessThan(50);
    await settle();
    expect(calls).toBe(1);
    expect(writer.stats()).toEqual({ queued: 3, written: 0, dropped: 7, failed: 0, retrying: 0 });
    // One warning per overflow, not one per dropped record.
    expect(lines.filter((line) => line.level === 'warn')).toHaveLength(1);
    // Shutdown does not wait for ever on a hanging store.
    await expect(writer.flush(20)).resolves.toBeUndefined();
  });

  it('accepts records again once the store catches up', async () => {
    const { store, calls } = controlledStore();
    const { logger, lines } = testLogger();
    const writer = new AuditWriter(store, { queueSize: 2, logger });
    for (let n = 1; n <= 4; n++) {
      writer.enqueue(record(n));
    }
    expect(writer.stats()).toMatchObject({ queued: 2, dropped: 2 });
    await settle();
    calls[0]!.finish();
    await settle();
    calls[1]!.finish(Object.assign(new Error('violates check constraint'), { code: '23514' }));
    await writer.flush();
    writer.enqueue(record(5));
    await settle();
    calls[2]!.finish();
    await writer.flush();
    expect(hookInstances(calls)).toEqual([['hook-1'], ['hook-2'], ['hook-5']]);
    expect(writer.stats()).toEqual({ queued: 0, written: 2, dropped: 2, failed: 1, retrying: 0 });
    expect(lines.map((line) => line.level)).toEqual(['warn', 'info', 'error']);
  });

  it('never throws from enqueue, even when the logger does', () => {
    const { store } = controlledStore();
    const { logger } = testLogger();
    jest.spyOn(logger, 'warn').mockImplementation(() => {
      throw new Error('log destination gone');
    });
    const writer = new AuditWriter(store, { queueSize: 1, logger });
    expect(() => {
      writer.enqueue(record(1));
      writer.enqueue(record(2));
    }).not.toThrow();
    expect(writer.stats()).toMatchObject({ queued: 1, dropped: 1 });
  });

  it('requires a positive queue size', () => {
    const { store } = controlledStore();
    const { logger } = testLogger();
    expect(() => new AuditWriter(store, { queueSize: 0, logger })).toThrow(RangeError);
  });
});

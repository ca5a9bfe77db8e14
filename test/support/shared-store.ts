import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { hookEvaluator } from '../../src/hook/evaluator';
import { AuditWriter } from '../../src/store/audit-writer';
import { openDatabase } from '../../src/store/database';
import { migrate } from '../../src/store/migrations';
import { resolveHashKey } from '../../src/store/patient-hash';
import { createStore } from '../../src/store/store';
import type { Store } from '../../src/store/store';
import { silentLogger, testApp, testKnowledge } from './app';

/**
 * One embedded store for a test file, shared by apps that each have their own clock, as the instances of one
 * service share a database. Registers its own beforeAll/afterAll.
 */
export function sharedStore(prefix: string) {
  const state: { dataDir?: string; store?: Store; writer?: AuditWriter; hashKey?: Buffer } = {};
  beforeAll(async () => {
    state.dataDir = mkdtempSync(path.join(tmpdir(), prefix));
    const db = await openDatabase({ dataDir: state.dataDir });
    await migrate(db);
    state.store = createStore(db);
    // A batch window, as in production: feedback must wait for the card to be stored before it finds the patient.
    state.writer = new AuditWriter(state.store, { queueSize: 100, logger: silentLogger, batchWindowMs: 100 });
    state.hashKey = await resolveHashKey({ dataDir: state.dataDir, embedded: true });
  }, 60_000);
  afterAll(async () => {
    await state.writer?.flush();
    await state.store?.close();
    if (state.dataDir) {
      rmSync(state.dataDir, { recursive: true, force: true });
    }
  });
  return {
    /** An app whose clinical "today" is `now`, on the shared store. */
    appAt(now: Date): Express {
      const evaluate = hookEvaluator({
        knowledge: testKnowledge(),
        defaultLocale: 'en',
        now: () => now,
        newId: randomUUID,
      });
      const { writer, hashKey } = state as Required<typeof state>;
      return testApp({}, { audit: { writer, hashKey }, store: () => state.store, evaluate }).app;
    },
    store: (): Store => state.store as Store,
    hashKey: (): Buffer => state.hashKey as Buffer,
  };
}

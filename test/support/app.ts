import { Writable } from 'node:stream';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { createApp } from '../../src/app';
import { hookEvaluator } from '../../src/hook/evaluator';
import type { AppDeps } from '../../src/app';
import { loadTestConfig } from '../../src/config';
import type { Config } from '../../src/config';
import { loadKnowledge } from '../../src/clinical/knowledge';
import type { Knowledge } from '../../src/clinical/knowledge';
import { createLogger } from '../../src/common/logger';
import { Readiness } from '../../src/http/readiness';

export interface TestApp {
  readonly app: Express;
  readonly config: Config;
  readonly readiness: Readiness;
  /** Every log line written, parsed. */
  readonly logs: Record<string, unknown>[];
  /** The raw log text, to assert that secrets never appear. */
  rawLogs(): string;
}

/** A logger that writes nothing, for components whose logs a test does not look at. */
export const silentLogger: Logger = createLogger({ logLevel: 'silent' }, new Writable({ write: (_c, _e, cb) => cb() }));

let knowledge: Knowledge | undefined;

/** The real rules and value sets, loaded once per test file. */
export function testKnowledge(): Knowledge {
  knowledge ??= loadKnowledge(loadTestConfig());
  return knowledge;
}

/** The evaluation date of clinical tests: fixtures are written relative to it. */
export const TODAY = new Date('2026-11-21T10:00:00Z');

/** Sequential ids, so card uuids are predictable in tests. */
export function sequentialIds(prefix = 'id'): () => string {
  let next = 0;
  return () => `${prefix}-${String(++next).padStart(4, '0')}`;
}

export interface TestAppOptions extends Partial<AppDeps> {
  /** The evaluation instant of the clinical rules (default TODAY). */
  readonly now?: Date;
}

/** A ready app with the real clinical evaluator and its logs captured in memory. */
export function testApp(env: Record<string, string> = {}, options: TestAppOptions = {}): TestApp {
  const { now = TODAY, ...deps } = options;
  const config = loadTestConfig({ LOG_LEVEL: 'debug', ...env });
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger: Logger = createLogger(config, sink);
  const readiness = new Readiness();
  readiness.markReady();
  const evaluate = hookEvaluator({
    knowledge: testKnowledge(),
    defaultLocale: config.locale,
    translations: config.translations,
    now: () => now,
    newId: sequentialIds('card'),
  });
  const app = createApp({ config, logger, readiness, evaluate, ...deps });
  return {
    app,
    config,
    readiness,
    get logs() {
      return chunks
        .join('')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    rawLogs: () => chunks.join(''),
  };
}

import { Writable } from 'node:stream';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { createApp } from '../../src/app';
import type { AppDeps } from '../../src/app';
import { loadTestConfig } from '../../src/config';
import type { Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { Readiness } from '../../src/readiness';

export interface TestApp {
  readonly app: Express;
  readonly config: Config;
  readonly readiness: Readiness;
  /** Every log line written, parsed. */
  readonly logs: Record<string, unknown>[];
  /** The raw log text, to assert that secrets never appear. */
  rawLogs(): string;
}

/** A ready app with its logs captured in memory. */
export function testApp(env: Record<string, string> = {}, deps: Partial<AppDeps> = {}): TestApp {
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
  const app = createApp({ config, logger, readiness, ...deps });
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

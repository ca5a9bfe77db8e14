import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app';
import { clinicalEvaluator } from './cds/clinical-evaluator';
import type { HookEvaluator } from './cds/evaluate';
import { ConfigError, parseConfig } from './config';
import type { Config } from './config';
import { describeKnowledge, loadKnowledge } from './knowledge';
import { createLogger } from './logger';
import { Readiness } from './readiness';

export interface RunningServer {
  readonly server: Server;
  /** The address the server listens on, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly readiness: Readiness;
  /** Stops accepting connections, lets in-flight requests finish (up to SHUTDOWN_TIMEOUT_MS), then resolves. */
  shutdown(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: Logger;
  readonly evaluate?: HookEvaluator;
}

/**
 * Loads the knowledge, then listens. Used by main() below and by tests that need a real socket.
 * @param config - the parsed configuration
 * @param options - logger and decision function overrides
 */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config);
  const readiness = new Readiness();
  const knowledge = loadKnowledge(config);
  const evaluate =
    options.evaluate ??
    clinicalEvaluator({ knowledge, defaultLocale: config.locale, now: () => new Date(), newId: randomUUID });
  const app = createApp({ config, logger, readiness, evaluate });

  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.port, config.host, (err?: Error) => {
      if (err) {
        reject(err);
      } else {
        resolve(listening);
      }
    });
  });
  // Keep idle connections open longer than typical load-balancer idle timeouts (60 s).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;

  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  readiness.markReady(describeKnowledge(knowledge));
  logger.info({ url, publicBaseUrl: config.publicBaseUrl, nodeEnv: config.nodeEnv }, 'ready');

  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => {
      readiness.markStopping();
      logger.info('shutting down: draining in-flight requests');
      const force = setTimeout(() => {
        logger.warn('shutdown timeout reached: closing remaining connections');
        server.closeAllConnections();
      }, config.shutdownTimeoutMs);
      force.unref();
      server.close(() => {
        clearTimeout(force);
        logger.info('stopped');
        resolve();
      });
      server.closeIdleConnections();
    });
    return stopping;
  };
  return { server, url, readiness, shutdown };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config);
  const fail = (err: unknown, message: string) => {
    logger.fatal({ err }, message);
    process.exit(1);
  };
  process.on('uncaughtException', (err) => {
    fail(err, 'uncaught exception');
  });
  process.on('unhandledRejection', (err) => {
    fail(err, 'unhandled rejection');
  });

  let running: RunningServer;
  try {
    running = await startServer(config, { logger });
  } catch (err) {
    fail(err, 'start-up failed');
    return;
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'signal received');
      void running.shutdown().then(() => {
        logger.flush();
        process.exit(0);
      });
    });
  }
}

if (require.main === module) {
  void main();
}

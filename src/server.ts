import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app';
import { hookEvaluator } from './hook/evaluator';
import { planApplier } from './hook/plan-apply';
import { gatherSettingsOf } from './cds/routes';
import type { HookEvaluator } from './hook/evaluator';
import { ConfigError, parseConfig } from './config';
import type { Config } from './config';
import { EvaluationPool } from './evaluation/pool';
import type { WorkerSettings } from './evaluation/protocol';
import { describeKnowledge, loadKnowledge } from './clinical/knowledge';
import { createLogger } from './common/logger';
import { runPrimary, servesItself, stopWithPrimary } from './processes';
import { Readiness } from './readiness';
import { createDevSigner } from './sandbox/dev-signer';
import { createEmbeddedFhirServer } from './sandbox/fhir-server';
import { startFhirThread } from './sandbox/fhir-thread';
import { AuditWriter } from './store/audit-writer';
import { resolveHashKey } from './store/patient-hash';
import { lockDataDir } from './store/data-dir-lock';
import { openStore } from './store/store';
import { StoreKeeper, StoreUnavailableError } from './store/store-keeper';

export interface RunningServer {
  readonly server: Server;
  /** Resolves once the store is open (or failed to open); for tests and tools. */
  readonly storeOpened: Promise<void>;
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
  if (!config.authRequired) {
    logger.warn(
      'CDS_AUTH is off: any client can call this service and have it fetch from any fhirServer. Use this only for local development and the sandbox; production requires CDS_AUTH=required with TRUSTED_ISSUERS.'
    );
  }

  // The embedded store serves one process: a second one on the same DATA_DIR fails here, naming the holder.
  const lock = config.databaseUrl === undefined ? lockDataDir(config.dataDir) : undefined;
  const hashKey = await resolveHashKey({
    ...(config.patientHashKey ? { configuredKey: config.patientHashKey } : {}),
    dataDir: config.dataDir,
    embedded: config.databaseUrl === undefined,
  }).catch((error: unknown) => {
    lock?.release();
    throw error;
  });
  // The store opens in the background and is retried until it opens (PostgreSQL may come up later); hook calls
  // never wait for it, /readyz says 503 until it is usable and whenever it is not, feedback waits (bounded).
  const keeper = new StoreKeeper({ open: () => openStore(config), logger });
  const storeOpened = keeper.start();
  const audit = new AuditWriter(
    {
      // Records of calls answered while the store opens or is down wait in the writer's queue and are retried
      // until stored (bounded: beyond the queue they are dropped and counted).
      recordAudits: async (records) => {
        const store = await keeper.whenUsable(config.storeWaitMs);
        if (store === undefined) {
          throw new StoreUnavailableError(keeper.state().error ?? 'the store is not available');
        }
        await store.recordAudits(records);
      },
    },
    // Group commit: answered calls wait for their record, so a write starts at once and every record that
    // arrives while it runs goes into the next one (one transaction per batch, not per call).
    { queueSize: config.auditQueueSize, logger, batchWindowMs: 0 }
  );
  const evaluatorDeps = {
    knowledge,
    defaultLocale: config.locale,
    translations: config.translations,
    now: () => new Date(),
    newId: randomUUID,
    // With the sandbox on, the cards link to the physiotherapist's view of the patient's plan.
    ...(config.sandbox
      ? {
          planView: (patientId: string, locale: string) =>
            `${config.publicBaseUrl}/sandbox/?patient=${encodeURIComponent(patientId)}&role=physio&lang=${locale}`,
        }
      : {}),
  };
  // The CPU part of a hook call runs in worker threads that load the knowledge themselves, so this thread only
  // does I/O (docs/operations.md "Workers and processes"); EVALUATION_WORKERS=0 evaluates here.
  const pool =
    options.evaluate === undefined && config.evaluationWorkers > 0 ? evaluationPool(config, logger) : undefined;
  await pool?.start().catch((error: unknown) => {
    lock?.release();
    void keeper.close().catch(() => undefined);
    throw error;
  });
  const evaluate = options.evaluate ?? pool?.evaluate ?? hookEvaluator(evaluatorDeps);
  // The sandbox (not in production unless SANDBOX=on): the open FHIR server with the sample patients, and in
  // development with authentication a signer the service trusts for the page's calls.
  const fhirOptions = {
    samplesDir: path.join(config.fhirResourcesDir, 'sample-patients'),
    maxBodyBytes: config.bodyLimitBytes,
    // Links and fullUrls as clients reach the server, also behind a reverse proxy.
    baseUrl: `${config.publicBaseUrl}/fhir`,
    // PlanDefinition/$apply: the knowledge is served, and applied by the hook's own pipeline.
    knowledgeDir: path.join(config.fhirResourcesDir, 'knowledge'),
  };
  // With evaluation workers the FHIR server gets a thread of its own too, so the hook's fetches from it do not
  // wait behind hook calls on this thread; without them (EVALUATION_WORKERS=0) everything runs here.
  const fhirThread =
    config.sandbox && pool
      ? await startFhirThread(
          {
            server: { ...fhirOptions, now: new Date().toISOString() },
            evaluation: workerSettingsOf(config),
            gather: gatherSettingsOf(config),
            logLevel: config.logLevel,
          },
          logger
        ).catch(async (error: unknown) => {
          await pool.close();
          lock?.release();
          void keeper.close().catch(() => undefined);
          throw error;
        })
      : undefined;
  const sandbox = config.sandbox
    ? {
        fhir:
          fhirThread ??
          (await createEmbeddedFhirServer({
            ...fhirOptions,
            now: new Date(),
            apply: planApplier(evaluatorDeps, gatherSettingsOf(config)),
          })),
        ...(config.authRequired && config.nodeEnv === 'development'
          ? { signer: await createDevSigner(config.publicBaseUrl) }
          : {}),
      }
    : undefined;
  const issuers = sandbox?.signer ? [...config.trustedIssuers, sandbox.signer.issuer] : config.trustedIssuers;

  const app = createApp({
    config,
    issuers,
    ...(sandbox ? { sandbox } : {}),
    logger,
    readiness,
    evaluate,
    audit: { writer: audit, hashKey },
    store: () => keeper.current(),
    waitForStore: (timeoutMs) => keeper.whenUsable(timeoutMs),
    storeHealth: () => keeper.state(),
    ...(pool ? { evaluationHealth: () => pool.health() } : {}),
    // Operators see how many audit records were written, are waiting or being retried, dropped or failed.
    status: () => ({ audit: audit.stats() }),
  });

  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const listening = app.listen(config.port, config.host, (err?: Error) => {
        if (err) {
          reject(err);
        } else {
          resolve(listening);
        }
      });
    });
  } catch (error) {
    await fhirThread?.close();
    await pool?.close();
    await keeper.close().catch(() => undefined);
    lock?.release();
    throw error;
  }
  // Keep idle connections open longer than typical load-balancer idle timeouts (60 s).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;

  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  readiness.markReady(describeKnowledge(knowledge));
  logger.info(
    {
      url,
      publicBaseUrl: config.publicBaseUrl,
      nodeEnv: config.nodeEnv,
      ...(sandbox ? { sandbox: `${config.publicBaseUrl}/sandbox`, fhir: `${config.publicBaseUrl}/fhir` } : {}),
    },
    'ready'
  );

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
        // Keep what was accepted: write the queued audit records, then close the store.
        void Promise.all([pool?.close(), fhirThread?.close(), audit.flush(config.shutdownTimeoutMs)])
          .then(() => keeper.close())
          .catch((err: unknown) => {
            logger.error({ err }, 'closing the store failed');
          })
          .finally(() => {
            lock?.release();
            logger.info({ audit: audit.stats() }, 'stopped');
            resolve();
          });
      });
      server.closeIdleConnections();
    });
    return stopping;
  };
  return { server, url, readiness, storeOpened, shutdown };
}

/** The part of the configuration a worker thread needs to load the knowledge and evaluate. */
function workerSettingsOf(config: Config): WorkerSettings {
  return {
    rulesDir: config.rulesDir,
    fhirResourcesDir: config.fhirResourcesDir,
    defaultLocale: config.locale,
    translations: config.translations,
    ...(config.sandbox ? { sandboxBaseUrl: config.publicBaseUrl } : {}),
  };
}

/** The evaluation workers of this process, with the part of the configuration they need. */
function evaluationPool(config: Config, logger: Logger): EvaluationPool {
  return new EvaluationPool({
    size: config.evaluationWorkers,
    queueSize: config.evaluationQueueSize,
    logger,
    workerData: workerSettingsOf(config),
    ...(config.evaluationWorkerMemoryMb === undefined
      ? {}
      : { resourceLimits: { maxOldGenerationSizeMb: config.evaluationWorkerMemoryMb } }),
  });
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
  if (!servesItself(config)) {
    runPrimary(config, logger);
    return;
  }

  let running: RunningServer;
  try {
    running = await startServer(config, { logger });
  } catch (err) {
    fail(err, 'start-up failed');
    return;
  }
  stopWithPrimary(() => running.shutdown());
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

import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Express } from 'express';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app';
import type { AppDeps } from './app';
import { hookEvaluator } from './hook/evaluator';
import type { EvaluatorDeps } from './hook/evaluator';
import { planApplier } from './hook/plan-apply';
import { gatherSettingsOf } from './cds/routes';
import type { HookEvaluator } from './hook/evaluator';
import { ConfigError, parseConfig } from './config';
import type { Config } from './config';
import type { EvaluationPool } from './evaluation/pool';
import { describeKnowledge, loadKnowledge } from './clinical/knowledge';
import type { Knowledge } from './clinical/knowledge';
import { createLogger } from './common/logger';
import { runPrimary, servesItself, stopWithPrimary } from './processes';
import { fhirServerOptionsOf, startThreads } from './threads';
import type { Threads } from './threads';
import { Readiness } from './http/readiness';
import { createDevSigner } from './sandbox/dev-signer';
import { createEmbeddedFhirServer } from './sandbox/fhir-server';
import type { FhirThread } from './sandbox/fhir-thread';
import { AuditWriter } from './store/audit-writer';
import { resolveHashKey } from './store/patient-hash';
import { lockDataDir } from './store/data-dir-lock';
import type { DataDirLock } from './store/data-dir-lock';
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

/** The store's side of the process: the data-dir lock, the patient-hash key, the store keeper and the audit writer. */
interface Storage {
  readonly lock: DataDirLock | undefined;
  readonly hashKey: Buffer;
  readonly keeper: StoreKeeper;
  /** Resolves once the store is open (or failed to open). */
  readonly opened: Promise<void>;
  readonly audit: AuditWriter;
}

async function openStorage(config: Config, logger: Logger): Promise<Storage> {
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
  const opened = keeper.start();
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
  return { lock, hashKey, keeper, opened, audit };
}

/** What the hook pipeline needs on this thread (and the sandbox's $apply). */
function evaluatorDepsOf(config: Config, knowledge: Knowledge): EvaluatorDeps {
  return {
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
}

/**
 * The sandbox (not in production unless SANDBOX=on): the open FHIR server with the sample patients (on its own
 * thread when there are evaluation workers, threads.ts; here otherwise), and in development with authentication
 * a signer the service trusts for the page's calls.
 */
async function startSandbox(
  config: Config,
  evaluatorDeps: EvaluatorDeps,
  fhirThread: FhirThread | undefined
): Promise<NonNullable<AppDeps['sandbox']> | undefined> {
  if (!config.sandbox) {
    return undefined;
  }
  const fhir =
    fhirThread ??
    (await createEmbeddedFhirServer({
      ...fhirServerOptionsOf(config),
      now: new Date(),
      apply: planApplier(evaluatorDeps, gatherSettingsOf(config)),
    }));
  const signer =
    config.authRequired && config.nodeEnv === 'development' ? await createDevSigner(config.publicBaseUrl) : undefined;
  return { fhir, ...(signer ? { signer } : {}) };
}

/**
 * What start-up builds on this thread while the threads start: the knowledge (a rule that does not validate
 * fails start-up here, naming it), the evaluator, and the sandbox once the FHIR thread serves.
 */
async function startParts(config: Config, logger: Logger, options: StartOptions, threads: Threads) {
  const knowledge = loadKnowledge(config);
  if (!config.authRequired) {
    logger.warn(
      'CDS_AUTH is off: any client can call this service and have it fetch from any fhirServer. Use this only for local development and the sandbox; production requires CDS_AUTH=required with TRUSTED_ISSUERS.'
    );
  }
  const evaluatorDeps = evaluatorDepsOf(config, knowledge);
  const fhirThread = await threads.started;
  const evaluate = options.evaluate ?? threads.pool?.evaluate ?? hookEvaluator(evaluatorDeps);
  const sandbox = await startSandbox(config, evaluatorDeps, fhirThread);
  return { knowledge, evaluate, sandbox, fhirThread };
}

/** Listens on HOST:PORT, with connection timeouts longer than typical load-balancer idle timeouts (60 s). */
async function listen(app: Express, config: Config): Promise<Server> {
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.port, config.host, (err?: Error) => {
      if (err) {
        reject(err);
      } else {
        resolve(listening);
      }
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  return server;
}

/**
 * The graceful shutdown, once: stop accepting, let in-flight requests finish (up to SHUTDOWN_TIMEOUT_MS), write
 * the queued audit records, then close the workers, the FHIR thread and the store.
 */
function shutdownOf(parts: {
  server: Server;
  config: Config;
  logger: Logger;
  readiness: Readiness;
  storage: Storage;
  pool: EvaluationPool | undefined;
  fhirThread: FhirThread | undefined;
}): () => Promise<void> {
  const { server, config, logger, readiness, storage, pool, fhirThread } = parts;
  let stopping: Promise<void> | undefined;
  return () => {
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
        void Promise.all([pool?.close(), fhirThread?.close(), storage.audit.flush(config.shutdownTimeoutMs)])
          .then(() => storage.keeper.close())
          .catch((err: unknown) => {
            logger.error({ err }, 'closing the store failed');
          })
          .finally(() => {
            storage.lock?.release();
            logger.info({ audit: storage.audit.stats() }, 'stopped');
            resolve();
          });
      });
      server.closeIdleConnections();
    });
    return stopping;
  };
}

/**
 * Loads the knowledge, then listens. Used by main() below and by tests that need a real socket.
 * @param config - the parsed configuration
 * @param options - logger and decision function overrides
 */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config);
  const readiness = new Readiness();
  // Everything that takes seconds starts at once: the store opens (creating it on the first start), the workers
  // and the FHIR thread load the knowledge, and this thread loads its own copy meanwhile.
  const storage = await openStorage(config, logger);
  const threads = startThreads(config, logger, options.evaluate);
  const { keeper, audit } = storage;
  const stopAll = async () => {
    await threads.stop();
    // The store's first attempt is awaited, so no store is left opening after a failed start-up.
    await storage.opened;
    await keeper.close().catch(() => undefined);
    storage.lock?.release();
  };
  let started;
  try {
    started = await startParts(config, logger, options, threads);
  } catch (error) {
    await stopAll();
    throw error;
  }
  const { knowledge, evaluate, sandbox, fhirThread } = started;
  const { pool } = threads;
  const app = createApp({
    config,
    issuers: sandbox?.signer ? [...config.trustedIssuers, sandbox.signer.issuer] : config.trustedIssuers,
    ...(sandbox ? { sandbox } : {}),
    logger,
    readiness,
    evaluate,
    audit: { writer: audit, hashKey: storage.hashKey },
    store: () => keeper.current(),
    waitForStore: (timeoutMs) => keeper.whenUsable(timeoutMs),
    storeHealth: () => keeper.state(),
    ...(pool ? { evaluationHealth: () => pool.health() } : {}),
    // Operators see how many audit records were written, are waiting or being retried, dropped or failed.
    status: () => ({ audit: audit.stats() }),
  });
  const server = await listen(app, config).catch(async (error: unknown) => {
    await stopAll();
    throw error;
  });

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
  const shutdown = shutdownOf({ server, config, logger, readiness, storage, pool, fhirThread });
  return { server, url, readiness, storeOpened: storage.opened, shutdown };
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

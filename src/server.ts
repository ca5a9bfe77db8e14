import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app';
import { clinicalEvaluator } from './cds/clinical-evaluator';
import { planApplier } from './cds/plan-apply';
import { gatherSettingsOf } from './cds/routes';
import type { HookEvaluator } from './cds/evaluate';
import { ConfigError, parseConfig } from './config';
import type { Config } from './config';
import { describeKnowledge, loadKnowledge } from './knowledge';
import { createLogger } from './logger';
import { Readiness } from './readiness';
import { createDevSigner } from './sandbox/dev-signer';
import { createEmbeddedFhirServer } from './sandbox/fhir-server';
import { AuditWriter } from './store/audit-writer';
import { resolveHashKey } from './store/patient-hash';
import { openStore } from './store/store';
import type { Store } from './store/store';

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

  // The store opens in the background: hook calls never wait for it (audit records queue up, feedback answers
  // 503 until it is open), so a slow first start of the embedded database does not delay readiness.
  const hashKey = await resolveHashKey({
    ...(config.patientHashKey ? { configuredKey: config.patientHashKey } : {}),
    dataDir: config.dataDir,
    embedded: config.databaseUrl === undefined,
  });
  let store: Store | undefined;
  const storeOpened = openStore(config).then(
    (opened) => {
      store = opened;
      logger.info({ store: config.databaseUrl ? 'postgres' : 'pglite' }, 'store open');
    },
    (err: unknown) => {
      logger.error(
        { err },
        'the store could not be opened: hook calls go on, feedback answers 503, audit records are not kept'
      );
    }
  );
  const audit = new AuditWriter(
    {
      // Records of calls answered while the store opens wait in the writer's queue (bounded: beyond it they are
      // dropped and counted), so the first seconds after a start are audited too.
      recordAudits: async (records) => {
        await storeOpened;
        if (store === undefined) {
          throw new Error('the store could not be opened');
        }
        await store.recordAudits(records);
      },
    },
    // Records of the next 100 ms go to the store together: one write per batch instead of one per hook call.
    { queueSize: config.auditQueueSize, logger, batchWindowMs: 100 }
  );
  const evaluatorDeps = {
    knowledge,
    defaultLocale: config.locale,
    translations: config.translations,
    now: () => new Date(),
    newId: randomUUID,
  };
  const evaluate = options.evaluate ?? clinicalEvaluator(evaluatorDeps);
  // The sandbox (not in production unless SANDBOX=on): the open FHIR server with the sample patients, and in
  // development with authentication a signer the service trusts for the page's calls.
  const sandbox = config.sandbox
    ? {
        fhir: await createEmbeddedFhirServer({
          samplesDir: path.join(config.fhirResourcesDir, 'sample-patients'),
          now: new Date(),
          maxBodyBytes: config.bodyLimitBytes,
          // Links and fullUrls as clients reach the server, also behind a reverse proxy.
          baseUrl: `${config.publicBaseUrl}/fhir`,
          // PlanDefinition/$apply: the knowledge is served, and applied by the hook's own pipeline.
          knowledgeDir: path.join(config.fhirResourcesDir, 'knowledge'),
          apply: planApplier(evaluatorDeps, gatherSettingsOf(config)),
        }),
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
    store: () => store,
    // Operators see whether the store is open and how many audit records were written, dropped or failed.
    status: () => ({ store: store ? 'open' : 'unavailable', audit: audit.stats() }),
  });

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
        void storeOpened
          .then(() => audit.flush(config.shutdownTimeoutMs))
          .then(() => store?.close())
          .catch((err: unknown) => {
            logger.error({ err }, 'closing the store failed');
          })
          .finally(() => {
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

import path from 'node:path';
import type { Logger } from 'pino';
import { gatherSettingsOf } from './cds/routes';
import type { Config } from './config';
import { EvaluationPool } from './evaluation/pool';
import type { WorkerSettings } from './evaluation/protocol';
import type { HookEvaluator } from './hook/evaluator';
import { startFhirThread } from './sandbox/fhir-thread';
import type { FhirThread } from './sandbox/fhir-thread';

/**
 * The process's threads besides the main one and the store's: the evaluation workers and, with the sandbox, the
 * embedded FHIR server's thread. Each loads the knowledge itself, which takes seconds, so they are started
 * together, at the beginning of start-up, and the main thread loads its own copy meanwhile.
 */
export interface Threads {
  /** The evaluation workers; undefined when calls are evaluated on the main thread. */
  readonly pool: EvaluationPool | undefined;
  /**
   * Resolves once every worker is ready and the FHIR thread serves (with it, or undefined without it); rejects
   * with the first reason one could not start (the workers' before the FHIR thread's), after stopping the rest.
   */
  readonly started: Promise<FhirThread | undefined>;
  /** Stops whatever started (for a start-up that fails elsewhere), once starting has settled. */
  stop(): Promise<void>;
}

/** The part of the configuration a worker thread needs to load the knowledge and evaluate. */
export function workerSettingsOf(config: Config): WorkerSettings {
  return {
    rulesDir: config.rulesDir,
    fhirResourcesDir: config.fhirResourcesDir,
    defaultLocale: config.locale,
    translations: config.translations,
    ...(config.sandbox ? { sandboxBaseUrl: config.publicBaseUrl } : {}),
  };
}

/** The embedded FHIR server's options (the same on its own thread and on the main one). */
export function fhirServerOptionsOf(config: Config) {
  return {
    samplesDir: path.join(config.fhirResourcesDir, 'sample-patients'),
    maxBodyBytes: config.bodyLimitBytes,
    // Links and fullUrls as clients reach the server, also behind a reverse proxy.
    baseUrl: `${config.publicBaseUrl}/fhir`,
    // PlanDefinition/$apply: the knowledge is served, and applied by the hook's own pipeline.
    knowledgeDir: path.join(config.fhirResourcesDir, 'knowledge'),
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

/**
 * Starts the evaluation workers (unless EVALUATION_WORKERS=0 or an evaluator is given) and, with them and the
 * sandbox, the FHIR server's thread, so the hook's fetches from it do not wait behind hook calls on the main
 * thread; without workers everything runs on the main thread (server.ts).
 */
export function startThreads(config: Config, logger: Logger, evaluate: HookEvaluator | undefined): Threads {
  const pool = evaluate === undefined && config.evaluationWorkers > 0 ? evaluationPool(config, logger) : undefined;
  const poolStarted = pool?.start();
  const fhirStarted =
    pool && config.sandbox
      ? startFhirThread(
          {
            server: { ...fhirServerOptionsOf(config), now: new Date().toISOString() },
            evaluation: workerSettingsOf(config),
            gather: gatherSettingsOf(config),
            logLevel: config.logLevel,
          },
          logger
        )
      : undefined;
  const started = Promise.allSettled([poolStarted, fhirStarted]).then(async ([workers, fhir]) => {
    if (workers.status === 'fulfilled' && fhir.status === 'fulfilled') {
      return fhir.value;
    }
    await Promise.all([fhir.status === 'fulfilled' ? fhir.value?.close() : undefined, pool?.close()]);
    throw workers.status === 'rejected' ? workers.reason : (fhir as PromiseRejectedResult).reason;
  });
  // A start-up that fails on the main thread stops the threads (stop) without waiting for this.
  started.catch(() => undefined);
  return {
    pool,
    started,
    stop: async () => {
      const fhirThread = await started.catch(() => undefined);
      await Promise.all([fhirThread?.close(), pool?.close()]);
    },
  };
}

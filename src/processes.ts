import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from './config';

/**
 * CDS_PROCESSES > 1 (PostgreSQL only): this process becomes the primary of a node:cluster. It forks that many
 * copies of the service, which share the port (the primary hands out the connections), loads nothing itself, and
 * starts a copy again when one stops unexpectedly. SIGTERM/SIGINT are passed on: every copy drains its in-flight
 * calls and writes its audit records (server.ts), then the primary exits. State that matters is in PostgreSQL
 * (feedback, audit, replay records), so any copy can answer any call.
 */

/** A copy that stops this soon after it started counts as failing to start: it is retried with a growing delay. */
const EARLY_EXIT_MS = 10_000;

export function runPrimary(config: Config, logger: Logger): void {
  let stopping = false;
  let failures = 0;
  const started = new Map<Worker, number>();

  const fork = () => {
    const worker = cluster.fork();
    started.set(worker, Date.now());
  };
  cluster.on('exit', (worker, code, signal) => {
    const since = started.get(worker) ?? 0;
    started.delete(worker);
    if (stopping) {
      if (started.size === 0) {
        logger.info('all processes stopped');
        logger.flush();
        process.exit(0);
      }
      return;
    }
    failures = Date.now() - since < EARLY_EXIT_MS ? failures + 1 : 0;
    const delayMs = failures === 0 ? 0 : Math.min(30_000, 500 * 2 ** failures);
    logger.error({ pid: worker.process.pid, code, signal, delayMs }, 'a service process stopped; starting another');
    setTimeout(fork, delayMs);
  });
  let listening = 0;
  cluster.on('listening', () => {
    listening += 1;
    if (listening === config.processes) {
      logger.info({ processes: config.processes, port: config.port }, 'all processes listening');
    }
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stopping = true;
      logger.info({ signal }, 'signal received: stopping every process');
      for (const worker of started.keys()) {
        worker.process.kill(signal);
      }
      if (started.size === 0) {
        process.exit(0);
      }
    });
  }
  for (let index = 0; index < config.processes; index++) {
    fork();
  }
}

/**
 * In a copy: when the primary is gone (killed), stop too — drain and write the audit — rather than serve on
 * without anyone to restart or stop this process.
 * @param shutdown - the graceful shutdown of server.ts
 */
export function stopWithPrimary(shutdown: () => Promise<void>): void {
  if (cluster.isWorker) {
    process.once('disconnect', () => {
      void shutdown().then(() => process.exit(0));
    });
  }
}

/** Whether this process should start the service itself (a single process, or a copy in the cluster). */
export function servesItself(config: Config): boolean {
  return config.processes === 1 || !cluster.isPrimary;
}

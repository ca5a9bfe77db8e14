import { randomUUID } from 'node:crypto';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { hookEvaluator } from '../hook/evaluator';
import { HttpError } from '../common/http-error';
import { loadKnowledge } from '../clinical/knowledge';
import { TaskAssembler } from './protocol';
import type { FromWorker, ToWorker, WorkerSettings } from './protocol';

/**
 * An evaluation worker: loads and validates the knowledge itself (rules/, fhir-resources/), then turns gathered
 * records into cards, one at a time, for the pool in pool.ts. It does no I/O apart from reading the knowledge.
 */

const port = parentPort;
if (port === null) {
  throw new Error('evaluation/worker must run as a worker thread');
}
const send = (message: FromWorker) => {
  port.postMessage(message);
};
const settings = workerData as WorkerSettings;

/**
 * Evaluation yields the CPU to the main thread: on Linux the nice value is per thread, so this lowers only this
 * worker's priority, and HTTP, /healthz and the FHIR fetches are served first when the cores are busy.
 */
const WORKER_NICE = 10;
try {
  setPriority(WORKER_NICE);
} catch {
  // Not permitted (or not supported) here: evaluate at normal priority.
}

function evaluatorOf() {
  try {
    const { sandboxBaseUrl } = settings;
    return hookEvaluator({
      knowledge: loadKnowledge(settings),
      defaultLocale: settings.defaultLocale,
      translations: settings.translations,
      now: () => new Date(),
      newId: randomUUID,
      ...(sandboxBaseUrl === undefined
        ? {}
        : {
            planView: (patientId: string, locale: string) =>
              `${sandboxBaseUrl}/sandbox/?patient=${encodeURIComponent(patientId)}&role=physio&lang=${locale}`,
          }),
    });
  } catch (err) {
    send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
}

const evaluate = evaluatorOf();
if (evaluate === undefined) {
  port.close();
} else {
  const tasks = new TaskAssembler();
  port.on('message', (message: ToWorker) => {
    const task = tasks.add(message);
    if (task === undefined) {
      return;
    }
    Promise.resolve()
      .then(() => evaluate(task.evaluation))
      .then(
        (result) => {
          send({ type: 'result', id: task.id, result });
        },
        (err: unknown) => {
          send({
            type: 'error',
            id: task.id,
            message: err instanceof Error ? err.message : String(err),
            ...(err instanceof HttpError
              ? { http: { status: err.status, body: err.outcome, headers: { ...err.headers } } }
              : {}),
          });
        }
      );
  });
  send({ type: 'ready' });
}

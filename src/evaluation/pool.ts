import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ResourceLimits } from 'node:worker_threads';
import type { Logger } from 'pino';
import { startWorkerThread } from '../common/worker-thread';
import type { EvaluationResult, HookEvaluation } from '../hook/evaluator';
import { HttpError, outcome } from '../common/http-error';
import { toMessages } from './protocol';
import type { FromWorker } from './protocol';

/**
 * A fixed pool of evaluation workers (node:worker_threads): the main thread keeps HTTP, authentication, gathering
 * and the store, the workers do the CPU part of a hook call (normalise → rules → decide → render). Each worker
 * takes one call at a time; calls wait in a bounded queue. A worker that crashes (an uncaught error, out of
 * memory) is replaced, and the call it was running answers 503 with Retry-After: the client may retry, and no
 * call waits for ever.
 */

export interface EvaluationPoolOptions {
  readonly size: number;
  /** Calls waiting for a worker beyond this are refused with 503 (overload). */
  readonly queueSize: number;
  readonly logger: Logger;
  /** The worker's data: WorkerSettings for the evaluation worker. */
  readonly workerData: unknown;
  /** The worker script; the evaluation worker by default (tests use small scripts of their own). */
  readonly script?: string;
  readonly resourceLimits?: ResourceLimits;
  /** How long a worker may take to report ready (it loads the knowledge) before it counts as failed. */
  readonly startTimeoutMs?: number;
}

export interface EvaluationPoolHealth {
  /** Workers configured, workers ready for calls, calls running and waiting. */
  readonly workers: number;
  readonly ready: number;
  readonly busy: number;
  readonly queued: number;
  /** Workers that stopped unexpectedly (and were replaced), and calls refused because the queue was full. */
  readonly crashed: number;
  readonly overloaded: number;
}

interface Task {
  readonly id: number;
  readonly evaluation: HookEvaluation;
  resolve(result: EvaluationResult): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  task?: Task;
  /** Consecutive failures to start: the delay before the next attempt grows with it. */
  failures: number;
}

const unavailable = (message: string) =>
  new HttpError(503, outcome('transient', [{ message }]), { 'Retry-After': '1' });

export class EvaluationPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  private crashed = 0;
  private overloaded = 0;

  constructor(private readonly options: EvaluationPoolOptions) {}

  /** Starts every worker; rejects (naming the reason) when one cannot load the knowledge. */
  async start(): Promise<void> {
    const started = Array.from({ length: this.options.size }, () => this.spawn());
    const results = await Promise.allSettled(started);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) {
      await this.close();
      throw failed.reason;
    }
  }

  /** A HookEvaluator: the call runs on the next free worker. */
  readonly evaluate = (evaluation: HookEvaluation): Promise<EvaluationResult> =>
    new Promise<EvaluationResult>((resolve, reject) => {
      if (this.closed) {
        reject(unavailable('The service is stopping; please retry'));
        return;
      }
      if (this.queue.length >= this.options.queueSize) {
        this.overloaded += 1;
        reject(unavailable('Too many calls are waiting for evaluation; please retry'));
        return;
      }
      this.queue.push({ id: this.nextId++, evaluation, resolve, reject });
      this.dispatch();
    });

  health(): EvaluationPoolHealth {
    return {
      workers: this.options.size,
      ready: this.slots.filter((slot) => slot.ready).length,
      busy: this.slots.filter((slot) => slot.task !== undefined).length,
      queued: this.queue.length,
      crashed: this.crashed,
      overloaded: this.overloaded,
    };
  }

  /** Refuses new calls, answers the waiting ones 503 and stops the workers (after in-flight calls finished). */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) {
      task.reject(unavailable('The service is stopping; please retry'));
    }
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(previous?: Slot): Promise<void> {
    const { options } = this;
    const worker = options.script
      ? new Worker(options.script, {
          workerData: options.workerData,
          ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
        })
      : startWorkerThread(path.join(__dirname, 'worker'), {
          workerData: options.workerData,
          ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
        });
    const slot: Slot = { worker, ready: false, failures: previous?.failures ?? 0 };
    if (previous) {
      this.slots[this.slots.indexOf(previous)] = slot;
    } else {
      this.slots.push(slot);
    }
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        fail(new Error(`an evaluation worker did not start within ${options.startTimeoutMs ?? 60_000} ms`));
        void worker.terminate();
      }, options.startTimeoutMs ?? 60_000);
      timer.unref();
      let settled = false;
      const fail = (error: Error) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          reject(error);
        }
      };
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          settled = true;
          clearTimeout(timer);
          slot.ready = true;
          slot.failures = 0;
          resolve();
          this.dispatch();
        } else if (message.type === 'failed') {
          fail(new Error(message.message));
        } else {
          this.settle(slot, message);
        }
      });
      worker.on('error', (error) => {
        // An uncaught error in the worker; 'exit' follows and replaces it.
        fail(error);
        options.logger.error({ err: error }, 'an evaluation worker failed');
      });
      worker.on('exit', (code) => {
        fail(new Error(`an evaluation worker stopped while starting (exit code ${code})`));
        this.onExit(slot, code);
      });
    });
  }

  private onExit(slot: Slot, code: number): void {
    const { task } = slot;
    slot.ready = false;
    slot.task = undefined;
    if (this.closed) {
      task?.reject(unavailable('The service is stopping; please retry'));
      return;
    }
    this.crashed += 1;
    task?.reject(unavailable('The evaluation of this call was interrupted (a worker stopped); please retry'));
    this.options.logger.error({ code, inFlight: task !== undefined }, 'an evaluation worker stopped; replacing it');
    if (this.slots.every((other) => !other.ready)) {
      // No worker left to take the waiting calls: answer them now rather than let them wait for a replacement.
      for (const waiting of this.queue.splice(0)) {
        waiting.reject(unavailable('No evaluation worker is available; please retry'));
      }
    }
    // A worker that keeps failing to start is retried with a growing delay (at most 5 s).
    const failures = slot.failures;
    slot.failures += 1;
    const retry = setTimeout(
      () => {
        if (!this.closed) {
          this.spawn(slot).catch((error: unknown) => {
            this.options.logger.error({ err: error }, 'a replacement evaluation worker failed to start');
          });
        }
      },
      failures === 0 ? 0 : Math.min(5000, 100 * 2 ** failures)
    );
    retry.unref();
  }

  private settle(slot: Slot, message: Extract<FromWorker, { id: number }>): void {
    const task = slot.task;
    if (task?.id !== message.id) {
      return;
    }
    slot.task = undefined;
    if (message.type === 'result') {
      task.resolve(message.result as EvaluationResult);
    } else if (message.http) {
      const { status, body, headers } = message.http;
      task.reject(new HttpError(status, body as HttpError['outcome'], headers));
    } else {
      task.reject(new Error(message.message));
    }
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) {
        return;
      }
      if (slot.ready && slot.task === undefined) {
        const task = this.queue.shift() as Task;
        slot.task = task;
        void this.post(slot, task);
      }
    }
  }

  /** Sends a task, yielding to the event loop between the slices of a large record (protocol.ts). */
  private async post(slot: Slot, task: Task): Promise<void> {
    const messages = toMessages(task.id, task.evaluation);
    for (const [index, message] of messages.entries()) {
      if (slot.task !== task) {
        return; // the worker stopped meanwhile; the task was answered 503
      }
      if (index > 0) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      slot.worker.postMessage(message);
    }
  }
}

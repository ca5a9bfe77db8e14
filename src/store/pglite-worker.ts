/** The embedded PostgreSQL (PGlite) on a worker thread, for database.ts: the thread's code and the requests to it. */
import { Worker } from 'node:worker_threads';

type WorkerRequest =
  /** With `template`, a folder that does not exist yet is created from that dump instead of by initdb. */
  | { op: 'open'; folder: string; template?: string }
  | { op: 'query'; sql: string; params: unknown[] | undefined; tx: number | undefined }
  | { op: 'begin' }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'dump' }
  | { op: 'close' };

type WorkerReply = { id: number; result: unknown } | { id: number; error: { message: string; code?: string } };

/**
 * The embedded database runs on a worker thread. PostgreSQL compiled to WebAssembly executes
 * synchronously: on the main thread every query would stall the event loop, and with it the hook
 * responses. The thread also keeps PGlite out of jest's module sandbox, where its start-up (a dynamic
 * `import()` of Node built-ins) fails unless jest runs with --experimental-vm-modules.
 *
 * The worker is plain JavaScript evaluated from this string, so the same code runs from the TypeScript
 * sources (tests) and from the build. Errors cross the thread as message and SQLSTATE code only: a
 * driver error's detail can quote row values.
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { gunzipSync } = require('node:zlib');
const { PGlite } = require(workerData.module);
const ROLLBACK = Symbol('rollback');
const transactions = new Map();
let pglite;

async function run(target, sql, params) {
  if (params !== undefined && params.length > 0) {
    return (await target.query(sql, params)).rows;
  }
  // exec uses the simple protocol, which allows several statements (query prepares exactly one).
  const results = await target.exec(sql);
  return results.length > 0 ? results[results.length - 1].rows : [];
}

function begin(id) {
  return new Promise((started, failed) => {
    let finish;
    const ended = new Promise((resolve) => (finish = resolve));
    const done = pglite
      .transaction(async (tx) => {
        transactions.get(id).tx = tx;
        started(id);
        if (!(await ended)) {
          throw ROLLBACK;
        }
      })
      .catch((error) => {
        if (error !== ROLLBACK) {
          throw error;
        }
      });
    transactions.set(id, { tx: undefined, finish, done });
    done.catch(failed);
  });
}

async function end(id, commit) {
  const transaction = transactions.get(id);
  if (!transaction) {
    throw new Error('Unknown transaction');
  }
  transactions.delete(id);
  transaction.finish(commit);
  await transaction.done;
  return null;
}

async function handle(request) {
  switch (request.op) {
    case 'open': {
      // The template is unzipped here: faster than PGlite's own unpacking of a gzipped dump.
      const options =
        request.template === undefined ? {} : { loadDataDir: new Blob([gunzipSync(readFileSync(request.template))]) };
      pglite = await PGlite.create(request.folder, options);
      await pglite.query('SELECT 1');
      return null;
    }
    case 'query': {
      const target = request.tx === undefined ? pglite : transactions.get(request.tx)?.tx;
      if (!target) {
        throw new Error('The transaction has ended');
      }
      return run(target, request.sql, request.params);
    }
    case 'begin':
      return begin(request.id);
    case 'end':
      return end(request.tx, request.commit);
    case 'dump': {
      const dump = await pglite.dumpDataDir('gzip');
      return new Uint8Array(await dump.arrayBuffer());
    }
    case 'close':
      await pglite?.close();
      pglite = undefined;
      return null;
    default:
      throw new Error('Unknown request ' + request.op);
  }
}

parentPort.on('message', (request) => {
  handle(request).then(
    (result) => parentPort.postMessage({ id: request.id, result }),
    (error) => {
      const message = error instanceof Error ? error.message : String(error);
      const code = typeof error?.code === 'string' ? error.code : undefined;
      parentPort.postMessage({ id: request.id, error: { message, code } });
    }
  );
});
`;

interface Waiter {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** Requests to the worker thread, answered in any order by id. */
export class PGliteWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Waiter>();
  private nextId = 1;
  private stopped: Error | undefined;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module: require.resolve('@electric-sql/pglite') },
    });
    // An idle embedded database does not keep the process alive; a pending request does (see call).
    this.worker.unref();
    this.worker.on('message', (reply: WorkerReply) => {
      this.settle(reply);
    });
    this.worker.on('error', (error) => {
      this.stop(new Error(`The embedded database stopped: ${error.message}`));
    });
    this.worker.on('exit', (code) => {
      this.stop(new Error(`The embedded database stopped (exit code ${code})`));
    });
  }

  call(request: WorkerRequest): Promise<unknown> {
    if (this.stopped) {
      return Promise.reject(this.stopped);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) {
        this.worker.ref();
      }
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  async terminate(): Promise<void> {
    this.stop(new Error('The embedded database is closed'));
    await this.worker.terminate();
  }

  private settle(reply: WorkerReply): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) {
      return;
    }
    this.pending.delete(reply.id);
    if (this.pending.size === 0) {
      this.worker.unref();
    }
    if ('error' in reply) {
      const error = new Error(reply.error.message);
      waiter.reject(reply.error.code ? Object.assign(error, { code: reply.error.code }) : error);
    } else {
      waiter.resolve(reply.result);
    }
  }

  private stop(reason: Error): void {
    this.stopped ??= reason;
    for (const waiter of this.pending.values()) {
      waiter.reject(reason);
    }
    this.pending.clear();
  }
}

/**
 * Opens PGlite on `folder` in a new worker thread.
 * @param template - a dump (pglite-template.ts) to create the folder from; only for a folder that does not exist
 */
export async function startPGlite(folder: string, template?: string): Promise<PGliteWorker> {
  const worker = new PGliteWorker();
  try {
    await worker.call({ op: 'open', folder, ...(template === undefined ? {} : { template }) });
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return worker;
}

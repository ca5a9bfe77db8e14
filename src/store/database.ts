import { existsSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { types } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Pool } from 'pg';
import type { PoolClient } from 'pg';

/**
 * One small SQL interface over two drivers, so the same SQL and migrations run on both: PGlite (PostgreSQL
 * compiled to WebAssembly, embedded, data in a folder) and a PostgreSQL server through `pg`.
 *
 * Rules that hold on both drivers:
 * - parameters are written `$1`, `$2`, … and passed in `params`; a Date is sent as ISO 8601 text;
 * - a call without parameters may contain several statements separated by `;` (simple query protocol);
 *   the rows of the last statement are returned — migrations rely on this;
 * - `bigint` columns come back as a number from PGlite but as a string from `pg`: cast counts and ids
 *   in SQL (`count(*)::int`, `id::text`) when the type matters;
 * - `timestamptz` comes back as a `Date`, `text[]` as `string[]`;
 * - an error from the database carries its SQLSTATE in `code` (e.g. `23505` for a unique violation).
 */
export interface Database {
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * Runs `fn` in a transaction: committed when it resolves, rolled back when it rejects. Inside a
   * transaction, `transaction` opens a savepoint. The handle passed to `fn` must not be used after `fn`.
   */
  transaction<T>(fn: (db: Database) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly kind: 'pglite' | 'postgres';
}

export interface DatabaseOptions {
  /** A `postgres://` URL; without it the embedded PGlite store in `<dataDir>/pglite` is used. */
  databaseUrl?: string;
  /** The service's data folder (created if missing). */
  dataDir: string;
}

type Kind = Database['kind'];

/** Runs one call on a connection or transaction of either driver. */
type Runner = (sql: string, params: unknown[] | undefined) => Promise<unknown[]>;

/**
 * Opens the embedded store (first start creates `<dataDir>/pglite`, which takes a few seconds) or a
 * connection pool to PostgreSQL. Either way a first query has succeeded before this resolves.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
    return openPostgres(options.databaseUrl);
  }
  return openPGlite(path.join(options.dataDir, 'pglite'));
}

/** Dates as ISO 8601 text: the same instant whatever the time zone of the server or the process. */
function toParams(params: unknown[]): unknown[] {
  return params.map((param) => (types.isDate(param) ? param.toISOString() : param));
}

/** Opens PGlite on `folder` in a new worker thread. */
async function startPGlite(folder: string): Promise<PGliteWorker> {
  const worker = new PGliteWorker();
  try {
    await worker.call({ op: 'open', folder });
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return worker;
}

/**
 * The first creation of the folder takes seconds; a crash during it would leave a half-written store that no
 * later start can open. So it is created under a temporary name and renamed when complete: the folder either
 * does not exist or is whole. (The caller holds the DATA_DIR lock, so the temporary name is this process's.)
 */
async function createPGliteOnce(folder: string): Promise<void> {
  if (existsSync(folder)) {
    return;
  }
  const temp = `${folder}.creating`;
  await rm(temp, { recursive: true, force: true });
  const creator = await startPGlite(temp);
  await creator.call({ op: 'close' });
  await creator.terminate();
  await rename(temp, folder);
  // The rename is durable once the parent folder is synced.
  const parent = await open(path.dirname(folder), 'r');
  try {
    await parent.sync();
  } finally {
    await parent.close();
  }
}

async function openPGlite(folder: string): Promise<Database> {
  await mkdir(path.dirname(folder), { recursive: true });
  await createPGliteOnce(folder);
  const worker = await startPGlite(folder);
  const runner =
    (tx?: number): Runner =>
    async (sql, params) =>
      (await worker.call({ op: 'query', sql, params: params && toParams(params), tx })) as unknown[];
  const db: Database = {
    kind: 'pglite',
    query: typedQuery(runner()),
    transaction: async (fn) => {
      const tx = (await worker.call({ op: 'begin' })) as number;
      let result;
      try {
        result = await inTransaction('pglite', runner(tx), fn);
      } catch (error) {
        await worker.call({ op: 'end', tx, commit: false }).catch(() => undefined);
        throw error;
      }
      await worker.call({ op: 'end', tx, commit: true });
      return result;
    },
    close: async () => {
      try {
        await worker.call({ op: 'close' });
      } finally {
        await worker.terminate();
      }
    },
  };
  return db;
}

type WorkerRequest =
  | { op: 'open'; folder: string }
  | { op: 'query'; sql: string; params: unknown[] | undefined; tx: number | undefined }
  | { op: 'begin' }
  | { op: 'end'; tx: number; commit: boolean }
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
    case 'open':
      pglite = await PGlite.create(request.folder);
      await pglite.query('SELECT 1');
      return null;
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
class PGliteWorker {
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

async function openPostgres(databaseUrl: string): Promise<Database> {
  const pool = new Pool({
    connectionString: databaseUrl,
    application_name: 'ruggensteun',
    // A database that cannot be reached fails a call after this long instead of waiting for ever.
    connectionTimeoutMillis: 10_000,
  });
  // An idle connection that breaks (server restart, network) emits 'error' on the pool; without a
  // listener that would crash the process. The pool drops the connection and the next call reconnects.
  pool.on('error', () => undefined);
  const db: Database = {
    kind: 'postgres',
    query: typedQuery(postgresRunner(pool)),
    transaction: async (fn) => {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        try {
          const result = await inTransaction('postgres', postgresRunner(client), fn);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {
            broken = true;
          });
          throw error;
        }
      } finally {
        // A connection whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
  try {
    await db.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return db;
}

function postgresRunner(target: Pool | PoolClient): Runner {
  return async (sql, params) => {
    // Without parameters pg uses the simple protocol and returns one result per statement.
    const result: unknown = await target.query(sql, params && toParams(params));
    const last: unknown = Array.isArray(result) ? result.at(-1) : result;
    return (last as { rows?: unknown[] } | undefined)?.rows ?? [];
  };
}

function typedQuery(run: Runner): Database['query'] {
  return async <T>(sql: string, params?: unknown[]) => (await run(sql, params)) as T[];
}

/** Calls `fn` with a handle on the open transaction; nested transactions become savepoints. */
async function inTransaction<T>(kind: Kind, run: Runner, fn: (db: Database) => Promise<T>): Promise<T> {
  let open = true;
  let savepoints = 0;
  const guarded: Runner = (sql, params) => {
    if (!open) {
      return Promise.reject(new Error('This transaction has ended; use the database handle instead'));
    }
    return run(sql, params);
  };
  const handle: Database = {
    kind,
    query: typedQuery(guarded),
    transaction: async (inner) => {
      const name = `sp_${++savepoints}`;
      await guarded(`SAVEPOINT ${name}`, undefined);
      try {
        const result = await inner(handle);
        await guarded(`RELEASE SAVEPOINT ${name}`, undefined);
        return result;
      } catch (error) {
        await guarded(`ROLLBACK TO SAVEPOINT ${name}`, undefined);
        throw error;
      }
    },
    close: () => Promise.reject(new Error('Cannot close the database from inside a transaction')),
  };
  try {
    return await fn(handle);
  } finally {
    open = false;
  }
}

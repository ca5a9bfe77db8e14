import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { types } from 'node:util';
import { Pool } from 'pg';
import { startPGlite } from './pglite-worker';
import type { PGliteWorker } from './pglite-worker';
import { builtTemplate } from './pglite-template';
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
  /** A dump to create a new PGlite folder from (pglite-template.ts); the build's template by default. */
  pgliteTemplate?: string;
}

type Kind = Database['kind'];

/** Runs one call on a connection or transaction of either driver. */
type Runner = (sql: string, params: unknown[] | undefined) => Promise<unknown[]>;

/**
 * Opens the embedded store (the first start creates `<dataDir>/pglite`: about a second from the build's
 * template, a few seconds by initdb without one) or a connection pool to PostgreSQL. Either way a first query
 * has succeeded before this resolves.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
    return openPostgres(options.databaseUrl);
  }
  return openPGlite(path.join(options.dataDir, 'pglite'), options.pgliteTemplate ?? builtTemplate());
}

/** Dates as ISO 8601 text: the same instant whatever the time zone of the server or the process. */
function toParams(params: unknown[]): unknown[] {
  return params.map((param) => (types.isDate(param) ? param.toISOString() : param));
}

/**
 * Opens PGlite on `folder`, creating it in place on the first start. A crash while it is created would leave a
 * half-written store that no later start can open, so `<folder>.creating` is written (and synced) before the
 * folder is made and removed only once the store has opened: a folder next to that marker is half-made and is
 * deleted and created again. (The caller holds the DATA_DIR lock, so the marker is this process's. Releases
 * before this one created the folder under the marker's name and renamed it: what they left is handled alike.)
 */
function startPGliteOnce(folder: string, template: string | undefined): Promise<PGliteWorker> {
  // Synchronous up to the worker's start, so it starts creating while this thread loads the knowledge.
  mkdirSync(path.dirname(folder), { recursive: true });
  const marker = `${folder}.creating`;
  if (existsSync(folder) && !existsSync(marker)) {
    return startPGlite(folder);
  }
  rmSync(folder, { recursive: true, force: true });
  rmSync(marker, { recursive: true, force: true });
  closeSynced(openSync(marker, 'w'));
  closeSynced(openSync(path.dirname(folder), 'r'));
  return startPGlite(folder, template).then(async (worker) => {
    try {
      await unlink(marker);
      // The marker's removal is durable once the parent folder is synced.
      const parent = await open(path.dirname(folder), 'r');
      await parent.sync().finally(() => parent.close());
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    return worker;
  });
}

function closeSynced(fd: number): void {
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function openPGlite(folder: string, template: string | undefined): Promise<Database> {
  const worker = await startPGliteOnce(folder, template);
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

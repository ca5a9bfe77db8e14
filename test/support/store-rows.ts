import { Client } from 'pg';
import { openDatabase } from '../../src/store/database';

/**
 * Reads what a service process left in its store, after the process has ended: the PGlite folder in `dataDir`
 * (the process's lock is gone), or the PostgreSQL database at `databaseUrl`.
 */
export interface StoreLocation {
  readonly dataDir: string;
  readonly databaseUrl?: string;
}

export async function queryStore<T>(where: StoreLocation, sql: string, params: unknown[] = []): Promise<T[]> {
  if (where.databaseUrl !== undefined) {
    const client = new Client({ connectionString: where.databaseUrl });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const db = await openDatabase({ dataDir: where.dataDir });
  try {
    return await db.query<T>(sql, params);
  } finally {
    await db.close();
  }
}

/** How often each value of `column` occurs in `table` among the given values. */
export async function occurrences(
  where: StoreLocation,
  table: 'feedback' | 'hook_calls',
  column: 'card_uuid' | 'hook_instance',
  values: readonly string[]
): Promise<Map<string, number>> {
  const rows = await queryStore<{ value: string; n: number }>(
    where,
    `SELECT ${column} AS value, count(*)::int AS n FROM ${table} WHERE ${column} = ANY($1::text[]) GROUP BY 1`,
    [values]
  );
  return new Map(rows.map((row) => [row.value, row.n]));
}

import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * PostgreSQL for tests. `node scripts/with-postgres.mjs <command>` starts a throw-away server and sets
 * TEST_DATABASE_URL; without it the PostgreSQL variants are skipped, except in CI (`CI=true`), where a
 * missing database must fail the run instead of silently testing less.
 */
export function testDatabaseUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL;
  return url === undefined || url === '' ? undefined : url;
}

/**
 * True when the PostgreSQL variant of a suite may be skipped; then one line on stderr says what is skipped and
 * what to install, so a local run never tests less without saying so.
 */
export function postgresMaySkip(what: string): boolean {
  const skip = testDatabaseUrl() === undefined && process.env.CI !== 'true';
  if (skip) {
    skipNotice(
      what,
      'needs PostgreSQL; install the server binaries (apt-get install postgresql), then `npm test` starts one'
    );
  }
  return skip;
}

/** The one line a skipping test prints (jest's console is bypassed, so it is not buried in a stack trace). */
export function skipNotice(what: string, reason: string): void {
  process.stderr.write(`SKIPPED ${what}: ${reason}\n`);
}

/** The database URL, or a clear failure (used in CI, where the variant is not skipped). */
export function requireTestDatabaseUrl(): string {
  const url = testDatabaseUrl();
  if (url === undefined) {
    throw new Error(
      'TEST_DATABASE_URL is not set, and CI=true: run the tests through `node scripts/with-postgres.mjs <command>`'
    );
  }
  return url;
}

export interface TestSchema {
  /** TEST_DATABASE_URL with `search_path` set to the schema: unqualified table names land there. */
  readonly url: string;
  readonly schema: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/**
 * A fresh, empty schema in the test database, so that test files running in parallel (jest workers)
 * do not see each other's tables.
 */
export async function createTestSchema(baseUrl = requireTestDatabaseUrl()): Promise<TestSchema> {
  const schema = `test_${randomBytes(6).toString('hex')}`;
  await withClient(baseUrl, (client) => client.query(`CREATE SCHEMA ${schema}`));
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    schema,
    drop: () => withClient(baseUrl, (client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)),
  };
}

async function withClient(url: string, fn: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}

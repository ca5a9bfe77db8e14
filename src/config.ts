import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseTrustedIssuers, TrustedIssuersError } from './auth/trusted-issuers';
import type { TrustedIssuer } from './auth/trusted-issuers';
import type { KnowledgeLocale } from './clinical/finding';
import { KNOWLEDGE_LOCALES } from './clinical/finding';
import type { RateBudgets } from './http/rate-limit';
import { PACKAGE_ROOT } from './common/version';
import { LOG_LEVELS } from './common/logger';
import type { LogLevel } from './common/logger';

/**
 * The whole configuration of the service: one zod schema over environment variables, parsed once at
 * start-up. Every problem is reported at once so an operator can fix them in one go. No other module
 * reads `process.env`.
 */

const positiveInt = (fallback: number, max = 1_000_000_000) =>
  z.coerce.number().int().positive().max(max).default(fallback);

/** An absolute http(s) URL without query or fragment; a trailing slash is removed. */
const baseUrl = z
  .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
  .refine((value) => !value.includes('?') && !value.includes('#'), 'must not contain a query or fragment')
  .transform((value) => value.replace(/\/+$/, ''));

const corsOrigins = z
  .string()
  .trim()
  .transform((value, ctx): '*' | string[] => {
    if (value === '*') {
      return '*';
    }
    const origins = value
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin.length > 0);
    for (const origin of origins) {
      if (!/^https?:\/\/[^/?#\s]+$/.test(origin)) {
        ctx.addIssue({ code: 'custom', message: `"${origin}" is not an origin like https://ehr.example.org` });
      }
    }
    return origins;
  });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  PUBLIC_BASE_URL: baseUrl.optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  CORS_ORIGINS: corsOrigins.optional(),
  FHIR_TIMEOUT_MS: positiveInt(2000, 60_000),
  FHIR_BUDGET_MS: positiveInt(2500, 120_000),
  FHIR_MAX_PAGES: positiveInt(5, 100),
  FHIR_MAX_RESPONSE_BYTES: positiveInt(10 * 1024 * 1024),
  BODY_LIMIT_BYTES: positiveInt(5 * 1024 * 1024),
  SHUTDOWN_TIMEOUT_MS: positiveInt(10_000, 600_000),
  CDS_LOCALE: z.enum(['nl', 'fr', 'en']).default('nl'),
  /** Languages attached to CarePlan texts as FHIR translations, e.g. `nl,fr`; none by default. */
  CDS_TRANSLATIONS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((tag) => tag.trim().toLowerCase())
        .filter(Boolean)
    )
    .pipe(z.array(z.enum(KNOWLEDGE_LOCALES as readonly [KnowledgeLocale, ...KnowledgeLocale[]]))),
  CDS_AUTH: z.enum(['required', 'off']).optional(),
  TRUSTED_ISSUERS: z.string().trim().min(1).optional(),
  TRUSTED_ISSUERS_FILE: z.string().trim().min(1).optional(),
  AUTH_CLOCK_SKEW_S: z.coerce.number().int().min(0).max(600).default(60),
  AUTH_MAX_TOKEN_LIFETIME_S: positiveInt(3600, 86_400),
  AUTH_REPLAY_CACHE_SIZE: positiveInt(100_000, 10_000_000),
  AUTH_JKU_TIMEOUT_MS: positiveInt(2000, 60_000),
  RATE_LIMIT_PER_MINUTE: positiveInt(600, 1_000_000),
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: positiveInt(30, 1_000_000),
  RATE_LIMIT_PER_ISSUER_PER_MINUTE: positiveInt(6000, 10_000_000),
  RATE_LIMIT_PER_USER_PER_MINUTE: positiveInt(120, 1_000_000),
  FHIR_SERVER_ALLOWLIST: z.string().trim().min(1).optional(),
  TRUST_PROXY: z.string().trim().min(1).optional(),
  DATA_DIR: z.string().trim().min(1).default('data'),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  PATIENT_HASH_KEY: z.string().trim().min(1).optional(),
  ADMIN_TOKEN: z.string().trim().min(32, 'must be at least 32 characters').optional(),
  AUDIT_QUEUE_SIZE: positiveInt(1000, 1_000_000),
  STORE_WAIT_MS: positiveInt(10_000, 120_000),
  AUDIT_COMMIT_TIMEOUT_MS: positiveInt(2000, 60_000),
  SANDBOX: z.enum(['on', 'off']).optional(),
  /** Evaluation worker threads; 0 evaluates on the main thread (tests, debugging). */
  EVALUATION_WORKERS: z.coerce.number().int().min(0).max(256).optional(),
  EVALUATION_QUEUE_SIZE: positiveInt(256, 100_000),
  /** Memory limit of one evaluation worker's heap (MiB): a worker beyond it is stopped and replaced. */
  EVALUATION_WORKER_MEMORY_MB: z.coerce.number().int().min(32).max(65_536).optional(),
  /** Processes serving the port (node:cluster); more than one needs DATABASE_URL. */
  CDS_PROCESSES: z.coerce.number().int().min(1).max(256).default(1),
  RULES_DIR: z.string().trim().min(1).default('rules'),
  FHIR_RESOURCES_DIR: z.string().trim().min(1).default('fhir-resources'),
});

export type NodeEnv = z.infer<typeof envSchema>['NODE_ENV'];
export type { LogLevel } from './common/logger';

export interface Config {
  readonly nodeEnv: NodeEnv;
  readonly host: string;
  readonly port: number;
  /** The base URL clients use to reach us (discovery is `${publicBaseUrl}/cds-services`). */
  readonly publicBaseUrl: string;
  readonly logLevel: LogLevel;
  /** `'*'` = any origin; an empty list = no cross-origin access. */
  readonly corsOrigins: '*' | readonly string[];
  /** Timeout of one request to the client's FHIR server. */
  readonly fhirTimeoutMs: number;
  /** Time budget for all FHIR fallback requests of one hook call together. */
  readonly fhirBudgetMs: number;
  /** How many Bundle pages (the first one included) are read per search. */
  readonly fhirMaxPages: number;
  /** Largest FHIR response body that is read; larger ones are abandoned and reported. */
  readonly fhirMaxResponseBytes: number;
  readonly bodyLimitBytes: number;
  readonly shutdownTimeoutMs: number;
  /** Language of card texts when the request's Accept-Language names no supported one. */
  readonly locale: 'nl' | 'fr' | 'en';
  /** CDS_TRANSLATIONS: the languages every CarePlan text also carries (translation extension). */
  readonly translations: readonly KnowledgeLocale[];
  /** Whether every CDS call must carry a valid client JWT (CDS Hooks 2.0 "Trusting CDS Clients"). */
  readonly authRequired: boolean;
  /** The EHRs this service trusts: issuer, keys, allowed FHIR servers, tenants (TRUSTED_ISSUERS[_FILE]). */
  readonly trustedIssuers: readonly TrustedIssuer[];
  readonly authClockSkewSeconds: number;
  readonly authMaxTokenLifetimeSeconds: number;
  readonly authReplayCacheSize: number;
  readonly authJkuTimeoutMs: number;
  /** Requests per minute per address (before authentication), failed authentications, issuer and user. */
  readonly rateLimits: RateBudgets;
  /**
   * Without authentication, the only fhirServer base URLs contacted besides loopback and the embedded server
   * (FHIR_SERVER_ALLOWLIST, comma-separated base URLs); with authentication each issuer's fhirServers apply.
   */
  readonly fhirServerAllowlist: readonly string[];
  /** express "trust proxy" setting (e.g. `1` or `loopback`); unset = do not trust X-Forwarded-For. */
  readonly trustProxy?: string;
  readonly dataDir: string;
  readonly databaseUrl?: string;
  readonly patientHashKey?: string;
  readonly adminToken?: string;
  readonly auditQueueSize: number;
  /** How long feedback and audit writes wait for a store that is opening or down before giving up (503 / retry). */
  readonly storeWaitMs: number;
  /** How long an answered hook call waits for its audit record to commit before it is answered anyway. */
  readonly auditCommitTimeoutMs: number;
  /**
   * The integrator's playground: an open FHIR server with the sample patients at /fhir and the page at /sandbox.
   * On by default except in production.
   */
  readonly sandbox: boolean;
  readonly rulesDir: string;
  readonly fhirResourcesDir: string;
  /**
   * EVALUATION_WORKERS: threads that evaluate hook calls (docs/operations.md "Workers and processes"); 0 = on the
   * main thread. Default: one per core (os.availableParallelism()) divided over CDS_PROCESSES, 0 in the test
   * environment.
   */
  readonly evaluationWorkers: number;
  /** Calls that may wait for a worker; beyond that a call answers 503 with Retry-After. */
  readonly evaluationQueueSize: number;
  readonly evaluationWorkerMemoryMb?: number;
  /** CDS_PROCESSES: processes sharing the port through node:cluster (PostgreSQL only). */
  readonly processes: number;
}

/** Thrown when the environment does not describe a valid configuration; lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = z.infer<typeof envSchema>;

/** The trusted issuers from TRUSTED_ISSUERS or TRUSTED_ISSUERS_FILE (not both); problems are added to `problems`. */
function trustedIssuersOf(e: Env, root: string, problems: string[]): { configured: boolean; issuers: TrustedIssuer[] } {
  let json = e.TRUSTED_ISSUERS;
  if (e.TRUSTED_ISSUERS !== undefined && e.TRUSTED_ISSUERS_FILE !== undefined) {
    problems.push('TRUSTED_ISSUERS_FILE: give either TRUSTED_ISSUERS or TRUSTED_ISSUERS_FILE, not both');
  } else if (e.TRUSTED_ISSUERS_FILE !== undefined) {
    try {
      json = readFileSync(path.resolve(root, e.TRUSTED_ISSUERS_FILE), 'utf8');
    } catch {
      problems.push(`TRUSTED_ISSUERS_FILE: cannot read ${e.TRUSTED_ISSUERS_FILE}`);
    }
  }
  if (json === undefined) {
    return { configured: false, issuers: [] };
  }
  const baseDir = e.TRUSTED_ISSUERS_FILE ? path.dirname(path.resolve(root, e.TRUSTED_ISSUERS_FILE)) : root;
  try {
    return { configured: true, issuers: parseTrustedIssuers(json, baseDir) };
  } catch (err) {
    const listed = err instanceof TrustedIssuersError ? err.problems : [err instanceof Error ? err.message : 'invalid'];
    problems.push(...listed.map((problem) => `TRUSTED_ISSUERS: ${problem}`));
    return { configured: true, issuers: [] };
  }
}

/** FHIR_SERVER_ALLOWLIST as base URLs; an entry that is not one is added to `problems`. */
function fhirServerAllowlistOf(e: Env, problems: string[]): string[] {
  const allowlist: string[] = [];
  for (const entry of (e.FHIR_SERVER_ALLOWLIST ?? '').split(',').map((item) => item.trim())) {
    if (entry === '') {
      continue;
    }
    const checked = baseUrl.safeParse(entry);
    if (checked.success) {
      allowlist.push(checked.data);
    } else {
      problems.push(`FHIR_SERVER_ALLOWLIST: "${entry}" is not an absolute http(s) base URL without query`);
    }
  }
  return allowlist;
}

/** Combinations that are refused although each variable is valid on its own (CDS_AUTH=off in production aside). */
function combinationProblems(e: Env, authRequired: boolean, issuersConfigured: boolean): string[] {
  const problems: string[] = [];
  // In development the sandbox brings its own trusted signer (server.ts), so it needs no other issuer.
  const sandboxSigns = e.NODE_ENV === 'development' && (e.SANDBOX ?? 'on') === 'on';
  if (authRequired && !issuersConfigured && !sandboxSigns) {
    problems.push('CDS_AUTH: authentication is required but no TRUSTED_ISSUERS or TRUSTED_ISSUERS_FILE is configured');
  }
  if (e.DATABASE_URL !== undefined && e.PATIENT_HASH_KEY === undefined) {
    problems.push('PATIENT_HASH_KEY: required with DATABASE_URL (the embedded store generates and keeps its own key)');
  }
  if (e.CDS_PROCESSES > 1 && e.DATABASE_URL === undefined) {
    problems.push(
      'CDS_PROCESSES: more than one process needs DATABASE_URL (the embedded store serves one process; use EVALUATION_WORKERS for its cores)'
    );
  }
  return problems;
}

/** The checked variables as a Config, with the defaults that depend on NODE_ENV and the paths resolved. */
function toConfig(
  e: Env,
  root: string,
  checked: Pick<Config, 'authRequired' | 'trustedIssuers' | 'fhirServerAllowlist'>
): Config {
  const isProduction = e.NODE_ENV === 'production';
  const displayHost = e.HOST === '0.0.0.0' || e.HOST === '::' ? '127.0.0.1' : e.HOST;
  return {
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicBaseUrl:
      e.PUBLIC_BASE_URL ?? `http://${displayHost.includes(':') ? `[${displayHost}]` : displayHost}:${e.PORT}`,
    logLevel: e.LOG_LEVEL ?? (e.NODE_ENV === 'test' ? 'silent' : 'info'),
    // Open in development so the sandbox and local tools work; closed in production unless configured.
    corsOrigins: e.CORS_ORIGINS ?? (isProduction ? [] : '*'),
    fhirTimeoutMs: e.FHIR_TIMEOUT_MS,
    fhirBudgetMs: e.FHIR_BUDGET_MS,
    fhirMaxPages: e.FHIR_MAX_PAGES,
    fhirMaxResponseBytes: e.FHIR_MAX_RESPONSE_BYTES,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    locale: e.CDS_LOCALE,
    translations: [...new Set(e.CDS_TRANSLATIONS)],
    ...checked,
    authClockSkewSeconds: e.AUTH_CLOCK_SKEW_S,
    authMaxTokenLifetimeSeconds: e.AUTH_MAX_TOKEN_LIFETIME_S,
    authReplayCacheSize: e.AUTH_REPLAY_CACHE_SIZE,
    authJkuTimeoutMs: e.AUTH_JKU_TIMEOUT_MS,
    rateLimits: {
      perAddress: e.RATE_LIMIT_PER_MINUTE,
      authFailuresPerAddress: e.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE,
      perIssuer: e.RATE_LIMIT_PER_ISSUER_PER_MINUTE,
      perUser: e.RATE_LIMIT_PER_USER_PER_MINUTE,
    },
    ...(e.TRUST_PROXY === undefined ? {} : { trustProxy: e.TRUST_PROXY }),
    dataDir: path.resolve(root, e.DATA_DIR),
    ...(e.DATABASE_URL === undefined ? {} : { databaseUrl: e.DATABASE_URL }),
    ...(e.PATIENT_HASH_KEY === undefined ? {} : { patientHashKey: e.PATIENT_HASH_KEY }),
    ...(e.ADMIN_TOKEN === undefined ? {} : { adminToken: e.ADMIN_TOKEN }),
    auditQueueSize: e.AUDIT_QUEUE_SIZE,
    storeWaitMs: e.STORE_WAIT_MS,
    auditCommitTimeoutMs: e.AUDIT_COMMIT_TIMEOUT_MS,
    sandbox: (e.SANDBOX ?? (isProduction ? 'off' : 'on')) === 'on',
    rulesDir: path.resolve(root, e.RULES_DIR),
    fhirResourcesDir: path.resolve(root, e.FHIR_RESOURCES_DIR),
    // The cores shared out over the processes; the main threads mostly wait for I/O.
    evaluationWorkers:
      e.EVALUATION_WORKERS ??
      (e.NODE_ENV === 'test' ? 0 : Math.max(1, Math.floor(availableParallelism() / e.CDS_PROCESSES))),
    evaluationQueueSize: e.EVALUATION_QUEUE_SIZE,
    ...(e.EVALUATION_WORKER_MEMORY_MB === undefined ? {} : { evaluationWorkerMemoryMb: e.EVALUATION_WORKER_MEMORY_MB }),
    processes: e.CDS_PROCESSES,
  };
}

/**
 * Parses the environment into a Config: the schema, then the issuers and the allowlist, then the combinations
 * that are refused; every problem is collected before one ConfigError is thrown.
 * @param env - the variables to read, normally `process.env`
 * @param root - the folder relative paths (RULES_DIR, FHIR_RESOURCES_DIR) are resolved against
 * @throws ConfigError listing every invalid variable
 */
export function parseConfig(env: Record<string, string | undefined>, root = PACKAGE_ROOT): Config {
  // Empty strings mean "not set" (docker-compose and .env files often leave variables blank).
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const issuers = trustedIssuersOf(e, root, problems);
  // Production requires authentication unless it is switched off explicitly (start-up refuses that without issuers).
  const authRequired = (e.CDS_AUTH ?? (e.NODE_ENV === 'production' ? 'required' : 'off')) === 'required';
  if (e.NODE_ENV === 'production' && !authRequired) {
    problems.push(
      'CDS_AUTH: "off" is refused in production (any caller could have this service fetch from any fhirServer with their token); use CDS_AUTH=required with TRUSTED_ISSUERS, or NODE_ENV=development for local work'
    );
  }
  const fhirServerAllowlist = fhirServerAllowlistOf(e, problems);
  problems.push(...combinationProblems(e, authRequired, issuers.configured));
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return toConfig(e, root, { authRequired, trustedIssuers: issuers.issuers, fhirServerAllowlist });
}

/**
 * A configuration for tests: the defaults of the test environment plus overrides.
 * @param overrides - variables to set, as they would appear in the environment
 */
export function loadTestConfig(overrides: Record<string, string> = {}): Config {
  return parseConfig({ NODE_ENV: 'test', ...overrides });
}

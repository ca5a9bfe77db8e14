import path from 'node:path';
import { z } from 'zod';
import { PACKAGE_ROOT } from './version';

/**
 * The whole configuration of the service: one zod schema over environment variables, parsed once at
 * start-up. Every problem is reported at once so an operator can fix them in one go. No other module
 * reads `process.env`.
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

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
  CDS_LOCALE: z.enum(['en', 'nl']).default('en'),
  RULES_DIR: z.string().trim().min(1).default('rules'),
  FHIR_RESOURCES_DIR: z.string().trim().min(1).default('fhir-resources'),
});

export type NodeEnv = z.infer<typeof envSchema>['NODE_ENV'];
export type LogLevel = (typeof LOG_LEVELS)[number];

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
  readonly locale: 'en' | 'nl';
  readonly rulesDir: string;
  readonly fhirResourcesDir: string;
}

/** Thrown when the environment does not describe a valid configuration; lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment into a Config.
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
    rulesDir: path.resolve(root, e.RULES_DIR),
    fhirResourcesDir: path.resolve(root, e.FHIR_RESOURCES_DIR),
  };
}

/**
 * A configuration for tests: the defaults of the test environment plus overrides.
 * @param overrides - variables to set, as they would appear in the environment
 */
export function loadTestConfig(overrides: Record<string, string> = {}): Config {
  return parseConfig({ NODE_ENV: 'test', ...overrides });
}

import pino from 'pino';
import type { DestinationStream, Logger } from 'pino';

/**
 * Structured JSON logs. Request logs are built field by field (see http/request-log.ts), so headers and
 * bodies never reach a log line; the redact list is a second line of defence for anything that is
 * logged as a whole object by mistake.
 */
export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'fhirAuthorization',
  '*.fhirAuthorization',
  'access_token',
  '*.access_token',
  'accessToken',
  '*.accessToken',
];

/** The pino levels LOG_LEVEL accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * @param config - supplies the log level
 * @param destination - where lines go (stdout by default; tests pass a stream to inspect them)
 */
export function createLogger(config: { readonly logLevel: LogLevel }, destination?: DestinationStream): Logger {
  const options = {
    level: config.logLevel,
    name: 'ruggensteun',
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}

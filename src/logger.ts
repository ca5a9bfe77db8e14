import pino from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type { Config } from './config';

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

/**
 * @param config - supplies the log level
 * @param destination - where lines go (stdout by default; tests pass a stream to inspect them)
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const options = {
    level: config.logLevel,
    name: 'ruggensteun',
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}

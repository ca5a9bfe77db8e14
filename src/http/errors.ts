import { getStatus, OperationOutcomeError } from '@medplum/core';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { badRequest, HttpError, notFound, outcome, payloadTooLarge, unsupportedMediaType } from '../common/http-error';
import { requestLogFields } from './request-log';

/** The error middleware: anything thrown in a route leaves as an OperationOutcome (common/http-error.ts). */

const internalError = (): HttpError =>
  new HttpError(500, outcome('exception', [{ message: 'Internal server error; the incident was logged' }]));

/** Errors raised by express.json (body-parser) carry a `type` that says what went wrong. */
interface BodyParserError {
  type: string;
  status?: number;
  limit?: number;
  charset?: string;
  encoding?: string;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  return typeof err === 'object' && err !== null && typeof (err as { type?: unknown }).type === 'string';
}

/** zlib's codes for a compressed body that cannot be decompressed (corrupt, truncated, wrong format). */
function isDecompressionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(Z_|ERR_BROTLI|ERR__ERROR_FORMAT|ERR_ZLIB)/.test(code);
}

/** Maps anything thrown to an HttpError; unknown errors become a 500 without detail. */
export function toHttpError(err: unknown, bodyLimitBytes: number): HttpError {
  if (err instanceof HttpError) {
    return err;
  }
  if (err instanceof OperationOutcomeError) {
    return new HttpError(getStatus(err.outcome), err.outcome);
  }
  // The router decodes path parameters and throws a URIError for a malformed escape such as `%zz` or `%`.
  if (err instanceof URIError) {
    return badRequest([{ message: 'The request path contains a malformed percent-encoding' }]);
  }
  if (isDecompressionError(err)) {
    return badRequest([{ message: 'Request body could not be decompressed (corrupt Content-Encoding data)' }]);
  }
  if (isBodyParserError(err)) {
    switch (err.type) {
      case 'entity.too.large':
        return payloadTooLarge(err.limit ?? bodyLimitBytes);
      case 'entity.parse.failed':
        return badRequest([{ message: 'Request body is not valid JSON' }]);
      case 'encoding.unsupported':
        return unsupportedMediaType(`Content-Encoding "${err.encoding ?? ''}" is not supported`);
      case 'charset.unsupported':
        return unsupportedMediaType(`Charset "${err.charset ?? ''}" is not supported; use utf-8`);
      case 'request.aborted':
      case 'request.size.invalid':
      case 'stream.encoding.set':
        return badRequest([{ message: 'Request body could not be read' }]);
      default:
        break;
    }
  }
  // Any other client error raised by express or body-parser (http-errors marks them `expose`): its status, no detail.
  const status = (err as { status?: unknown; expose?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500 && (err as { expose?: unknown }).expose === true) {
    return new HttpError(status, outcome('invalid', [{ message: 'The request could not be read' }]));
  }
  return internalError();
}

/**
 * The last middleware: sends the OperationOutcome. Unexpected 5xx errors are logged with their stack; client
 * errors (4xx) are never logged with one, and no body contains it.
 */
export function errorHandler(logger: Logger, bodyLimitBytes: number): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const httpError = toHttpError(err, bodyLimitBytes);
    if (httpError.status >= 500 && httpError.status !== 501 && httpError.status !== 503) {
      logger.error({ err, hookInstance: requestLogFields(res).hookInstance }, 'request failed');
    }
    res.status(httpError.status).set(httpError.headers).json(httpError.outcome);
  };
}

/** Answers 404 for every path no route claimed. */
export const unknownRoute: RequestHandler = (req) => {
  throw notFound(`No resource at ${req.method} ${req.path}`);
};

import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { RateLimitLocals } from '../http/rate-limit';
import { unauthorized } from '../http/unauthorized';
import { AuthError } from './jwt-verifier';
import type { JwtVerifier, VerifiedClient } from './jwt-verifier';
import type { Store } from '../store/store';

/** What clientAuth puts in `res.locals`. */
export interface ClientAuthLocals {
  client: VerifiedClient;
}

/** The verified client of this request; undefined when authentication is off (clientAuth is not mounted). */
export function clientOf(res: Response): VerifiedClient | undefined {
  return (res.locals as Partial<ClientAuthLocals>).client;
}

export interface ClientAuthOptions {
  verifier: JwtVerifier;
  /** The base URL clients use to reach this service (`Config.publicBaseUrl`). */
  publicBaseUrl: string;
  logger: Logger;
  /**
   * The replay record shared by every instance and kept across restarts (the store); undefined while the store
   * is not usable: then only this process's memory refuses replays, so a short outage does not stop the EHR.
   */
  replayRecord?: () => Pick<Store, 'rememberToken'> | undefined;
}

const BEARER = /^Bearer +([^\s]+) *$/i;

/**
 * Requires a valid CDS client JWT (CDS Hooks 2.0 §"Trusting CDS Clients") and puts the client into
 * `res.locals.client`. The expected `aud` is the URL the client called, built from the configured public
 * base URL and the request path, never from the Host header, which a client or proxy can set to anything.
 * A refused token yields a 401 OperationOutcome and one warn line with the reason and the token's iss,
 * kid and jti; neither the token nor the Authorization header is ever logged.
 * @param options - the verifier, the public base URL and the logger
 */
export function clientAuth(options: ClientAuthOptions): RequestHandler {
  const base = options.publicBaseUrl.replace(/\/+$/, '');
  return async (req, res, next) => {
    const pathOnly = req.originalUrl.split('?', 1)[0] ?? '';
    const audience = `${base}${pathOnly}`;
    // Node keeps only the first of repeated Authorization headers in req.headers; a request that carries
    // several is ambiguous (which one did a proxy check?) and is refused.
    const given = req.headersDistinct.authorization ?? [];
    const token = given.length === 1 ? BEARER.exec(given[0] ?? '')?.[1] : undefined;
    let client: VerifiedClient;
    try {
      if (given.length > 1) {
        throw new AuthError('malformed', 'more than one Authorization header', {});
      }
      client = await options.verifier.verify(token, audience);
    } catch (err) {
      if (!(err instanceof AuthError)) {
        throw err;
      }
      options.logger.warn(
        { failure: err.failure, ...err.context, reason: err.message },
        'client authentication failed'
      );
      throw unauthorized();
    }
    const record = options.replayRecord?.();
    if (record !== undefined) {
      let firstUse = true;
      try {
        firstUse = await record.rememberToken(client.replayKey, new Date(client.replayUntil * 1000));
      } catch (err) {
        options.logger.warn({ error: (err as Error).message }, 'the replay record could not be written; memory only');
      }
      if (!firstUse) {
        options.logger.warn({ failure: 'replay', iss: client.iss, jti: client.jti }, 'client authentication failed');
        throw unauthorized();
      }
    }
    (res.locals as ClientAuthLocals).client = client;
    // The rate limits after authentication count per verified issuer.
    (res.locals as RateLimitLocals).issuer = client.iss;
    next();
  };
}

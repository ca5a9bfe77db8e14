import { createHash } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { JWTPayload, ProtectedHeaderParameters } from 'jose';
import { ALLOWED_ALGORITHMS, isAllowedAlgorithm } from './jwk';
import { JwksError, RemoteJwksCache, toKeySet } from './remote-jwks';
import type { KeySet } from './remote-jwks';
import { ReplayCache } from './replay-cache';
import type { TrustedIssuer } from './trusted-issuers';

/**
 * Verification of the JWT a CDS client sends with every call (CDS Hooks 2.0 §"Trusting CDS Clients",
 * https://cds-hooks.hl7.org/2.0/#trusting-cds-clients, and the order of checks in cds-hooks/docs
 * https://cds-hooks.org/best-practices/). Cheap checks on the decoded but not yet trusted token come first, so an
 * untrusted token never causes a key fetch; the signature is checked before the `jti` is remembered, so
 * forged tokens cannot fill the replay cache.
 */

export { ALLOWED_ALGORITHMS } from './jwk';

/** Why a token was refused; logged, never sent to the client. */
export type AuthFailure =
  | 'missing'
  | 'malformed'
  | 'algorithm'
  | 'type'
  | 'kid'
  | 'issuer'
  | 'audience'
  | 'expired'
  | 'not-yet-valid'
  | 'issued-at'
  | 'replay'
  | 'key'
  | 'jku'
  | 'signature'
  | 'tenant'
  | 'lifetime';

/** Identifiers from the (possibly forged) token that are safe to log: never the token itself. */
export interface AuthFailureContext {
  readonly iss?: string;
  readonly kid?: string;
  readonly jti?: string;
}

/** A refused token. The message and context never contain the token. */
export class AuthError extends Error {
  constructor(
    readonly failure: AuthFailure,
    message: string,
    readonly context: AuthFailureContext = {}
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

/** The authenticated CDS client, from a verified token. */
export interface VerifiedClient {
  iss: string;
  tenant?: string;
  jti: string;
  sub?: string;
  exp: number;
  /** Identifies this token use (a hash of iss and jti), for the replay record in the store. */
  replayKey: string;
  /** Seconds since epoch from which the use may be forgotten (exp plus the clock skew). */
  replayUntil: number;
}

export interface JwtVerifierOptions {
  issuers: readonly TrustedIssuer[];
  /** Tolerance for the clocks of client and service, applied to exp, nbf and iat. */
  clockSkewSeconds: number;
  /** Tokens with `exp - iat` larger than this are refused ('lifetime'); bounds the replay-cache retention. */
  maxTokenLifetimeSeconds: number;
  /** Most `jti` entries kept; when full and nothing has expired, tokens are refused ('replay'). */
  replayCacheSize: number;
  /** Timeout of one request for a `jku` JWKS. */
  jkuTimeoutMs: number;
  /** How long a fetched `jku` JWKS is used before it is fetched again; 600 s by default. */
  jwksCacheMaxAgeSeconds?: number;
  fetch?: typeof fetch;
  /** The current time in seconds since epoch. */
  now?: () => number;
}

/** A `jku` URL is requested at most once per this many seconds (first fetch, rotation, failure). */
export const JKU_MIN_REFETCH_INTERVAL_SECONDS = 30;

const DEFAULT_JWKS_MAX_AGE_SECONDS = 600;

/** Far above any real CDS client token (the sandbox's is about 600 characters). */
const MAX_TOKEN_CHARS = 16 * 1024;

/** Compact JWS: three base64url parts. The signature may be empty so that `alg: none` is named as such. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Longest claim value copied into a log line; longer (attacker-chosen) values are cut. */
const MAX_LOGGED_CHARS = 128;

interface IssuerKeys {
  readonly issuer: TrustedIssuer;
  readonly local?: KeySet;
}

type Failing = (failure: AuthFailure, message: string) => AuthError;

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Maps what jose's `jwtVerify` throws to a failure; anything unexpected counts as a bad signature. */
function failureOfJoseError(err: unknown): AuthFailure {
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return 'signature';
  }
  if (err instanceof errors.JWTExpired) {
    return 'expired';
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'aud':
        return 'audience';
      case 'iss':
        return 'issuer';
      case 'nbf':
        return 'not-yet-valid';
      case 'iat':
        return 'issued-at';
      case 'exp':
        return 'expired';
      default:
        return 'malformed';
    }
  }
  if (err instanceof errors.JOSEAlgNotAllowed) {
    return 'algorithm';
  }
  if (
    err instanceof errors.JWKSNoMatchingKey ||
    err instanceof errors.JWKSMultipleMatchingKeys ||
    err instanceof errors.JWKInvalid ||
    err instanceof errors.JWKSInvalid ||
    err instanceof errors.JOSENotSupported
  ) {
    return 'key';
  }
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) {
    return 'malformed';
  }
  return 'signature';
}

/**
 * The compact token with its header and payload, decoded but not yet trusted; their kid, iss and jti go into `context` (cut
 * short) so every later failure can be logged with them.
 */
function decodeToken(
  token: string | undefined,
  context: { iss?: string; kid?: string; jti?: string },
  fail: Failing
): { jws: string; header: ProtectedHeaderParameters; payload: JWTPayload } {
  if (token === undefined || token === '') {
    throw fail('missing', 'no bearer token');
  }
  if (token.length > MAX_TOKEN_CHARS || !COMPACT_JWS.test(token)) {
    throw fail('malformed', 'the token is not a compact JWS');
  }
  let header: ProtectedHeaderParameters;
  let payload: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    payload = decodeJwt(token);
  } catch {
    throw fail('malformed', 'the token header or payload is not a JSON object');
  }
  for (const [name, value] of [
    ['kid', header.kid],
    ['iss', payload.iss],
    ['jti', payload.jti],
  ] as const) {
    if (typeof value === 'string') {
      context[name] = value.slice(0, MAX_LOGGED_CHARS);
    }
  }
  return { jws: token, header, payload };
}

/** The header (CDS Hooks S3, S5): an allowed algorithm, typ JWT and a kid, which is returned. */
function checkHeader(header: ProtectedHeaderParameters, fail: Failing): string {
  if (!isAllowedAlgorithm(header.alg)) {
    throw fail('algorithm', `alg must be one of ${ALLOWED_ALGORITHMS.join(', ')}`);
  }
  if (typeof header.typ !== 'string' || header.typ.toLowerCase() !== 'jwt') {
    throw fail('type', 'typ must be "JWT"');
  }
  const kid = header.kid;
  if (typeof kid !== 'string' || kid === '') {
    throw fail('kid', 'kid is missing');
  }
  return kid;
}

/**
 * Verifies CDS client JWTs against the trusted issuers. One instance per process: it holds the
 * replay cache and the fetched JWK Sets.
 */
export class JwtVerifier {
  private readonly issuers = new Map<string, IssuerKeys>();
  private readonly replayCache: ReplayCache;
  private readonly remoteJwks: RemoteJwksCache;
  private readonly now: () => number;
  private readonly skew: number;
  private readonly maxLifetime: number;

  /**
   * @param options - trusted issuers, clock tolerance, token lifetime, replay-cache size and `jku` fetching
   * @throws Error for an invalid option or an issuer listed twice
   */
  constructor(options: JwtVerifierOptions) {
    for (const [name, value] of Object.entries({
      clockSkewSeconds: options.clockSkewSeconds,
      maxTokenLifetimeSeconds: options.maxTokenLifetimeSeconds,
      jkuTimeoutMs: options.jkuTimeoutMs,
    })) {
      if (!isTime(value) || value < 0) {
        throw new RangeError(`${name} must be a non-negative number`);
      }
    }
    for (const issuer of options.issuers) {
      if (this.issuers.has(issuer.iss)) {
        throw new Error(`trusted issuer "${issuer.iss}" is listed twice`);
      }
      this.issuers.set(issuer.iss, { issuer, ...(issuer.jwks ? { local: toKeySet(issuer.jwks) } : {}) });
    }
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.skew = options.clockSkewSeconds;
    this.maxLifetime = options.maxTokenLifetimeSeconds;
    this.replayCache = new ReplayCache(options.replayCacheSize);
    const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.remoteJwks = new RemoteJwksCache({
      fetch: fetchImpl,
      timeoutMs: options.jkuTimeoutMs,
      now: this.now,
      maxAgeSeconds: options.jwksCacheMaxAgeSeconds ?? DEFAULT_JWKS_MAX_AGE_SECONDS,
      minIntervalSeconds: JKU_MIN_REFETCH_INTERVAL_SECONDS,
    });
  }

  /**
   * Verifies a bearer token for one endpoint: its form, header, claims, signature and jti, in that order.
   * @param token - the token from `Authorization: Bearer`, or undefined when there was none
   * @param audience - the exact URL the client called (the expected `aud`)
   * @returns the authenticated client
   * @throws AuthError naming the first check that failed
   */
  async verify(token: string | undefined, audience: string): Promise<VerifiedClient> {
    const context: { iss?: string; kid?: string; jti?: string } = {};
    const fail: Failing = (failure, message) => new AuthError(failure, message, { ...context });
    const { jws, header, payload } = decodeToken(token, context, fail);
    const kid = checkHeader(header, fail);
    const now = this.now();
    const claims = this.checkClaims(payload, audience, now, fail);
    const { iss, exp, tenant } = claims;

    // Signature (S5, S6).
    const keySet = await this.keySetFor(claims.trusted, header.jku, kid, fail);
    try {
      await jwtVerify(jws, keySet.getKey, {
        algorithms: [...ALLOWED_ALGORITHMS],
        issuer: iss,
        audience,
        clockTolerance: this.skew,
        currentDate: new Date(now * 1000),
      });
    } catch (err) {
      throw fail(failureOfJoseError(err), 'the signature could not be verified');
    }

    const { jti, replayKey } = this.rememberJti(payload.jti, iss, exp, now, fail);
    const sub = payload.sub;
    return {
      iss,
      jti,
      exp,
      replayKey,
      replayUntil: exp + this.skew,
      ...(typeof tenant === 'string' ? { tenant } : {}),
      ...(typeof sub === 'string' ? { sub } : {}),
    };
  }

  /** The claims, not yet trusted (S4, S7): issuer, audience, times and tenant. */
  private checkClaims(
    payload: JWTPayload,
    audience: string,
    now: number,
    fail: Failing
  ): { iss: string; trusted: IssuerKeys; exp: number; tenant: unknown } {
    const iss = payload.iss;
    const trusted = typeof iss === 'string' ? this.issuers.get(iss) : undefined;
    if (typeof iss !== 'string' || trusted === undefined) {
      throw fail('issuer', 'iss is not a trusted issuer');
    }
    const aud = payload.aud;
    const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
    if (!audiences.includes(audience)) {
      throw fail('audience', 'aud does not name this endpoint');
    }
    const exp = payload.exp;
    if (!isTime(exp)) {
      throw fail('expired', 'exp is missing or not a number');
    }
    if (exp <= now - this.skew) {
      throw fail('expired', 'the token has expired');
    }
    const iat = payload.iat;
    if (!isTime(iat)) {
      throw fail('issued-at', 'iat is missing or not a number');
    }
    if (iat > now + this.skew) {
      throw fail('issued-at', 'iat is in the future');
    }
    if (exp <= iat || exp - iat > this.maxLifetime) {
      throw fail('lifetime', `exp - iat must be between 1 and ${this.maxLifetime} seconds`);
    }
    const nbf = payload.nbf;
    if (nbf !== undefined && (!isTime(nbf) || nbf > now + this.skew)) {
      throw fail('not-yet-valid', 'nbf is in the future or not a number');
    }
    const tenant = payload.tenant;
    const tenants = trusted.issuer.tenants;
    if (tenants && (typeof tenant !== 'string' || !tenants.includes(tenant))) {
      throw fail('tenant', 'tenant is not allowed for this issuer');
    }
    return { iss, trusted, exp, tenant };
  }

  /** Replay (S7): the jti is remembered until the token would be refused as expired anyway. */
  private rememberJti(
    jti: unknown,
    iss: string,
    exp: number,
    now: number,
    fail: Failing
  ): { jti: string; replayKey: string } {
    if (typeof jti !== 'string' || jti === '') {
      throw fail('replay', 'jti is missing');
    }
    const replayKey = createHash('sha256').update(iss).update('\u0000').update(jti).digest('base64url');
    switch (this.replayCache.remember(replayKey, exp + this.skew, now)) {
      case 'seen':
        throw fail('replay', 'jti was used before');
      case 'full':
        throw fail('replay', 'the replay cache is full');
      case 'ok':
        break;
    }
    return { jti, replayKey };
  }

  /**
   * Chooses the keys for a token. Keys exchanged out of band are used when they hold the token's kid;
   * a `jku` header is fetched only when it is on the issuer's allowlist. For an issuer without a `jku`
   * allowlist the header is never fetched (the sandbox always sends one; its keys are configured
   * statically).
   */
  private async keySetFor(trusted: IssuerKeys, jku: unknown, kid: string, fail: Failing): Promise<KeySet> {
    const allowlist = trusted.issuer.jku;
    if (allowlist && jku !== undefined && (typeof jku !== 'string' || !allowlist.includes(jku))) {
      throw fail('jku', 'jku is not on the allowlist of this issuer');
    }
    if (trusted.local?.kids.has(kid)) {
      return trusted.local;
    }
    const url = typeof jku === 'string' ? jku : allowlist?.[0];
    if (allowlist === undefined || url === undefined) {
      throw fail('key', "no key of this issuer has the token's kid");
    }
    try {
      return await this.remoteJwks.keySetFor(url, kid);
    } catch (err) {
      if (err instanceof JwksError) {
        throw fail('key', err.message);
      }
      throw err;
    }
  }
}

import { createLocalJWKSet } from 'jose';
import type { JSONWebKeySet, JWK } from 'jose';
import { z } from 'zod';
import { publicJwkSchema } from './jwk';

/** A key set ready for jose's `jwtVerify`, with the kids it holds. */
export interface KeySet {
  readonly kids: ReadonlySet<string>;
  readonly getKey: ReturnType<typeof createLocalJWKSet>;
}

/**
 * Builds a KeySet from public keys that were already validated.
 * @param jwks - the keys
 */
export function toKeySet(jwks: JSONWebKeySet): KeySet {
  const kids = new Set(jwks.keys.flatMap((key) => (key.kid === undefined ? [] : [key.kid])));
  return { kids, getKey: createLocalJWKSet(jwks) };
}

/** The JWKS behind an allowlisted `jku` URL could not be obtained or has no usable key for a token. */
export class JwksError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JwksError';
  }
}

export interface RemoteJwksOptions {
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  /** Seconds since epoch. */
  readonly now: () => number;
  /** How long a fetched set is used before it is fetched again (revoked keys disappear). */
  readonly maxAgeSeconds: number;
  /** Least time between two requests to the same URL (key rotation, failures). */
  readonly minIntervalSeconds: number;
}

/** A JWKS document is small; anything larger is refused rather than buffered. */
const MAX_JWKS_CHARS = 256 * 1024;

const jwksEnvelope = z.object({ keys: z.array(z.unknown()) });

interface UrlState {
  cached?: { readonly keySet: KeySet; readonly fetchedAt: number };
  lastAttemptAt?: number;
  inFlight?: Promise<KeySet>;
}

/**
 * JWK Sets fetched from allowlisted `jku` URLs (CDS Hooks S6): cached per URL, fetched again when a token
 * names an unknown `kid` (key rotation) or the copy is older than `maxAgeSeconds`, but never more than
 * once per `minIntervalSeconds` per URL. Callers must check the URL against the allowlist first: this
 * class fetches whatever it is given.
 */
export class RemoteJwksCache {
  private readonly states = new Map<string, UrlState>();

  constructor(private readonly options: RemoteJwksOptions) {}

  /**
   * Returns the key set at `url` that holds `kid`, fetching it when needed.
   * @param url - an allowlisted JWKS URL
   * @param kid - the token's key id
   * @throws JwksError when the set cannot be fetched or does not hold `kid`
   */
  async keySetFor(url: string, kid: string): Promise<KeySet> {
    let state = this.states.get(url);
    if (state === undefined) {
      state = {};
      this.states.set(url, state);
    }
    if (state.inFlight) {
      return this.requireKid(await state.inFlight, kid, url);
    }
    const now = this.options.now();
    const cached = state.cached;
    const fresh = cached !== undefined && now - cached.fetchedAt < this.options.maxAgeSeconds;
    if (fresh && cached.keySet.kids.has(kid)) {
      return cached.keySet;
    }
    const mayFetch = state.lastAttemptAt === undefined || now - state.lastAttemptAt >= this.options.minIntervalSeconds;
    if (!mayFetch) {
      throw new JwksError(
        fresh
          ? `no key with the token's kid in the JWKS at ${url}`
          : `the JWKS at ${url} is unavailable; retrying later`
      );
    }
    state.lastAttemptAt = now;
    const inFlight = this.download(url);
    state.inFlight = inFlight;
    let keySet: KeySet;
    try {
      keySet = await inFlight;
    } catch (err) {
      if (!fresh) {
        // A stale copy is not used: a key removed from the set may have been revoked.
        delete state.cached;
      }
      throw err;
    } finally {
      delete state.inFlight;
    }
    state.cached = { keySet, fetchedAt: this.options.now() };
    return this.requireKid(keySet, kid, url);
  }

  private requireKid(keySet: KeySet, kid: string, url: string): KeySet {
    if (!keySet.kids.has(kid)) {
      throw new JwksError(`no key with the token's kid in the JWKS at ${url}`);
    }
    return keySet;
  }

  private async download(url: string): Promise<KeySet> {
    let text: string;
    try {
      // No redirects: a redirect could lead to a URL that is not on the allowlist.
      const response = await this.options.fetch(url, {
        headers: { accept: 'application/json, application/jwk-set+json' },
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      if (!response.ok) {
        throw new JwksError(`the JWKS at ${url} answered HTTP ${response.status}`);
      }
      text = await response.text();
    } catch (err) {
      if (err instanceof JwksError) {
        throw err;
      }
      // Checked by name: the DOMException of AbortSignal.timeout may come from another realm.
      const name = (err as { name?: unknown } | null)?.name;
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      throw new JwksError(
        timedOut
          ? `the JWKS at ${url} did not answer within ${this.options.timeoutMs} ms`
          : `the JWKS at ${url} could not be fetched`
      );
    }
    if (text.length > MAX_JWKS_CHARS) {
      throw new JwksError(`the JWKS at ${url} is larger than ${MAX_JWKS_CHARS} characters`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new JwksError(`the JWKS at ${url} is not valid JSON`);
    }
    const envelope = jwksEnvelope.safeParse(json);
    if (!envelope.success) {
      throw new JwksError(`the JWKS at ${url} is not a JWK Set`);
    }
    // Keys this service could never use (other key types, encryption keys, private material) are skipped.
    const keys: JWK[] = envelope.data.keys.flatMap((key) => {
      const parsed = publicJwkSchema.safeParse(key);
      return parsed.success ? [parsed.data] : [];
    });
    if (keys.length === 0) {
      throw new JwksError(`the JWKS at ${url} holds no usable public signing key`);
    }
    return toKeySet({ keys });
  }
}

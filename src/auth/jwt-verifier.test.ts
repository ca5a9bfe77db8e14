import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { base64url, exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { JWK, JWTPayload, KeyLike } from 'jose';
import { AuthError, JwtVerifier } from './jwt-verifier';
import type { AuthFailure, JwtVerifierOptions } from './jwt-verifier';
import type { TrustedIssuer } from './trusted-issuers';

const NOW = 1_760_000_000;
const BASE = 'https://cds.example.org/ruggensteun';
const DISCOVERY_URL = `${BASE}/cds-services`;
const SERVICE_URL = `${BASE}/cds-services/lbp-red-flags`;
const SANDBOX = 'https://sandbox.cds-hooks.org';
const EPIC = 'https://fhir.epic.example/interconnect-fhir-oauth';
const TENANT_EHR = 'https://ehr.hospital.example';
const JKU_EHR = 'https://jku-ehr.example';
const JKU_URL = 'https://jku-ehr.example/.well-known/jwks.json';

interface Signer {
  readonly alg: 'ES384' | 'RS384';
  readonly kid: string;
  readonly privateKey: KeyLike;
  readonly publicKey: KeyLike;
  readonly publicJwk: JWK;
}

async function createSigner(alg: 'ES384' | 'RS384', kid: string): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg };
  return { alg, kid, privateKey, publicKey, publicJwk };
}

interface TokenSpec {
  /** Header parameters to set; `undefined` leaves one out. */
  readonly header?: Record<string, unknown>;
  /** Claims to set; `undefined` leaves one out. */
  readonly claims?: Record<string, unknown>;
  /** Issue time; exp defaults to iat + 300 (as the sandbox does). */
  readonly iat?: number;
}

/** Signs a token like the sandbox's: ES384/JWT/kid header, iss, aud, iat, exp = iat + 300, jti. */
async function sign(signer: Signer, spec: TokenSpec = {}): Promise<string> {
  const iat = spec.iat ?? NOW;
  const payload: JWTPayload = {
    iss: SANDBOX,
    aud: SERVICE_URL,
    iat,
    exp: iat + 300,
    jti: randomUUID(),
    ...spec.claims,
  };
  const header = { alg: signer.alg, typ: 'JWT', kid: signer.kid, ...spec.header };
  // JSON.stringify drops undefined members, which is how a spec leaves a header parameter or claim out.
  return new SignJWT(payload).setProtectedHeader(header).sign(signer.privateKey);
}

function unsigned(header: object, payload: object): string {
  const part = (value: object) => base64url.encode(JSON.stringify(value));
  return `${part(header)}.${part(payload)}.`;
}

/** Runs a verification that must fail and returns the error. */
async function refusal(promise: Promise<unknown>): Promise<AuthError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AuthError) {
      return err;
    }
    throw err;
  }
  throw new Error('the token was accepted');
}

let sandboxKey: Signer;
let epicKey: Signer;
let tenantKey: Signer;
let impostorKey: Signer;
let issuers: TrustedIssuer[];

beforeAll(async () => {
  sandboxKey = await createSigner('ES384', '44823f3d-0b01-4a6c-a80e-b9d3e8a7226f');
  epicKey = await createSigner('RS384', 'epic-2026');
  tenantKey = await createSigner('ES384', 'hospital-key');
  // Same kid as the sandbox key, different key pair.
  impostorKey = await createSigner('ES384', sandboxKey.kid);
  issuers = [
    { iss: SANDBOX, jwks: { keys: [sandboxKey.publicJwk] } },
    { iss: EPIC, jwks: { keys: [epicKey.publicJwk] } },
    { iss: TENANT_EHR, jwks: { keys: [tenantKey.publicJwk] }, tenants: ['hospital-a'] },
    { iss: JKU_EHR, jku: [JKU_URL] },
  ];
});

function fetchThatFails() {
  return jest.fn<Promise<Response>, Parameters<typeof fetch>>(() => Promise.reject(new Error('no network in tests')));
}

function createVerifier(overrides: Partial<JwtVerifierOptions> = {}): JwtVerifier {
  return new JwtVerifier({
    issuers,
    clockSkewSeconds: 60,
    maxTokenLifetimeSeconds: 3600,
    replayCacheSize: 1000,
    jkuTimeoutMs: 500,
    fetch: fetchThatFails(),
    now: () => NOW,
    ...overrides,
  });
}

describe('JwtVerifier: accepted tokens', () => {
  it('accepts a sandbox-style ES384 token and returns the client', async () => {
    const token = await sign(sandboxKey, { claims: { jti: 'a1b2' } });
    await expect(createVerifier().verify(token, SERVICE_URL)).resolves.toEqual({
      iss: SANDBOX,
      jti: 'a1b2',
      exp: NOW + 300,
      // The replay record's key is a hash: neither the issuer nor the jti in clear.
      replayKey: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      replayUntil: NOW + 300 + 60,
    });
  });

  it('accepts an Epic-style RS384 token with sub and nbf = iat - 300', async () => {
    const token = await sign(epicKey, {
      claims: { iss: EPIC, sub: 'epic-client-id', nbf: NOW - 300, 'epic.eci': 'extra-claim' },
    });
    await expect(createVerifier().verify(token, SERVICE_URL)).resolves.toMatchObject({
      iss: EPIC,
      sub: 'epic-client-id',
    });
  });

  it('accepts a token whose tenant is on the allowlist and returns the tenant', async () => {
    const token = await sign(tenantKey, { claims: { iss: TENANT_EHR, tenant: 'hospital-a' } });
    await expect(createVerifier().verify(token, SERVICE_URL)).resolves.toMatchObject({ tenant: 'hospital-a' });
  });

  it.each([
    ['aud as an array that contains this endpoint', { claims: { aud: ['https://other.example', SERVICE_URL] } }],
    ['typ in lower case', { header: { typ: 'jwt' } }],
    ['exp passed but within the clock skew', { iat: NOW - 330 }],
    ['iat slightly ahead, within the clock skew', { iat: NOW + 30 }],
    ['a lifetime of exactly the maximum', { claims: { exp: NOW + 3600 } }],
  ])('accepts %s', async (_name, spec: TokenSpec) => {
    await expect(createVerifier().verify(await sign(sandboxKey, spec), SERVICE_URL)).resolves.toMatchObject({
      iss: SANDBOX,
    });
  });

  it('uses the configured keys of an issuer without a jku allowlist and never fetches its jku header', async () => {
    const fetchMock = fetchThatFails();
    const token = await sign(sandboxKey, { header: { jku: `${SANDBOX}/.well-known/jwks.json` } });
    await expect(createVerifier({ fetch: fetchMock }).verify(token, SERVICE_URL)).resolves.toMatchObject({
      iss: SANDBOX,
    });
    expect(fetchMock).not.toHaveBeenCalled();
  });
});

interface FailureCase {
  readonly name: string;
  readonly token: () => Promise<string> | string;
  readonly audience?: string;
  readonly failure: AuthFailure;
}

const failureCases: FailureCase[] = [
  { name: 'not a JWT', token: () => 'not-a-jwt', failure: 'malformed' },
  { name: 'two parts', token: () => 'eyJhbGciOiJFUzM4NCJ9.e30', failure: 'malformed' },
  { name: 'parts that are not JSON', token: () => 'abc.def.ghi', failure: 'malformed' },
  { name: 'a JWE (five parts)', token: () => 'a.b.c.d.e', failure: 'malformed' },
  { name: 'an oversized token', token: () => `${'a'.repeat(17_000)}.b.c`, failure: 'malformed' },
  {
    name: 'alg none',
    token: () =>
      unsigned(
        { alg: 'none', typ: 'JWT', kid: 'k' },
        { iss: SANDBOX, aud: SERVICE_URL, iat: NOW, exp: NOW + 300, jti: 'x' }
      ),
    failure: 'algorithm',
  },
  {
    name: 'HS256 signed with the public key PEM as secret',
    token: async () =>
      new SignJWT({ iss: SANDBOX, aud: SERVICE_URL, iat: NOW, exp: NOW + 300, jti: randomUUID() })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: sandboxKey.kid })
        .sign(new TextEncoder().encode(await exportSPKI(sandboxKey.publicKey))),
    failure: 'algorithm',
  },
  {
    name: 'HS256 signed with the public JWK as secret',
    token: () =>
      new SignJWT({ iss: SANDBOX, aud: SERVICE_URL, iat: NOW, exp: NOW + 300, jti: randomUUID() })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: sandboxKey.kid })
        .sign(new TextEncoder().encode(JSON.stringify(sandboxKey.publicJwk))),
    failure: 'algorithm',
  },
  { name: 'typ at+jwt', token: () => sign(sandboxKey, { header: { typ: 'at+jwt' } }), failure: 'type' },
  { name: 'no typ', token: () => sign(sandboxKey, { header: { typ: undefined } }), failure: 'type' },
  { name: 'no kid', token: () => sign(sandboxKey, { header: { kid: undefined } }), failure: 'kid' },
  { name: 'an empty kid', token: () => sign(sandboxKey, { header: { kid: '' } }), failure: 'kid' },
  {
    name: 'an unknown iss',
    token: () => sign(sandboxKey, { claims: { iss: 'https://evil.example' } }),
    failure: 'issuer',
  },
  {
    name: 'an iss that differs only by a trailing slash',
    token: () => sign(sandboxKey, { claims: { iss: `${SANDBOX}/` } }),
    failure: 'issuer',
  },
  { name: 'no iss', token: () => sign(sandboxKey, { claims: { iss: undefined } }), failure: 'issuer' },
  {
    name: 'aud of another service',
    token: () => sign(sandboxKey, { claims: { aud: `${BASE}/cds-services/other-service` } }),
    failure: 'audience',
  },
  {
    name: 'aud on another host',
    token: () => sign(sandboxKey, { claims: { aud: 'https://evil.example/ruggensteun/cds-services/lbp-red-flags' } }),
    failure: 'audience',
  },
  {
    name: 'a discovery token used on a service URL',
    token: () => sign(sandboxKey, { claims: { aud: DISCOVERY_URL } }),
    failure: 'audience',
  },
  {
    name: 'a service token used on the feedback URL',
    token: () => sign(sandboxKey),
    audience: `${SERVICE_URL}/feedback`,
    failure: 'audience',
  },
  {
    name: 'aud with a trailing slash',
    token: () => sign(sandboxKey, { claims: { aud: `${SERVICE_URL}/` } }),
    failure: 'audience',
  },
  { name: 'no aud', token: () => sign(sandboxKey, { claims: { aud: undefined } }), failure: 'audience' },
  { name: 'an expired token', token: () => sign(sandboxKey, { iat: NOW - 361 }), failure: 'expired' },
  { name: 'no exp', token: () => sign(sandboxKey, { claims: { exp: undefined } }), failure: 'expired' },
  { name: 'exp as a string', token: () => sign(sandboxKey, { claims: { exp: `${NOW + 300}` } }), failure: 'expired' },
  {
    name: 'iat in the future',
    token: () => sign(sandboxKey, { iat: NOW + 61 }),
    failure: 'issued-at',
  },
  { name: 'no iat', token: () => sign(sandboxKey, { claims: { iat: undefined } }), failure: 'issued-at' },
  {
    name: 'a lifetime longer than the maximum',
    token: () => sign(sandboxKey, { claims: { exp: NOW + 3601 } }),
    failure: 'lifetime',
  },
  {
    name: 'exp before iat',
    token: () => sign(sandboxKey, { iat: NOW + 30, claims: { exp: NOW + 10 } }),
    failure: 'lifetime',
  },
  {
    name: 'nbf in the future',
    token: () => sign(sandboxKey, { claims: { nbf: NOW + 61 } }),
    failure: 'not-yet-valid',
  },
  {
    name: 'a tenant not on the allowlist',
    token: () => sign(tenantKey, { claims: { iss: TENANT_EHR, tenant: 'hospital-b' } }),
    failure: 'tenant',
  },
  {
    name: 'no tenant where one is required',
    token: () => sign(tenantKey, { claims: { iss: TENANT_EHR } }),
    failure: 'tenant',
  },
  { name: 'an unknown kid', token: () => sign(sandboxKey, { header: { kid: 'rotated-away' } }), failure: 'key' },
  {
    name: 'an RSA signature under the kid of an EC key',
    token: () => sign(epicKey, { header: { kid: sandboxKey.kid } }),
    failure: 'key',
  },
  { name: 'a signature by another key with the same kid', token: () => sign(impostorKey), failure: 'signature' },
  {
    name: 'a payload that was changed after signing',
    token: async () => {
      const [header, , signature] = (await sign(sandboxKey)).split('.');
      const forged = base64url.encode(
        JSON.stringify({ iss: SANDBOX, aud: SERVICE_URL, iat: NOW, exp: NOW + 300, jti: 'forged', sub: 'admin' })
      );
      return `${header ?? ''}.${forged}.${signature ?? ''}`;
    },
    failure: 'signature',
  },
  {
    name: 'an empty signature',
    token: async () => (await sign(sandboxKey)).replace(/[^.]+$/, ''),
    failure: 'signature',
  },
  { name: 'no jti', token: () => sign(sandboxKey, { claims: { jti: undefined } }), failure: 'replay' },
  {
    name: 'a jku header not on the allowlist',
    token: () => sign(sandboxKey, { claims: { iss: JKU_EHR }, header: { jku: 'https://evil.example/jwks.json' } }),
    failure: 'jku',
  },
  {
    name: 'a jku header that is not a string',
    token: () => sign(sandboxKey, { claims: { iss: JKU_EHR }, header: { jku: [JKU_URL] } }),
    failure: 'jku',
  },
];

describe('JwtVerifier: refused tokens', () => {
  it.each([undefined, ''])('refuses a missing token (%p) as missing', async (token) => {
    expect((await refusal(createVerifier().verify(token, SERVICE_URL))).failure).toBe('missing');
  });

  it.each(failureCases)('refuses $name as $failure', async ({ token, audience, failure }) => {
    const fetchMock = fetchThatFails();
    const value = await token();
    const error = await refusal(createVerifier({ fetch: fetchMock }).verify(value, audience ?? SERVICE_URL));
    expect(error.failure).toBe(failure);
    expect(error.message).not.toContain(value);
    expect(JSON.stringify(error.context)).not.toContain(value);
    // None of these tokens may make the verifier reach out to a jku URL.
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('puts the token identifiers that are safe to log into the error', async () => {
    const token = await sign(sandboxKey, { claims: { jti: 'jti-1', aud: DISCOVERY_URL } });
    const error = await refusal(createVerifier().verify(token, SERVICE_URL));
    expect(error.context).toEqual({ iss: SANDBOX, kid: sandboxKey.kid, jti: 'jti-1' });
  });
});

describe('JwtVerifier: replay protection', () => {
  it('refuses a reused jti from the same issuer, not from another issuer', async () => {
    const verifier = createVerifier();
    const token = await sign(sandboxKey, { claims: { jti: 'same' } });
    await expect(verifier.verify(token, SERVICE_URL)).resolves.toMatchObject({ jti: 'same' });
    expect((await refusal(verifier.verify(token, SERVICE_URL))).failure).toBe('replay');
    const fromEpic = await sign(epicKey, { claims: { iss: EPIC, jti: 'same' } });
    await expect(verifier.verify(fromEpic, SERVICE_URL)).resolves.toMatchObject({ iss: EPIC });
  });

  it('does not spend the jti of a token that failed a check', async () => {
    const verifier = createVerifier();
    const token = await sign(sandboxKey);
    expect((await refusal(verifier.verify(token, DISCOVERY_URL))).failure).toBe('audience');
    await expect(verifier.verify(token, SERVICE_URL)).resolves.toMatchObject({ iss: SANDBOX });
  });

  it('refuses when the cache is full of live entries and accepts again once they expire', async () => {
    let clock = NOW;
    const verifier = createVerifier({ replayCacheSize: 2, now: () => clock });
    const shortLived = { claims: { exp: NOW + 60 } };
    await verifier.verify(await sign(sandboxKey, shortLived), SERVICE_URL);
    await verifier.verify(await sign(sandboxKey, shortLived), SERVICE_URL);
    const longLived = await sign(sandboxKey, { claims: { exp: NOW + 600 } });
    const full = await refusal(verifier.verify(longLived, SERVICE_URL));
    expect(full.failure).toBe('replay');
    expect(full.message).toMatch(/full/);

    // The short-lived entries are kept until exp + skew, then forgotten.
    clock = NOW + 60 + 59;
    expect((await refusal(verifier.verify(longLived, SERVICE_URL))).failure).toBe('replay');
    clock = NOW + 60 + 60;
    await expect(verifier.verify(longLived, SERVICE_URL)).resolves.toMatchObject({ exp: NOW + 600 });
    expect((await refusal(verifier.verify(longLived, SERVICE_URL))).failure).toBe('replay');
  });
});

describe('JwtVerifier: jku from an injected fetch', () => {
  it('does not request a jku that is not on the allowlist', async () => {
    const fetchMock = fetchThatFails();
    const token = await sign(sandboxKey, {
      claims: { iss: JKU_EHR },
      header: { jku: 'http://169.254.169.254/latest/meta-data' },
    });
    expect((await refusal(createVerifier({ fetch: fetchMock }).verify(token, SERVICE_URL))).failure).toBe('jku');
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('keeps a fetched set that lacked one kid for tokens with another', async () => {
    const fetchMock = jest.fn<Promise<Response>, Parameters<typeof fetch>>(() =>
      Promise.resolve(Response.json({ keys: [sandboxKey.publicJwk] }))
    );
    const verifier = createVerifier({ fetch: fetchMock });
    const unknownKid = await sign(sandboxKey, { claims: { iss: JKU_EHR }, header: { kid: 'not-there' } });
    expect((await refusal(verifier.verify(unknownKid, SERVICE_URL))).failure).toBe('key');
    const knownKid = await sign(sandboxKey, { claims: { iss: JKU_EHR } });
    await expect(verifier.verify(knownKid, SERVICE_URL)).resolves.toMatchObject({ iss: JKU_EHR });
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  const badResponses: [string, () => Response | Promise<Response>][] = [
    ['an HTTP error', () => new Response('no', { status: 500 })],
    ['a body that is not JSON', () => new Response('<html>')],
    ['JSON that is not a JWK Set', () => Response.json({ key: [] })],
    ['a private key only', () => Response.json({ keys: [{ ...sandboxKey.publicJwk, d: 'AAAA' }] })],
    ['a set without the kid', () => Response.json({ keys: [{ ...sandboxKey.publicJwk, kid: 'other' }] })],
    ['a network error', () => Promise.reject(new TypeError('fetch failed'))],
  ];

  it.each(badResponses)('refuses with "key" when the jku answers %s', async (_name, respond) => {
    const fetchMock = jest.fn<Promise<Response>, Parameters<typeof fetch>>(() => Promise.resolve(respond()));
    const token = await sign(sandboxKey, { claims: { iss: JKU_EHR }, header: { jku: JKU_URL } });
    expect((await refusal(createVerifier({ fetch: fetchMock }).verify(token, SERVICE_URL))).failure).toBe('key');
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(fetchMock.mock.calls[0]?.[0]).toBe(JKU_URL);
    expect(fetchMock.mock.calls[0]?.[1]).toMatchObject({ redirect: 'error' });
  });
});

describe('JwtVerifier: jku served over HTTP', () => {
  let server: Server;
  let origin: string;
  const requests: string[] = [];
  let served: JWK[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/slow') {
        return; // never answers
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: served }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  });

  beforeEach(() => {
    requests.length = 0;
  });

  function jkuVerifier(path: string, now: () => number, jkuTimeoutMs = 2000): JwtVerifier {
    return new JwtVerifier({
      issuers: [{ iss: JKU_EHR, jku: [`${origin}${path}`] }],
      clockSkewSeconds: 60,
      maxTokenLifetimeSeconds: 3600,
      replayCacheSize: 100,
      jkuTimeoutMs,
      now,
    });
  }

  it('fetches an allowlisted jku once and uses the cached set afterwards', async () => {
    const key = await createSigner('ES384', 'jku-key-1');
    served = [key.publicJwk];
    const verifier = jkuVerifier('/jwks.json', () => NOW);
    const withHeader = await sign(key, { claims: { iss: JKU_EHR }, header: { jku: `${origin}/jwks.json` } });
    await expect(verifier.verify(withHeader, SERVICE_URL)).resolves.toMatchObject({ iss: JKU_EHR });
    // Without a jku header the issuer's first allowlisted URL is used: the same, cached set.
    const withoutHeader = await sign(key, { claims: { iss: JKU_EHR } });
    await expect(verifier.verify(withoutHeader, SERVICE_URL)).resolves.toMatchObject({ iss: JKU_EHR });
    expect(requests).toEqual(['/jwks.json']);
  });

  it('makes one request for concurrent verifications', async () => {
    const key = await createSigner('ES384', 'jku-concurrent');
    served = [key.publicJwk];
    const verifier = jkuVerifier('/concurrent.json', () => NOW);
    const tokens = await Promise.all([1, 2, 3].map(() => sign(key, { claims: { iss: JKU_EHR } })));
    await expect(Promise.all(tokens.map((token) => verifier.verify(token, SERVICE_URL)))).resolves.toHaveLength(3);
    expect(requests).toEqual(['/concurrent.json']);
  });

  it('refetches once on an unknown kid after key rotation, at most every 30 s', async () => {
    const oldKey = await createSigner('ES384', 'jku-old');
    const newKey = await createSigner('RS384', 'jku-new');
    served = [oldKey.publicJwk];
    let clock = NOW;
    const verifier = jkuVerifier('/rotating.json', () => clock);
    const token = (signer: Signer) => sign(signer, { iat: clock, claims: { iss: JKU_EHR } });

    await verifier.verify(await token(oldKey), SERVICE_URL);
    expect(requests).toHaveLength(1);

    served = [oldKey.publicJwk, newKey.publicJwk];
    clock = NOW + 10;
    expect((await refusal(verifier.verify(await token(newKey), SERVICE_URL))).failure).toBe('key');
    expect(requests).toHaveLength(1);

    clock = NOW + 30;
    await expect(verifier.verify(await token(newKey), SERVICE_URL)).resolves.toMatchObject({ iss: JKU_EHR });
    await expect(verifier.verify(await token(oldKey), SERVICE_URL)).resolves.toMatchObject({ iss: JKU_EHR });
    expect(requests).toHaveLength(2);

    const unknown = await createSigner('ES384', 'jku-unknown');
    expect((await refusal(verifier.verify(await token(unknown), SERVICE_URL))).failure).toBe('key');
    expect(requests).toHaveLength(2);
  });

  it('fetches the set again once the cached copy is older than the maximum age', async () => {
    const key = await createSigner('ES384', 'jku-aging');
    served = [key.publicJwk];
    let clock = NOW;
    const verifier = jkuVerifier('/aging.json', () => clock);
    await verifier.verify(await sign(key, { claims: { iss: JKU_EHR } }), SERVICE_URL);
    clock = NOW + 601;
    // The key was revoked in the meantime.
    served = [];
    const later = await sign(key, { iat: clock, claims: { iss: JKU_EHR } });
    expect((await refusal(verifier.verify(later, SERVICE_URL))).failure).toBe('key');
    expect(requests).toHaveLength(2);
  });

  it('refuses with "key" when the jku does not answer in time', async () => {
    const key = await createSigner('ES384', 'jku-slow');
    const verifier = jkuVerifier('/slow', () => NOW, 200);
    const started = Date.now();
    const error = await refusal(verifier.verify(await sign(key, { claims: { iss: JKU_EHR } }), SERVICE_URL));
    expect(error.failure).toBe('key');
    expect(error.message).toMatch(/did not answer within 200 ms/);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(requests).toEqual(['/slow']);
  });
});

describe('JwtVerifier: options', () => {
  it('rejects an issuer listed twice and nonsensical numbers', () => {
    expect(() => createVerifier({ issuers: [...issuers, { iss: SANDBOX, jku: [JKU_URL] }] })).toThrow(/twice/);
    expect(() => createVerifier({ clockSkewSeconds: -1 })).toThrow(RangeError);
    expect(() => createVerifier({ replayCacheSize: 0 })).toThrow(RangeError);
  });
});

import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { KeyLike } from 'jose';
import request from 'supertest';
import type { TestApp } from '../support/app';
import { testApp } from '../support/app';
import { fullPrefetch, patientViewRequest } from '../support/hook-requests';
import { TestFhirServer } from '../support/test-fhir-server';

/**
 * CDS_AUTH=required through the whole app (CDS Hooks 2.0 "Trusting CDS Clients"; docs/integration.md): which
 * calls need a token, that `aud` is the exact URL called, and that the FHIR fallback only reaches the FHIR
 * servers configured for the calling issuer. The verifier's own failure table is in src/auth.
 */
const BASE = 'https://cds.example.org/ruggensteun';
const SANDBOX = 'https://sandbox.cds-hooks.org';
const EPIC = 'https://fhir.epic.example/interconnect';
const ADMIN = 'admin-token-with-at-least-32-characters-0123';

let sandboxKey: KeyLike;
let epicKey: KeyLike;
let harness: TestApp;
let app: Express;
let fhir: TestFhirServer;
let elsewhere: TestFhirServer;

async function token(
  audience: string,
  options: { iss?: string; key?: KeyLike; alg?: string; kid?: string } = {}
): Promise<string> {
  const alg = options.alg ?? 'ES384';
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg, typ: 'JWT', kid: options.kid ?? (alg === 'ES384' ? 'sandbox-1' : 'epic-1') })
    .setIssuer(options.iss ?? SANDBOX)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(options.key ?? sandboxKey);
}

beforeAll(async () => {
  fhir = await TestFhirServer.start();
  elsewhere = await TestFhirServer.start();
  const sandbox = await generateKeyPair('ES384');
  const epic = await generateKeyPair('RS384');
  sandboxKey = sandbox.privateKey;
  epicKey = epic.privateKey;
  const issuers = [
    {
      iss: SANDBOX,
      jwks: { keys: [{ ...(await exportJWK(sandbox.publicKey)), kid: 'sandbox-1', alg: 'ES384', use: 'sig' }] },
      fhirServers: [fhir.baseUrl],
    },
    { iss: EPIC, jwks: { keys: [{ ...(await exportJWK(epic.publicKey)), kid: 'epic-1', alg: 'RS384', use: 'sig' }] } },
  ];
  harness = testApp({
    CDS_AUTH: 'required',
    PUBLIC_BASE_URL: BASE,
    TRUSTED_ISSUERS: JSON.stringify(issuers),
    RATE_LIMIT_PER_MINUTE: '40',
    ADMIN_TOKEN: ADMIN,
  });
  app = harness.app;
});
afterAll(async () => {
  await fhir.close();
  await elsewhere.close();
});

describe('CDS_AUTH=required', () => {
  it('accepts discovery with a sandbox-style ES384 token whose aud is the discovery URL', async () => {
    const jwt = await token(`${BASE}/cds-services`);
    await request(app).get('/cds-services').set('Authorization', `Bearer ${jwt}`).expect(200);
  });

  it('accepts a service call with an Epic-style RS384 token (sub and nbf tolerated)', async () => {
    const jwt = await new SignJWT({ jti: randomUUID(), sub: 'epic-client-id' })
      .setProtectedHeader({ alg: 'RS384', typ: 'JWT', kid: 'epic-1' })
      .setIssuer(EPIC)
      .setAudience(`${BASE}/cds-services/lbp-patient-view`)
      .setIssuedAt()
      .setNotBefore(Math.floor(Date.now() / 1000) - 300)
      .setExpirationTime('5m')
      .sign(epicKey);
    await request(app)
      .post('/cds-services/lbp-patient-view')
      .set('Authorization', `Bearer ${jwt}`)
      .send(patientViewRequest())
      .expect(200);
  });

  it.each([
    ['discovery without a token', () => request(app).get('/cds-services')],
    [
      'a service call without a token',
      () => request(app).post('/cds-services/lbp-patient-view').send(patientViewRequest()),
    ],
    [
      'feedback without a token',
      () => request(app).post('/cds-services/lbp-patient-view/feedback').send({ feedback: [] }),
    ],
  ])('answers 401 with no detail to %s', async (_name, send) => {
    const res = await send().expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'login', details: { text: 'Unauthorized' } }],
    });
  });

  it.each([
    ['the discovery token used on a service', `${BASE}/cds-services`],
    ['a token for the other service', `${BASE}/cds-services/lbp-order-sign`],
    ['a token for another host', 'https://evil.example/cds-services/lbp-patient-view'],
    ['a token whose aud comes from the Host header', 'http://127.0.0.1/cds-services/lbp-patient-view'],
  ])('refuses %s', async (_name, audience) => {
    const jwt = await token(audience);
    await request(app)
      .post('/cds-services/lbp-patient-view')
      .set('Authorization', `Bearer ${jwt}`)
      .send(patientViewRequest())
      .expect(401);
  });

  it('refuses a replayed token', async () => {
    const jwt = await token(`${BASE}/cds-services`);
    await request(app).get('/cds-services').set('Authorization', `Bearer ${jwt}`).expect(200);
    await request(app).get('/cds-services').set('Authorization', `Bearer ${jwt}`).expect(401);
  });

  it('answers CORS preflights and health checks without a token', async () => {
    await request(app)
      .options('/cds-services/lbp-patient-view')
      .set('Origin', SANDBOX)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type')
      .expect(204);
    await request(app).get('/healthz').expect(200);
  });

  it('logs why a token failed, never the token', async () => {
    const jwt = await token('https://evil.example/cds-services');
    await request(app).get('/cds-services').set('Authorization', `Bearer ${jwt}`).expect(401);
    expect(harness.rawLogs()).toContain('audience');
    expect(harness.rawLogs()).not.toContain(jwt);
    expect(harness.rawLogs()).not.toContain(jwt.split('.')[2]!);
  });
});

describe('GET /stats with authentication on', () => {
  it.each([
    ['no token', undefined],
    ['a client JWT instead of the admin token', 'eyJhbGciOiJFUzM4NCJ9.e30.c2ln'],
    ['a wrong admin token', `${ADMIN}x`],
  ])('answers 401 to %s', async (_name, bearer) => {
    const call = request(app).get('/stats');
    const res = await (bearer ? call.set('Authorization', `Bearer ${bearer}`) : call);
    expect(res.status).toBe(401);
  });

  it('lets the admin token through (503 here: this app has no store)', async () => {
    await request(app).get('/stats').set('Authorization', `Bearer ${ADMIN}`).expect(503);
  });
});

describe('FHIR server allowlist per issuer', () => {
  const TOKEN = 'fhir-access-token-for-this-call';
  const withoutObservations = () => {
    const prefetch = fullPrefetch();
    delete prefetch.observations;
    return prefetch;
  };
  const authorization = {
    access_token: TOKEN,
    token_type: 'Bearer',
    expires_in: 300,
    scope: 'patient/*.read',
    subject: 'c',
  };

  beforeEach(() => {
    fhir.reset();
    elsewhere.reset();
  });

  it('fetches missing data from a fhirServer configured for the issuer, with the access token', async () => {
    const jwt = await token(`${BASE}/cds-services/lbp-patient-view`);
    await request(app)
      .post('/cds-services/lbp-patient-view')
      .set('Authorization', `Bearer ${jwt}`)
      .send(
        patientViewRequest({
          prefetch: withoutObservations(),
          fhirServer: fhir.baseUrl,
          fhirAuthorization: authorization,
        })
      )
      .expect(200);
    expect(fhir.requests.map((r) => [r.url, r.authorization])).toEqual([
      ['/fhir/Observation?patient=pat-1&_sort=-date&_count=200', `Bearer ${TOKEN}`],
    ]);
  });

  it('never contacts a fhirServer that is not configured for the issuer (no request, no token)', async () => {
    const jwt = await token(`${BASE}/cds-services/lbp-patient-view`);
    const res = await request(app)
      .post('/cds-services/lbp-patient-view')
      .set('Authorization', `Bearer ${jwt}`)
      .send(
        patientViewRequest({
          prefetch: withoutObservations(),
          fhirServer: elsewhere.baseUrl,
          fhirAuthorization: authorization,
        })
      )
      .expect(200);
    expect(elsewhere.requests).toEqual([]);
    // The data-quality card (default language Dutch) says what could not be obtained.
    const quality = (res.body as { cards: { indicator: string; detail?: string }[] }).cards.find(
      (card) => card.indicator === 'warning' && card.detail?.includes('EPD')
    );
    expect(quality?.detail).toContain('een deel van het dossier kon niet uit het EPD worden opgehaald');
  });

  it('answers 412 when the Patient would have to come from a fhirServer the issuer may not use', async () => {
    const jwt = await token(`${BASE}/cds-services/lbp-patient-view`, { iss: EPIC, key: epicKey, alg: 'RS384' });
    const res = await request(app)
      .post('/cds-services/lbp-patient-view')
      .set('Authorization', `Bearer ${jwt}`)
      .send(patientViewRequest({ prefetch: undefined, fhirServer: fhir.baseUrl }))
      .expect(412);
    expect(fhir.requests).toEqual([]);
    expect(res.body.issue[0].details.text).toContain('not on the allowlist');
  });
});

describe('rate limit', () => {
  it('answers 429 with an OperationOutcome once a client exceeds RATE_LIMIT_PER_MINUTE', async () => {
    const limited = testApp({ RATE_LIMIT_PER_MINUTE: '3' });
    for (let i = 0; i < 3; i++) {
      await request(limited.app).get('/cds-services').expect(200);
    }
    const res = await request(limited.app).get('/cds-services').expect(429);
    expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'throttled' }] });
    expect(res.headers['retry-after']).toBe('60');
    expect(res.headers.ratelimit).toBeDefined();
    await request(limited.app).get('/healthz').expect(200);
  });
});

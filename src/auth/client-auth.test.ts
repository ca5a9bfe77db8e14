import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import express from 'express';
import type { Express } from 'express';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { JWTPayload, KeyLike } from 'jose';
import pino from 'pino';
import request from 'supertest';
import { errorHandler } from '../http/errors';
import { clientAuth, clientOf } from './client-auth';
import { JwtVerifier } from './jwt-verifier';

const NOW = 1_760_000_000;
const ISS = 'https://sandbox.cds-hooks.org';
const KID = 'sandbox-key';
/** Configured public base URL: the service sits behind a proxy under a path prefix. */
const PUBLIC_BASE_URL = 'https://cds.example.org/ruggensteun/';
const SERVICE_URL = 'https://cds.example.org/ruggensteun/cds-services/lbp-red-flags';
const DISCOVERY_URL = 'https://cds.example.org/ruggensteun/cds-services';

const UNAUTHORIZED = {
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'login', details: { text: 'Unauthorized' } }],
};

let privateKey: KeyLike;
let otherKey: KeyLike;
let app: Express;
let logText: string;

function sign(claims: JWTPayload = {}, key: KeyLike = privateKey): Promise<string> {
  return new SignJWT({ iss: ISS, aud: SERVICE_URL, iat: NOW, exp: NOW + 300, jti: randomUUID(), ...claims })
    .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid: KID })
    .sign(key);
}

function logLines(): Record<string, unknown>[] {
  return logText
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeAll(async () => {
  const pair = await generateKeyPair('ES384');
  privateKey = pair.privateKey;
  otherKey = (await generateKeyPair('ES384')).privateKey;
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'ES384' };
  const verifier = new JwtVerifier({
    issuers: [{ iss: ISS, jwks: { keys: [publicJwk] } }],
    clockSkewSeconds: 60,
    maxTokenLifetimeSeconds: 3600,
    replayCacheSize: 100,
    jkuTimeoutMs: 500,
    now: () => NOW,
  });
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logText += chunk.toString();
        callback();
      },
    })
  );
  app = express();
  app.use('/cds-services', clientAuth({ verifier, publicBaseUrl: PUBLIC_BASE_URL, logger }));
  app.get('/cds-services', (_req, res) => {
    res.json({ services: [] });
  });
  app.post('/cds-services/:id', (_req, res) => {
    res.json({ client: clientOf(res) });
  });
  app.use(errorHandler(logger, 1024));
});

beforeEach(() => {
  logText = '';
});

describe('clientAuth', () => {
  it('lets a valid token through and puts the client into res.locals', async () => {
    const token = await sign({ jti: 'call-1' });
    const response = await request(app)
      .post('/cds-services/lbp-red-flags')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(response.body).toEqual({
      client: {
        iss: ISS,
        jti: 'call-1',
        exp: NOW + 300,
        replayKey: expect.any(String),
        replayUntil: expect.any(Number),
      },
    });
    expect(logText).toBe('');
  });

  it('takes the audience of discovery from its own path and ignores the query string', async () => {
    const token = await sign({ aud: DISCOVERY_URL });
    await request(app).get('/cds-services?_format=json').set('Authorization', `bearer ${token}`).expect(200);
  });

  it('computes the audience from the configured base URL, not from a forged Host header', async () => {
    const forgedAud = await sign({ aud: 'http://evil.example/cds-services/lbp-red-flags' });
    await request(app)
      .post('/cds-services/lbp-red-flags')
      .set('Host', 'evil.example')
      .set('X-Forwarded-Host', 'evil.example')
      .set('Authorization', `Bearer ${forgedAud}`)
      .expect(401);
    expect(logLines()[0]).toMatchObject({ failure: 'audience' });

    const configuredAud = await sign();
    await request(app)
      .post('/cds-services/lbp-red-flags')
      .set('Host', 'evil.example')
      .set('Authorization', `Bearer ${configuredAud}`)
      .expect(200);
  });

  it('answers a call without an Authorization header with a bare 401', async () => {
    const response = await request(app).post('/cds-services/lbp-red-flags').send({}).expect(401);
    expect(response.body).toEqual(UNAUTHORIZED);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(logLines()).toEqual([expect.objectContaining({ failure: 'missing' })]);
  });

  it.each<[string, () => Promise<string>, string]>([
    ['another scheme', () => Promise.resolve(`Basic ${Buffer.from('user:pw').toString('base64')}`), 'missing'],
    ['a malformed token', () => Promise.resolve('Bearer not.a.jwt'), 'malformed'],
    ['an expired token', async () => `Bearer ${await sign({ iat: NOW - 400, exp: NOW - 100 })}`, 'expired'],
    ['a token for another service', async () => `Bearer ${await sign({ aud: `${DISCOVERY_URL}/other` })}`, 'audience'],
    ['a token signed by another key', async () => `Bearer ${await sign({}, otherKey)}`, 'signature'],
  ])('answers %s with a bare 401 and logs the reason', async (_name, authorization, failure) => {
    const header = await authorization();
    const response = await request(app)
      .post('/cds-services/lbp-red-flags')
      .set('Authorization', header)
      .send({ hook: 'patient-view' })
      .expect(401);

    expect(response.body).toEqual(UNAUTHORIZED);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(logLines()).toEqual([expect.objectContaining({ level: 40, failure, msg: 'client authentication failed' })]);
    const token = header.replace(/^\S+ /, '');
    expect(logText).not.toContain(token);
    expect(JSON.stringify(response.body)).not.toContain(token);
    expect(logText.toLowerCase()).not.toContain('authorization');
  });

  it('logs the iss, kid and jti of a refused token but never the token', async () => {
    const token = await sign({ jti: 'replayed-jti' });
    const call = () => request(app).post('/cds-services/lbp-red-flags').set('Authorization', `Bearer ${token}`);
    await call().expect(200);
    const response = await call().expect(401);
    expect(response.body).toEqual(UNAUTHORIZED);
    expect(logLines()).toEqual([
      expect.objectContaining({ failure: 'replay', iss: ISS, kid: KID, jti: 'replayed-jti' }),
    ]);
    expect(logText).not.toContain(token);
    // Not even a part of it (the signature, or the payload that carries the claims).
    for (const part of token.split('.')) {
      expect(logText).not.toContain(part);
    }
  });
});

import { once } from 'node:events';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import request from 'supertest';
import { createVerifier } from '../../src/app';
import { loadTestConfig } from '../../src/config';
import { testApp } from '../support/app';
import { patientViewRequest } from '../support/hook-requests';
import { createTestIssuer } from '../support/test-issuer';
import type { TestIssuer } from '../support/test-issuer';

/**
 * Abuse (issue 14): repeated Authorization headers, floods before authentication (forged tokens must cost a
 * counter, not a signature check), and per-issuer and per-user budgets after it.
 */
const BASE = 'https://cds.example.org';
let ehr: TestIssuer;
let issuers: string;

beforeAll(async () => {
  ehr = await createTestIssuer();
  issuers = ehr.trustedIssuers;
});

const token = (audience: string) => ehr.token(audience);

/** A syntactically valid token with a signature that does not verify. */
const forged = async (audience: string) => `${(await token(audience)).slice(0, -10)}AAAAAAAAAA`;

function authApp(env: Record<string, string>) {
  const config = loadTestConfig({ CDS_AUTH: 'required', PUBLIC_BASE_URL: BASE, TRUSTED_ISSUERS: issuers, ...env });
  const verifier = createVerifier(config);
  const verify = jest.spyOn(verifier, 'verify');
  const harness = testApp(
    { CDS_AUTH: 'required', PUBLIC_BASE_URL: BASE, TRUSTED_ISSUERS: issuers, ...env },
    { verifier }
  );
  return { ...harness, verify };
}

const DISCOVERY = `${BASE}/cds-services`;
const SERVICE = `${BASE}/cds-services/lbp-patient-view`;

/** GET with the headers exactly as given, repeated names included (raw name/value pairs). */
async function rawGet(app: Express, path: string, headers: [string, string][]): Promise<number> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    const lines = [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headers.map((h) => h.join(': '))];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    let answer = '';
    for await (const chunk of socket) {
      answer += String(chunk);
    }
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
  } finally {
    server.close();
  }
}

describe('duplicate Authorization headers', () => {
  it('are a 401 even when the first one is valid, and /stats refuses them too', async () => {
    const { app } = authApp({ ADMIN_TOKEN: 'a'.repeat(40) });
    const valid = `Bearer ${await token(DISCOVERY)}`;
    expect(
      await rawGet(app, '/cds-services', [
        ['Authorization', valid],
        ['Authorization', 'Bearer x'],
      ])
    ).toBe(401);
    const again = `Bearer ${await token(DISCOVERY)}`;
    expect(
      await rawGet(app, '/cds-services', [
        ['Authorization', again],
        ['Authorization', again],
      ])
    ).toBe(401);
    expect(await rawGet(app, '/cds-services', [['Authorization', `Bearer ${await token(DISCOVERY)}`]])).toBe(200);
    const admin = `Bearer ${'a'.repeat(40)}`;
    expect(
      await rawGet(app, '/stats', [
        ['Authorization', admin],
        ['Authorization', admin],
      ])
    ).toBe(401);
    // One admin header passes authentication (then 503: this app has no store).
    expect(await rawGet(app, '/stats', [['Authorization', admin]])).toBe(503);
  });
});

describe('before authentication', () => {
  it('a forged-token flood is cut off by the failed-authentication budget without more signature checks', async () => {
    const { app, verify } = authApp({ RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '5', RATE_LIMIT_PER_MINUTE: '1000' });
    const bad = await forged(DISCOVERY);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      statuses.push((await request(app).get('/cds-services').set('Authorization', `Bearer ${bad}`)).status);
    }
    expect(statuses).toEqual([...Array<number>(5).fill(401), ...Array<number>(15).fill(429)]);
    expect(verify).toHaveBeenCalledTimes(5);
    // Once cut off, the address is refused with a valid token too until the window ends.
    const res = await request(app)
      .get('/cds-services')
      .set('Authorization', `Bearer ${await token(DISCOVERY)}`)
      .expect(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'throttled' }] });
  });

  it('the per-address budget holds before the verifier is called', async () => {
    const { app, verify } = authApp({ RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '1000' });
    for (let i = 0; i < 3; i++) {
      await request(app).get('/cds-services').set('Authorization', 'Bearer x.y.z').expect(401);
    }
    await request(app).get('/cds-services').set('Authorization', 'Bearer x.y.z').expect(429);
    await request(app).get('/cds-services').expect(429);
    expect(verify).toHaveBeenCalledTimes(3);
    // Liveness and readiness are not behind the budget.
    await request(app).get('/healthz').expect(200);
  });

  it('successful calls do not use up the failed-authentication budget', async () => {
    const { app } = authApp({ RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '2' });
    for (let i = 0; i < 6; i++) {
      await request(app)
        .get('/cds-services')
        .set('Authorization', `Bearer ${await token(DISCOVERY)}`)
        .expect(200);
    }
  });
});

describe('after authentication', () => {
  const call = async (app: Parameters<typeof request>[0], userId: string) =>
    (
      await request(app)
        .post('/cds-services/lbp-patient-view')
        .set('Authorization', `Bearer ${await token(SERVICE)}`)
        .send(patientViewRequest({ context: { ...(patientViewRequest().context as object), userId } }))
    ).status;

  it('each user of an issuer has a budget of its own (issuer + userId)', async () => {
    const { app } = authApp({ RATE_LIMIT_PER_USER_PER_MINUTE: '2', RATE_LIMIT_PER_ISSUER_PER_MINUTE: '1000' });
    const statuses = [];
    for (const user of ['Practitioner/a', 'Practitioner/a', 'Practitioner/a', 'Practitioner/b', 'Practitioner/b']) {
      statuses.push(await call(app, user));
    }
    expect(statuses).not.toContain(500);
    expect(statuses.map((status) => status === 429)).toEqual([false, false, true, false, false]);
  });

  it('all users of an issuer share the issuer budget', async () => {
    const { app } = authApp({ RATE_LIMIT_PER_USER_PER_MINUTE: '1000', RATE_LIMIT_PER_ISSUER_PER_MINUTE: '3' });
    const statuses = [];
    for (const user of ['Practitioner/a', 'Practitioner/b', 'Practitioner/c', 'Practitioner/d']) {
      statuses.push(await call(app, user));
    }
    expect(statuses.map((status) => status === 429)).toEqual([false, false, false, true]);
  });
});

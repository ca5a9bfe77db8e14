import request from 'supertest';
import { testApp } from '../support/app';
import { patientViewRequest } from '../support/hook-requests';

/**
 * CORS as browser clients need it (docs/integration.md): the sandbox preflights discovery with
 * `authorization` and service calls and feedback with `authorization,content-type`.
 */
const SANDBOX = 'https://sandbox.cds-hooks.org';

const preflights: [string, string, string][] = [
  ['discovery', '/cds-services', 'GET'],
  ['service call', '/cds-services/lbp-patient-view', 'POST'],
  ['order service call', '/cds-services/lbp-order-select', 'POST'],
  ['feedback', '/cds-services/lbp-patient-view/feedback', 'POST'],
];

describe('CORS in development (any origin)', () => {
  const { app } = testApp({ NODE_ENV: 'development', LOG_LEVEL: 'silent' });

  it.each(preflights)('answers the %s preflight', async (_name, path, method) => {
    const res = await request(app)
      .options(path)
      .set('Origin', SANDBOX)
      .set('Access-Control-Request-Method', method)
      .set('Access-Control-Request-Headers', 'authorization,content-type')
      .expect(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toContain(method);
    expect(res.headers['access-control-allow-headers']).toMatch(/Authorization/);
    expect(res.headers['access-control-allow-headers']).toMatch(/Content-Type/);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('sends Access-Control-Allow-Origin on the POST itself', async () => {
    const res = await request(app)
      .post('/cds-services/lbp-patient-view')
      .set('Origin', SANDBOX)
      .send(patientViewRequest())
      .expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it('sends it on error responses too, so the browser can read them', async () => {
    const res = await request(app).post('/cds-services/nope').set('Origin', SANDBOX).send({}).expect(404);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('CORS with an allowlist', () => {
  const { app } = testApp({ CORS_ORIGINS: `${SANDBOX}, https://ehr.example.org` });

  it.each(preflights)('allows a listed origin for %s', async (_name, path, method) => {
    const res = await request(app)
      .options(path)
      .set('Origin', 'https://ehr.example.org')
      .set('Access-Control-Request-Method', method)
      .set('Access-Control-Request-Headers', 'authorization,content-type')
      .expect(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://ehr.example.org');
    expect(res.headers.vary).toMatch(/Origin/);
  });

  it('gives no CORS permission to an origin not on the list', async () => {
    const res = await request(app)
      .options('/cds-services/lbp-patient-view')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST')
      .expect(204);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS in production without CORS_ORIGINS', () => {
  // Production requires authentication: the unauthenticated call is refused, and without CORS headers either way.
  const issuers = JSON.stringify([{ iss: 'https://ehr.example', jku: ['https://ehr.example/jwks.json'] }]);
  const { app } = testApp({ NODE_ENV: 'production', TRUSTED_ISSUERS: issuers, LOG_LEVEL: 'silent' });

  it('allows no cross-origin access', async () => {
    const res = await request(app).get('/cds-services').set('Origin', SANDBOX).expect(401);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('security headers', () => {
  const { app } = testApp();

  it('sends a JSON-API content security policy and no framing', async () => {
    const res = await request(app).get('/cds-services').expect(200);
    expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

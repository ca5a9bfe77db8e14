import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { loadTestConfig } from '../../src/config';
import { createDevSigner } from '../../src/sandbox/dev-signer';
import type { DevSigner } from '../../src/sandbox/dev-signer';
import { createEmbeddedFhirServer } from '../../src/sandbox/fhir-server';
import type { EmbeddedFhirServer } from '../../src/sandbox/fhir-server';
import { testApp } from '../support/app';

/** The sandbox as mounted in the app: page, patient list, development signer and the open FHIR server. */
const BASE = 'http://127.0.0.1:8080';
let fhir: EmbeddedFhirServer;
let signer: DevSigner;

beforeAll(async () => {
  const config = loadTestConfig();
  fhir = await createEmbeddedFhirServer({
    samplesDir: path.join(config.fhirResourcesDir, 'sample-patients'),
    now: new Date(),
    maxBodyBytes: config.bodyLimitBytes,
  });
  signer = await createDevSigner(BASE);
}, 60_000);

describe('sandbox with CDS_AUTH off', () => {
  let app: Express;
  beforeAll(() => {
    app = testApp({ PUBLIC_BASE_URL: BASE }, { sandbox: { fhir } }).app;
  });

  it('lists the 13 sample patients with a summary and their draft orders', async () => {
    const res = await request(app).get('/sandbox/api/patients').expect(200);
    const patients = res.body.patients as { id: string; summary: string; orders: { id: string }[] }[];
    expect(patients).toHaveLength(13);
    expect(patients.find((patient) => patient.id === 'lumbar-mri')?.orders.map((order) => order.id)).toEqual([
      'lumbar-mri-order',
    ]);
    expect(patients.every((patient) => patient.summary.length > 0)).toBe(true);
  });

  it('tells the page that calls need no signing', async () => {
    await request(app).get('/sandbox/api/settings').expect(200, { authRequired: false, signing: false, locale: 'nl' });
    await request(app)
      .post('/sandbox/api/token')
      .send({ aud: `${BASE}/cds-services` })
      .expect(404);
  });

  it('serves the open FHIR server at /fhir, readable cross-origin like the public sandbox needs', async () => {
    const res = await request(app).get('/fhir/Patient').set('Origin', 'https://sandbox.cds-hooks.org').expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 13 });
    await request(app).get('/fhir/metadata').expect(200);
  });

  it('serves the page with a policy that allows only its own scripts, styles and calls', async () => {
    const res = await request(app).get('/sandbox/vendor/markdown-it.min.js').expect(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    );
    const api = await request(app).get('/cds-services').expect(200);
    expect(api.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
  });
});

describe('sandbox with CDS_AUTH required in development', () => {
  let app: Express;
  beforeAll(() => {
    const env = {
      PUBLIC_BASE_URL: BASE,
      CDS_AUTH: 'required',
      TRUSTED_ISSUERS: JSON.stringify([{ iss: 'https://ehr.example', jku: ['https://ehr.example/jwks'] }]),
    };
    const config = loadTestConfig(env);
    const harness = testApp(env, { sandbox: { fhir, signer }, issuers: [...config.trustedIssuers, signer.issuer] });
    app = harness.app;
  });

  it('signs a token for a CDS endpoint of this service, which then passes authentication', async () => {
    const aud = `${BASE}/cds-services/lbp-patient-view`;
    const { token } = (await request(app).post('/sandbox/api/token').send({ aud }).expect(200)).body as {
      token: string;
    };
    const res = await request(app)
      .post('/cds-services/lbp-patient-view')
      .set('Authorization', `Bearer ${token}`)
      .send({
        hook: 'patient-view',
        hookInstance: randomUUID(),
        fhirServer: `${BASE}/fhir`,
        context: { userId: 'Practitioner/sandbox-gp', patientId: 'no-such-patient' },
      });
    // Authenticated, and allowed to use the embedded FHIR server (which is not listening in this test): 412.
    expect(res.status).toBe(412);
  });

  it('refuses to sign for any other audience', async () => {
    for (const aud of ['https://evil.example/cds-services', `${BASE}/fhir`, `${BASE}/cds-services-evil`, 42]) {
      await request(app).post('/sandbox/api/token').send({ aud }).expect(400);
    }
  });
});

describe('sandbox off', () => {
  it('serves neither the page nor the FHIR server', async () => {
    const { app } = testApp({ SANDBOX: 'off' });
    await request(app).get('/sandbox/api/patients').expect(404);
    await request(app).get('/fhir/Patient').expect(404);
  });
});

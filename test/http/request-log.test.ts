import request from 'supertest';
import { testApp } from '../support/app';
import { patientViewRequest } from '../support/hook-requests';

/** One structured line per request; JWTs and FHIR access tokens never reach the log. */
describe('request log', () => {
  const JWT = 'eyJhbGciOiJFUzM4NCJ9.eyJpc3MiOiJodHRwczovL2VociJ9.c2lnbmF0dXJl';
  const ACCESS_TOKEN = 'secret-fhir-access-token-xyz';

  it('logs hookInstance, service, hook, status and latency for a hook call', async () => {
    const harness = testApp();
    const body = patientViewRequest();
    await request(harness.app).post('/cds-services/lbp-patient-view').send(body).expect(200);
    const line = harness.logs.find((entry) => entry.msg === 'request');
    expect(line).toMatchObject({
      level: 'info',
      method: 'POST',
      path: '/cds-services/lbp-patient-view',
      status: 200,
      hookInstance: body.hookInstance,
      service: 'lbp-patient-view',
      hook: 'patient-view',
    });
    expect(typeof line?.latencyMs).toBe('number');
  });

  it('keeps the hookInstance of a request that fails validation', async () => {
    const harness = testApp();
    const body = patientViewRequest();
    delete (body.context as Record<string, unknown>).patientId;
    await request(harness.app).post('/cds-services/lbp-patient-view').send(body).expect(400);
    expect(harness.logs.find((entry) => entry.msg === 'request')).toMatchObject({
      status: 400,
      hookInstance: body.hookInstance,
    });
  });

  it('never logs the Authorization header, the FHIR access token or patient data', async () => {
    const harness = testApp();
    const body = patientViewRequest({
      fhirServer: 'http://127.0.0.1:1/fhir',
      fhirAuthorization: {
        access_token: ACCESS_TOKEN,
        token_type: 'Bearer',
        expires_in: 300,
        scope: 'patient/*.read',
        subject: 's',
      },
    });
    await request(harness.app)
      .post('/cds-services/lbp-patient-view')
      .set('Authorization', `Bearer ${JWT}`)
      .send(body)
      .expect(200);
    await request(harness.app)
      .post('/cds-services/lbp-patient-view')
      .set('Authorization', `Bearer ${JWT}`)
      .send({ ...body, hook: 1 })
      .expect(400);
    const raw = harness.rawLogs();
    expect(raw.length).toBeGreaterThan(0);
    expect(raw).not.toContain(JWT);
    expect(raw).not.toContain(ACCESS_TOKEN);
    expect(raw).not.toContain('1980-04-02'); // the patient's birth date from the prefetch
  });

  it('logs health checks at debug level only', async () => {
    const harness = testApp({ LOG_LEVEL: 'info' });
    await request(harness.app).get('/healthz').expect(200);
    expect(harness.logs).toEqual([]);
  });
});

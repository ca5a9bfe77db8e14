import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { OperationOutcome } from '@medplum/fhirtypes';
import request from 'supertest';
import { testApp } from '../support/app';
import { validateR4 } from '../support/fhir-validation';
import { patientViewRequest } from '../support/hook-requests';

/** Errors are OperationOutcome JSON with the right status, never HTML and never a stack trace. */
const isOutcome = (body: unknown) =>
  expect(body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error' }] });

describe('error responses', () => {
  const { app } = testApp({ BODY_LIMIT_BYTES: '2048' });

  it('404 for an unknown service', async () => {
    const res = await request(app).post('/cds-services/no-such-service').send(patientViewRequest()).expect(404);
    isOutcome(res.body);
    expect(res.body.issue[0]).toMatchObject({ code: 'not-found' });
    expect(res.body.issue[0].details.text).toContain('no-such-service');
  });

  it('404 for feedback to an unknown service', async () => {
    const res = await request(app).post('/cds-services/no-such-service/feedback').send({ feedback: [] }).expect(404);
    isOutcome(res.body);
  });

  it('404 as JSON for an unknown path', async () => {
    const res = await request(app).get('/nothing/here').expect(404).expect('Content-Type', /json/);
    isOutcome(res.body);
  });

  it.each([
    ['POST', '/cds-services', 'GET, OPTIONS'],
    ['DELETE', '/cds-services', 'GET, OPTIONS'],
    ['GET', '/cds-services/lbp-patient-view', 'POST, OPTIONS'],
    ['PUT', '/cds-services/lbp-order-sign', 'POST, OPTIONS'],
    ['GET', '/cds-services/lbp-patient-view/feedback', 'POST, OPTIONS'],
  ])('405 for %s %s with Allow: %s', async (method, path, allow) => {
    const res = await request(app)[method.toLowerCase() as 'get'](path).expect(405);
    expect(res.headers.allow).toBe(allow);
    isOutcome(res.body);
  });

  it('413 for a body over BODY_LIMIT_BYTES', async () => {
    const body = patientViewRequest({ extension: { 'org.example.padding': 'x'.repeat(4096) } });
    const res = await request(app).post('/cds-services/lbp-patient-view').send(body).expect(413);
    isOutcome(res.body);
    expect(res.body.issue[0].details.text).toContain('2048');
  });

  it.each([
    ['text/plain', 'hello'],
    ['application/x-www-form-urlencoded', 'hook=patient-view'],
  ])('415 for Content-Type %s', async (type, raw) => {
    const res = await request(app)
      .post('/cds-services/lbp-patient-view')
      .set('Content-Type', type)
      .send(raw)
      .expect(415);
    isOutcome(res.body);
    expect(res.body.issue[0].details.text).toContain(type);
  });

  it('415 when Content-Type is missing', async () => {
    const res = await request(app).post('/cds-services/lbp-patient-view').expect(415);
    expect(res.body.issue[0].details.text).toContain('application/json');
  });

  it('accepts application/fhir+json and a charset parameter', async () => {
    await request(app)
      .post('/cds-services/lbp-patient-view')
      .set('Content-Type', 'application/fhir+json; charset=utf-8')
      .send(JSON.stringify(patientViewRequest()))
      .expect(200);
  });

  it('503 from the feedback endpoint while no store is available (the client may retry)', async () => {
    const item = {
      card: 'c-1',
      outcome: 'overridden',
      outcomeTimestamp: '2026-11-21T10:00:00Z',
      overrideReason: { userComment: 'x' },
    };
    const res = await request(app)
      .post('/cds-services/lbp-patient-view/feedback')
      .send({ feedback: [item] })
      .expect(503);
    isOutcome(res.body);
    expect(res.headers['retry-after']).toBe('1');
  });
});

describe('emitted OperationOutcomes', () => {
  const { app } = testApp();

  it.each([
    ['400', () => request(app).post('/cds-services/lbp-patient-view').send({ hook: 1 })],
    ['404', () => request(app).post('/cds-services/nope').send({})],
    ['405', () => request(app).get('/cds-services/lbp-patient-view')],
    [
      '412',
      () =>
        request(app)
          .post('/cds-services/lbp-patient-view')
          .send(patientViewRequest({ prefetch: undefined })),
    ],
    ['415', () => request(app).post('/cds-services/lbp-patient-view').set('Content-Type', 'text/plain').send('x')],
  ])('%s is a valid FHIR R4 OperationOutcome', async (status, send) => {
    const res = await send();
    expect(String(res.status)).toBe(status);
    expect(() => {
      validateR4(res.body as OperationOutcome);
    }).not.toThrow();
  });
});

describe('unexpected failures', () => {
  const harness = testApp(
    {},
    {
      evaluate: () => {
        throw new Error('secret internal detail at /srv/app/rules.ts:12');
      },
    }
  );

  it('answers 500 with an OperationOutcome and no stack or detail, and logs the error', async () => {
    const res = await request(harness.app)
      .post('/cds-services/lbp-patient-view')
      .send(patientViewRequest())
      .expect(500);
    isOutcome(res.body);
    expect(res.body.issue[0].code).toBe('exception');
    expect(JSON.stringify(res.body)).not.toMatch(/secret internal detail|rules\.ts|at /);
    const logged = harness.logs.find((line) => line.msg === 'request failed');
    expect(JSON.stringify(logged)).toContain('secret internal detail');
  });
});

describe('readiness gate', () => {
  it('answers 503 to hook calls while starting, and serves them once ready', async () => {
    const harness = testApp();
    const starting = new (harness.readiness.constructor as new () => typeof harness.readiness)();
    const { app } = testApp({}, { readiness: starting });
    const res = await request(app).post('/cds-services/lbp-patient-view').send(patientViewRequest()).expect(503);
    expect(res.headers['retry-after']).toBe('1');
    isOutcome(res.body);
    await request(app)
      .get('/readyz')
      .expect(503, { status: 'starting', degraded: ['knowledge'] });
    starting.markReady({ valueSets: 3 });
    await request(app).get('/readyz').expect(200, { status: 'ready', valueSets: 3 });
    await request(app).post('/cds-services/lbp-patient-view').send(patientViewRequest()).expect(200);
  });
});

describe('malformed paths, bodies and query values are 400, never 500, and never logged as failures', () => {
  const harness = testApp();
  const json = JSON.stringify(patientViewRequest());
  const compressed: Record<string, Buffer> = {
    gzip: gzipSync(json),
    deflate: deflateSync(json),
    br: brotliCompressSync(json),
  };
  // Sent as the bytes given (superagent would turn a Buffer into JSON for a JSON Content-Type).
  const raw = (body: unknown) => body as string;
  /** What a client error must look like: 400, an OperationOutcome, no stack, and no error line (with its stack) logged. */
  const CLIENT_ERROR = { status: 400, resourceType: 'OperationOutcome', stack: false, loggedErrors: 0 };
  const clientErrorOf = (res: request.Response) => ({
    status: res.status,
    resourceType: (res.body as { resourceType?: string }).resourceType,
    stack: / at |\.ts:|\.js:/.test(JSON.stringify(res.body)),
    loggedErrors: harness.logs.filter((line) => line.level === 'error' || line.level === 'fatal').length,
  });

  it.each([
    '/%',
    '/cds-services/%',
    '/cds-services/%zz',
    '/cds-services/lbp-patient-view%E0%A4%A',
    '/fhir/Patient/%c0',
  ])('a malformed percent-encoding in %s', async (path) => {
    expect(
      clientErrorOf(await request(harness.app).post(path).set('Content-Type', 'application/json').send('{}'))
    ).toEqual(CLIENT_ERROR);
    expect(clientErrorOf(await request(harness.app).get(path))).toEqual(CLIENT_ERROR);
  });

  it('any path with a lone % is a 400 or 404, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.webPath(), fc.nat(40), async (path, at) => {
        const broken = `${path.slice(0, at)}%${path.slice(at)}`.replace(/^([^/])/, '/$1');
        const res = await request(harness.app).get(broken);
        expect([400, 404]).toContain(res.status);
      }),
      { numRuns: 60 }
    );
  });

  it.each(['gzip', 'deflate', 'br'])('a corrupt or truncated %s body', async (encoding) => {
    const good = compressed[encoding] as Buffer;
    for (const body of [Buffer.from('not compressed at all, just text'), good.subarray(0, good.length - 8)]) {
      const res = await request(harness.app)
        .post('/cds-services/lbp-patient-view')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', encoding)
        .serialize(raw)
        .send(body);
      expect(clientErrorOf(res)).toEqual(CLIENT_ERROR);
    }
    // The intact body is read.
    const intact = await request(harness.app)
      .post('/cds-services/lbp-patient-view')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', encoding)
      .serialize(raw)
      .send(good);
    expect(intact.status).toBe(200);
  });

  it.each(['0000-01-01', '2026-02-30', '1899-12-31', '10000-01-01', '2026-13-01', '2026-11-01T25:00Z', 'now'])(
    '/stats?from=%s',
    async (from) => {
      const res = await request(harness.app).get(`/stats?from=${encodeURIComponent(from)}`);
      expect(clientErrorOf(res)).toEqual(CLIENT_ERROR);
      expect(res.body.issue[0].expression).toEqual(['from']);
    }
  );

  it('/stats with a repeated parameter', async () => {
    expect(clientErrorOf(await request(harness.app).get('/stats?to=2026-01-01&to=2026-02-01'))).toEqual(CLIENT_ERROR);
  });
});

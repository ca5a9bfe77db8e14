import request from 'supertest';
import { testApp } from '../support/app';
import {
  draftOrders,
  orderSelectRequest,
  orderSignRequest,
  patientViewRequest,
  physioReferral,
} from '../support/hook-requests';

/**
 * Every malformed request gets 400 with an OperationOutcome whose issue names the offending field
 * (`expression`). One row per protocol rule.
 */
const { app } = testApp();

type Mutate = (body: Record<string, unknown>) => void;
const context = (body: Record<string, unknown>) => body.context as Record<string, unknown>;

const cases: [string, string, () => Record<string, unknown>, Mutate, string][] = [
  ['hook missing', 'lbp-patient-view', patientViewRequest, (b) => delete b.hook, 'hook'],
  ['hook not a string', 'lbp-patient-view', patientViewRequest, (b) => (b.hook = 42), 'hook'],
  ['hook not served by this service', 'lbp-patient-view', patientViewRequest, (b) => (b.hook = 'order-sign'), 'hook'],
  ['unknown hook', 'lbp-order-sign', orderSignRequest, (b) => (b.hook = 'appointment-book'), 'hook'],
  ['hookInstance missing', 'lbp-patient-view', patientViewRequest, (b) => delete b.hookInstance, 'hookInstance'],
  ['hookInstance not a UUID', 'lbp-patient-view', patientViewRequest, (b) => (b.hookInstance = 'abc'), 'hookInstance'],
  ['context missing', 'lbp-patient-view', patientViewRequest, (b) => delete b.context, 'context'],
  ['context not an object', 'lbp-patient-view', patientViewRequest, (b) => (b.context = 'x'), 'context'],
  [
    'patientId missing',
    'lbp-patient-view',
    patientViewRequest,
    (b) => delete context(b).patientId,
    'context.patientId',
  ],
  [
    'patientId not a FHIR id',
    'lbp-patient-view',
    patientViewRequest,
    (b) => (context(b).patientId = '../Patient/1'),
    'context.patientId',
  ],
  ['userId missing', 'lbp-patient-view', patientViewRequest, (b) => delete context(b).userId, 'context.userId'],
  [
    'userId not a user reference',
    'lbp-patient-view',
    patientViewRequest,
    (b) => (context(b).userId = 'Organization/1'),
    'context.userId',
  ],
  [
    'encounterId not a FHIR id',
    'lbp-patient-view',
    patientViewRequest,
    (b) => (context(b).encounterId = 'a b'),
    'context.encounterId',
  ],
  [
    'fhirServer not a URL',
    'lbp-patient-view',
    patientViewRequest,
    (b) => (b.fhirServer = 'fhir.example'),
    'fhirServer',
  ],
  [
    'fhirServer not http(s)',
    'lbp-patient-view',
    patientViewRequest,
    (b) => (b.fhirServer = 'file:///etc/passwd'),
    'fhirServer',
  ],
  [
    'fhirAuthorization without fhirServer',
    'lbp-patient-view',
    patientViewRequest,
    (b) =>
      (b.fhirAuthorization = {
        access_token: 't',
        token_type: 'Bearer',
        expires_in: 300,
        scope: 'patient/*.read',
        subject: 'c',
      }),
    'fhirServer',
  ],
  [
    'fhirAuthorization without access_token',
    'lbp-patient-view',
    patientViewRequest,
    (b) => {
      b.fhirServer = 'https://fhir.example/r4';
      b.fhirAuthorization = { token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'c' };
    },
    'fhirAuthorization.access_token',
  ],
  [
    'fhirAuthorization with another token_type',
    'lbp-patient-view',
    patientViewRequest,
    (b) => {
      b.fhirServer = 'https://fhir.example/r4';
      b.fhirAuthorization = { access_token: 't', token_type: 'MAC', expires_in: 300, scope: 's', subject: 'c' };
    },
    'fhirAuthorization.token_type',
  ],
  ['prefetch not an object', 'lbp-patient-view', patientViewRequest, (b) => (b.prefetch = []), 'prefetch'],
  [
    'prefetch value not a resource or null',
    'lbp-patient-view',
    patientViewRequest,
    (b) => ((b.prefetch as Record<string, unknown>).conditions = 'none'),
    'prefetch.conditions',
  ],
  ['extension not an object', 'lbp-patient-view', patientViewRequest, (b) => (b.extension = 'x'), 'extension'],
  [
    'order-select without selections',
    'lbp-order-select',
    orderSelectRequest,
    (b) => delete context(b).selections,
    'context.selections',
  ],
  [
    'order-select with empty selections',
    'lbp-order-select',
    orderSelectRequest,
    (b) => (context(b).selections = []),
    'context.selections',
  ],
  [
    'order-select selection not Type/id',
    'lbp-order-select',
    orderSelectRequest,
    (b) => (context(b).selections = ['sr-physio']),
    'context.selections[0]',
  ],
  [
    'order-select selection not in draftOrders',
    'lbp-order-select',
    orderSelectRequest,
    (b) => (context(b).selections = ['ServiceRequest/other']),
    'context.selections[0]',
  ],
  [
    'order-select without draftOrders',
    'lbp-order-select',
    orderSelectRequest,
    (b) => delete context(b).draftOrders,
    'context.draftOrders',
  ],
  [
    'order-sign without draftOrders',
    'lbp-order-sign',
    orderSignRequest,
    (b) => delete context(b).draftOrders,
    'context.draftOrders',
  ],
  [
    'order-sign draftOrders not a Bundle',
    'lbp-order-sign',
    orderSignRequest,
    (b) => (context(b).draftOrders = physioReferral()),
    'context.draftOrders.resourceType',
  ],
  [
    'order-sign draftOrders entry resource without resourceType',
    'lbp-order-sign',
    orderSignRequest,
    (b) => (context(b).draftOrders = { resourceType: 'Bundle', entry: [{ resource: { id: 'x' } }] }),
    'context.draftOrders.entry[0].resource.resourceType',
  ],
];

describe('POST /cds-services/{id}: request validation', () => {
  it.each(cases)('%s → 400 naming %s', async (_name, serviceId, make, mutate, expression) => {
    const body = make();
    mutate(body);
    const res = await request(app).post(`/cds-services/${serviceId}`).send(body).expect(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
    const expressions = (res.body.issue as { expression?: string[] }[]).flatMap((issue) => issue.expression ?? []);
    expect(expressions).toContain(expression);
    for (const issue of res.body.issue as { severity: string; code: string; details: { text: string } }[]) {
      expect(issue).toMatchObject({ severity: 'error', code: 'invalid' });
      expect(issue.details.text.length).toBeGreaterThan(0);
    }
  });

  it('reports every problem of one request at once', async () => {
    const body = patientViewRequest({ hookInstance: 'nope' });
    delete context(body).patientId;
    const res = await request(app).post('/cds-services/lbp-patient-view').send(body).expect(400);
    const expressions = (res.body.issue as { expression: string[] }[]).flatMap((issue) => issue.expression);
    expect(expressions).toEqual(expect.arrayContaining(['hookInstance', 'context.patientId']));
  });

  it.each([
    ['a JSON array', '[]'],
    ['a JSON string', '"patient-view"'],
    ['JSON null', 'null'],
  ])('rejects %s as body with 400', async (_name, raw) => {
    const res = await request(app)
      .post('/cds-services/lbp-patient-view')
      .set('Content-Type', 'application/json')
      .send(raw)
      .expect(400);
    expect(res.body.issue[0].details.text).toMatch(/JSON object/);
  });

  it('rejects a body that is not JSON with 400', async () => {
    const res = await request(app)
      .post('/cds-services/lbp-patient-view')
      .set('Content-Type', 'application/json')
      .send('{"hook": ')
      .expect(400);
    expect(res.body).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ details: { text: 'Request body is not valid JSON' } }],
    });
  });
});

describe('POST /cds-services/{id}: leniency inside FHIR resources', () => {
  it('accepts the empty elements real clients send (coding: [{}], reasonCode: [])', async () => {
    const order = { ...physioReferral(), code: { coding: [{}] }, reasonCode: [] };
    const body = orderSelectRequest();
    context(body).draftOrders = draftOrders(order);
    await request(app).post('/cds-services/lbp-order-select').send(body).expect(200);
  });

  it('ignores unknown fields and accepts an extension object', async () => {
    const body = patientViewRequest({ extension: { 'org.example.trace': { id: 1 } }, futureField: true });
    context(body).encounterId = 'enc-1';
    await request(app).post('/cds-services/lbp-patient-view').send(body).expect(200);
  });

  it.each([['PractitionerRole/r-1'], ['Patient/pat-1'], ['RelatedPerson/rp-1']])(
    'accepts userId %s',
    async (userId) => {
      const body = patientViewRequest();
      context(body).userId = userId;
      await request(app).post('/cds-services/lbp-patient-view').send(body).expect(200);
    }
  );

  it('accepts a lower-case bearer token_type', async () => {
    const body = patientViewRequest({
      fhirServer: 'https://fhir.example/r4',
      fhirAuthorization: {
        access_token: 't',
        token_type: 'bearer',
        expires_in: 300,
        scope: 'patient/*.read',
        subject: 'c',
      },
    });
    await request(app).post('/cds-services/lbp-patient-view').send(body).expect(200);
  });
});

describe('valid requests for each hook', () => {
  it.each([
    ['lbp-patient-view', 'patient-view', patientViewRequest],
    ['lbp-order-select', 'order-select', orderSelectRequest],
    ['lbp-order-sign', 'order-sign', orderSignRequest],
  ])('%s answers %s with 200 and a cards array', async (serviceId, _hook, make) => {
    const res = await request(app).post(`/cds-services/${serviceId}`).send(make()).expect(200);
    expect(Array.isArray(res.body.cards)).toBe(true);
  });
});

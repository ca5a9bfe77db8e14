import request from 'supertest';
import { testApp } from '../support/app';

/** CDS Hooks 2.0 discovery (docs/integration.md) and the recommended prefetch query subset (docs/integration.md). */
describe('GET /cds-services', () => {
  const { app } = testApp();

  it('lists one service per hook, each id once (clients key services by id)', async () => {
    const res = await request(app)
      .get('/cds-services')
      .expect(200)
      .expect('Content-Type', /application\/json/);
    const entries = (res.body as { services: { id: string; hook: string }[] }).services.map((s) => `${s.id} ${s.hook}`);
    expect(entries).toEqual([
      'lbp-patient-view patient-view',
      'lbp-order-select order-select',
      'lbp-order-sign order-sign',
    ]);
    expect(new Set(entries.map((entry) => entry.split(' ')[0])).size).toBe(entries.length);
  });

  it('gives every entry the required and recommended fields, none of them empty', async () => {
    const res = await request(app).get('/cds-services').expect(200);
    for (const service of (res.body as { services: Record<string, unknown>[] }).services) {
      for (const field of ['id', 'hook', 'title', 'description', 'usageRequirements']) {
        expect(typeof service[field]).toBe('string');
        expect((service[field] as string).length).toBeGreaterThan(0);
      }
      expect(Object.keys(service.prefetch as object).length).toBeGreaterThan(0);
    }
  });

  it('prefetches every resource type the clinical rules read', async () => {
    const res = await request(app).get('/cds-services').expect(200);
    const [service] = (res.body as { services: { prefetch: Record<string, string> }[] }).services;
    const types = Object.values(service!.prefetch).map((template) => /^([A-Za-z]+)[/?]/.exec(template)?.[1]);
    expect(new Set(types)).toEqual(
      new Set([
        'Patient',
        'Condition',
        'Observation',
        'MedicationStatement',
        'MedicationRequest',
        'Procedure',
        'QuestionnaireResponse',
        // Memory: an existing exercise programme or physiotherapy referral.
        'CarePlan',
        'ServiceRequest',
      ])
    );
  });

  it('writes every template inside the recommended query subset', async () => {
    const res = await request(app).get('/cds-services').expect(200);
    const allowedParams = new Set(['patient', '_sort', '_count']);
    for (const service of (res.body as { services: { prefetch: Record<string, string> }[] }).services) {
      for (const template of Object.values(service.prefetch)) {
        // Only {{context.patientId}} tokens: a root-level primitive context field (P2).
        for (const [, token] of template.matchAll(/\{\{([^}]+)\}\}/g)) {
          expect(token).toBe('context.patientId');
        }
        // Either an instance read `Type/{{context.patientId}}` or a type search with allowed parameters.
        const [path = '', query = ''] = template.split('?');
        expect(path).toMatch(query ? /^[A-Z][A-Za-z]+$/ : /^[A-Z][A-Za-z]+\/\{\{context\.patientId\}\}$/);
        const params = query ? query.split('&').map((param) => param.split('=')[0]) : [];
        expect(params.filter((name) => !allowedParams.has(name ?? ''))).toEqual([]);
      }
    }
  });
});

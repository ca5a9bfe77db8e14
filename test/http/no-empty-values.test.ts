import { readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { testApp } from '../support/app';
import { draftOrdersOf, loadSample, orderHookOf, patientViewOf } from '../support/sample-patients';

/**
 * CDS Hooks and FHIR forbid empty values (docs/integration.md): no response holds an empty array, an empty string
 * or null, on any sample patient, hook or language. An EHR that validates strictly would reject such a card.
 */
const { app } = testApp();
const SAMPLES = readdirSync(path.join(__dirname, '..', '..', 'fhir-resources', 'sample-patients'))
  .filter((name) => name.endsWith('.json'))
  .map((name) => name.replace(/\.json$/, ''));

/** The paths of every empty value below `value`. */
function emptyValues(value: unknown, where = '$'): string[] {
  if (value === null || value === '' || (Array.isArray(value) && value.length === 0)) {
    return [where];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => emptyValues(item, `${where}[${index}]`));
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) =>
      emptyValues(item, `${where}.${key}`)
    );
  }
  return [];
}

describe.each(['nl', 'en'])('no empty values (Accept-Language %s)', (language) => {
  it.each(SAMPLES)('%s: patient-view and order-sign', async (id) => {
    const bundle = loadSample(id);
    const view = await request(app)
      .post('/cds-services/lbp-patient-view')
      .set('Accept-Language', language)
      .send(patientViewOf(bundle))
      .expect(200);
    const found = emptyValues(view.body, 'patient-view');
    for (const order of draftOrdersOf(bundle)) {
      const sign = await request(app)
        .post('/cds-services/lbp-order-sign')
        .set('Accept-Language', language)
        .send(orderHookOf('order-sign', bundle, order))
        .expect(200);
      found.push(...emptyValues(sign.body, 'order-sign'));
    }
    expect(found).toEqual([]);
  });
});

it('emptyValues finds what it must (the check can fail)', () => {
  expect(emptyValues({ a: [], b: '', c: null, d: [{ e: 'x' }], f: 0, g: false })).toEqual(['$.a', '$.b', '$.c']);
});

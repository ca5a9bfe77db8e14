import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type {
  Bundle,
  CapabilityStatement,
  CarePlan,
  Condition,
  Observation,
  OperationOutcome,
  Patient,
  Resource,
} from '@medplum/fhirtypes';
import express from 'express';
import request from 'supertest';
import { validateR4 } from '../../test/support/fhir-validation';
import { CLINICAL_PREFETCH } from '../hook/catalogue';
import type { HookRequest } from '../hook/hook-request';
import { gatherRecord } from '../fhir/gather';
import { createEmbeddedFhirServer } from './fhir-server';
import type { EmbeddedFhirServer } from './fhir-server';
import { loadSampleBundles, resourcesOf } from './sample-patients';

const SAMPLES = path.join(__dirname, '..', '..', 'fhir-resources', 'sample-patients');
const DAY_MS = 86_400_000;
/** Bundle.timestamp of every sample: the day their dates are written relative to. */
const REFERENCE = new Date('2026-11-21T10:00:00Z');
const SHIFT_DAYS = 10;
const NOW = new Date(REFERENCE.getTime() + SHIFT_DAYS * DAY_MS);
const BODY_LIMIT = 64 * 1024;
const FHIR_JSON = /^application\/fhir\+json/;

/** The sample files exactly as written (dates at the reference date). */
const FILES: Record<string, Bundle> = Object.fromEntries(
  readdirSync(SAMPLES)
    .filter((file) => file.endsWith('.json'))
    .map((file) => [file.replace(/\.json$/, ''), JSON.parse(readFileSync(path.join(SAMPLES, file), 'utf8')) as Bundle])
);
const fileResources = (patientId: string): Resource[] => resourcesOf(FILES[patientId] as Bundle);
const fileResource = (patientId: string, id: string): Resource | undefined =>
  fileResources(patientId).find((resource) => resource.id === id);
const idsOfType = (patientId: string, type: string): string[] =>
  fileResources(patientId)
    .filter((resource) => resource.resourceType === type)
    .map((resource) => resource.id ?? '')
    .sort();

const entriesOf = (bundle: Bundle): Resource[] => (bundle.entry ?? []).map((entry) => entry.resource as Resource);
const sortedIds = (bundle: Bundle): string[] =>
  entriesOf(bundle)
    .map((resource) => resource.id ?? '')
    .sort();

let server: EmbeddedFhirServer;
let app: express.Express;

beforeAll(async () => {
  // One server for the whole file: indexing the definitions takes about a second.
  server = await createEmbeddedFhirServer({ samplesDir: SAMPLES, now: NOW, maxBodyBytes: BODY_LIMIT });
  app = express();
  app.use('/fhir', server.router);
});

describe('seeding', () => {
  it('lists the 13 sample patients sorted by name, with a summary and their draft orders', () => {
    expect(Object.keys(FILES)).toHaveLength(13);
    expect(server.patients.map((patient) => patient.id).sort()).toEqual(Object.keys(FILES).sort());
    const names = server.patients.map((patient) => patient.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'nl')));
    expect(server.patients.find((patient) => patient.id === 'fever')).toEqual({
      id: 'fever',
      name: 'Marco van Dijk',
      gender: 'male',
      birthDate: '1974-03-01',
      summary: '52 y, male, Dordrecht. Active: Lage rugpijn (3 wk). History: Cystitis (2026).',
      // The page shows the summary in its own language; the record's texts stay as recorded.
      summaries: {
        nl: '52 jr, man, Dordrecht. Actueel: Lage rugpijn (3 wk). Voorgeschiedenis: Cystitis (2026).',
        fr: '52 ans, homme, Dordrecht. Actuel : Lage rugpijn (3 sem.). Antécédents : Cystitis (2026).',
        en: '52 y, male, Dordrecht. Active: Lage rugpijn (3 wk). History: Cystitis (2026).',
      },
      orders: [],
    });
    expect(server.patients.find((patient) => patient.id === 'lumbar-mri')?.orders).toEqual([
      { id: 'lumbar-mri-order', display: 'MRI LWK' },
    ]);
    expect(server.patients.find((patient) => patient.id === 'physio-referral')?.orders).toEqual([
      { id: 'physio-referral-order', display: 'Verwijzing naar fysiotherapeut' },
    ]);
    for (const patient of server.patients) {
      expect(patient.summary).toMatch(/^\d+ y, (male|female), [A-Z][a-z]+\. Active: .+\.$/);
    }
  });

  it('serves all patients at GET /Patient, as a searchset', async () => {
    const res = await request(app).get('/fhir/Patient').expect(200).expect('Content-Type', FHIR_JSON);
    const bundle = res.body as Bundle;
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 13 });
    expect(sortedIds(bundle)).toEqual(Object.keys(FILES).sort());
    expect(bundle.entry?.[0]?.fullUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir\/Patient\/[a-z-]+$/);
    expect(bundle.entry?.[0]?.search).toEqual({ mode: 'match' });
  });

  it('serves every resource of every sample Bundle by its id', async () => {
    const all = Object.keys(FILES).flatMap(fileResources);
    expect(all.length).toBeGreaterThan(100);
    for (const resource of all) {
      const res = await request(app)
        .get(`/fhir/${resource.resourceType}/${resource.id ?? ''}`)
        .expect(200);
      expect(res.body).toMatchObject({ resourceType: resource.resourceType, id: resource.id });
      expect(res.headers.etag).toMatch(/^W\/"[^"]+"$/);
    }
  });

  it('holds the draft ServiceRequests', async () => {
    const res = await request(app).get('/fhir/ServiceRequest').query({ status: 'draft' }).expect(200);
    expect(sortedIds(res.body as Bundle)).toEqual(['lumbar-mri-order', 'physio-referral-order']);
  });
});

describe('date shifting', () => {
  it(`moves the fever patient's temperature and birthDate ${SHIFT_DAYS} days later, leaving codes and references`, async () => {
    const original = fileResource('fever', 'fever-temp-1') as Observation;
    const served = (await request(app).get('/fhir/Observation/fever-temp-1').expect(200)).body as Observation;
    expect(original.effectiveDateTime).toBe('2026-11-19T17:30:00+01:00');
    expect(served.effectiveDateTime).toBe('2026-11-29T17:30:00+01:00');
    expect(Date.parse(served.effectiveDateTime ?? '') - Date.parse(original.effectiveDateTime ?? '')).toBe(
      SHIFT_DAYS * DAY_MS
    );
    expect(served.note?.[0]?.time).toBe('2026-11-29T17:30:00+01:00');
    expect(served.note?.[0]?.text).toBe(original.note?.[0]?.text);
    expect(served.code).toEqual(original.code);
    expect(served.category).toEqual(original.category);
    expect(served.subject).toEqual(original.subject);
    expect(served.valueQuantity).toEqual(original.valueQuantity);

    const patient = (await request(app).get('/fhir/Patient/fever').expect(200)).body as Patient;
    const originalPatient = fileResource('fever', 'fever') as Patient;
    expect(Date.parse(patient.birthDate ?? '') - Date.parse(originalPatient.birthDate ?? '')).toBe(SHIFT_DAYS * DAY_MS);
    expect(patient.identifier).toEqual(originalPatient.identifier);
    expect(patient.name).toEqual(originalPatient.name);
  });

  it('moves periods and recorded dates of the other resource types', async () => {
    const medication = (await request(app).get('/fhir/MedicationStatement/fever-med-1').expect(200)).body as {
      effectivePeriod: { start: string; end: string };
      dateAsserted: string;
    };
    expect(medication.effectivePeriod).toEqual({ start: '2026-10-30', end: '2026-11-03' });
    expect(medication.dateAsserted).toBe('2026-10-30');
    const condition = (await request(app).get('/fhir/Condition/fever-cond-2').expect(200)).body as Condition;
    expect(condition).toMatchObject({
      onsetDateTime: '2026-10-30',
      abatementDateTime: '2026-11-06',
      recordedDate: '2026-10-30',
    });
  });

  it('moves every Bundle by now − timestamp, and changes nothing when now is the reference day', async () => {
    const later = await loadSampleBundles(SAMPLES, NOW);
    expect(later.map(({ shiftDays }) => shiftDays)).toEqual(later.map(() => SHIFT_DAYS));
    expect(later.map(({ bundle }) => bundle.timestamp)).toEqual(later.map(() => '2026-12-01T10:00:00Z'));

    const sameDay = await loadSampleBundles(SAMPLES, new Date(REFERENCE.getTime() + 13 * 3_600_000));
    expect(sameDay.map(({ shiftDays }) => shiftDays)).toEqual(sameDay.map(() => 0));
    for (const { file, bundle } of sameDay) {
      expect(bundle).toEqual(FILES[file.replace(/\.json$/, '')]);
    }
  });
});

describe('search', () => {
  it('Condition?patient=<id> and ?patient=Patient/<id> return only that patient’s Conditions', async () => {
    const expected = idsOfType('fever', 'Condition');
    expect(expected).toEqual(['fever-cond-1', 'fever-cond-2']);
    for (const patient of ['fever', 'Patient/fever']) {
      const res = await request(app).get('/fhir/Condition').query({ patient }).expect(200);
      const bundle = res.body as Bundle<Condition>;
      expect(bundle.total).toBe(2);
      expect(sortedIds(bundle)).toEqual(expected);
    }
    // `subject` targets Group and Patient: a bare id matches either.
    const bySubject = await request(app).get('/fhir/Condition?subject=fever').expect(200);
    expect(sortedIds(bySubject.body as Bundle)).toEqual(expected);
  });

  it('?patient=<id> returns exactly the resources of that type in her sample Bundle, for every patient', async () => {
    const types = [
      'Condition',
      'Observation',
      'MedicationStatement',
      'MedicationRequest',
      'Procedure',
      'ServiceRequest',
    ];
    for (const patientId of Object.keys(FILES)) {
      for (const type of types) {
        const res = await request(app).get(`/fhir/${type}`).query({ patient: patientId, _count: 1000 }).expect(200);
        expect({ patientId, type, ids: sortedIds(res.body as Bundle) }).toEqual({
          patientId,
          type,
          ids: idsOfType(patientId, type),
        });
      }
    }
  });

  it('Observation?patient=chronic-clean&_sort=-date&_count=200 returns her Observations, newest first', async () => {
    const res = await request(app).get('/fhir/Observation?patient=chronic-clean&_sort=-date&_count=200').expect(200);
    const bundle = res.body as Bundle<Observation>;
    const expected = idsOfType('chronic-clean', 'Observation');
    expect(expected.length).toBeGreaterThan(5);
    expect(bundle.total).toBe(expected.length);
    expect(sortedIds(bundle)).toEqual(expected);
    const times = entriesOf(bundle).map((resource) => {
      const observation = resource as Observation;
      return Date.parse(observation.effectiveDateTime ?? observation.effectivePeriod?.start ?? '');
    });
    expect(times.every((time) => !Number.isNaN(time))).toBe(true);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(bundle.link?.find((link) => link.relation === 'next')).toBeUndefined();
  });

  it('Observation?code=http://loinc.org|8310-5 returns temperatures only', async () => {
    const res = await request(app).get('/fhir/Observation').query({ code: 'http://loinc.org|8310-5' }).expect(200);
    const observations = entriesOf(res.body as Bundle) as Observation[];
    expect(observations).toHaveLength(13);
    for (const observation of observations) {
      expect(observation.code.coding).toContainEqual(
        expect.objectContaining({ system: 'http://loinc.org', code: '8310-5' })
      );
    }
  });

  it('Patient?name=Bakker finds Lotte Bakker', async () => {
    const res = await request(app).get('/fhir/Patient?name=Bakker').expect(200);
    expect(sortedIds(res.body as Bundle)).toEqual(['chronic-clean']);
  });

  it('POST /Observation/_search with a form body answers like the GET search', async () => {
    const viaGet = await request(app).get('/fhir/Observation?patient=fever').expect(200);
    const viaPost = await request(app).post('/fhir/Observation/_search').type('form').send('patient=fever').expect(200);
    expect(viaPost.headers['content-type']).toMatch(FHIR_JSON);
    expect(sortedIds(viaPost.body as Bundle)).toEqual(idsOfType('fever', 'Observation'));
    // supertest listens on a new port per request: compare without the origin.
    const withoutOrigin = (body: unknown) => JSON.stringify(body).replace(/http:\/\/127\.0\.0\.1:\d+/g, '');
    expect(withoutOrigin(viaPost.body)).toEqual(withoutOrigin(viaGet.body));
  });

  it.each([
    ['MedicationStatement', 'chronic-clean'],
    ['Procedure', 'recent-lumbar-surgery'],
    ['AllergyIntolerance', 'chronic-clean'],
    ['QuestionnaireResponse', 'fever'],
    ['MedicationRequest', 'fever'],
  ])('%s?patient=%s returns that patient’s resources (an empty searchset when none)', async (type, patient) => {
    const res = await request(app).get(`/fhir/${type}`).query({ patient }).expect(200);
    const bundle = res.body as Bundle;
    const expected = idsOfType(patient, type);
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: expected.length });
    expect(sortedIds(bundle)).toEqual(expected);
  });

  it('pages with _count and _offset, with self, next and previous links', async () => {
    const first = (await request(app).get('/fhir/Patient?_count=5&_sort=family').expect(200)).body as Bundle;
    expect(first.total).toBe(13);
    expect(first.entry).toHaveLength(5);
    const next = first.link?.find((link) => link.relation === 'next')?.url ?? '';
    expect(next).toMatch(/\/fhir\/Patient\?_sort=family&_count=5&_offset=5$/);
    const second = (
      await request(app)
        .get(new URL(next).pathname + new URL(next).search)
        .expect(200)
    ).body as Bundle;
    expect(second.entry).toHaveLength(5);
    expect(second.link?.map((link) => link.relation)).toEqual(['self', 'first', 'previous', 'next']);
    const families = [...entriesOf(first), ...entriesOf(second)].map(
      (resource) => (resource as Patient).name?.[0]?.family?.toLowerCase() ?? ''
    );
    expect(families).toEqual([...families].sort());
  });

  it('answers _summary=count with the total only', async () => {
    const res = await request(app).get('/fhir/Observation?patient=fever&_summary=count').expect(200);
    expect(res.body).toMatchObject({ type: 'searchset', total: idsOfType('fever', 'Observation').length });
    expect((res.body as Bundle).entry).toBeUndefined();
  });

  it('refuses an unknown parameter with 400, and ignores it with Prefer: handling=lenient', async () => {
    const strict = await request(app).get('/fhir/Condition?patient=fever&colour=blue').expect(400);
    expect(strict.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error' }] });
    const lenient = await request(app)
      .get('/fhir/Condition?patient=fever&colour=blue')
      .set('Prefer', 'handling=lenient')
      .expect(200);
    expect(sortedIds(lenient.body as Bundle)).toEqual(['fever-cond-1', 'fever-cond-2']);
  });

  it('finds by _id, and refuses a malformed value with 400', async () => {
    const res = await request(app).get('/fhir/ServiceRequest?_id=physio-referral-order').expect(200);
    expect(sortedIds(res.body as Bundle)).toEqual(['physio-referral-order']);
    const bad = await request(app).get('/fhir/Observation?date=yesterday').expect(400);
    expect(bad.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error' }] });
  });

  it('filters on dates', async () => {
    const res = await request(app).get('/fhir/Observation?patient=fever&date=ge2026-11-20').expect(200);
    // At the reference date +10: the weight and BP of 4 Nov (→ 14 Nov) are older, the temperature (→ 29 Nov) is not.
    expect(sortedIds(res.body as Bundle)).toEqual(['fever-temp-1']);
  });
});

describe('writes', () => {
  const carePlan: CarePlan = {
    resourceType: 'CarePlan',
    status: 'draft',
    intent: 'proposal',
    title: 'Supervised exercise therapy',
    subject: { reference: 'Patient/chronic-clean' },
  };

  it('creates, reads, finds, updates and versions a CarePlan', async () => {
    const created = await request(app)
      .post('/fhir/CarePlan')
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(carePlan))
      .expect(201)
      .expect('Content-Type', FHIR_JSON);
    const id = (created.body as CarePlan).id ?? '';
    expect(id).not.toBe('');
    expect(created.headers.location).toMatch(new RegExp(`/fhir/CarePlan/${id}/_history/[^/]+$`));

    const read = await request(app).get(`/fhir/CarePlan/${id}`).expect(200);
    expect(read.body).toMatchObject({ ...carePlan, id });

    const found = await request(app).get('/fhir/CarePlan?subject=Patient/chronic-clean').expect(200);
    expect(sortedIds(found.body as Bundle)).toEqual([id]);
    await request(app)
      .get('/fhir/CarePlan?subject=Patient/fever')
      .expect(200)
      .expect((res) => expect((res.body as Bundle).total).toBe(0));

    const updated = await request(app)
      .put(`/fhir/CarePlan/${id}`)
      .send({ ...(read.body as CarePlan), status: 'active' })
      .expect(200);
    expect(updated.body).toMatchObject({ id, status: 'active' });
    await request(app)
      .get(`/fhir/CarePlan/${id}`)
      .expect(200)
      .expect((res) => expect((res.body as CarePlan).status).toBe('active'));

    for (let call = 0; call < 2; call++) {
      // Twice: MemoryRepository 4.5.2 reversed its stored history on every call.
      const history = (await request(app).get(`/fhir/CarePlan/${id}/_history`).expect(200)).body as Bundle<CarePlan>;
      expect(history).toMatchObject({ resourceType: 'Bundle', type: 'history', total: 2 });
      expect(history.entry?.map((entry) => entry.resource?.status)).toEqual(['active', 'draft']);
      expect(history.entry?.[0]?.fullUrl).toMatch(new RegExp(`/fhir/CarePlan/${id}$`));
    }
  });

  it('assigns its own id on create, ignoring a client id', async () => {
    const res = await request(app)
      .post('/fhir/Patient')
      .send({ resourceType: 'Patient', id: 'fever', gender: 'other' })
      .expect(201);
    expect((res.body as Patient).id).not.toBe('fever');
    await request(app)
      .get('/fhir/Patient/fever')
      .expect(200)
      .expect((read) => expect((read.body as Patient).gender).toBe('male'));
  });

  it('creates with PUT to a new id (201) and refuses an id that differs from the URL', async () => {
    const res = await request(app)
      .put('/fhir/CarePlan/accepted-plan')
      .send({ ...carePlan, id: 'accepted-plan' })
      .expect(201);
    expect(res.headers.location).toMatch(/\/fhir\/CarePlan\/accepted-plan\/_history\//);
    await request(app)
      .put('/fhir/CarePlan/accepted-plan')
      .send({ ...carePlan, id: 'other' })
      .expect(400);
  });

  it('refuses a resource that is not valid R4', async () => {
    const res = await request(app)
      .post('/fhir/CarePlan')
      .send({ resourceType: 'CarePlan', status: 'draft', intent: 'proposal' })
      .expect(400);
    expect(res.body).toMatchObject({ resourceType: 'OperationOutcome' });
    expect(JSON.stringify(res.body)).toMatch(/subject/);
  });

  it('applies a JSON Patch', async () => {
    await request(app)
      .patch('/fhir/CarePlan/accepted-plan')
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify([{ op: 'replace', path: '/status', value: 'active' }]))
      .expect(200)
      .expect((res) => expect((res.body as CarePlan).status).toBe('active'));
  });

  it('processes a transaction Bundle', async () => {
    const res = await request(app)
      .post('/fhir')
      .send({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: { ...carePlan, id: 'from-bundle' }, request: { method: 'PUT', url: 'CarePlan/from-bundle' } },
        ],
      })
      .expect(200);
    expect(res.body).toMatchObject({ resourceType: 'Bundle', type: 'transaction-response' });
    await request(app).get('/fhir/CarePlan/from-bundle').expect(200);
  });

  it('a search by patient follows writes: a resource moved to another patient, and a deleted one', async () => {
    const created = await request(app)
      .post('/fhir/CarePlan')
      .send({ ...carePlan, subject: { reference: 'Patient/fever' } })
      .expect(201);
    const moved = created.body as CarePlan;
    const idsFor = async (patient: string, extra: Record<string, string> = {}) =>
      sortedIds(
        (
          await request(app)
            .get('/fhir/CarePlan')
            .query({ patient, ...extra })
            .expect(200)
        ).body as Bundle
      );
    expect(await idsFor('fever')).toEqual([moved.id]);

    await request(app)
      .put(`/fhir/CarePlan/${moved.id ?? ''}`)
      .send({ ...moved, subject: { reference: 'Patient/acute-low-risk' } })
      .expect(200);
    expect(await idsFor('fever')).toEqual([]);
    expect(await idsFor('acute-low-risk')).toEqual([moved.id]);
    // The other filters still apply to the patient's resources.
    expect(await idsFor('acute-low-risk', { status: 'active' })).toEqual([]);
    expect(await idsFor('acute-low-risk', { status: 'draft' })).toEqual([moved.id]);

    await request(app)
      .delete(`/fhir/CarePlan/${moved.id ?? ''}`)
      .expect(200);
    expect(await idsFor('acute-low-risk')).toEqual([]);
  });

  it('deletes a ServiceRequest, which then answers 404', async () => {
    await request(app).get('/fhir/ServiceRequest/lumbar-mri-order').expect(200);
    await request(app).delete('/fhir/ServiceRequest/lumbar-mri-order').expect(200);
    const res = await request(app).get('/fhir/ServiceRequest/lumbar-mri-order').expect(404);
    expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'not-found' }] });
    await request(app).delete('/fhir/ServiceRequest/lumbar-mri-order').expect(404);
  });
});

describe('metadata and errors', () => {
  it('GET /metadata is a valid R4 CapabilityStatement of an open server', async () => {
    const res = await request(app).get('/fhir/metadata').expect(200).expect('Content-Type', FHIR_JSON);
    const statement = res.body as CapabilityStatement;
    expect(() => validateR4(statement)).not.toThrow();
    expect(statement).toMatchObject({ fhirVersion: '4.0.1', kind: 'instance', status: 'active' });
    expect(statement.format).toContain('json');
    expect(statement.implementation?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir$/);
    const rest = statement.rest?.[0];
    expect(rest?.mode).toBe('server');
    const types = rest?.resource?.map((resource) => resource.type) ?? [];
    for (const type of [
      'Patient',
      'Condition',
      'Observation',
      'MedicationStatement',
      'Procedure',
      'AllergyIntolerance',
      'ServiceRequest',
      'CarePlan',
      'QuestionnaireResponse',
      'MedicationRequest',
    ]) {
      expect(types).toContain(type);
    }
    const params = (type: string) =>
      rest?.resource?.find((resource) => resource.type === type)?.searchParam?.map((param) => param.name) ?? [];
    expect(params('Condition')).toEqual(expect.arrayContaining(['patient', 'subject', 'code']));
    expect(params('Observation')).toEqual(expect.arrayContaining(['patient', 'code', 'date', 'category']));
    expect(params('Patient')).toEqual(expect.arrayContaining(['_id', 'name', 'family', 'identifier']));
    expect(rest?.resource?.[0]?.interaction?.map((interaction) => interaction.code)).toEqual(
      expect.arrayContaining(['read', 'search-type', 'create', 'update', 'delete', 'history-instance'])
    );
  });

  it('answers 404 with an OperationOutcome for an unknown id or resource type', async () => {
    for (const url of ['/fhir/Patient/no-such-patient', '/fhir/Unicorn/1', '/fhir/Unicorn']) {
      const res = await request(app).get(url).expect(404).expect('Content-Type', FHIR_JSON);
      expect((res.body as OperationOutcome).resourceType).toBe('OperationOutcome');
      expect((res.body as OperationOutcome).issue[0]).toMatchObject({ severity: 'error', code: 'not-found' });
    }
  });

  it('refuses a body over the limit with 413', async () => {
    const res = await request(app)
      .post('/fhir/CarePlan')
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify({ ...carePlanWithDescription('x'.repeat(BODY_LIMIT + 1)) }))
      .expect(413)
      .expect('Content-Type', FHIR_JSON);
    expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'too-costly' }] });
  });

  it('refuses invalid JSON with 400', async () => {
    const res = await request(app)
      .post('/fhir/CarePlan')
      .set('Content-Type', 'application/fhir+json')
      .send('{"resourceType": "CarePlan",')
      .expect(400)
      .expect('Content-Type', FHIR_JSON);
    expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'invalid' }] });
  });

  it('refuses a body of another media type (415), a missing body and a malformed id (400)', async () => {
    await request(app).post('/fhir/CarePlan').set('Content-Type', 'text/plain').send('CarePlan').expect(415);
    await request(app).post('/fhir/CarePlan').expect(400);
    await request(app).get('/fhir/Patient/not_an_id!').expect(400);
    await request(app).post('/fhir/Observation/_search').set('Content-Type', 'application/json').send('{}').expect(415);
    await request(app).delete('/fhir/Patient').expect(405);
  });
});

describe('CDS data gathering against the server', () => {
  let listener: Server;
  let fhirServer: string;

  beforeAll(async () => {
    listener = createServer(app);
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    fhirServer = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/fhir`;
  });

  afterAll(async () => {
    listener.closeAllConnections();
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  });

  it('gathers chronic-clean’s record from fhirServer when nothing is prefetched', async () => {
    const hookRequest: HookRequest = {
      hook: 'patient-view',
      hookInstance: randomUUID(),
      fhirServer,
      context: { userId: 'Practitioner/gp-1', patientId: 'chronic-clean' },
    };
    const result = await gatherRecord(CLINICAL_PREFETCH, hookRequest, {
      timeoutMs: 5000,
      budgetMs: 10_000,
      maxPages: 5,
      maxResponseBytes: 5_000_000,
    });
    if (!result.ok) {
      throw new Error(`gathering failed: ${JSON.stringify(result.missing)}`);
    }
    const { record } = result;
    expect(record.problems).toEqual([]);
    expect(record.patient).toMatchObject({ resourceType: 'Patient', id: 'chronic-clean', birthDate: '1988-05-24' });
    const idsOf = (key: string) => (record.data[key]?.resources ?? []).map((resource) => resource.id ?? '').sort();
    expect(idsOf('conditions')).toEqual(idsOfType('chronic-clean', 'Condition'));
    expect(idsOf('observations')).toEqual(idsOfType('chronic-clean', 'Observation'));
    expect(idsOf('medicationStatements')).toEqual(idsOfType('chronic-clean', 'MedicationStatement'));
    expect(idsOf('procedures')).toEqual(idsOfType('chronic-clean', 'Procedure'));
    expect(idsOf('questionnaireResponses')).toEqual([]);
    for (const data of Object.values(record.data)) {
      expect(data).toMatchObject({ source: 'fhir', complete: true });
    }
  });
});

function carePlanWithDescription(description: string): CarePlan {
  return {
    resourceType: 'CarePlan',
    status: 'draft',
    intent: 'proposal',
    description,
    subject: { reference: 'Patient/chronic-clean' },
  };
}

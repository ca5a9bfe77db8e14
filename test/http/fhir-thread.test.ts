import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { loadTestConfig } from '../../src/config';
import { startServer } from '../../src/server';
import type { RunningServer } from '../../src/server';
import { silentLogger } from '../support/app';
import { freePort } from '../support/free-port';

/**
 * The embedded FHIR server in its own thread (with EVALUATION_WORKERS): /fhir answers as before, and the hook's
 * own fetches from it do not queue behind hook calls (issue 16: case (b) at 20 connections answers 200 every time).
 */

describe('the embedded FHIR server in its own thread', () => {
  let running: RunningServer | undefined;
  let dataDir: string;
  let base: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'ruggensteun-fhir-thread-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    running = await startServer(
      loadTestConfig({ PORT: String(port), PUBLIC_BASE_URL: base, DATA_DIR: dataDir, EVALUATION_WORKERS: '1' }),
      { logger: silentLogger }
    );
  }, 120_000);
  afterAll(async () => {
    await running?.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves /fhir through the service: reads, searches, errors as OperationOutcome, the sample patients', async () => {
    const metadata = await request(base).get('/fhir/metadata').expect(200);
    expect(metadata.body.resourceType).toBe('CapabilityStatement');
    expect(metadata.headers['content-type']).toMatch(/application\/fhir\+json/);
    const patient = await request(base).get('/fhir/Patient/chronic-clean').expect(200);
    expect(patient.body).toMatchObject({ resourceType: 'Patient', id: 'chronic-clean' });
    const search = await request(base).get('/fhir/Condition?patient=chronic-clean').expect(200);
    expect(search.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    expect(String(search.body.link?.[0]?.url)).toContain(`${base}/fhir/Condition`);
    const missing = await request(base).get('/fhir/Patient/no-such-patient').expect(404);
    expect(missing.body.resourceType).toBe('OperationOutcome');
    // Writes reach the thread too (the physiotherapist's side stores the accepted CarePlan).
    const created = await request(base)
      .post('/fhir/Observation')
      .set('Content-Type', 'application/fhir+json')
      .send({
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'x' },
        subject: { reference: 'Patient/chronic-clean' },
      })
      .expect(201);
    await request(base)
      .get(`/fhir/Observation/${String(created.body.id)}`)
      .expect(200);
    const patients = await request(base).get('/sandbox/api/patients').expect(200);
    expect((patients.body as { patients: unknown[] }).patients.length).toBeGreaterThan(0);
  });

  it('answers case (b), fetched from the embedded server, with 200 every time at 20 concurrent calls', async () => {
    const call = () =>
      request(base)
        .post('/cds-services/lbp-patient-view')
        .send({
          hook: 'patient-view',
          hookInstance: crypto.randomUUID(),
          context: { userId: 'Practitioner/gp-1', patientId: 'chronic-clean' },
          fhirServer: `${base}/fhir`,
        });
    const statuses: number[] = [];
    for (let round = 0; round < 2; round++) {
      const answers = await Promise.all(Array.from({ length: 20 }, call));
      statuses.push(...answers.map((answer) => answer.status));
      for (const answer of answers) {
        // Fetched, not missing: the suggestion with its CarePlan (chronic-clean has no red flag).
        expect((answer.body as { cards?: unknown[] }).cards?.length).toBeGreaterThan(0);
      }
    }
    expect(statuses).toEqual(Array.from({ length: 40 }, () => 200));
  }, 120_000);
});

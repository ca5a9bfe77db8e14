import type { Bundle } from '@medplum/fhirtypes';
import request from 'supertest';
import type { CdsCard } from '../../src/render/cds-response';
import { testApp } from '../support/app';
import { loadSample, patientOf, patientViewOf, resourcesOf } from '../support/sample-patients';
import { searchset, sendJson, TestFhirServer } from '../support/test-fhir-server';
import type { Handler } from '../support/test-fhir-server';

/**
 * Fault injection (issue 7): the real service, with its default FHIR timeout and budget, against a FHIR server
 * on 127.0.0.1 that misbehaves for everything but the Patient. Whatever the fault, the GP gets an answer within
 * the budget: cards with a data-quality card that says which part of the record could not be read, and no
 * exercise CarePlan, because the red flags could not be excluded on the data that was missing.
 */
const { app, config } = testApp({ CDS_LOCALE: 'en' });
const BUDGET_MS = config.fhirBudgetMs;
/** Time for the evaluation and the HTTP round trip on top of the FHIR budget. */
const MARGIN_MS = 700;

const sample: Bundle = loadSample('chronic-clean');
const PATIENT = patientOf(sample);

let fhir: TestFhirServer;
beforeAll(async () => {
  fhir = await TestFhirServer.start();
});
afterAll(async () => {
  await fhir.close();
});
beforeEach(() => {
  fhir.reset(resourcesOf(sample).filter((resource) => resource.resourceType !== 'ServiceRequest'));
});

/** A patient-view call without prefetch: everything is read from the test FHIR server. */
async function callWithoutPrefetch(): Promise<{ cards: CdsCard[]; elapsedMs: number }> {
  const body = patientViewOf(sample, { fhirServer: fhir.baseUrl });
  delete body.prefetch;
  const started = Date.now();
  const res = await request(app).post('/cds-services/lbp-patient-view').send(body).expect(200);
  return { cards: (res.body as { cards: CdsCard[] }).cards, elapsedMs: Date.now() - started };
}

const carePlans = (cards: CdsCard[]) =>
  cards.flatMap((card) => card.suggestions ?? []).flatMap((suggestion) => suggestion.actions ?? []);
/** The data-quality card (DQ-01). */
const dataQualityCard = (cards: CdsCard[]) =>
  cards.find((card) => card.summary.startsWith('Data missing or unreadable'));

const patientOkElse = (misbehave: Handler) => fhir.misbehaveExceptPatient(PATIENT, misbehave);

const FIFTY_MB = 50 * 1024 * 1024;

const FAULTS: [string, Handler][] = [
  [
    'hangs',
    () => {
      // never answers
    },
  ],
  [
    'drips its answer one byte at a time',
    (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/fhir+json' });
      res.write('{"resourceType":"Bundle","type":"searchset","entry":[');
      const drip = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(drip));
    },
  ],
  ['answers 500', (_req, res) => sendJson(res, 500, { resourceType: 'OperationOutcome', issue: [] })],
  ['answers 401', (_req, res) => sendJson(res, 401, { resourceType: 'OperationOutcome', issue: [] })],
  [
    'answers invalid JSON',
    (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/fhir+json' });
      res.end('{"resourceType":"Bundle","entry":[{"resource":');
    },
  ],
  [
    'pages forever: every Bundle has a next link',
    (_req, res, url) => {
      const page = Number(url.searchParams.get('page') ?? '0');
      sendJson(res, 200, searchset([], `${fhir.baseUrl}${url.pathname.slice('/fhir'.length)}?page=${page + 1}`));
    },
  ],
  [
    'sends a 50 MB response',
    (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/fhir+json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      res.write('{"resourceType":"Bundle","type":"searchset","padding":"');
      let sent = 0;
      const more = () => {
        while (sent < FIFTY_MB) {
          sent += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', more);
            return;
          }
        }
        res.end('"}');
      };
      res.on('error', () => undefined);
      more();
    },
  ],
];

it('control: a well-behaved FHIR server gives the exercise CarePlan without a data-quality note about it', async () => {
  const { cards } = await callWithoutPrefetch();
  expect(carePlans(cards).some((action) => action.resource?.resourceType === 'CarePlan')).toBe(true);
  expect(dataQualityCard(cards)?.detail ?? '').not.toContain('could not be obtained');
});

describe.each(FAULTS)('a FHIR server that %s', (_name, misbehave) => {
  it('still answers within the budget, names what could not be read, and suggests no CarePlan', async () => {
    patientOkElse(misbehave);
    const { cards, elapsedMs } = await callWithoutPrefetch();

    expect(elapsedMs).toBeLessThan(BUDGET_MS + MARGIN_MS);
    const note = dataQualityCard(cards);
    expect(note?.indicator).toBe('warning');
    // Each resource type the rules read is named, so the GP knows what to check in the chart.
    expect(note?.detail).toContain('could not be obtained');
    // Each kind of data in the GP's words (Condition, Observation, MedicationStatement, Procedure).
    for (const type of ['Diagnoses', 'Measurements', 'Medication', 'Procedures']) {
      expect(note?.detail).toContain(type);
    }
    expect(carePlans(cards).filter((action) => action.resource?.resourceType === 'CarePlan')).toEqual([]);
  });
});

it('a FHIR server that fails the Patient read: 412 within the budget', async () => {
  fhir.use(() => {
    // never answers
  });
  const body = patientViewOf(sample, { fhirServer: fhir.baseUrl });
  delete body.prefetch;
  const started = Date.now();
  const res = await request(app).post('/cds-services/lbp-patient-view').send(body).expect(412);
  expect(Date.now() - started).toBeLessThan(BUDGET_MS + MARGIN_MS);
  expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error' }] });
});

import type { Observation, Resource } from '@medplum/fhirtypes';
import request from 'supertest';
import { CLINICAL_PREFETCH } from '../../src/hook/catalogue';
import type { HookEvaluation } from '../../src/hook/evaluator';
import type { GatheredRecord } from '../../src/clinical/gathered-record';
import { testApp } from '../support/app';
import { fullPrefetch, lowBackPain, patient, PATIENT_ID, patientViewRequest } from '../support/hook-requests';
import { searchset, sendJson, TestFhirServer } from '../support/test-fhir-server';
import type { Handler } from '../support/test-fhir-server';

/**
 * Prefetch with FHIR fallback (docs/integration.md): prefetched values are used as sent; whatever is
 * absent is fetched from a real FHIR server on 127.0.0.1; the Patient is required (412 without it); every
 * other gap is kept as a data problem for the data-quality card.
 */

const TOKEN = 'fhir-access-token-0123456789';
const authorization = {
  access_token: TOKEN,
  token_type: 'Bearer',
  expires_in: 300,
  scope: 'patient/*.read',
  subject: 'cds',
};

let fhir: TestFhirServer;
let seen: HookEvaluation[] = [];
const harness = testApp(
  { FHIR_TIMEOUT_MS: '300', FHIR_BUDGET_MS: '800', FHIR_MAX_PAGES: '3', FHIR_MAX_RESPONSE_BYTES: '100000' },
  {
    evaluate: (evaluation) => {
      seen.push(evaluation);
      return { response: { cards: [] }, audit: { rulesetVersion: '', ruleIds: [], cards: [] } };
    },
  }
);

const observation = (id: string, patientId = PATIENT_ID): Observation => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  subject: { reference: `Patient/${patientId}` },
  code: { coding: [{ system: 'http://loinc.org', code: '8310-5' }] },
  valueQuantity: { value: 37.2, unit: 'Cel', system: 'http://unitsofmeasure.org', code: 'Cel' },
});

const record = (): GatheredRecord => {
  expect(seen).toHaveLength(1);
  return seen[0]!.record;
};
const ids = (resources: readonly Resource[] | undefined) => (resources ?? []).map((resource) => resource.id);
const problemsOf = (key: string) => record().problems.filter((problem) => problem.key === key);

function call(body: Record<string, unknown>) {
  return request(harness.app).post('/cds-services/lbp-patient-view').send(body);
}

const KEYS = Object.keys(CLINICAL_PREFETCH);
/** Every prefetch key but one. */
const allBut = (key: string) => KEYS.filter((other) => other !== key);

/** A request whose prefetch holds only the given keys. */
function withPrefetch(keys: string[], extra: Record<string, unknown> = {}) {
  const all = fullPrefetch();
  return patientViewRequest({
    prefetch: Object.fromEntries(keys.map((key) => [key, all[key]])),
    fhirServer: fhir.baseUrl,
    fhirAuthorization: authorization,
    ...extra,
  });
}

beforeAll(async () => {
  fhir = await TestFhirServer.start();
});
afterAll(async () => {
  await fhir.close();
});
beforeEach(() => {
  seen = [];
  fhir.reset([patient(), lowBackPain(), observation('obs-1'), observation('obs-other', 'someone-else')]);
});

describe('prefetch present', () => {
  it('uses the prefetched values and makes no FHIR request', async () => {
    await call(patientViewRequest({ fhirServer: fhir.baseUrl, fhirAuthorization: authorization })).expect(200);
    expect(fhir.requests).toEqual([]);
    expect(record().patient.id).toBe(PATIENT_ID);
    expect(ids(record().data.conditions?.resources)).toEqual(['cond-lbp']);
    expect(record().data.conditions?.source).toBe('prefetch');
    expect(record().problems).toEqual([]);
  });

  it('works without any fhirServer when everything is prefetched', async () => {
    await call(patientViewRequest()).expect(200);
    expect(record().problems).toEqual([]);
  });
});

describe('prefetch null', () => {
  it('means "no data" for a search: empty and complete, not fetched', async () => {
    const body = patientViewRequest({ fhirServer: fhir.baseUrl });
    (body.prefetch as Record<string, unknown>).conditions = null;
    await call(body).expect(200);
    expect(record().data.conditions).toEqual({ resources: [], source: 'prefetch', complete: true });
    expect(fhir.requests).toEqual([]);
  });

  it('means "no Patient" for the Patient read: 412', async () => {
    const body = patientViewRequest();
    (body.prefetch as Record<string, unknown>).patient = null;
    const res = await call(body).expect(412);
    expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ expression: ['prefetch.patient'] }] });
    expect(res.body.issue[0].details.text).toMatch(/Patient .*no data/);
  });
});

describe('prefetch OperationOutcome (the client could not fetch)', () => {
  const failed = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'timeout' }] };

  it('falls back to fhirServer', async () => {
    const body = withPrefetch(allBut('conditions'));
    (body.prefetch as Record<string, unknown>).conditions = failed;
    await call(body).expect(200);
    expect(fhir.requests.map((r) => r.url)).toEqual(['/fhir/Condition?patient=pat-1']);
    expect(ids(record().data.conditions?.resources)).toEqual(['cond-lbp']);
    expect(record().data.conditions?.source).toBe('fhir');
    expect(problemsOf('conditions')).toEqual([]);
  });

  it('is reported as a client error when there is no fhirServer', async () => {
    const body = patientViewRequest();
    (body.prefetch as Record<string, unknown>).conditions = failed;
    await call(body).expect(200);
    expect(record().data.conditions).toBeUndefined();
    expect(problemsOf('conditions')).toEqual([
      expect.objectContaining({ reason: 'client-error', resourceType: 'Condition' }),
    ]);
  });
});

describe('prefetch absent: fetched from fhirServer', () => {
  it('fetches every missing template with the bearer token, at the exact URLs', async () => {
    await call(withPrefetch([])).expect(200);
    expect(fhir.requests.map((r) => r.url).sort()).toEqual(
      [
        '/fhir/Patient/pat-1',
        '/fhir/Condition?patient=pat-1',
        '/fhir/Observation?patient=pat-1&_sort=-date&_count=200',
        '/fhir/MedicationStatement?patient=pat-1',
        '/fhir/MedicationRequest?patient=pat-1',
        '/fhir/Procedure?patient=pat-1',
        '/fhir/QuestionnaireResponse?patient=pat-1',
        '/fhir/CarePlan?patient=pat-1',
        '/fhir/ServiceRequest?patient=pat-1',
      ].sort()
    );
    for (const seenRequest of fhir.requests) {
      expect(seenRequest.authorization).toBe(`Bearer ${TOKEN}`);
    }
    expect(record().patient.id).toBe(PATIENT_ID);
    expect(record().data.patient?.source).toBe('fhir');
    expect(ids(record().data.observations?.resources)).toEqual(['obs-1']);
    expect(record().problems).toEqual([]);
  });

  it('fetches only what was not prefetched', async () => {
    await call(withPrefetch(allBut('observations'))).expect(200);
    expect(fhir.requests.map((r) => r.url)).toEqual(['/fhir/Observation?patient=pat-1&_sort=-date&_count=200']);
  });

  it('calls an open server without Authorization when no fhirAuthorization is given (sandbox mode)', async () => {
    await call(withPrefetch(['conditions'], { fhirAuthorization: undefined })).expect(200);
    expect(fhir.requests.length).toBe(KEYS.length - 1);
    for (const seenRequest of fhir.requests) {
      expect(seenRequest.authorization).toBeUndefined();
    }
  });

  it('resolves templates below a fhirServer with a path and a trailing slash', async () => {
    await call(withPrefetch(allBut('patient'), { fhirServer: `${fhir.baseUrl}/` })).expect(200);
    expect(fhir.requests.map((r) => r.url)).toEqual(['/fhir/Patient/pat-1']);
  });

  it('ignores resources about another patient and says so', async () => {
    fhir.use((_req, res, url) => {
      if (url.pathname.startsWith('/fhir/Observation')) {
        sendJson(res, 200, searchset([observation('obs-1'), observation('obs-x', 'intruder')]));
      } else {
        sendJson(res, 200, url.pathname === '/fhir/Patient/pat-1' ? patient() : searchset([]));
      }
    });
    await call(withPrefetch([])).expect(200);
    expect(ids(record().data.observations?.resources)).toEqual(['obs-1']);
    expect(record().data.observations?.complete).toBe(false);
    expect(problemsOf('observations')).toEqual([expect.objectContaining({ reason: 'wrong-patient' })]);
  });

  it('refetches when the prefetched Patient is another patient', async () => {
    const body = withPrefetch(allBut('patient'));
    (body.prefetch as Record<string, unknown>).patient = patient('someone-else');
    await call(body).expect(200);
    expect(fhir.requests.map((r) => r.url)).toEqual(['/fhir/Patient/pat-1']);
    expect(record().patient.id).toBe(PATIENT_ID);
  });
});

describe('paging', () => {
  const pageServer = (pages: number) =>
    fhir.use((_req, res, url) => {
      if (url.pathname === '/fhir/Patient/pat-1') {
        sendJson(res, 200, patient());
      } else if (url.pathname === '/fhir/Observation') {
        const page = Number(url.searchParams.get('page') ?? '1');
        const next = page < pages ? `${fhir.baseUrl}/Observation?patient=pat-1&page=${page + 1}` : undefined;
        sendJson(res, 200, searchset([observation(`obs-p${page}`)], next));
      } else {
        sendJson(res, 200, searchset([]));
      }
    });

  it('follows next links and keeps every page', async () => {
    pageServer(3);
    await call(withPrefetch([])).expect(200);
    expect(ids(record().data.observations?.resources)).toEqual(['obs-p1', 'obs-p2', 'obs-p3']);
    expect(record().data.observations?.complete).toBe(true);
    const pageRequests = fhir.requests.filter((r) => r.url.includes('page='));
    expect(pageRequests.map((r) => r.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
  });

  it('stops at FHIR_MAX_PAGES, keeps what it read and reports the truncation', async () => {
    pageServer(50);
    await call(withPrefetch([])).expect(200);
    expect(ids(record().data.observations?.resources)).toEqual(['obs-p1', 'obs-p2', 'obs-p3']);
    expect(record().data.observations?.complete).toBe(false);
    expect(problemsOf('observations')).toEqual([expect.objectContaining({ reason: 'truncated' })]);
  });

  it('follows the next link of a prefetched Bundle on fhirServer', async () => {
    pageServer(2);
    const body = withPrefetch(allBut('observations'));
    (body.prefetch as Record<string, unknown>).observations = searchset(
      [observation('obs-p1')],
      `${fhir.baseUrl}/Observation?patient=pat-1&page=2`
    );
    await call(body).expect(200);
    expect(ids(record().data.observations?.resources)).toEqual(['obs-p1', 'obs-p2']);
    expect(record().data.observations?.source).toBe('prefetch');
  });

  it('never follows a next link to another host, so the token stays with fhirServer', async () => {
    const elsewhere = await TestFhirServer.start();
    try {
      const body = withPrefetch(allBut('observations'));
      (body.prefetch as Record<string, unknown>).observations = searchset(
        [observation('obs-p1')],
        `${elsewhere.baseUrl}/Observation?page=2`
      );
      await call(body).expect(200);
      expect(elsewhere.requests).toEqual([]);
      expect(ids(record().data.observations?.resources)).toEqual(['obs-p1']);
      expect(problemsOf('observations')).toEqual([
        expect.objectContaining({ reason: 'fetch-failed', detail: expect.stringContaining('outside fhirServer') }),
      ]);
    } finally {
      await elsewhere.close();
    }
  });

  it('reports more pages that cannot be read without fhirServer', async () => {
    const body = patientViewRequest();
    (body.prefetch as Record<string, unknown>).observations = searchset(
      [observation('obs-p1')],
      'https://ehr.example/fhir/Observation?page=2'
    );
    await call(body).expect(200);
    expect(ids(record().data.observations?.resources)).toEqual(['obs-p1']);
    expect(problemsOf('observations')).toEqual([expect.objectContaining({ reason: 'truncated' })]);
  });
});

describe('misbehaving FHIR servers', () => {
  const patientOkElse = (misbehave: Handler) => fhir.misbehaveExceptPatient(patient(), misbehave);

  it('a slow server: the per-request timeout is honoured and reported', async () => {
    patientOkElse(() => {
      // never answers
    });
    const started = Date.now();
    await call(withPrefetch([])).expect(200);
    expect(Date.now() - started).toBeLessThan(750);
    expect(record().data.conditions).toBeUndefined();
    expect(problemsOf('conditions')).toEqual([expect.objectContaining({ reason: 'timeout' })]);
  });

  it('a server that drips its answer is cut off by the timeout', async () => {
    patientOkElse((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/fhir+json' });
      res.write('{"resourceType":"Bundle",');
      const drip = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(drip));
    });
    const started = Date.now();
    await call(withPrefetch([])).expect(200);
    expect(Date.now() - started).toBeLessThan(750);
    expect(problemsOf('procedures')).toEqual([expect.objectContaining({ reason: 'timeout' })]);
  });

  it('the overall budget bounds a chain of slow pages', async () => {
    patientOkElse((_req, res, url) => {
      // Each page answers just inside the per-request timeout, forever.
      setTimeout(() => {
        sendJson(
          res,
          200,
          searchset([observation(`obs-${url.search.length}`)], `${fhir.baseUrl}/Observation?p=${url.search}x`)
        );
      }, 250);
    });
    const started = Date.now();
    await call(withPrefetch([])).expect(200);
    expect(Date.now() - started).toBeLessThan(1200);
  });

  it.each([
    [
      '500',
      (_req: unknown, res: Parameters<typeof sendJson>[0]) => sendJson(res, 500, { resourceType: 'OperationOutcome' }),
    ],
    ['401', (_req: unknown, res: Parameters<typeof sendJson>[0]) => sendJson(res, 401, {})],
    ['invalid JSON', (_req: unknown, res: Parameters<typeof sendJson>[0]) => res.end('<html>oops</html>')],
    [
      'a response over the size limit',
      (_req: unknown, res: Parameters<typeof sendJson>[0]) =>
        sendJson(res, 200, searchset([observation('x'.repeat(200_000))])),
    ],
    [
      'a redirect',
      (_req: unknown, res: Parameters<typeof sendJson>[0]) => {
        res.writeHead(302, { Location: 'http://127.0.0.1:1/elsewhere' });
        res.end();
      },
    ],
  ])('%s for a search: 200, that data reported as not obtained', async (_name, misbehave) => {
    patientOkElse(misbehave);
    await call(withPrefetch([])).expect(200);
    expect(record().data.conditions).toBeUndefined();
    expect(problemsOf('conditions')).toEqual([expect.objectContaining({ reason: 'fetch-failed' })]);
  });

  it('500 for the Patient: 412 with an OperationOutcome', async () => {
    fhir.use((_req, res) => sendJson(res, 500, {}));
    const res = await call(withPrefetch([])).expect(412);
    expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error' }] });
    // What the remote server answered is not echoed (no network-scanning oracle): the same text as for a 404 or
    // an unreachable server.
    expect(res.body.issue[0].details.text).not.toContain('500');
    fhir.use((_req, res) => sendJson(res, 404, {}));
    const notFound = await call(withPrefetch([])).expect(412);
    const down = await call(withPrefetch([], { fhirServer: 'http://127.0.0.1:1/fhir' })).expect(412);
    expect(notFound.body).toEqual(res.body);
    expect(down.body).toEqual(res.body);
  });

  it('FHIR server down: 412 when the Patient is not prefetched', async () => {
    const res = await call(withPrefetch([], { fhirServer: 'http://127.0.0.1:1/fhir' })).expect(412);
    expect(res.body.issue[0].details.text).toMatch(/Patient .*fhirServer gave no usable answer/);
  });

  it('FHIR server down: 200 when the Patient is prefetched, the rest reported', async () => {
    await call(withPrefetch(['patient'], { fhirServer: 'http://127.0.0.1:1/fhir' })).expect(200);
    expect(new Set(record().problems.map((p) => p.key))).toEqual(new Set(allBut('patient')));
  });

  it('no prefetch and no fhirServer: 412', async () => {
    const res = await call(patientViewRequest({ prefetch: undefined })).expect(412);
    expect(res.body.issue[0].details.text).toContain('no fhirServer');
  });
});

describe('unreadable prefetched data', () => {
  it('reports Bundle entries that are not resources instead of dropping them silently', async () => {
    const body = patientViewRequest();
    (body.prefetch as Record<string, unknown>).conditions = {
      resourceType: 'Bundle',
      entry: [{ resource: lowBackPain() }, {}, { resource: 'x' }],
    };
    await call(body).expect(200);
    expect(ids(record().data.conditions?.resources)).toEqual(['cond-lbp']);
    expect(record().data.conditions?.complete).toBe(false);
    expect(problemsOf('conditions')).toEqual([
      expect.objectContaining({ reason: 'unreadable', detail: expect.stringContaining('2') }),
    ]);
  });

  it('reports a prefetched value of the wrong type when it cannot be refetched', async () => {
    const body = patientViewRequest();
    (body.prefetch as Record<string, unknown>).procedures = { resourceType: 'Basic' };
    await call(body).expect(200);
    expect(record().data.procedures).toBeUndefined();
    expect(problemsOf('procedures')).toEqual([expect.objectContaining({ reason: 'unreadable' })]);
  });

  it('accepts a Patient wrapped in a Bundle (sandbox#45)', async () => {
    const body = patientViewRequest();
    (body.prefetch as Record<string, unknown>).patient = { resourceType: 'Bundle', entry: [{ resource: patient() }] };
    await call(body).expect(200);
    expect(record().patient.id).toBe(PATIENT_ID);
  });
});

/**
 * RW-06: a searchset that says it is partial is not "no data". Each shape is tried as prefetch and as the
 * FHIR server's answer; the resources it does hold are kept, and the gap is reported as incomplete.
 */
describe('incomplete searches (RW-06)', () => {
  const outcome = (severity: string) => ({
    resourceType: 'OperationOutcome',
    issue: [{ severity, code: 'incomplete', diagnostics: 'partial result' }],
  });
  const shapes: [string, () => Record<string, unknown>][] = [
    [
      'an OperationOutcome entry with search.mode outcome',
      () => ({
        ...searchset([observation('obs-1')]),
        entry: [
          { resource: observation('obs-1'), search: { mode: 'match' } },
          { resource: outcome('warning'), search: { mode: 'outcome' } },
        ],
      }),
    ],
    [
      'an OperationOutcome entry with an error and no search mode',
      () => ({
        ...searchset([observation('obs-1')]),
        entry: [{ resource: observation('obs-1') }, { resource: outcome('error') }],
      }),
    ],
    ['total larger than the entries and no next link', () => ({ ...searchset([observation('obs-1')]), total: 3 })],
    ['entry null', () => ({ resourceType: 'Bundle', type: 'searchset', entry: null })],
    ['entry not a list', () => ({ resourceType: 'Bundle', type: 'searchset', entry: { resource: observation('x') } })],
    [
      'a resource of another type as a match',
      () => ({
        ...searchset([observation('obs-1')]),
        entry: [
          { resource: observation('obs-1'), search: { mode: 'match' } },
          { resource: lowBackPain('cond-x'), search: { mode: 'match' } },
        ],
      }),
    ],
  ];

  describe.each(['prefetch', 'fhirServer'] as const)('as %s', (mode) => {
    it.each(shapes)('%s: reported as incomplete, what it holds is kept', async (_name, bundle) => {
      if (mode === 'prefetch') {
        const body = withPrefetch(allBut('observations'));
        (body.prefetch as Record<string, unknown>).observations = bundle();
        await call(body).expect(200);
      } else {
        fhir.use((_req, res, url) => {
          if (url.pathname === '/fhir/Patient/pat-1') {
            sendJson(res, 200, patient());
          } else if (url.pathname === '/fhir/Observation') {
            sendJson(res, 200, bundle());
          } else {
            sendJson(res, 200, searchset([]));
          }
        });
        await call(withPrefetch([])).expect(200);
      }
      expect(record().data.observations?.complete).toBe(false);
      expect(problemsOf('observations')).toContainEqual(expect.objectContaining({ reason: 'incomplete' }));
      const kept = ids(record().data.observations?.resources);
      expect(kept.every((id) => id === 'obs-1')).toBe(true);
    });
  });

  it.each([
    ['an informational OperationOutcome', { resource: outcome('information'), search: { mode: 'outcome' } }],
    ['an _include of another type', { resource: lowBackPain('cond-x'), search: { mode: 'include' } }],
  ])('%s does not make the search incomplete', async (_name, extraEntry) => {
    const body = withPrefetch(allBut('observations'));
    (body.prefetch as Record<string, unknown>).observations = {
      ...searchset([observation('obs-1')]),
      total: 1,
      entry: [{ resource: observation('obs-1'), search: { mode: 'match' } }, extraEntry],
    };
    await call(body).expect(200);
    expect(record().data.observations?.complete).toBe(true);
    expect(problemsOf('observations')).toEqual([]);
  });

  it('a total that matches the entries read over every page is complete', async () => {
    fhir.use((_req, res, url) => {
      if (url.pathname === '/fhir/Patient/pat-1') {
        sendJson(res, 200, patient());
      } else if (url.pathname === '/fhir/Observation') {
        const page = Number(url.searchParams.get('page') ?? '1');
        const next = page < 2 ? `${fhir.baseUrl}/Observation?patient=pat-1&page=2` : undefined;
        sendJson(res, 200, { ...searchset([observation(`obs-p${page}`)], next), total: 2 });
      } else {
        sendJson(res, 200, searchset([]));
      }
    });
    await call(withPrefetch([])).expect(200);
    expect(record().data.observations?.complete).toBe(true);
  });
});

describe('fhirServer allowlist without authentication', () => {
  it('does not contact a link-local or private fhirServer, and says so in the 412', async () => {
    for (const fhirServer of ['http://169.254.169.254/latest', 'http://10.1.2.3/fhir']) {
      const res = await call(withPrefetch([], { fhirServer })).expect(412);
      expect(res.body.issue[0].details.text).toContain('fhirServer is not on the allowlist');
    }
  });
});

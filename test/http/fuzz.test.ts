import type { Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import request from 'supertest';
import type { CdsCard } from '../../src/render/cds-response';
import { testApp } from '../support/app';
import { loadSample, orderHookOf, patientViewOf } from '../support/sample-patients';

/**
 * Property-based robustness (issue 7): generated and mutated hook requests never get a 5xx, never crash or hang
 * the service, and always get JSON; a valid request with an unreadable resource gets a data-quality note, never
 * a silent all-clear. fast-check shrinks a failure to the smallest body that shows it and prints its seed.
 */
// No rate limit: FUZZ_RUNS can send more requests than one client may send per minute.
/** The data-quality card, whatever the language: its findings are DQ findings. */
const isDataQualityCard = (card: CdsCard) =>
  ((card.extension?.['org.ruggensteun.findings'] ?? []) as { kind: string }[]).some(
    (finding) => finding.kind === 'data-quality'
  );

const harness = testApp({ BODY_LIMIT_BYTES: String(2 * 1024 * 1024), RATE_LIMIT_PER_MINUTE: '1000000' });
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const sample = loadSample('chronic-clean');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Values that break naive code: wrong types, huge and odd strings, numbers as strings, deep nesting. */
const hostile: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.oneof(fc.integer(), fc.double(), fc.constantFrom(1e308, -0, Number.MAX_SAFE_INTEGER + 2)),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '37.5', '-1', '1e999', 'NaN', '2026-13-45', '\u0000', '\u202e', '🦴'.repeat(1000)),
  fc.constant('x'.repeat(200_000)),
  fc.integer({ min: 1, max: 3000 }).map((depth) => {
    let value: Json = 'deep';
    for (let i = 0; i < depth; i++) {
      value = i % 2 === 0 ? { a: value } : [value];
    }
    return value;
  }),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>
);

/** Every path into a JSON value (object keys and array indexes). */
function pathsOf(
  value: Json,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = []
): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) {
    value.forEach((item, index) => pathsOf(item, [...prefix, index], out));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      pathsOf(item, [...prefix, key], out);
    }
  }
  return out;
}

/** A copy of `value` with the node at `path` replaced (or removed when `replacement` is undefined). */
function replaceAt(value: Json, path: (string | number)[], replacement: Json | undefined): Json | undefined {
  if (path.length === 0) {
    return replacement;
  }
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(value)) {
    const copy = [...value];
    const next = replaceAt(copy[head as number] as Json, rest, replacement);
    if (next === undefined) {
      copy.splice(head as number, 1);
    } else {
      copy[head as number] = next;
    }
    return copy;
  }
  const object = value as Record<string, Json>;
  const next = replaceAt(object[head] as Json, rest, replacement);
  const others = Object.entries(object).filter(([key]) => key !== String(head));
  return Object.fromEntries(next === undefined ? others : [...others, [String(head), next]]);
}

const validBody = () => patientViewOf(sample) as unknown as Json;
const BODY_PATHS = pathsOf(validBody());

/** A valid request with one to three nodes replaced by hostile values or removed. */
const mutatedBody: fc.Arbitrary<Json> = fc
  .array(fc.tuple(fc.constantFrom(...BODY_PATHS), fc.option(hostile, { nil: undefined })), {
    minLength: 1,
    maxLength: 3,
  })
  .map((mutations) => {
    let body: Json | undefined = validBody();
    for (const [path, replacement] of mutations) {
      // Stop when an earlier mutation removed or replaced the parent of this path.
      try {
        body = replaceAt(body as Json, path, replacement);
      } catch {
        break;
      }
    }
    return body ?? null;
  });

/** Posts a body and checks the invariants every answer keeps. */
async function postAndCheck(service: string, body: string): Promise<request.Response> {
  const res = await request(harness.app)
    .post(`/cds-services/${service}`)
    .set('Content-Type', 'application/json')
    .timeout(10_000)
    .send(body);
  if (res.status >= 500) {
    // The logged error (with its stack) says where the service broke, next to fast-check's counterexample.
    const error = harness.logs.filter((line) => line.msg === 'request failed').at(-1);
    throw new Error(`HTTP ${res.status}: ${res.text.slice(0, 300)} ${JSON.stringify(error?.err ?? error)}`);
  }
  expect(res.headers['content-type']).toMatch(/json/);
  expect(() => JSON.parse(res.text) as unknown).not.toThrow();
  return res;
}

describe('fuzzed hook requests', () => {
  it('mutated patient-view requests: never 5xx, always JSON', async () => {
    expect.hasAssertions();
    await fc.assert(
      fc.asyncProperty(mutatedBody, async (body) => {
        await postAndCheck('lbp-patient-view', JSON.stringify(body));
      }),
      { numRuns: RUNS }
    );
  }, 60_000);

  it('arbitrary JSON and non-JSON bodies on both services: never 5xx, always JSON', async () => {
    const body = fc.oneof(
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.string({ unit: 'binary', maxLength: 200 })
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('lbp-patient-view', 'lbp-order-select', 'lbp-order-sign'),
        body,
        async (service, text) => {
          const res = await postAndCheck(service, text);
          expect(res.status).toBeGreaterThanOrEqual(400);
        }
      ),
      { numRuns: RUNS }
    );
  }, 60_000);
});

describe('unreadable resources in a valid request', () => {
  /** Ways an entry of a searchset can be unreadable. */
  const unreadable = (resourceType: string) =>
    fc.oneof(
      fc.constantFrom<Json>(null, 42, resourceType, [], {}),
      fc.constant<Json>({ resourceType }),
      fc
        .oneof(fc.constantFrom<Json>(null, 42, true, '', 'L03', []), fc.string({ maxLength: 5 }))
        .map((code): Json => ({ resourceType, subject: { reference: 'Patient/chronic-clean' }, code }))
    );
  const entry = fc.oneof(
    unreadable('Condition').map((resource) => ['conditions', resource] as const),
    unreadable('Observation').map((resource) => ['observations', resource] as const)
  );

  it('a half-broken resource (note: [null]) is still read: the red flags of the rest fire, and the GP is told about it', async () => {
    const redFlagSample = loadSample('cauda-equina');
    const body = patientViewOf(redFlagSample) as { prefetch: Record<string, { entry?: { resource: Json }[] }> };
    body.prefetch.conditions?.entry?.push({
      resource: {
        resourceType: 'Condition',
        id: 'malformed-1',
        subject: { reference: 'Patient/cauda-equina' },
        code: { text: 'Lage rugpijn' },
        note: [null],
      },
    });
    const res = await postAndCheck('lbp-patient-view', JSON.stringify(body));
    expect(res.status).toBe(200);
    const cards = (res.body as { cards: CdsCard[] }).cards;
    expect(cards.some((card) => card.indicator === 'critical')).toBe(true);
    const quality = cards.find(isDataQualityCard);
    expect(quality?.detail).toContain('Lage rugpijn');
  });

  it('gets a data-quality card instead of a silent all-clear', async () => {
    await fc.assert(
      fc.asyncProperty(entry, async ([key, resource]) => {
        const body = patientViewOf(sample) as { prefetch: Record<string, { entry?: { resource: Json }[] }> };
        body.prefetch[key]?.entry?.push({ resource });
        const res = await postAndCheck('lbp-patient-view', JSON.stringify(body));
        if (res.status !== 200) {
          // A body that is refused as a whole is not an all-clear either.
          return;
        }
        const cards = (res.body as { cards: CdsCard[] }).cards;
        expect(cards.some(isDataQualityCard)).toBe(true);
      }),
      { numRuns: RUNS }
    );
  }, 60_000);
});

describe('every kind of resource, mutated', () => {
  /**
   * A record with one resource of every kind the service reads, the programme memory's CarePlan and referral
   * included (they are read outside the rules): each mutation hits one of them.
   */
  const patientId = 'chronic-clean';
  const subject = { reference: `Patient/${patientId}` };
  const searchset = (resource: Json): Json => ({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource }] });
  const richBody = (): Json => {
    const body = patientViewOf(sample) as { prefetch: Record<string, Json> };
    body.prefetch.carePlans = searchset({
      resourceType: 'CarePlan',
      id: 'plan-1',
      status: 'active',
      intent: 'plan',
      subject,
      created: '2026-11-01',
      instantiatesCanonical: ['https://ruggensteun.org/fhir/PlanDefinition/lbp-exercise-programme|1.0.0'],
    });
    body.prefetch.serviceRequests = searchset({
      resourceType: 'ServiceRequest',
      id: 'referral-1',
      status: 'active',
      intent: 'order',
      subject,
      authoredOn: '2026-11-10',
      code: { coding: [{ system: 'http://snomed.info/sct', code: '91251008', display: 'Physical therapy procedure' }] },
    });
    body.prefetch.questionnaireResponses = searchset({
      resourceType: 'QuestionnaireResponse',
      id: 'sbst-1',
      status: 'completed',
      subject,
      authored: '2026-11-15',
      questionnaire: 'https://ruggensteun.org/fhir/Questionnaire/start-back',
      item: [{ linkId: 'sbst-1', answer: [{ valueCoding: { code: 'agree' } }] }],
    });
    body.prefetch.procedures = searchset({
      resourceType: 'Procedure',
      id: 'proc-1',
      status: 'completed',
      subject,
      code: { text: 'Laminectomie L4-L5' },
      bodySite: [{ text: 'lumbaal' }],
      performedDateTime: '2020-03-01',
    });
    return body;
  };
  const RESOURCE_PATHS = pathsOf(richBody()).filter(
    (path) => path[0] === 'prefetch' && path.length > 5 && path[3] === 0 && path[4] === 'resource'
  );
  const mutatedResource = fc
    .tuple(fc.constantFrom(...RESOURCE_PATHS), fc.option(hostile, { nil: undefined }))
    .map(([path, replacement]) => replaceAt(richBody(), path, replacement) ?? null);

  it('never answers 5xx, whichever field of whichever resource is broken', async () => {
    expect(RESOURCE_PATHS.length).toBeGreaterThan(40);
    await fc.assert(
      fc.asyncProperty(mutatedResource, async (body) => {
        await postAndCheck('lbp-patient-view', JSON.stringify(body));
      }),
      { numRuns: RUNS }
    );
  }, 60_000);
});

describe('draft orders, mutated', () => {
  /** A physiotherapy referral and a lumbar MRI, as order-select and order-sign send them. */
  const bodies = (['order-select', 'order-sign'] as const).flatMap((hook) =>
    [
      {
        resourceType: 'ServiceRequest',
        id: 'physio-1',
        status: 'draft',
        intent: 'order',
        code: { coding: [{ system: 'http://snomed.info/sct', code: '91251008' }], text: 'Fysiotherapie' },
        reasonCode: [{ text: 'lage rugpijn' }],
        note: [{ text: 'graag oefentherapie' }],
      },
      {
        resourceType: 'ServiceRequest',
        id: 'mri-1',
        status: 'draft',
        intent: 'order',
        code: { text: 'MRI lumbale wervelkolom' },
        reasonReference: [{ reference: 'Condition/c1' }],
        orderDetail: [{ text: 'met contrast' }],
      },
    ].map((order) => [hook, orderHookOf(hook, sample, order as Resource) as unknown as Json] as const)
  );
  const mutated = fc
    .constantFrom(...bodies)
    .chain(([hook, body]) =>
      fc
        .tuple(
          fc.constantFrom(...pathsOf(body).filter((path) => path[0] === 'context')),
          fc.option(hostile, { nil: undefined })
        )
        .map(([path, replacement]) => [hook, replaceAt(body, path, replacement) ?? null] as const)
    );

  it('never answer 5xx, whichever field of the order or the context is broken', async () => {
    for (const [hook, body] of bodies) {
      expect((await postAndCheck(`lbp-${hook}`, JSON.stringify(body))).status).toBe(200);
    }
    await fc.assert(
      fc.asyncProperty(mutated, async ([hook, body]) => {
        await postAndCheck(`lbp-${hook}`, JSON.stringify(body));
      }),
      { numRuns: RUNS }
    );
  }, 60_000);
});

import type { Bundle, Resource } from '@medplum/fhirtypes';
import request from 'supertest';
import type { CdsCard } from '../src/render/cds-response';
import { INTERNAL_TAG, RAW_REFERENCE, englishIn, textsOf } from './support/card-text';
import { testApp } from './support/app';
import { loadSample, patientOf, patientViewOf } from './support/sample-patients';

/**
 * The data-quality lines (issue 13): whatever could not be read is said in the GP's language, short and without
 * technical words. One degraded record per data-note code and per way data goes missing, written after the shapes
 * of the CDS Hooks 2.0 specification and real clients (a searchset whose `total` exceeds its entries, an OperationOutcome instead of a prefetch, an
 * unreachable fhirServer, a local code on a vital sign, a product code without ATC code or name).
 */

const { app } = testApp();
const LOCALES = ['nl', 'fr', 'en'] as const;
const sample = loadSample('acute-low-risk');
const patientId = patientOf(sample).id ?? '';
const subject = { reference: `Patient/${patientId}` };
const searchset = (resources: readonly unknown[], extra: Record<string, unknown> = {}) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  entry: resources.map((resource) => ({ resource })),
  ...extra,
});
const localTemperature = {
  resourceType: 'Observation',
  id: 'local-temp',
  status: 'final',
  code: { coding: [{ system: 'http://example.org/his/meting', code: 'TEMPOOR' }], text: 'Temp. oor' },
  subject,
  effectiveDateTime: '2026-11-20T09:00:00Z',
  valueQuantity: { value: 38.9, unit: 'Cel', system: 'http://unitsofmeasure.org', code: 'Cel' },
};
const temperature = (value: number, unit: string, code: string) => ({
  resourceType: 'Observation',
  id: `temp-${code}`,
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '8310-5', display: 'Body temperature' }] },
  subject,
  effectiveDateTime: '2026-11-20T09:00:00Z',
  valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code },
});
const condition = (id: string, code: Record<string, unknown> | undefined) => ({
  resourceType: 'Condition',
  id,
  clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
  ...(code ? { code } : {}),
  subject,
  recordedDate: '2026-11-18',
});

interface Degraded {
  readonly name: string;
  /** Prefetch keys replaced (null: not prefetched). */
  readonly prefetch: Record<string, unknown>;
  readonly fhirServer?: string;
  /** What the English line must say, so the case is known to produce the line it is about. */
  readonly english: RegExp;
}

const samplePrefetch = () => patientViewOf(sample).prefetch as Record<string, Bundle>;
const conditions = () => (samplePrefetch().conditions?.entry ?? []).map((entry) => entry.resource as Resource);

const DEGRADED: Degraded[] = [
  {
    name: 'an incomplete search (total 4, one entry)',
    prefetch: { conditions: searchset(conditions(), { total: 4 }) },
    english: /Diagnoses: the server counted 4, sent 1 — possibly incomplete/,
  },
  {
    name: 'a search answer with an OperationOutcome',
    prefetch: {
      observations: searchset([
        { resourceType: 'OperationOutcome', issue: [{ severity: 'warning', code: 'incomplete' }] },
      ]),
    },
    english: /Measurements: the answer is possibly incomplete/,
  },
  {
    name: 'a prefetch the EHR could not fill, and no fhirServer',
    prefetch: { medicationStatements: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'x' }] } },
    english: /Medication: the EHR could not send this data/,
  },
  {
    name: 'a failed fetch (fhirServer unreachable)',
    prefetch: { procedures: null },
    fhirServer: 'http://127.0.0.1:1/fhir',
    english: /Procedures: retrieval failed/,
  },
  {
    name: 'two kinds of data not obtained: each is named',
    prefetch: { procedures: null, observations: null },
    fhirServer: 'http://127.0.0.1:1/fhir',
    english: /Measurements: retrieval failed.*\n.*Procedures: retrieval failed/,
  },
  {
    name: 'more pages and no fhirServer',
    prefetch: {
      conditions: searchset(conditions(), {
        link: [{ relation: 'next', url: 'http://127.0.0.1:1/fhir/Condition?page=2' }],
      }),
    },
    english: /Diagnoses: not every page was read/,
  },
  {
    name: 'a search entry without a resource',
    prefetch: {
      conditions: {
        ...searchset(conditions()),
        entry: [...conditions().map((resource) => ({ resource })), { fullUrl: 'urn:uuid:1' }],
      },
    },
    english: /Diagnoses: 1 unreadable entries/,
  },
  {
    name: 'a temperature under a local code',
    prefetch: { observations: searchset([localTemperature]) },
    english: /Temp\. oor 38\.9 Cel: code TEMPOOR not recognised, not evaluated/,
  },
  {
    name: 'a temperature in a unit that is not understood',
    prefetch: { observations: searchset([temperature(38.9, 'graadjes', 'graadjes')]) },
    english: /Temperature 38\.9 graadjes: unit not recognised/,
  },
  {
    name: 'an implausible temperature',
    prefetch: { observations: searchset([temperature(1010, '[degF]', '[degF]')]) },
    english: /Temperature 1010 \\\[degF\\\]: outside 25–45 °C, ignored/,
  },
  {
    name: 'a diagnosis without a usable code',
    prefetch: { conditions: searchset([...conditions(), condition('no-code', { coding: [{ display: '' }] })]) },
    english: /Without a usable code or text \(diagnosis/,
  },
  {
    name: 'a low back pain diagnosis under a local code',
    prefetch: {
      conditions: searchset([
        condition('lbp-local', {
          coding: [{ system: 'http://example.org/his/episode', code: 'RUG1' }],
          text: 'lage rugpijn',
        }),
      ]),
    },
    english: /Lage rugpijn: code not recognised, recognised by its text only/,
  },
  {
    name: 'medication without a code, and a product code alone',
    prefetch: {
      medicationStatements: searchset([
        { resourceType: 'MedicationStatement', id: 'no-code', status: 'active', subject },
        {
          resourceType: 'MedicationStatement',
          id: 'gstd',
          status: 'active',
          subject,
          medicationCodeableConcept: { coding: [{ system: 'urn:oid:2.16.840.1.113883.2.4.4.7', code: '12345678' }] },
        },
      ]),
    },
    english: /Without a code.*\n.*Without an ATC code or a name/s,
  },
];

/** The text of the one data-quality card the degraded record gets in `locale`. */
async function dataCardText(item: Degraded, locale: string): Promise<{ text: string; detail: string; count: number }> {
  const body = patientViewOf(sample);
  const prefetch = Object.fromEntries(
    Object.entries({ ...(body.prefetch as Record<string, unknown>), ...item.prefetch }).filter(
      ([, value]) => value !== null
    )
  );
  const res = await request(app)
    .post('/cds-services/lbp-patient-view')
    .set('Accept-Language', locale)
    .send({ ...body, prefetch, ...(item.fhirServer ? { fhirServer: item.fhirServer } : {}) })
    .expect(200);
  const data = (res.body as { cards: CdsCard[] }).cards.filter((card) =>
    (card.extension?.['org.ruggensteun.findings'] as { kind: string }[]).some((f) => f.kind === 'data-quality')
  );
  return {
    text: data.map((card) => textsOf(card).join('\n')).join('\n'),
    detail: data[0]?.detail ?? '',
    count: data.length,
  };
}

const CASES = DEGRADED.map((item) => [item.name, item] as const);

it.each(CASES)('the English data card names what was not read: %s', async (_name, item) => {
  const { text, count } = await dataCardText(item, 'en');
  expect(count).toBe(1);
  expect(text).toMatch(item.english);
});

describe.each(LOCALES)('data-quality lines in %s', (locale) => {
  it.each(CASES)('%s', async (_name, item) => {
    const { text, detail, count } = await dataCardText(item, locale);
    expect(count).toBe(1);
    expect({ english: locale === 'en' ? [] : englishIn(text) }).toEqual({ english: [] });
    expect(RAW_REFERENCE.exec(text)?.[0]).toBeUndefined();
    expect(INTERNAL_TAG.exec(text)?.[0]).toBeUndefined();
    expect(detail.length).toBeLessThanOrEqual(700);
  });
});

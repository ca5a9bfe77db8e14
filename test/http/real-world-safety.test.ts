import { randomUUID } from 'node:crypto';
import type { Condition, MedicationRequest, Observation, Patient, Resource, ServiceRequest } from '@medplum/fhirtypes';
import request from 'supertest';
import type { CdsCard } from '../../src/render/cds-response';
import { testApp } from '../support/app';

/**
 * Issue 11's headline failures, as a GP's EHR would send them (evaluated on TODAY, 2026-11-21): the safety
 * core must screen red flags whenever there is a back-pain context (SC-05, SC-06), must not read an
 * incomplete search as "nothing there" (RW-06), must not let an old or migrated record end a current one
 * (RW-07), and keeps the exercise pathway off unrelated orders (RW-10) without hiding red flags.
 */
const { app } = testApp({ CDS_LOCALE: 'en' });
const PID = 'rw-pat';

const subject = { reference: `Patient/${PID}` };
const active = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] };
const resolved = {
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'resolved' }],
};
const patient: Patient = { resourceType: 'Patient', id: PID, birthDate: '1985-03-14', gender: 'male' };

const condition = (id: string, system: string, code: string, extra: Partial<Condition> = {}): Condition => ({
  resourceType: 'Condition',
  id,
  subject,
  clinicalStatus: active,
  code: { coding: [{ system, code }] },
  ...extra,
});
const ICPC = 'http://hl7.org/fhir/sid/icpc-2';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10';
const SNOMED = 'http://snomed.info/sct';

const lbp = (extra: Partial<Condition> = {}) =>
  condition('lbp', SNOMED, '279039007', { onsetDateTime: '2026-06-01', recordedDate: '2026-06-01', ...extra });
const fever = (): Observation => ({
  resourceType: 'Observation',
  id: 'temp',
  status: 'final',
  subject,
  code: { coding: [{ system: 'http://loinc.org', code: '8310-5' }] },
  effectiveDateTime: '2026-11-20T09:30:00+01:00',
  valueQuantity: { value: 38.9, unit: '°C', system: 'http://unitsofmeasure.org', code: 'Cel' },
});

const searchset = (resources: Resource[]) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  entry: resources.map((resource) => ({ resource, search: { mode: 'match' } })),
});

/** The prefetch for the discovery templates, with the given resources in their searches. */
function prefetch(resources: Resource[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const of = (type: string) => searchset(resources.filter((resource) => resource.resourceType === type));
  return {
    patient,
    conditions: of('Condition'),
    observations: of('Observation'),
    medicationStatements: of('MedicationStatement'),
    medicationRequests: of('MedicationRequest'),
    procedures: of('Procedure'),
    questionnaireResponses: of('QuestionnaireResponse'),
    ...overrides,
  };
}

type Hook = 'patient-view' | 'order-select' | 'order-sign';

async function call(hook: Hook, body: Record<string, unknown>, orders: Resource[] = []): Promise<CdsCard[]> {
  const context: Record<string, unknown> = { userId: 'Practitioner/gp-1', patientId: PID };
  if (hook !== 'patient-view') {
    context.draftOrders = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: orders.map((resource) => ({ resource })),
    };
    if (hook === 'order-select') {
      context.selections = orders.map((order) => `${order.resourceType}/${order.id ?? ''}`);
    }
  }
  const res = await request(app)
    .post(`/cds-services/lbp-${hook}`)
    .send({ hook, hookInstance: randomUUID(), context, ...body })
    .expect(200);
  return (res.body as { cards: CdsCard[] }).cards;
}

const findings = (cards: CdsCard[]) =>
  cards.flatMap((card) => (card.extension?.['org.ruggensteun.findings'] ?? []) as { ruleId: string; kind: string }[]);
const ruleIds = (cards: CdsCard[]) => findings(cards).map((finding) => finding.ruleId);
const criticalIds = (cards: CdsCard[]) => ruleIds(cards.filter((card) => card.indicator === 'critical'));
const proposesCarePlan = (cards: CdsCard[]) =>
  cards.some((card) =>
    (card.suggestions ?? []).some((suggestion) =>
      (suggestion.actions ?? []).some((action) => action.resource?.resourceType === 'CarePlan')
    )
  );
const hasKind = (cards: CdsCard[], kind: string) => findings(cards).some((finding) => finding.kind === kind);

const mri = (id = 'mri-1'): ServiceRequest => ({
  resourceType: 'ServiceRequest',
  id,
  status: 'draft',
  intent: 'order',
  subject,
  code: { coding: [{ system: SNOMED, code: '433141005' }], text: 'MRI lumbale wervelkolom' },
});
const physio = (id = 'physio-1'): ServiceRequest => ({
  resourceType: 'ServiceRequest',
  id,
  status: 'draft',
  intent: 'order',
  subject,
  code: { coding: [{ system: SNOMED, code: '308447003' }], text: 'Verwijzing fysiotherapie' },
});
const amlodipine = (): MedicationRequest => ({
  resourceType: 'MedicationRequest',
  id: 'rx-1',
  status: 'draft',
  intent: 'order',
  subject,
  medicationCodeableConcept: {
    coding: [{ system: 'http://www.whocc.no/atc', code: 'C08CA01' }],
    text: 'amlodipine 5 mg',
  },
});
const lab = (): ServiceRequest => ({
  resourceType: 'ServiceRequest',
  id: 'lab-1',
  status: 'draft',
  intent: 'order',
  subject,
  code: { text: 'Lab: Hb, BSE, CRP' },
});

describe('SC-05/SC-06: a sciatica-coded patient is screened for red flags', () => {
  const sciatica = (system: string, code: string) =>
    condition('lrs', system, code, {
      onsetDateTime: '2026-10-30',
      note: [{ text: 'Sinds gisteren urineretentie en zadelanesthesie, kan niet plassen.' }],
    });

  describe.each([
    ['ICPC-2 L86', ICPC, 'L86'],
    ['ICD-10 M54.4', ICD10, 'M54.4'],
    ['ICD-10 M51.1', ICD10, 'M51.1'],
  ])('coded only as %s, with cauda equina symptoms in a note', (_name, system, code) => {
    it.each(['patient-view', 'order-select', 'order-sign'] as const)(
      '%s: RF-01 critical, no CarePlan',
      async (hook) => {
        const cards = await call(
          hook,
          { prefetch: prefetch([sciatica(system, code)]) },
          hook === 'patient-view' ? [] : [mri()]
        );
        expect(criticalIds(cards)).toContain('RF-01');
        expect(proposesCarePlan(cards)).toBe(false);
      }
    );
  });

  it('a sciatica patient without red flags gets the EX-01 card and no plan', async () => {
    const cards = await call('patient-view', {
      prefetch: prefetch([condition('lrs', ICPC, 'L86', { onsetDateTime: '2026-10-30' })]),
    });
    expect(ruleIds(cards)).toContain('EX-01');
    expect(cards.filter((card) => card.indicator === 'critical')).toEqual([]);
    expect(proposesCarePlan(cards)).toBe(false);
  });

  it('no back-pain code at all, but a lumbar MRI is ordered: red flags are screened (SC-05 d)', async () => {
    const cards = await call('order-sign', { prefetch: prefetch([fever()]) }, [mri()]);
    expect(criticalIds(cards)).toContain('RF-03');
  });

  it('no back-pain context at all: no cards', async () => {
    const cards = await call('patient-view', { prefetch: prefetch([fever()]) });
    expect(cards).toEqual([]);
  });
});

describe('EX-06: a known spinal infection is specific back pain', () => {
  const discitis = () => condition('discitis', ICD10, 'M46.4', { onsetDateTime: '2026-11-01' });

  it('gives an exclusion card and no plan', async () => {
    const cards = await call('patient-view', { prefetch: prefetch([lbp(), discitis()]) });
    expect(ruleIds(cards)).toContain('EX-06');
    expect(proposesCarePlan(cards)).toBe(false);
  });

  it('with a fever, RF-03 fires as well', async () => {
    const cards = await call('patient-view', { prefetch: prefetch([lbp(), discitis(), fever()]) });
    expect(criticalIds(cards)).toContain('RF-03');
    expect(ruleIds(cards)).toContain('EX-06');
  });
});

describe('RW-06: an incomplete Condition search is not "no Conditions"', () => {
  const outcomeEntry = {
    resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'warning', code: 'incomplete' }] },
    search: { mode: 'outcome' },
  };
  it.each([
    ['an OperationOutcome entry', { ...searchset([lbp()]), entry: [...searchset([lbp()]).entry, outcomeEntry] }],
    ['total larger than its entries, no next link', { ...searchset([lbp()]), total: 4 }],
  ])('%s: no CarePlan and no reassurance, and the gap is named', async (_name, conditions) => {
    const cards = await call('patient-view', { prefetch: prefetch([], { conditions }) });
    expect(proposesCarePlan(cards)).toBe(false);
    expect(ruleIds(cards)).not.toContain('TS-10');
    expect(hasKind(cards, 'data-quality')).toBe(true);
    expect(JSON.stringify(cards)).toContain('Condition');
  });

  it('the same complete search does propose the plan (the twin)', async () => {
    const cards = await call('patient-view', { prefetch: prefetch([lbp()]) });
    expect(proposesCarePlan(cards)).toBe(true);
  });
});

describe('RW-07: an old or migrated record never ends the current episode', () => {
  const migrated = (extra: Partial<Condition>) =>
    lbp({
      id: 'lbp-2019',
      clinicalStatus: resolved,
      meta: { lastUpdated: '2026-11-20T02:00:00Z' },
      onsetDateTime: undefined,
      recordedDate: undefined,
      ...extra,
    });
  it.each([
    ['onset in 2019, no abatement', { onsetDateTime: '2019-03-01' }],
    ['recorded in 2019, no abatement', { recordedDate: '2019-03-01' }],
    ['no clinical dates at all', {}],
  ])('a resolved LBP record touched by a migration (%s): the fever card still shows', async (_name, extra) => {
    const cards = await call('patient-view', { prefetch: prefetch([lbp(), migrated(extra), fever()]) });
    expect(criticalIds(cards)).toContain('RF-03');
  });

  it('a later resolution with clinical dates does end the concept (the twin)', async () => {
    const cauda = condition('ces', SNOMED, '192970008', { onsetDateTime: '2026-09-01', recordedDate: '2026-09-01' });
    const ended = condition('ces-2', SNOMED, '192970008', {
      clinicalStatus: resolved,
      onsetDateTime: '2026-09-01',
      abatementDateTime: '2026-10-15',
      recordedDate: '2026-10-15',
    });
    const cards = await call('patient-view', { prefetch: prefetch([lbp(), cauda, ended]) });
    expect(criticalIds(cards)).not.toContain('RF-01');
  });

  it('a resolution whose dates cannot be compared keeps the red flag, labelled "status unclear"', async () => {
    const cauda = condition('ces', SNOMED, '192970008', { meta: { lastUpdated: '2026-01-01T00:00:00Z' } });
    const ended = condition('ces-2', SNOMED, '192970008', {
      clinicalStatus: resolved,
      meta: { lastUpdated: '2026-11-20T00:00:00Z' },
    });
    const cards = await call('patient-view', { prefetch: prefetch([lbp(), cauda, ended]) });
    expect(criticalIds(cards)).toContain('RF-01');
    expect(JSON.stringify(cards)).toContain('status unclear');
  });
});

describe('RW-10: unrelated draft orders', () => {
  it.each([
    ['a prescription (MedicationRequest)', amlodipine],
    ['a lab test', lab],
  ])('%s gets no exercise, imaging or precaution card', async (_name, order) => {
    for (const hook of ['order-select', 'order-sign'] as const) {
      const cards = await call(hook, { prefetch: prefetch([lbp()]) }, [order()]);
      expect(cards.filter((card) => card.indicator !== 'info')).toEqual([]);
      expect(proposesCarePlan(cards)).toBe(false);
    }
  });

  it('a red flag is still shown on an unrelated order', async () => {
    const cards = await call('order-sign', { prefetch: prefetch([lbp(), fever()]) }, [amlodipine()]);
    expect(criticalIds(cards)).toContain('RF-03');
  });

  it('a physiotherapy referral does get the CarePlan suggestion (the twin)', async () => {
    const cards = await call('order-select', { prefetch: prefetch([lbp()]) }, [physio()]);
    expect(proposesCarePlan(cards)).toBe(true);
  });

  it('a lumbar MRI does get the imaging card (the twin)', async () => {
    const cards = await call('order-select', { prefetch: prefetch([lbp()]) }, [mri()]);
    expect(ruleIds(cards)).toContain('IM-05');
  });
});

describe('malformed draft orders: a 400 or a data note, never a 500', () => {
  it.each([
    ['reasonReference as an object', { reasonReference: { reference: 'Condition/lbp' } }],
    ['note: [null]', { note: [null] }],
    ['reasonCode: [null]', { reasonCode: [null] }],
    ['code as a string', { code: 'MRI' }],
    ['orderDetail as a string', { orderDetail: 'x' }],
  ])('%s', async (_name, broken) => {
    const order = { ...physio(), ...broken } as unknown as ServiceRequest;
    const res = await request(app)
      .post('/cds-services/lbp-order-sign')
      .send({
        hook: 'order-sign',
        hookInstance: randomUUID(),
        context: {
          userId: 'Practitioner/gp-1',
          patientId: PID,
          draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: order }] },
        },
        prefetch: prefetch([lbp()]),
      });
    // A 400 names the problem in an OperationOutcome; a 200 is a normal answer with cards.
    const expected = res.status === 400 ? 'OperationOutcome' : 'cards';
    expect([200, 400]).toContain(res.status);
    expect(
      res.status === 400 ? (res.body as { resourceType: string }).resourceType : Object.keys(res.body as object)[0]
    ).toBe(expected);
  });
});

describe('SC-06/RW-02: a measurement under a local code is named, and withholds the plan', () => {
  const localTemperature = (): Observation => ({
    ...fever(),
    id: 'temp-local',
    code: { coding: [{ system: 'urn:oid:2.16.840.1.113883.2.4.3.999.1', code: 'TEMP-OOR' }], text: 'Temp. oor' },
  });

  it('a tympanic temperature of 38.9 under a local code: no CarePlan, and the data card names it', async () => {
    const cards = await call('patient-view', { prefetch: prefetch([lbp(), localTemperature()]) });
    expect(proposesCarePlan(cards)).toBe(false);
    expect(JSON.stringify(cards)).toContain('Temp. oor');
    expect(JSON.stringify(cards)).toContain('38.9');
  });

  it('an unrelated local code without a vital-sign unit does not withhold the plan (the twin)', async () => {
    const hba1c: Observation = {
      ...localTemperature(),
      id: 'hba1c',
      code: { coding: [{ system: 'urn:oid:2.16.840.1.113883.2.4.3.999.1', code: 'HBA1C' }], text: 'HbA1c' },
      valueQuantity: { value: 48, unit: 'mmol/mol' },
    };
    const cards = await call('patient-view', { prefetch: prefetch([lbp(), hba1c]) });
    expect(proposesCarePlan(cards)).toBe(true);
  });
});

describe('RW-04/RW-08: a journal line dated by its own time, not by the episode it is filed under', () => {
  const withNote = (time: string | undefined, text: string): Condition =>
    lbp({ id: 'lbp-journal', note: [{ text, ...(time ? { time } : {}) }] });

  it('"sinds gisteren koorts" added yesterday to an episode that began in June: RF-03', async () => {
    const note = withNote('2026-11-20T10:00:00+01:00', 'Sinds gisteren koorts en rillingen.');
    const cards = await call('patient-view', { prefetch: prefetch([lbp(), note]) });
    expect(criticalIds(cards)).toContain('RF-03');
  });

  it('the same line written in July is outside the 7-day window (the twin)', async () => {
    const note = withNote('2026-07-02T10:00:00+02:00', 'Sinds gisteren koorts en rillingen.');
    const cards = await call('patient-view', { prefetch: prefetch([lbp(), note]) });
    expect(criticalIds(cards)).not.toContain('RF-03');
  });
});

import path from 'node:path';
import type { Bundle, CarePlan, Goal, Resource, ServiceRequest } from '@medplum/fhirtypes';
import type { Express } from 'express';
import request from 'supertest';
import { planApplier } from '../../src/hook/plan-apply';
import { gatherSettingsOf } from '../../src/cds/routes';
import type { CdsAction, CdsCard } from '../../src/render/cds-response';
import { loadTestConfig } from '../../src/config';
import { BASED_ON_R5 } from '../../src/render/careplan';
import { createEmbeddedFhirServer } from '../../src/sandbox/fhir-server';
import { sequentialIds, testApp, testKnowledge, TODAY } from '../support/app';
import { emptyValuesIn, validateR4 } from '../support/fhir-validation';
import { draftOrdersOf, loadSample, orderHookOf, patientViewOf } from '../support/sample-patients';

/**
 * The referral that goes with the plan (both suggestion shapes), applied the way CDS Hooks 2.0 asks (one FHIR
 * transaction), and PlanDefinition/$apply on the embedded FHIR server giving the hook's own plan.
 */
let app: Express;

beforeAll(async () => {
  const config = loadTestConfig();
  const fhir = await createEmbeddedFhirServer({
    samplesDir: path.join(config.fhirResourcesDir, 'sample-patients'),
    knowledgeDir: path.join(config.fhirResourcesDir, 'knowledge'),
    now: TODAY,
    maxBodyBytes: config.bodyLimitBytes,
    apply: planApplier(
      { knowledge: testKnowledge(), defaultLocale: 'en', now: () => TODAY, newId: sequentialIds('apply') },
      gatherSettingsOf(config)
    ),
  });
  app = testApp({ CDS_LOCALE: 'en' }, { sandbox: { fhir } }).app;
}, 60_000);

async function suggestionOf(service: string, body: object): Promise<CdsAction[]> {
  const res = await request(app).post(`/cds-services/${service}`).send(body).expect(200);
  const cards = (res.body as { cards: CdsCard[] }).cards;
  const suggestion = cards.flatMap((card) => card.suggestions ?? []).find((s) => s.isRecommended);
  return suggestion?.actions ?? [];
}

const ofType = <T extends Resource>(actions: CdsAction[], type: T['resourceType']) =>
  actions.filter((action) => action.resource?.resourceType === type).map((action) => action.resource as T);

/** The actions as the transaction a client builds from them: creates with fullUrl urn:uuid:<id>, updates by id. */
function transactionOf(actions: CdsAction[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: actions.map((action) => {
      const resource = action.resource as Resource & { id: string };
      return action.type === 'create'
        ? {
            fullUrl: `urn:uuid:${resource.id}`,
            resource: { ...resource, id: undefined },
            request: { method: 'POST', url: resource.resourceType },
          }
        : { resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } };
    }),
  };
}

function expectValid(actions: CdsAction[]) {
  for (const action of actions) {
    validateR4(action.resource!);
    expect(emptyValuesIn(action.resource)).toEqual([]);
  }
}

describe('patient-view: a new draft referral with the plan', () => {
  let actions: CdsAction[];
  beforeAll(async () => {
    actions = await suggestionOf('lbp-patient-view', patientViewOf(loadSample('chronic-clean')));
  });

  it('creates the referral, the two Goals and the CarePlan, all valid R4 without empty values', () => {
    expect(actions.map((action) => [action.type, action.resource?.resourceType])).toEqual([
      ['create', 'ServiceRequest'],
      ['create', 'Goal'],
      ['create', 'Goal'],
      ['create', 'CarePlan'],
    ]);
    expectValid(actions);
  });

  it('links them: referral for the LBP Condition with the plan as supporting info; plan based on it, with its Goals', () => {
    const [referral] = ofType<ServiceRequest>(actions, 'ServiceRequest');
    const goals = ofType<Goal>(actions, 'Goal');
    const [plan] = ofType<CarePlan>(actions, 'CarePlan');
    expect(referral).toMatchObject({
      status: 'draft',
      intent: 'order',
      code: { coding: [{ system: 'http://snomed.info/sct', code: '308447003' }] },
      reasonReference: [{ reference: 'Condition/chronic-clean-cond-1' }],
      supportingInfo: [{ reference: `urn:uuid:${plan!.id!}` }],
      requester: { reference: 'Practitioner/gp-1' },
    });
    expect(plan!.supportingInfo).toEqual([{ reference: `urn:uuid:${referral!.id!}` }]);
    expect(plan!.extension).toEqual([{ url: BASED_ON_R5, valueReference: { reference: `urn:uuid:${referral!.id!}` } }]);
    expect(plan!.goal).toEqual(goals.map((goal) => ({ reference: `urn:uuid:${goal.id!}` })));
    expect(goals.map((goal) => goal.target?.[0]?.measure?.text)).toEqual([
      undefined,
      'Oswestry Disability Index (ODI)',
    ]);
    expect(
      goals.every((goal) => goal.lifecycleStatus === 'proposed' && goal.target?.[0]?.dueDate === '2027-02-13')
    ).toBe(true);
  });

  it('applied as one transaction, the plan points at the referral the server created', async () => {
    const res = await request(app).post('/fhir').send(transactionOf(actions)).expect(200);
    const locations = (res.body as Bundle).entry!.map((entry) => entry.response?.location ?? '');
    const [referralAt, , , planAt] = locations.map((location) =>
      location.split('/_history')[0]!.split('/').slice(-2).join('/')
    );
    const plan = (await request(app).get(`/fhir/${planAt!}`).expect(200)).body as CarePlan;
    const referral = (await request(app).get(`/fhir/${referralAt!}`).expect(200)).body as ServiceRequest;
    expect(plan.supportingInfo?.[0]?.reference).toBe(referralAt);
    expect(referral.supportingInfo?.[0]?.reference).toBe(planAt);
  });
});

describe('order-select / order-sign of a physiotherapy referral: the draft order points at the plan', () => {
  it.each(['order-select', 'order-sign'] as const)('%s', async (hook) => {
    const bundle = loadSample('physio-referral');
    const order = draftOrdersOf(bundle)[0]!;
    const actions = await suggestionOf(`lbp-${hook}`, orderHookOf(hook, bundle, order));
    expect(actions.map((action) => [action.type, action.resource?.resourceType])).toEqual([
      ['update', 'ServiceRequest'],
      ['create', 'Goal'],
      ['create', 'Goal'],
      ['create', 'CarePlan'],
    ]);
    expectValid(actions);
    const [referral] = ofType<ServiceRequest>(actions, 'ServiceRequest');
    const [plan] = ofType<CarePlan>(actions, 'CarePlan');
    // The whole order as it was, plus the plan.
    expect(referral).toMatchObject({ ...order, subject: { reference: 'Patient/physio-referral' } });
    expect(referral!.supportingInfo).toEqual([{ reference: `urn:uuid:${plan!.id!}` }]);
    expect(plan!.supportingInfo).toEqual([{ reference: 'ServiceRequest/physio-referral-order' }]);
  });
});

describe('PlanDefinition/$apply', () => {
  const hookPlan = async (id: string) =>
    ofType<CarePlan>(await suggestionOf('lbp-patient-view', patientViewOf(loadSample(id))), 'CarePlan')[0]!;
  /** What the physiotherapist gets: activities with their doses, ranges and timing, period, notes, goals. */
  const substance = (plan: CarePlan, goals: Goal[]) => ({
    activity: plan.activity,
    period: plan.period,
    note: plan.note,
    goals: goals.map((goal) => goal.description.text),
  });

  it.each(['chronic-clean', 'older-novice'])(
    '%s: GET and POST give the CarePlan of the hook, with the referral and Goals contained',
    async (id) => {
      const fromHook = await hookPlan(id);
      const hookGoals = ofType<Goal>(await suggestionOf('lbp-patient-view', patientViewOf(loadSample(id))), 'Goal');
      const got = await request(app)
        .get(`/fhir/PlanDefinition/lbp-exercise-programme/$apply?subject=Patient/${id}&practitioner=Practitioner/gp-1`)
        .expect(200);
      const posted = await request(app)
        .post('/fhir/PlanDefinition/lbp-exercise-programme/$apply')
        .set('Content-Type', 'application/fhir+json')
        .send({
          resourceType: 'Parameters',
          parameter: [
            { name: 'subject', valueString: `Patient/${id}` },
            { name: 'practitioner', valueString: 'Practitioner/gp-1' },
          ],
        })
        .expect(200);
      for (const plan of [got.body as CarePlan, posted.body as CarePlan]) {
        validateR4(plan);
        expect(emptyValuesIn(plan)).toEqual([]);
        const contained = plan.contained ?? [];
        const goals = contained.filter((resource): resource is Goal => resource.resourceType === 'Goal');
        expect(substance(plan, goals)).toEqual(substance(fromHook, hookGoals));
        const referral = contained.find((resource) => resource.resourceType === 'ServiceRequest') as ServiceRequest;
        expect(plan.supportingInfo).toEqual([{ reference: `#${referral.id!}` }]);
        expect(referral.supportingInfo).toEqual([{ reference: '#' }]);
        expect(plan.goal).toEqual(goals.map((goal) => ({ reference: `#${goal.id!}` })));
        expect(plan.author).toEqual({ reference: 'Practitioner/gp-1' });
      }
    }
  );

  it('a red flag: an empty draft that names the rule, no activity', async () => {
    const res = await request(app)
      .get('/fhir/PlanDefinition/lbp-exercise-programme/$apply?subject=Patient/fever')
      .expect(200);
    const plan = res.body as CarePlan;
    validateR4(plan);
    expect(plan.activity).toBeUndefined();
    expect(plan.description).toMatch(/No exercise programme is proposed for this patient \(RF-\d\d/);
  });

  it.each([
    ['no subject', '/fhir/PlanDefinition/lbp-exercise-programme/$apply', 400, 'subject'],
    [
      'a subject that is no Patient',
      '/fhir/PlanDefinition/lbp-exercise-programme/$apply?subject=Group/1',
      400,
      'subject',
    ],
    ['an unknown patient', '/fhir/PlanDefinition/lbp-exercise-programme/$apply?subject=Patient/nobody', 404, ''],
    ['an unknown PlanDefinition', '/fhir/PlanDefinition/other/$apply?subject=Patient/chronic-clean', 404, ''],
  ])('%s: %s', async (_name, url, status, expression) => {
    const res = await request(app).get(url).expect(status);
    expect(res.body).toMatchObject({ resourceType: 'OperationOutcome' });
    expect(JSON.stringify(res.body)).toContain(expression);
  });

  it('serves the PlanDefinition it applies', async () => {
    await request(app).get('/fhir/PlanDefinition/lbp-exercise-programme').expect(200);
  });
});

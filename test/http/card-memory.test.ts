import { randomUUID } from 'node:crypto';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { Express } from 'express';
import request from 'supertest';
import type { CdsCard } from '../../src/render/cds-response';
import { hashPatient } from '../../src/store/patient-hash';
import { TODAY, testKnowledge } from '../support/app';
import { draftOrdersOf, loadSample, orderHookOf, patientOf, patientViewOf } from '../support/sample-patients';
import { sharedStore } from '../support/shared-store';

/**
 * Memory through the app, on the embedded store: an exercise programme that exists is not proposed again; after
 * "not now" the recommendation stays away for rules/ruleset.json memory.notNowDays and comes back after; red flags
 * are always shown.
 */

const DAY = 86_400_000;
const NOT_NOW_DAYS = testKnowledge().ruleset.settings.memory.notNowDays;
const PLAN = 'https://ruggensteun.org/fhir/PlanDefinition/lbp-exercise-programme';
const OVERRIDE_SYSTEM = 'https://ruggensteun.org/fhir/CodeSystem/override-reason';

const shared = sharedStore('ruggensteun-memory-');
const appAt = shared.appAt;

async function open(app: Express, body: Record<string, unknown>, hook = 'patient-view'): Promise<CdsCard[]> {
  const res = await request(app).post(`/cds-services/lbp-${hook}`).send(body).expect(200);
  return (res.body as { cards: CdsCard[] }).cards;
}

const proposesPlan = (cards: CdsCard[]) =>
  cards.some((card) =>
    card.suggestions?.some((suggestion) =>
      suggestion.actions?.some((action) => action.type === 'create' && action.resource?.resourceType === 'CarePlan')
    )
  );
const recommendationOf = (cards: CdsCard[]) =>
  cards.find((card) => card.overrideReasons?.some((reason) => reason.code === 'not-now'));

/** A patient-view request for a sample with extra resources under a prefetch key. */
function withPrefetched(sample: string, key: string, resources: Resource[], bundle: Bundle = loadSample(sample)) {
  const body = patientViewOf(bundle);
  const prefetch = body.prefetch as Record<string, Bundle>;
  prefetch[key] = { resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource })) };
  return body;
}

function carePlan(patientId: string, status: string, canonical = `${PLAN}|2026.11.0`): Resource {
  return {
    resourceType: 'CarePlan',
    id: `plan-${randomUUID()}`,
    status,
    intent: 'proposal',
    instantiatesCanonical: [canonical],
    subject: { reference: `Patient/${patientId}` },
    created: '2026-11-02',
  } as Resource;
}

async function notNow(app: Express, card: CdsCard, at: Date) {
  const res = await request(app)
    .post('/cds-services/lbp-patient-view/feedback')
    .send({
      feedback: [
        {
          card: card.uuid,
          outcome: 'overridden',
          overrideReason: { reason: { system: OVERRIDE_SYSTEM, code: 'not-now' } },
          outcomeTimestamp: at.toISOString().replace(/\.\d+Z$/, 'Z'),
        },
      ],
    })
    .expect(200);
  return res.body as { feedback: { stored: boolean }[] };
}

describe('an exercise programme that exists is not proposed again', () => {
  const app = () => appAt(TODAY);
  const patientId = () => patientOf(loadSample('chronic-clean')).id ?? '';

  it('control: without a plan the chart opening proposes one', async () => {
    expect(proposesPlan(await open(app(), patientViewOf(loadSample('chronic-clean'))))).toBe(true);
  });

  it.each(['draft', 'active'])('a %s CarePlan from our PlanDefinition: no new suggestion', async (status) => {
    const cards = await open(app(), withPrefetched('chronic-clean', 'carePlans', [carePlan(patientId(), status)]));
    expect(proposesPlan(cards)).toBe(false);
    expect(recommendationOf(cards)).toBeUndefined();
  });

  it.each([
    ['a revoked plan', 'revoked', `${PLAN}|2026.11.0`],
    ['a completed plan', 'completed', PLAN],
    ['a plan from another PlanDefinition', 'active', 'https://example.org/PlanDefinition/diabetes'],
  ])('%s does not count', async (_name, status, canonical) => {
    const cards = await open(
      app(),
      withPrefetched('chronic-clean', 'carePlans', [carePlan(patientId(), status, canonical)])
    );
    expect(proposesPlan(cards)).toBe(true);
  });

  it('a physiotherapy referral in the current episode: no new suggestion; a draft or one from before the episode counts not', async () => {
    const referral = (status: string, authoredOn: string): Resource =>
      ({
        ...draftOrdersOf(loadSample('physio-referral'))[0],
        id: `referral-${randomUUID()}`,
        status,
        authoredOn,
        subject: { reference: `Patient/${patientId()}` },
      }) as Resource;
    expect(
      proposesPlan(
        await open(app(), withPrefetched('chronic-clean', 'serviceRequests', [referral('active', '2026-10-01')]))
      )
    ).toBe(false);
    expect(
      proposesPlan(
        await open(app(), withPrefetched('chronic-clean', 'serviceRequests', [referral('draft', '2026-10-01')]))
      )
    ).toBe(true);
    // chronic-clean's episode began in March 2026.
    expect(
      proposesPlan(
        await open(app(), withPrefetched('chronic-clean', 'serviceRequests', [referral('completed', '2025-01-10')]))
      )
    ).toBe(true);
  });

  it('on a lumbar imaging order, says since when the programme runs instead of proposing one', async () => {
    const mri = loadSample('lumbar-mri');
    const body = orderHookOf('order-select', mri, draftOrdersOf(mri)[0]!);
    const prefetch = body.prefetch as Record<string, Bundle>;
    prefetch.carePlans = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [{ resource: carePlan(patientOf(mri).id ?? '', 'active') }],
    };
    const cards = await open(app(), body, 'order-select');
    const imaging = cards.find((card) => card.overrideReasons?.some((reason) => reason.code === 'patient-insists'));
    expect(imaging?.detail).toContain('Exercise programme running since 2 Nov 2026.');
    expect(proposesPlan(cards)).toBe(false);
  });
});

describe('"not now"', () => {
  it('keeps the recommendation away for the window, for that patient only, and brings it back after', async () => {
    const bundle = loadSample('older-novice');
    const first = recommendationOf(await open(appAt(TODAY), patientViewOf(bundle)));
    expect(first).toBeDefined();
    await notNow(appAt(TODAY), first!, TODAY);

    const inside = new Date(TODAY.getTime() + (NOT_NOW_DAYS - 1) * DAY);
    const during = await open(appAt(inside), patientViewOf(bundle));
    expect(recommendationOf(during)).toBeUndefined();
    expect(proposesPlan(during)).toBe(false);
    // The precaution card is not a recommendation: it stays.
    expect(during.some((card) => card.indicator === 'warning')).toBe(true);
    // Another patient still gets the recommendation.
    expect(recommendationOf(await open(appAt(inside), patientViewOf(loadSample('chronic-clean'))))).toBeDefined();

    const after = new Date(TODAY.getTime() + (NOT_NOW_DAYS + 1) * DAY);
    expect(recommendationOf(await open(appAt(after), patientViewOf(bundle)))).toBeDefined();
  });

  it('other override reasons silence nothing', async () => {
    const bundle = loadSample('physio-referral');
    const card = recommendationOf(await open(appAt(TODAY), patientViewOf(bundle)));
    await request(appAt(TODAY))
      .post('/cds-services/lbp-patient-view/feedback')
      .send({
        feedback: [
          {
            card: card!.uuid,
            outcome: 'overridden',
            overrideReason: { reason: { system: OVERRIDE_SYSTEM, code: 'patient-declines' } },
            outcomeTimestamp: '2026-11-21T10:05:00Z',
          },
        ],
      })
      .expect(200);
    expect(recommendationOf(await open(appAt(new Date(TODAY.getTime() + DAY)), patientViewOf(bundle)))).toBeDefined();
  });
});

describe('red flags are never silenced', () => {
  it('a patient answered "not now" still gets the critical card when a fever appears', async () => {
    const bundle = loadSample('chronic-clean');
    const card = recommendationOf(await open(appAt(TODAY), patientViewOf(bundle)));
    await notNow(appAt(TODAY), card!, TODAY);
    const fever = loadSample('fever').entry?.find((entry) => entry.resource?.id === 'fever-temp-1')?.resource;
    const temperature = {
      ...fever,
      id: 'chronic-clean-temp',
      subject: { reference: `Patient/${patientOf(bundle).id ?? ''}` },
      effectiveDateTime: '2026-11-20T09:00:00+01:00',
    } as Resource;
    bundle.entry = [...(bundle.entry ?? []), { resource: temperature }];
    const cards = await open(appAt(new Date(TODAY.getTime() + DAY)), patientViewOf(bundle));
    expect(cards.map((item) => item.indicator)).toContain('critical');
  });

  it('"not now" sent for a critical card is not remembered, and the red flag comes back at every opening', async () => {
    const bundle = loadSample('fever');
    const [critical] = await open(appAt(TODAY), patientViewOf(bundle));
    expect(critical?.indicator).toBe('critical');
    await notNow(appAt(TODAY), critical!, TODAY);
    expect(
      await shared.store().notNowAt(hashPatient(shared.hashKey(), `Patient/${patientOf(bundle).id ?? ''}`))
    ).toBeUndefined();
    for (const days of [1, 2]) {
      const cards = await open(appAt(new Date(TODAY.getTime() + days * DAY)), patientViewOf(bundle));
      expect(cards[0]?.indicator).toBe('critical');
    }
  });
});

import type { Bundle, Resource } from '@medplum/fhirtypes';
import request from 'supertest';
import type { CdsCard } from '../../src/render/cds-response';
import { TODAY, testKnowledge } from '../support/app';
import {
  AMLODIPINE_DRAFT,
  HBA1C_DRAFT,
  draftOrdersOf,
  loadSample,
  orderHookOf,
  patientViewOf,
} from '../support/sample-patients';
import { sharedStore } from '../support/shared-store';

/**
 * RW-10 through the app, on the embedded store: on an unrelated draft order (a prescription, a lab test) the red
 * flags are shown once per order session (same patient, user and encounter within rules/ruleset.json
 * memory.orderSessionMinutes), on every instance; a physiotherapy referral, lumbar imaging and patient-view always
 * show them, and so does a new session or a red flag that was not shown yet.
 */

const MINUTE = 60_000;
const SESSION_MINUTES = testKnowledge().ruleset.settings.memory.orderSessionMinutes;

const { appAt } = sharedStore('ruggensteun-order-session-');

const amlodipine = AMLODIPINE_DRAFT;
const hba1c = HBA1C_DRAFT;
const physiotherapy = draftOrdersOf(loadSample('physio-referral'))[0] as Resource;

interface Call {
  readonly at: Date;
  readonly order: Resource;
  readonly hook?: 'order-select' | 'order-sign';
  readonly encounterId?: string;
  readonly userId?: string;
  readonly bundle?: Bundle;
}

/** Whether the answer holds the critical red-flag card. */
async function redFlagShown(call: Call): Promise<boolean> {
  const hook = call.hook ?? 'order-select';
  const body = orderHookOf(hook, call.bundle ?? loadSample('fever'), call.order);
  const context = body.context as Record<string, unknown>;
  body.context = {
    ...context,
    userId: call.userId ?? 'Practitioner/gp-1',
    ...(call.encounterId ? { encounterId: call.encounterId } : {}),
  };
  const res = await request(appAt(call.at)).post(`/cds-services/lbp-${hook}`).send(body).expect(200);
  return (res.body as { cards: CdsCard[] }).cards.some((card) => card.indicator === 'critical');
}

const after = (minutes: number, from: Date) => new Date(from.getTime() + minutes * MINUTE);

it('the window is a setting of rules/ (DESIGN: 120 minutes)', () => {
  expect(SESSION_MINUTES).toBe(120);
});

it('an unrelated order shows the red flags once per session, and again after the window', async () => {
  const start = after(0, TODAY);
  const encounterId = 'enc-window';
  expect(await redFlagShown({ at: start, order: amlodipine, encounterId })).toBe(true);
  // The second order-select, an order-sign and another unrelated order of the same session: no repeat.
  expect(await redFlagShown({ at: after(5, start), order: amlodipine, encounterId })).toBe(false);
  expect(await redFlagShown({ at: after(6, start), order: amlodipine, encounterId, hook: 'order-sign' })).toBe(false);
  expect(await redFlagShown({ at: after(SESSION_MINUTES - 1, start), order: hba1c, encounterId })).toBe(false);
  // After the window (counted from the showing): shown again, and a new window starts.
  const later = after(SESSION_MINUTES + 1, start);
  expect(await redFlagShown({ at: later, order: hba1c, encounterId })).toBe(true);
  expect(await redFlagShown({ at: after(1, later), order: hba1c, encounterId })).toBe(false);
});

it('a related order and patient-view always show them, inside the session too', async () => {
  const encounterId = 'enc-related';
  expect(await redFlagShown({ at: TODAY, order: amlodipine, encounterId })).toBe(true);
  for (const hook of ['order-select', 'order-sign'] as const) {
    expect(await redFlagShown({ at: after(2, TODAY), order: physiotherapy, encounterId, hook })).toBe(true);
  }
  const res = await request(appAt(after(3, TODAY)))
    .post('/cds-services/lbp-patient-view')
    .send(patientViewOf(loadSample('fever')));
  expect((res.body as { cards: CdsCard[] }).cards.some((card) => card.indicator === 'critical')).toBe(true);
  expect(await redFlagShown({ at: after(4, TODAY), order: amlodipine, encounterId })).toBe(false);
});

it('another encounter or another user is another session', async () => {
  expect(await redFlagShown({ at: TODAY, order: amlodipine, encounterId: 'enc-a' })).toBe(true);
  expect(await redFlagShown({ at: after(1, TODAY), order: amlodipine, encounterId: 'enc-b' })).toBe(true);
  expect(
    await redFlagShown({ at: after(2, TODAY), order: amlodipine, encounterId: 'enc-a', userId: 'Practitioner/gp-2' })
  ).toBe(true);
  expect(await redFlagShown({ at: after(3, TODAY), order: amlodipine, encounterId: 'enc-a' })).toBe(false);
});

it('a red flag that was not shown yet in the session is shown', async () => {
  const encounterId = 'enc-new-flag';
  // The fever patient with the cauda equina patient's conditions added: a second red flag appears mid-session.
  const fever = loadSample('fever');
  expect(await redFlagShown({ at: TODAY, order: amlodipine, encounterId, bundle: fever })).toBe(true);
  const patientId = `Patient/${fever.entry?.find((entry) => entry.resource?.resourceType === 'Patient')?.resource?.id ?? ''}`;
  const cauda = (loadSample('cauda-equina').entry ?? [])
    .filter((entry) => entry.resource?.resourceType === 'Condition')
    .map((entry) => ({
      resource: {
        ...entry.resource,
        id: `x-${entry.resource?.id ?? ''}`,
        subject: { reference: patientId },
      } as Resource,
    }));
  const worse = { ...fever, entry: [...(fever.entry ?? []), ...cauda] };
  expect(await redFlagShown({ at: after(5, TODAY), order: amlodipine, encounterId, bundle: worse })).toBe(true);
  expect(await redFlagShown({ at: after(6, TODAY), order: amlodipine, encounterId, bundle: worse })).toBe(false);
});

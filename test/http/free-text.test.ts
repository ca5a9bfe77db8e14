import type { Observation, Resource, ServiceRequest } from '@medplum/fhirtypes';
import request from 'supertest';
import type { CdsCard } from '../../src/render/cds-response';
import { testApp } from '../support/app';
import {
  draftOrders,
  fullPrefetch,
  lowBackPain,
  orderSelectRequest,
  orderSignRequest,
  PATIENT_ID,
  patient,
  patientViewRequest,
  physioReferral,
} from '../support/hook-requests';
import { TestFhirServer } from '../support/test-fhir-server';

/**
 * Vignettes for free text (RW-08, RW-09, issue 12): a GP's journal line (an Observation with valueString, as HIS
 * exports send SOEP lines) or a draft order's note decides the critical card, in Dutch, English and French, on every hook,
 * with the record in the prefetch or on the FHIR server. Negated, family and hypothetical mentions give none.
 */
const { app } = testApp();

const journalLine = (text: string): Observation => ({
  resourceType: 'Observation',
  id: 'obs-soep',
  status: 'final',
  subject: { reference: `Patient/${PATIENT_ID}` },
  code: { text: 'Journaalregel S' },
  effectiveDateTime: '2026-11-20',
  valueString: text,
});

const HOOKS = ['patient-view', 'order-select', 'order-sign'] as const;
type Hook = (typeof HOOKS)[number];
type Mode = 'prefetch' | 'fhirServer';

let fhir: TestFhirServer;
beforeAll(async () => {
  fhir = await TestFhirServer.start();
});
afterAll(async () => {
  await fhir.close();
});

function bodyFor(
  hook: Hook,
  mode: Mode,
  line: Observation | undefined,
  order: ServiceRequest
): Record<string, unknown> {
  const prefetch = fullPrefetch();
  if (line) {
    prefetch.observations = { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: line }] };
  }
  const orders = { draftOrders: draftOrders(order) };
  const base =
    hook === 'patient-view'
      ? patientViewRequest({ prefetch })
      : hook === 'order-select'
        ? orderSelectRequest({ prefetch })
        : orderSignRequest({ prefetch });
  const context = { ...(base.context as Record<string, unknown>), ...(hook === 'patient-view' ? {} : orders) };
  if (mode === 'prefetch') {
    return { ...base, context };
  }
  fhir.reset([patient(), lowBackPain(), ...(line ? [line as Resource] : [])]);
  // No prefetch: the service searches the FHIR server (the fallback of CDS Hooks 2.0).
  const rest = Object.fromEntries(Object.entries(base).filter(([key]) => key !== 'prefetch'));
  return { ...rest, context, fhirServer: fhir.baseUrl };
}

async function criticalRuleIds(hook: Hook, mode: Mode, text?: string, orderNote?: string): Promise<string[]> {
  const order: ServiceRequest = { ...physioReferral(), ...(orderNote ? { note: [{ text: orderNote }] } : {}) };
  const res = await request(app)
    .post(`/cds-services/lbp-${hook}`)
    .send(bodyFor(hook, mode, text === undefined ? undefined : journalLine(text), order))
    .expect(200);
  return (res.body as { cards: CdsCard[] }).cards
    .filter((card) => card.indicator === 'critical')
    .flatMap((card) => (card.extension?.['org.ruggensteun.findings'] ?? []) as { ruleId: string }[])
    .map((finding) => finding.ruleId);
}

const cases = HOOKS.flatMap((hook) => (['prefetch', 'fhirServer'] as const).map((mode) => [hook, mode] as const));

describe.each(cases)('%s, record by %s', (hook, mode) => {
  it.each([
    ['S: sinds gisteren koorts 39,2 en koude rillingen.', 'RF-03'],
    ['Krachtsverlies in beide benen sinds vanochtend.', 'RF-02'],
    ['Pat. kan sinds gisteravond niet plassen, doof gevoel rond de anus.', 'RF-01'],
    ['St.n. mammaca 2015, nu nachtpijn.', 'RF-05'],
    ['Unable to pass urine since this morning; saddle anaesthesia.', 'RF-01'],
    ['Fever and rigors since yesterday.', 'RF-03'],
    ['Known metastatic prostate cancer.', 'RF-05'],
    ['Anesthésie en selle, rétention urinaire depuis hier.', 'RF-01'],
    ['S: fièvre à 39 depuis hier, frissons.', 'RF-03'],
    ['ATCD : néo du sein 2012.', 'RF-05'],
    ['St.n. mamma-ca 2012', 'RF-05'],
    ['VG:\n- mamma-ca 2012\n- appendectomie 1998', 'RF-05'],
  ])('a red flag in the note: %j gives a critical %s card', async (text, ruleId) => {
    expect(await criticalRuleIds(hook, mode, text)).toContain(ruleId);
  });

  it.each([
    'Koorts: nee; gewichtsverlies: nee; nachtpijn -',
    'Geen koorts, rillingen of gewichtsverlies. Geen zadelanesthesie.',
    'Moeder overleden aan borstkanker, vader prostaatca.',
    'P: bij koorts, krachtsverlies of mictieproblemen direct terugkomen.',
    'Denies fever, chills or weight loss. No saddle anaesthesia.',
    'Family history: mother had breast cancer.',
    'Return if fever or leg weakness develops.',
    "Pas de fièvre, pas de perte de poids. Pas d'anesthésie en selle, miction normale.",
    'Antécédents familiaux : mère cancer du sein.',
    'Si fièvre ou troubles urinaires, reconsulter en urgence.',
    'Familieanamnese:\n- borstkanker\n- prostaatca',
    'Family history:\n- breast cancer (mother)\n- bowel cancer',
  ])('no critical card for %j', async (text) => {
    expect(await criticalRuleIds(hook, mode, text)).toEqual([]);
  });
});

describe.each(['order-select', 'order-sign'] as const)('%s: the note of the draft order is read (RW-08)', (hook) => {
  it.each(['prefetch', 'fhirServer'] as const)('record by %s', async (mode) => {
    const note = 'Verwijzing fysiotherapie; pat. kan sinds gisteren niet plassen.';
    expect(await criticalRuleIds(hook, mode, undefined, note)).toContain('RF-01');
    expect(await criticalRuleIds(hook, mode, undefined, 'Verwijzing fysiotherapie, geen rode vlaggen.')).toEqual([]);
  });
});

import { randomUUID } from 'node:crypto';
import type { CarePlan, Resource } from '@medplum/fhirtypes';
import request from 'supertest';
import { CLINICAL_PREFETCH } from '../../src/hook/catalogue';
import type { CdsCard } from '../../src/render/cds-response';
import { englishIn } from '../support/card-text';
import { testApp } from '../support/app';
import {
  draftOrdersOf,
  loadSample,
  orderHookOf,
  patientOf,
  patientViewOf,
  prefetchOf,
  resourcesOf,
} from '../support/sample-patients';
import { TestFhirServer } from '../support/test-fhir-server';

/**
 * From the gathered FHIR record to cards in the EHR, on the sample patients (evaluated at their reference
 * date): which card, which indicator, which rule ids, and what the GP reads.
 */
// The expectations below are in English; the default language (CDS_LOCALE) is Dutch, tested under "language".
const { app } = testApp({ CDS_LOCALE: 'en' });

async function cardsFor(id: string, headers: Record<string, string> = {}): Promise<CdsCard[]> {
  const res = await request(app)
    .post('/cds-services/lbp-patient-view')
    .set(headers)
    .send(patientViewOf(loadSample(id)))
    .expect(200);
  return (res.body as { cards: CdsCard[] }).cards;
}

const ruleIds = (card: CdsCard | undefined) =>
  ((card?.extension?.['org.ruggensteun.findings'] ?? []) as { ruleId: string }[]).map((finding) => finding.ruleId);

describe('sample patients on patient-view', () => {
  it.each([
    ['fever', 'RF-03', 'Red flag, assess first: ', ['38.7 °C', '19 Nov 2026']],
    ['cauda-equina', 'RF-01', 'Red flag, refer as an emergency: ', ['Emergency referral today', '“kan niet plassen”']],
    ['cancer-history', 'RF-05', 'Red flag, assess first: ', ['metastatic disease']],
    ['weight-loss', 'RF-04', 'Red flag, assess first: ', ['84.0 kg', '77.5 kg', '6.5 kg']],
    ['soft-flags-combination', 'RF-C', 'Red flag, assess first: ', ['Non-mechanical pain', 'Osteoporosis']],
  ])('%s: one critical card for %s, with evidence and no exercise programme', async (id, ruleId, prefix, details) => {
    const cards = await cardsFor(id);
    const critical = cards.filter((card) => card.indicator === 'critical');
    expect(critical).toHaveLength(1);
    expect(cards.filter((card) => card.indicator === 'warning')).toEqual([]);
    const [card] = critical;
    expect(ruleIds(card)).toContain(ruleId);
    expect(card!.summary.startsWith(prefix)).toBe(true);
    for (const text of details) {
      expect(card!.detail?.replace(/\\/g, '')).toContain(text);
    }
    expect(card!.detail).toContain('No exercise programme while this red flag is not ruled out.');
  });

  it.each([
    ['pregnancy', 'PR-01', 'Adapt the exercise therapy: Pregnancy'],
    [
      'radiculopathy',
      'EX-01',
      'No exercise programme for non-specific low back pain: Lumbosacral radicular syndrome (sciatica)',
    ],
    [
      'recent-lumbar-surgery',
      'EX-02',
      'No exercise programme for non-specific low back pain: Lumbar spine surgery in the last 12 months',
    ],
    // The title names a category only; the evidence says what was found (hypertension alone here).
    ['older-novice', 'PR-04', 'Adapt the exercise therapy: Comorbidity to take into account'],
  ])('%s: a warning card for %s and no critical card', async (id, ruleId, summary) => {
    const cards = await cardsFor(id);
    expect(cards.filter((card) => card.indicator === 'critical')).toEqual([]);
    const warnings = cards.filter((card) => card.indicator === 'warning');
    expect(warnings.map((card) => card.summary)).toEqual([summary]);
    expect(ruleIds(warnings[0])).toEqual([ruleId]);
  });

  it.each([['chronic-clean'], ['acute-low-risk'], ['physio-referral'], ['lumbar-mri']])(
    '%s: no warning and no critical card',
    async (id) => {
      const cards = await cardsFor(id);
      expect(cards.filter((card) => card.indicator !== 'info')).toEqual([]);
    }
  );

  it('every card follows the contract: uuid, short summary, guideline source, findings and rule-set version', async () => {
    for (const id of ['fever', 'cauda-equina', 'pregnancy', 'radiculopathy', 'soft-flags-combination']) {
      for (const card of await cardsFor(id)) {
        expect(card.uuid).toMatch(/^card-\d+$/);
        expect(card.summary.length).toBeLessThan(140);
        expect(card.source.label.length).toBeGreaterThan(0);
        expect(card.source.url).toMatch(/^https:\/\//);
        expect(card.detail).not.toMatch(/<[a-z/]/i);
        expect(card.extension?.['org.ruggensteun.ruleset']).toEqual({ version: '2026.11.0' });
        for (const finding of card.extension?.['org.ruggensteun.findings'] as {
          ruleId: string;
          evidence: unknown[];
        }[]) {
          expect(finding.ruleId).toMatch(/^[A-Z]{2}-(\d{2}|C|\d)$/);
          expect(Array.isArray(finding.evidence)).toBe(true);
        }
      }
    }
  });
});

describe('scope', () => {
  it('shows nothing for a patient younger than 18', async () => {
    const bundle = loadSample('fever');
    patientOf(bundle).birthDate = '2010-01-01';
    const res = await request(app).post('/cds-services/lbp-patient-view').send(patientViewOf(bundle)).expect(200);
    expect(res.body).toEqual({ cards: [] });
  });

  it('shows nothing for a patient without low back pain, even with a fever', async () => {
    const bundle = loadSample('fever');
    bundle.entry = bundle.entry?.filter((entry) => entry.resource?.resourceType !== 'Condition');
    const res = await request(app).post('/cds-services/lbp-patient-view').send(patientViewOf(bundle)).expect(200);
    expect(res.body).toEqual({ cards: [] });
  });
});

describe('language', () => {
  it('answers in Dutch for Accept-Language: nl-BE', async () => {
    const [card] = await cardsFor('fever', { 'Accept-Language': 'nl-BE,nl;q=0.9,en;q=0.5' });
    expect(card!.summary).toBe('Rode vlag, eerst beoordelen: Koorts: mogelijk spinale infectie');
    expect(card!.detail).toContain('Geen oefenprogramma zolang deze rode vlag niet is uitgesloten.');
  });

  it('speaks Dutch by default and lets Accept-Language with q-values pick French or English', async () => {
    const standard = testApp();
    const body = patientViewOf(loadSample('pregnancy'));
    const summaryFor = async (language?: string) => {
      const call = request(standard.app).post('/cds-services/lbp-patient-view');
      const res = await (language ? call.set('Accept-Language', language) : call)
        .send({ ...body, hookInstance: randomUUID() })
        .expect(200);
      return (res.body as { cards: CdsCard[] }).cards[0]?.summary;
    };
    expect(await summaryFor()).toBe('Oefentherapie aanpassen: Zwangerschap');
    expect(await summaryFor('de-DE')).toBe('Oefentherapie aanpassen: Zwangerschap');
    expect(await summaryFor('fr-BE')).toBe('Adapter les exercices : Grossesse');
    expect(await summaryFor('en;q=0.4, fr;q=0.8, de')).toBe('Adapter les exercices : Grossesse');
    expect(await summaryFor('nl;q=0.2, en-GB;q=0.9')).toBe('Adapt the exercise therapy: Pregnancy');
    expect(await summaryFor('fr;q=0, en;q=0.1')).toBe('Adapt the exercise therapy: Pregnancy');
  });
});

describe('the CarePlan in the card’s language', () => {
  /** The texts of the CarePlan a card proposes: title, description, activity texts, notes. */
  const planTexts = async (language: string) => {
    const cards = await cardsFor('chronic-clean', { 'Accept-Language': language });
    const plan = cards
      .flatMap((card) => card.suggestions ?? [])
      .flatMap((suggestion) => suggestion.actions ?? [])
      .find((action) => action.resource?.resourceType === 'CarePlan')?.resource as CarePlan | undefined;
    expect(plan).toBeDefined();
    return [
      plan?.title ?? '',
      plan?.description ?? '',
      ...(plan?.activity ?? []).flatMap((activity) => [
        activity.detail?.code?.text ?? '',
        activity.detail?.description ?? '',
      ]),
      ...(plan?.note ?? []).map((note) => note.text),
    ].join('\n');
  };

  it('a French card carries the French plan, without English words', async () => {
    const text = await planTexts('fr-BE');
    expect(text).toContain('Thérapie par l’exercice supervisée pour la lombalgie');
    expect(text).toContain('Renforcement musculaire');
    expect(text).toContain('2 à 3 jours par semaine (non consécutifs)');
    expect(englishIn(text)).toEqual([]);
  });

  it('an English card carries the English plan (the control: the word list sees English)', async () => {
    expect(englishIn(await planTexts('en'))).not.toEqual([]);
  });
});

describe('order hooks', () => {
  it.each(['order-select', 'order-sign'] as const)(
    '%s with a physiotherapy referral answers with the same safety cards',
    async (hook) => {
      const bundle = loadSample('fever');
      const referral = draftOrdersOf(loadSample('physio-referral'))[0]!;
      const res = await request(app)
        .post(`/cds-services/lbp-${hook}`)
        .send(orderHookOf(hook, bundle, referral))
        .expect(200);
      expect(ruleIds((res.body as { cards: CdsCard[] }).cards[0])).toContain('RF-03');
    }
  );
});

describe('the whole path through the FHIR fallback', () => {
  let fhir: TestFhirServer;
  beforeAll(async () => {
    fhir = await TestFhirServer.start();
  });
  afterAll(async () => {
    await fhir.close();
  });

  it('fetches the cauda equina patient from fhirServer and raises the critical card', async () => {
    const bundle = loadSample('cauda-equina');
    fhir.reset(resourcesOf(bundle).filter((resource: Resource) => resource.resourceType !== 'ServiceRequest'));
    const res = await request(app)
      .post('/cds-services/lbp-patient-view')
      .send(patientViewOf(bundle, { prefetch: undefined, fhirServer: fhir.baseUrl }))
      .expect(200);
    expect(fhir.requests.length).toBe(Object.keys(CLINICAL_PREFETCH).length);
    expect(res.body.cards[0]).toMatchObject({ indicator: 'critical' });
    expect(ruleIds((res.body as { cards: CdsCard[] }).cards[0])).toContain('RF-01');
  });

  it('reports data it could not obtain instead of an all-clear', async () => {
    const bundle = loadSample('chronic-clean');
    const prefetch = prefetchOf(bundle);
    prefetch.conditions = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'timeout' }] };
    const res = await request(app)
      .post('/cds-services/lbp-patient-view')
      .send(patientViewOf(bundle, { prefetch }))
      .expect(200);
    // Without the Conditions the service cannot see the low back pain, so it cannot say more, but it says
    // that the Conditions could not be read: silence would read as an all-clear…
    const cards = res.body.cards as CdsCard[];
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({ indicator: 'warning', summary: expect.stringContaining('Data missing') });
    // The GP reads the kind of data in words: "Diagnoses" for Condition.
    expect(cards[0]?.detail).toContain('Diagnoses');
    expect(cards[0]?.suggestions ?? []).toEqual([]);
    const partial = prefetchOf(bundle);
    partial.observations = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'timeout' }] };
    const withCondition = await request(app)
      .post('/cds-services/lbp-patient-view')
      .send(patientViewOf(bundle, { prefetch: partial }))
      .expect(200);
    // …and with the Conditions but without the Observations, a data-quality card says what is missing.
    const info = (withCondition.body.cards as CdsCard[]).find((card) => card.summary.startsWith('Data missing'));
    expect(info?.detail).toContain('part of the record could not be obtained from the EHR');
    expect(info?.detail).toContain('Measurements');
  });
});

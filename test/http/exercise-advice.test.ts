import type { CarePlan, CarePlanActivity } from '@medplum/fhirtypes';
import request from 'supertest';
import type { CdsCard } from '../../src/render/cds-response';
import { testApp, testKnowledge } from '../support/app';
import { emptyValuesIn, validateR4 } from '../support/fhir-validation';
import { draftOrdersOf, loadSample, orderHookOf, patientViewOf } from '../support/sample-patients';

/**
 * The part the GP accepts and the physiotherapist carries out: the recommendation card with its CarePlan
 * draft, the TS-10 advice card, and imaging advice on the order hooks (docs/clinical-specification.md §4–§8).
 */
const { app } = testApp();
/** The same service with CDS_TRANSLATIONS: every CarePlan text also carries the other language. */
const translating = testApp({ CDS_TRANSLATIONS: 'en,nl' }).app;

const EXERCISE_TYPE = 'https://ruggensteun.org/fhir/CodeSystem/exercise-type';

async function post(service: string, body: object, language = 'en', to = app): Promise<CdsCard[]> {
  const res = await request(to)
    .post(`/cds-services/${service}`)
    .set('Accept-Language', language)
    .send(body)
    .expect(200);
  return (res.body as { cards: CdsCard[] }).cards;
}

const recommendationOf = (cards: CdsCard[]) =>
  cards.find((card) => card.suggestions?.some((s) => s.isRecommended) && card.indicator === 'info');
const knowledge = testKnowledge().exercise;

/**
 * The CarePlan of a card's create action, checked on the way out, so every CarePlan in these tests is: valid R4,
 * free of empty values, and every activity states one complete dose row of its ActivityDefinition, without
 * repeating its name; a translation only when `translated`.
 */
function carePlanOf(card: CdsCard | undefined, translated = false): CarePlan | undefined {
  const plan = card?.suggestions
    ?.flatMap((s) => s.actions ?? [])
    .find((action) => action.type === 'create' && action.resource?.resourceType === 'CarePlan')?.resource as
    CarePlan | undefined;
  if (plan === undefined) {
    return undefined;
  }
  validateR4(plan);
  expect(emptyValuesIn(plan)).toEqual([]);
  expect(JSON.stringify(plan).includes('/StructureDefinition/translation')).toBe(translated);
  for (const item of plan.activity ?? []) {
    const canonical = item.detail?.instantiatesCanonical?.[0];
    const definition = [...knowledge.activities.values()].find((candidate) => candidate.canonical === canonical);
    const description = item.detail?.description ?? '';
    const doses = [...(definition?.doses.values() ?? [])];
    expect(doses.some((dose) => description.includes(dose.text.en) || description.includes(dose.text.nl))).toBe(true);
    expect(description).not.toContain(item.detail?.code?.text ?? '?');
  }
  return plan;
}
const typeOf = (activity: CarePlanActivity) =>
  activity.detail?.code?.coding?.find((c) => c.system === EXERCISE_TYPE)?.code;
const activity = (plan: CarePlan | undefined, type: string) => plan?.activity?.find((item) => typeOf(item) === type);

/**
 * §6 verbatim: every number of the dosage table that the CarePlan must carry, per type and dose row. An
 * independent oracle: a dose text in the ActivityDefinitions that drops or alters a number fails here.
 */
const DOSE_NUMBERS: Record<string, Record<string, string[]>> = {
  aerobic: {
    standard: [
      '≥ 5 days/week moderate',
      '≥ 3 days/week vigorous',
      '≥ 3–5 days/week',
      '≥ 30 min',
      'minimum bout of 10 min',
    ],
    inactive: ['light-to-moderate', '≥ 30 min', 'minimum bout of 10 min'],
  },
  strength: {
    standard: [
      '2–3 days/week, non-consecutive',
      '2–4 sets of 8–12 repetitions at 60–70% 1RM',
      '10–15 repetitions at 40–50% 1RM',
    ],
    novice: ['2–3 days/week, non-consecutive', '10–15 repetitions at 40–50% 1RM'],
    'older-adult': ['2–3 days/week, non-consecutive', '10–15 repetitions at 40–50% 1RM'],
  },
  flexibility: {
    standard: ['2–3 days/week', 'tightness or slight discomfort', 'hold 10–30 s', '2–4 repetitions'],
    'older-adult': ['2–3 days/week', 'hold 30–60 s', '2–4 repetitions'],
  },
  'run-walk': {
    standard: [
      '3 sessions/week',
      '30 min',
      'flat terrain',
      'max 10 km/h',
      '6–10 repetitions',
      '13 levels',
      '1 week',
      '12 weeks',
    ],
  },
  'high-intensity': {
    standard: ['2 sessions/week', '1.5 h', '12 weeks', '100%', '60%', 'exercise (stress) test', 'supervised'],
  },
  neuromotor: { standard: ['No fixed frequency', 'quality of movement without increase of pain'] },
  functional: { standard: ['prolonged sitting'] },
};

describe('recommendation card (chronic-clean: 38 years, chronic, no flags)', () => {
  let cards: CdsCard[];
  let plan: CarePlan | undefined;
  beforeAll(async () => {
    cards = await post('lbp-patient-view', patientViewOf(loadSample('chronic-clean')));
    plan = carePlanOf(recommendationOf(cards));
  });

  it('offers one suggestion that creates the CarePlan, recommended, with coded override reasons', () => {
    const card = recommendationOf(cards);
    expect(card).toMatchObject({
      indicator: 'info',
      selectionBehavior: 'at-most-one',
      summary: 'Propose supervised exercise therapy (chronic low back pain): no red flags found',
      source: { label: expect.stringContaining('KNGF') as string, url: expect.stringMatching(/^https:/) as string },
    });
    expect(card!.suggestions).toHaveLength(1);
    expect(card!.suggestions![0]).toMatchObject({
      label: 'Create the exercise programme for the physiotherapist',
      isRecommended: true,
      uuid: expect.any(String) as string,
    });
    // The reasons of a recommendation card (CodeSystem-override-reason, card-kind recommendation).
    expect(card!.overrideReasons?.map((reason) => reason.code)).toEqual([
      'already-in-therapy',
      'patient-declines',
      'not-now',
    ]);
    // The card names the exercise types with their frequency in one line; the doses are in the CarePlan.
    expect(card!.detail).toContain('aerobic (≥ 3 days a week), strength (2–3 days a week)');
    expect(card!.detail).not.toMatch(/1RM|CarePlan|repetitions/);
    for (const reason of card!.overrideReasons ?? []) {
      expect(reason.system).toBe('https://ruggensteun.org/fhir/CodeSystem/override-reason');
      expect(reason.display?.length).toBeGreaterThan(0);
    }
    expect(cards.filter((other) => other.indicator !== 'info')).toEqual([]);
  });

  it('builds a valid R4 CarePlan draft per the contract', () => {
    expect(() => {
      validateR4(plan!);
    }).not.toThrow();
    expect(emptyValuesIn(plan)).toEqual([]);
    expect(emptyValuesIn(cards)).toEqual([]);
    expect(plan).toMatchObject({
      resourceType: 'CarePlan',
      status: 'draft',
      intent: 'proposal',
      subject: { reference: 'Patient/chronic-clean' },
      author: { reference: 'Practitioner/gp-1' },
      instantiatesCanonical: ['https://ruggensteun.org/fhir/PlanDefinition/lbp-exercise-programme|2026.11.0'],
    });
    expect(plan!.addresses?.map((reference) => reference.reference)).toEqual(['Condition/chronic-clean-cond-1']);
    expect(plan!.period).toEqual({ start: '2026-11-21', end: '2027-02-13' });
    // One note per group, each rule once; a note that repeats a programme rule is folded into it.
    expect(plan!.note?.map((note) => note.text.split('\n')[0])).toEqual([
      '**Tailoring to the patient**',
      '**Duration, start and build-up**',
      '**Reactions and safety**',
      '**Evaluation and supervision**',
      '**Staying active**',
    ]);
    const ids = (plan!.note ?? []).flatMap((note) => [...note.text.matchAll(/(?:PG|TS)-\d\d/g)].map((m) => m[0]));
    expect([...ids].sort()).toEqual(
      [
        ...Array.from({ length: 12 }, (_, index) => `PG-${String(index + 1).padStart(2, '0')}`),
        'TS-00',
        'TS-01',
        'TS-04',
        'TS-29',
      ].sort()
    );
    expect(plan!.note?.map((note) => note.text).join('\n')).toContain('- PG-07, TS-29: Consider e-health');
  });

  it('holds the proposed types, neuromotor as optional and the three options (eligible for run-walk and high intensity)', () => {
    expect(plan!.activity?.map(typeOf)).toEqual([
      'aerobic',
      'strength',
      'flexibility',
      'functional',
      'neuromotor',
      'run-walk',
      'high-intensity',
      'mind-body',
    ]);
    for (const item of plan!.activity ?? []) {
      expect(item.detail).toMatchObject({
        kind: 'ServiceRequest',
        status: 'not-started',
        code: {
          coding: expect.arrayContaining([
            { system: 'http://snomed.info/sct', code: '229065009', display: 'Exercise therapy' },
          ]) as unknown,
        },
        instantiatesCanonical: [
          expect.stringMatching(
            /^https:\/\/ruggensteun\.org\/fhir\/ActivityDefinition\/exercise-[a-z-]+\|2026\.11\.0$/
          ),
        ],
      });
    }
    expect(activity(plan, 'neuromotor')?.detail?.description).toMatch(/^Optional, when indicated: /);
    expect(activity(plan, 'run-walk')?.detail?.description).toMatch(/^Option, by preference: /);
  });

  it('schedules strength 2–3 per week, aerobic on at least 3 days a week, and high intensity twice a week', () => {
    expect(activity(plan, 'strength')?.detail?.scheduledTiming).toEqual({
      repeat: { frequency: 2, frequencyMax: 3, period: 1, periodUnit: 'wk' },
    });
    // "≥ 5 days/week moderate or ≥ 3 days/week vigorous": 3 to 7 training days; "≥ 30 min" stays in the text.
    expect(activity(plan, 'aerobic')?.detail?.scheduledTiming).toEqual({
      repeat: { frequency: 3, frequencyMax: 7, period: 1, periodUnit: 'wk' },
    });
    expect(activity(plan, 'high-intensity')?.detail?.scheduledTiming?.repeat).toMatchObject({
      frequency: 2,
      period: 1,
      periodUnit: 'wk',
    });
    expect(activity(plan, 'functional')?.detail?.scheduledTiming).toBeUndefined();
  });

  it.each(
    ['aerobic', 'strength', 'flexibility', 'run-walk', 'high-intensity', 'neuromotor', 'functional'].map((type) => [
      type,
    ])
  )('states the complete standard dose of %s (§6)', (type) => {
    const text = activity(plan, type)?.detail?.description ?? '';
    for (const number of DOSE_NUMBERS[type]!.standard!) {
      expect(text).toContain(number);
    }
  });

  it('carries the Dutch text as a translation when CDS_TRANSLATIONS names it', async () => {
    const translated = carePlanOf(
      recommendationOf(await post('lbp-patient-view', patientViewOf(loadSample('chronic-clean')), 'en', translating)),
      true
    );
    const strength = activity(translated, 'strength')?.detail as {
      _description?: { extension: { extension: { url: string; valueString?: string; valueCode?: string }[] }[] };
    };
    const parts = strength._description?.extension[0]?.extension ?? [];
    expect(parts).toEqual(
      expect.arrayContaining([
        { url: 'lang', valueCode: 'nl' },
        {
          url: 'content',
          valueString: expect.stringContaining(
            '2 tot 4 sets van 8 tot 12 herhalingen met 60 tot 70% van 1RM'
          ) as string,
        },
      ])
    );
  });
});

describe('dose rows: older adult, novice and inactive (older-novice: 71 years, never did strength training, inactive)', () => {
  let plan: CarePlan | undefined;
  let cards: CdsCard[];
  beforeAll(async () => {
    cards = await post('lbp-patient-view', patientViewOf(loadSample('older-novice')));
    plan = carePlanOf(recommendationOf(cards));
  });

  it.each([
    ['strength', 'older-adult'],
    ['flexibility', 'older-adult'],
    ['aerobic', 'inactive'],
  ])('%s uses the %s dose with every number of §6', (type, row) => {
    const text = activity(plan, type)?.detail?.description ?? '';
    for (const number of DOSE_NUMBERS[type]![row]!) {
      expect(text).toContain(number);
    }
  });

  it('does not give the standard 60–70% 1RM or 10–30 s holds', () => {
    expect(activity(plan, 'strength')?.detail?.description).not.toContain('60–70% 1RM');
    expect(activity(plan, 'flexibility')?.detail?.description).not.toContain('10–30 s');
  });

  it('offers no run-walk (over 45) and no high-intensity option (over 65, hypertension)', () => {
    expect(plan?.activity?.map(typeOf)).not.toEqual(expect.arrayContaining(['run-walk']));
    expect(plan?.activity?.map(typeOf)).not.toEqual(expect.arrayContaining(['high-intensity']));
  });

  it('notes in the CarePlan that the programme is adapted to the comorbidity (TS-03)', () => {
    expect(plan?.note?.some((note) => note.text.includes('\n- TS-03: Adapt the exercise therapy'))).toBe(true);
  });

  it('keeps the precaution card next to the recommendation', () => {
    expect(recommendationOf(cards)).toBeDefined();
    expect(cards.filter((card) => card.indicator === 'warning').map((card) => card.summary)).toEqual([
      'Adapt the exercise therapy: Comorbidity to take into account',
    ]);
  });
});

describe('advice card (acute-low-risk: 10 days, STarT Back 2)', () => {
  it('gives TS-10 advice without a CarePlan', async () => {
    const cards = await post('lbp-patient-view', patientViewOf(loadSample('acute-low-risk')));
    const advice = cards.find((card) => card.summary.startsWith('Acute low back pain without red flags'));
    expect(advice).toMatchObject({ indicator: 'info' });
    expect(advice?.suggestions).toBeUndefined();
    expect(advice?.detail).toContain('avoid bed rest');
    expect(cards.some((card) => card.suggestions)).toBe(false);
  });
});

describe('no programme when a red flag, exclusion or pregnancy decides', () => {
  it.each([
    ['fever'],
    ['cauda-equina'],
    ['cancer-history'],
    ['weight-loss'],
    ['soft-flags-combination'],
    ['radiculopathy'],
    ['recent-lumbar-surgery'],
  ])('%s: no suggestion at all', async (id) => {
    const cards = await post('lbp-patient-view', patientViewOf(loadSample(id)));
    expect(cards.some((card) => card.suggestions !== undefined)).toBe(false);
  });

  it('pregnancy (4 weeks, no STarT Back): advice on patient-view; with a physiotherapy referral the acute programme without run-walk or high intensity, with the pregnancy note', async () => {
    const bundle = loadSample('pregnancy');
    const viewed = await post('lbp-patient-view', patientViewOf(bundle));
    expect(recommendationOf(viewed)).toBeUndefined();
    const referral = draftOrdersOf(loadSample('physio-referral'))[0]!;
    const cards = await post('lbp-order-select', orderHookOf('order-select', bundle, referral));
    const plan = carePlanOf(recommendationOf(cards));
    expect(plan?.activity?.map(typeOf)).toEqual(['aerobic', 'strength', 'flexibility', 'functional', 'mind-body']);
    expect(plan?.note?.some((note) => note.text.includes('\n- PR-01: '))).toBe(true);
    // TS-11: a light-to-moderate start of the aerobic exercise.
    expect(activity(plan, 'aerobic')?.detail?.description).toContain('light-to-moderate');
  });
});

describe('order hooks with a physiotherapy referral (physio-referral: 9 weeks, subacute)', () => {
  it.each(['order-select', 'order-sign'] as const)(
    '%s gets the recommendation card with a valid CarePlan',
    async (hook) => {
      const bundle = loadSample('physio-referral');
      const cards = await post(`lbp-${hook}`, orderHookOf(hook, bundle, draftOrdersOf(bundle)[0]!));
      const plan = carePlanOf(recommendationOf(cards));
      expect(plan).toBeDefined();
      expect(() => {
        validateR4(plan!);
      }).not.toThrow();
      expect(plan?.activity?.map(typeOf)).toEqual([
        'aerobic',
        'strength',
        'flexibility',
        'functional',
        'neuromotor',
        'mind-body',
      ]);
    }
  );
});

describe('lumbar MRI on order-select', () => {
  const mri = () => draftOrdersOf(loadSample('lumbar-mri'))[0]!;

  it('without red flags: IM-05 warning, cancel the order (delete) or propose the exercise programme instead', async () => {
    const bundle = loadSample('lumbar-mri');
    const cards = await post('lbp-order-select', orderHookOf('order-select', bundle, mri()));
    const imaging = cards.find((card) => card.summary.startsWith('Imaging:'));
    expect(imaging).toMatchObject({ indicator: 'warning', selectionBehavior: 'any' });
    expect(imaging!.summary).toBe(
      'Imaging: Lumbar imaging is not recommended in non-specific low back pain without red flags'
    );
    const [cancel, instead] = imaging!.suggestions ?? [];
    expect(cancel).toMatchObject({
      label: 'Cancel the imaging order',
      isRecommended: true,
      actions: [
        { type: 'delete', resourceId: 'ServiceRequest/lumbar-mri-order', description: expect.any(String) as string },
      ],
    });
    expect(cancel!.actions![0]).not.toHaveProperty('resource');
    expect(instead?.actions?.map((action) => [action.type, action.resource?.resourceType])).toEqual([
      ['create', 'ServiceRequest'],
      ['create', 'Goal'],
      ['create', 'Goal'],
      ['create', 'CarePlan'],
    ]);
    expect(imaging!.detail).toContain('abnormalities on MRI are also common without pain');
    expect(imaging!.overrideReasons?.map((reason) => reason.code)).toEqual([
      'red-flag-suspected',
      'specialist-request',
      'patient-insists',
    ]);
    expect(cards.filter((card) => card.indicator === 'critical')).toEqual([]);
    // The exercise programme is offered inside the imaging card, not twice.
    expect(recommendationOf(cards)).toBeUndefined();
  });

  it('with an URGENT red flag (fever): only the critical card, imaging may be part of the work-up (IM-05 d)', async () => {
    const bundle = loadSample('fever');
    const cards = await post('lbp-order-select', orderHookOf('order-select', bundle, mri()));
    expect(cards.filter((card) => card.indicator !== 'info').map((card) => card.indicator)).toEqual(['critical']);
    expect(cards.some((card) => card.summary.startsWith('Imaging:'))).toBe(false);
  });

  it('with suspected cauda equina (IM-05 c): the critical card says not to wait for an outpatient MRI', async () => {
    const bundle = loadSample('cauda-equina');
    const cards = await post('lbp-order-select', orderHookOf('order-select', bundle, mri()));
    expect(cards[0]).toMatchObject({ indicator: 'critical' });
    expect(cards[0]!.detail).toContain('do not wait for an outpatient MRI');
    expect(cards.some((card) => card.summary.startsWith('Imaging:'))).toBe(false);
  });
});

describe('Dutch', () => {
  it('writes the recommendation and the CarePlan in Dutch', async () => {
    const cards = await post('lbp-patient-view', patientViewOf(loadSample('chronic-clean')), 'nl');
    const card = recommendationOf(cards);
    expect(card?.summary).toBe(
      'Stel gesuperviseerde oefentherapie voor (chronische lage rugpijn): geen rode vlaggen gevonden'
    );
    const plan = carePlanOf(card);
    expect(plan?.title).toBe('Gesuperviseerde oefentherapie bij lage rugpijn');
    expect(activity(plan, 'strength')?.detail?.description).toContain(
      '2 tot 4 sets van 8 tot 12 herhalingen met 60 tot 70% van 1RM'
    );
    expect(card?.overrideReasons?.[0]?.display).toBe('Al in oefentherapie of fysiotherapie');
  });
});

import path from 'node:path';
import MarkdownIt from 'markdown-it';
import type { Decision } from '../clinical/decision';
import type { Effect, Finding } from '../clinical/finding';
import { loadExerciseKnowledge } from '../clinical/knowledge/exercise-knowledge';
import { renderCards } from './cards';
import type { RenderOptions } from './cards';
import { loadOverrideReasons } from '../clinical/knowledge/override-reasons';

/** The card contract of docs/architecture.md, on hand-made decisions. */
const links = {
  default: { label: 'KNGF-richtlijn', url: 'https://example.org/kngf' },
  'kngf-red-flags': { label: 'KNGF rode vlaggen', url: 'https://example.org/kngf/rode-vlaggen' },
};

const KNOWLEDGE_DIR = path.join(__dirname, '..', '..', 'fhir-resources', 'knowledge');
const overrideReasons = loadOverrideReasons(KNOWLEDGE_DIR);
const exercise = {
  knowledge: loadExerciseKnowledge(KNOWLEDGE_DIR),
  context: {
    patientReference: { reference: 'Patient/p1' },
    conditions: ['Condition/lbp'],
    today: '2026-11-21',
    rulesetVersion: '2026.11.0',
    translations: [],
  },
};

function options(locale: RenderOptions['locale'] = 'en'): RenderOptions {
  let next = 0;
  return { locale, links, newId: () => `uuid-${++next}`, exercise, overrideReasons };
}

function finding(overrides: Partial<Finding>): Finding {
  return {
    ruleId: 'RF-03',
    kind: 'red-flag',
    urgency: 'URGENT',
    source: 'HW-FEVER; S002',
    title: { en: 'Fever: possible spinal infection', nl: 'Koorts: mogelijk spinale infectie', fr: 'Fièvre' },
    action: { en: 'GP evaluation before exercise.', nl: 'Beoordeling door de huisarts.', fr: 'Évaluation.' },
    effects: [],
    evidence: [{ kind: 'temperature', reference: 'Observation/t1', value: '38.7 °C', date: '2026-11-19' }],
    link: 'kngf-red-flags',
    notes: [],
    ...overrides,
  };
}

function decision(overrides: Partial<Decision>): Decision {
  const base: Omit<Decision, 'findings'> = {
    rulesetVersion: '2026.11.0',
    inScope: true,
    scope: [],
    redFlags: [],
    softFlags: [],
    exclusions: [],
    clearances: [],
    precautions: [],
    riskFeatures: [],
    eligibility: [],
    dataQuality: [],
    effects: new Set<Effect>(),
    unrelatedOrder: false,
    exercisePlan: { allowed: true, blockedBy: [] },
    advice: [],
    imaging: [],
    imagingOrders: [],
    ...overrides,
  };
  const findings = [
    ...base.redFlags,
    ...base.softFlags,
    ...base.exclusions,
    ...base.clearances,
    ...base.precautions,
    ...base.dataQuality,
  ];
  return { findings, ...base };
}

const fever = finding({});
const ces = finding({
  ruleId: 'RF-01',
  urgency: 'IMMEDIATE',
  title: { en: 'Suspected cauda equina syndrome', nl: 'Verdenking cauda-equinasyndroom', fr: 'Queue de cheval' },
  action: { en: 'Emergency referral today.', nl: 'Verwijs vandaag met spoed.', fr: "Adressez aujourd'hui." },
  evidence: [{ kind: 'free-text', reference: 'Condition/c2', text: 'kan niet plassen', date: '2026-11-20' }],
});
const radicular = finding({
  ruleId: 'EX-01',
  kind: 'exclusion',
  urgency: undefined,
  title: { en: 'Lumbosacral radicular syndrome', nl: 'Lumbosacraal radiculair syndroom', fr: 'Sciatique' },
  link: 'default',
});
const comorbidity = finding({
  ruleId: 'PR-04',
  kind: 'precaution',
  urgency: undefined,
  title: { en: 'Comorbidity', nl: 'Comorbiditeit', fr: 'Comorbidité' },
});
const nightPain = finding({
  ruleId: 'RF-08',
  urgency: 'SOFT',
  title: { en: 'Night pain', nl: 'Nachtpijn', fr: 'Douleur nocturne' },
});

describe('renderCards', () => {
  it('shows nothing out of scope', () => {
    expect(renderCards(decision({ inScope: false, redFlags: [fever] }), options())).toEqual([]);
  });

  it('puts all red flags in one critical card with action, evidence and the no-programme sentence', () => {
    const cards = renderCards(
      decision({ redFlags: [ces, fever], exclusions: [radicular], precautions: [comorbidity] }),
      options()
    );
    expect(cards).toHaveLength(1);
    const [card] = cards;
    expect(card).toMatchObject({ uuid: 'uuid-1', indicator: 'critical', source: links['kngf-red-flags'] });
    expect(card!.summary).toBe(
      'Red flag, refer as an emergency: Suspected cauda equina syndrome; Fever: possible spinal infection'
    );
    expect(card!.detail).toContain('**Suspected cauda equina syndrome** (emergency)');
    expect(card!.detail).toContain('Emergency referral today');
    expect(card!.detail).toContain('- Temperature 38.7 °C (measurement, 19 Nov 2026)');
    expect(card!.detail).toContain('- “kan niet plassen” (diagnosis, 20 Nov 2026)');
    expect(card!.detail).not.toMatch(/Observation\/|Condition\/|RF-0|EX-01|HW-FEVER|S002/);
    expect(card!.detail).toContain('No exercise programme while this red flag is not ruled out.');
    expect(card!.detail).toContain('Also noted: Lumbosacral radicular syndrome; Comorbidity.');
    expect(card!.overrideReasons?.map((reason) => reason.code)).toEqual([
      'already-assessed',
      'other-diagnosis',
      'declines-referral',
    ]);
    const extension = card!.extension as Record<string, unknown>;
    expect(extension['org.ruggensteun.ruleset']).toEqual({ version: '2026.11.0' });
    expect(extension['org.ruggensteun.findings']).toEqual([
      expect.objectContaining({ ruleId: 'RF-01', kind: 'red-flag', urgency: 'IMMEDIATE' }),
      {
        ruleId: 'RF-03',
        kind: 'red-flag',
        urgency: 'URGENT',
        evidence: [{ reference: 'Observation/t1', text: 'Temperature 38.7 °C 2026-11-19' }],
      },
      expect.objectContaining({ ruleId: 'EX-01', kind: 'exclusion' }),
      expect.objectContaining({ ruleId: 'PR-04', kind: 'precaution' }),
    ]);
  });

  it('says "assess first" when no flag is IMMEDIATE', () => {
    const [card] = renderCards(decision({ redFlags: [fever] }), options());
    expect(card!.summary).toBe('Red flag, assess first: Fever: possible spinal infection');
  });

  it('gives each exclusion and clearance its own warning card and one card for precautions and soft flags', () => {
    const clearance = finding({
      ruleId: 'CL-01',
      kind: 'clearance',
      urgency: undefined,
      title: { en: 'Severe hypertension', nl: 'Ernstige hypertensie', fr: 'Hypertension sévère' },
    });
    const cards = renderCards(
      decision({
        exclusions: [radicular],
        clearances: [clearance],
        softFlags: [nightPain],
        precautions: [comorbidity],
      }),
      options()
    );
    expect(cards.map((card) => [card.indicator, card.summary])).toEqual([
      ['warning', 'No exercise programme for non-specific low back pain: Lumbosacral radicular syndrome'],
      ['warning', 'Medical clearance first, then exercise: Severe hypertension'],
      ['warning', 'Adapt the exercise therapy: Night pain; Comorbidity'],
    ]);
    expect(cards[2]!.detail).toContain('**Night pain** (soft red flag)');
    expect(new Set(cards.map((card) => card.uuid)).size).toBe(3);
  });

  it('renders a data-quality card only for data that withholds the plan or could hide a red flag', () => {
    const quality = finding({
      ruleId: 'DQ-01',
      kind: 'data-quality',
      urgency: undefined,
      evidence: [{ kind: 'data', text: 'Condition: the search failed' }],
      notes: ['data-not-obtained', 'age-unknown', 'no-start-back'],
    });
    const [card] = renderCards(decision({ dataQuality: [quality] }), options());
    expect(card!.indicator).toBe('warning');
    expect(card!.detail).toContain('part of the record could not be obtained');
    expect(card!.detail).toContain('Condition: the search failed');
    expect(card!.detail).not.toContain('STarT Back');
    expect(card!.overrideReasons?.map((reason) => reason.code)).toEqual(['data-checked']);
  });

  it('puts minor gaps as one "Not evaluated" line on the card they concern, without a card of their own', () => {
    const quality = finding({
      ruleId: 'DQ-01',
      kind: 'data-quality',
      urgency: undefined,
      evidence: [],
      notes: ['no-recent-temperature', 'age-unknown', 'no-start-back'],
    });
    expect(renderCards(decision({ dataQuality: [quality] }), options())).toEqual([]);
    const cards = renderCards(decision({ dataQuality: [quality], precautions: [comorbidity] }), options());
    expect(cards).toHaveLength(1);
    expect(cards[0]!.detail).toContain(
      '_Not evaluated: no temperature in the last 7 days; age limits (no birth date)._'
    );
    const critical = renderCards(decision({ dataQuality: [quality], redFlags: [fever] }), options());
    expect(critical.map((card) => card.indicator)).toEqual(['critical']);
    expect(critical[0]!.detail).not.toMatch(/STarT Back|Not evaluated/);
  });

  it('speaks Dutch and French with their own dates and decimal comma', () => {
    const [card] = renderCards(decision({ redFlags: [ces, fever] }), options('nl'));
    expect(card!.summary).toBe(
      'Rode vlag, verwijs met spoed: Verdenking cauda-equinasyndroom; Koorts: mogelijk spinale infectie'
    );
    expect(card!.detail).toContain('Verwijs vandaag met spoed');
    expect(card!.detail).toContain('- „kan niet plassen” (diagnose, 20-11-2026)');
    expect(card!.detail).toContain('- Temperatuur 38,7 °C (meting, 19-11-2026)');
    expect(card!.overrideReasons?.[0]?.display).toBe('Al beoordeeld of verwezen');
    const [french] = renderCards(decision({ redFlags: [fever] }), options('fr'));
    expect(french!.detail).toContain('- Température 38,7 °C (mesure, 19/11/2026)');
    expect(french!.overrideReasons?.[0]?.display).toBe('Déjà évalué ou adressé');
  });

  it('shows each source record once, however many of its codes and phrases matched', () => {
    const flag = finding({
      evidence: [
        { kind: 'coded', reference: 'Condition/c2', text: 'Urineretentie', date: '2026-11-19' },
        { kind: 'free-text', reference: 'Condition/c2', text: 'Urineretentie', date: '2026-11-19' },
        { kind: 'free-text', reference: 'Condition/c2', text: 'kan niet plassen', date: '2026-11-19' },
        { kind: 'free-text', reference: 'Condition/c2', text: 'kan niet plassen', date: '2026-11-19' },
      ],
    });
    const [card] = renderCards(decision({ redFlags: [flag] }), options('nl'));
    const lines = (card!.detail ?? '').split('\n').filter((line) => line.startsWith('- '));
    expect(lines).toEqual(['- Urineretentie; in de tekst: „Urineretentie”, „kan niet plassen” (diagnose, 19-11-2026)']);
  });

  it('keeps every summary under 140 characters', () => {
    const many = Array.from({ length: 8 }, (_, index) =>
      finding({
        ruleId: `RF-0${index}`,
        title: { en: `A long red flag title number ${index}`, nl: `Lange titel ${index}`, fr: `Titre ${index}` },
      })
    );
    for (const card of renderCards(
      decision({ redFlags: many, dataQuality: [finding({ kind: 'data-quality', notes: [] })] }),
      options()
    )) {
      expect(card.summary.length).toBeLessThan(140);
    }
  });
});

describe('Markdown safety', () => {
  const hostile =
    '<img src=x onerror=alert(1)> **bold** _it_ [click](https://evil.example) https://evil.example www.evil.nl a@evil.nl `code` | table | &amp; ~~gone~~\n# heading\n- item';
  const markdown = new MarkdownIt({ html: true, linkify: true });

  it('renders patient text literally, never as HTML, links or emphasis', () => {
    const flag = finding({ evidence: [{ kind: 'free-text', reference: 'Condition/x', text: hostile }] });
    const [card] = renderCards(decision({ redFlags: [flag] }), options());
    const html = markdown.render(card!.detail ?? '');
    expect(html).not.toMatch(/<img|<a |<strong>bold|<em>it|<code>code|<h1>heading|<table|<s>gone/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('**bold**');
    // The entity stays the literal text "&amp;" instead of becoming "&".
    expect(html).toContain('&amp;amp;');
  });

  it('contains no raw HTML of its own', () => {
    const [card] = renderCards(decision({ redFlags: [fever, ces] }), options());
    expect(card!.detail).not.toMatch(/<[a-z/]/i);
  });
});

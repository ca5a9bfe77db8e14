import path from 'node:path';
import MarkdownIt from 'markdown-it';
import type { Decision } from '../clinical/decision';
import type { Finding } from '../clinical/finding';
import { loadExerciseKnowledge } from '../fhir/exercise-knowledge';
import { renderCards } from './cards';
import type { RenderOptions } from './cards';

/** The card contract of design.md, on hand-made decisions. */
const links = {
  default: { label: 'KNGF-richtlijn', url: 'https://example.org/kngf' },
  'kngf-red-flags': { label: 'KNGF rode vlaggen', url: 'https://example.org/kngf/rode-vlaggen' },
};

const exercise = {
  knowledge: loadExerciseKnowledge(path.join(__dirname, '..', '..', 'fhir-resources', 'knowledge')),
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
  return { locale, links, newId: () => `uuid-${++next}`, exercise };
}

function finding(overrides: Partial<Finding>): Finding {
  return {
    ruleId: 'RF-03',
    kind: 'red-flag',
    urgency: 'URGENT',
    source: 'HW-FEVER; S002',
    title: { en: 'Fever: possible spinal infection', nl: 'Koorts: mogelijk spinale infectie' },
    action: { en: 'GP evaluation before exercise.', nl: 'Beoordeling door de huisarts.' },
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
    effects: new Set<string>(),
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
  title: { en: 'Suspected cauda equina syndrome', nl: 'Verdenking cauda-equinasyndroom' },
  action: { en: 'Emergency referral today.', nl: 'Verwijs vandaag met spoed.' },
  evidence: [{ kind: 'free-text', reference: 'Condition/c2', text: 'kan niet plassen', date: '2026-11-20' }],
});
const radicular = finding({
  ruleId: 'EX-01',
  kind: 'exclusion',
  urgency: undefined,
  title: { en: 'Lumbosacral radicular syndrome', nl: 'Lumbosacraal radiculair syndroom' },
  link: 'default',
});
const comorbidity = finding({
  ruleId: 'PR-04',
  kind: 'precaution',
  urgency: undefined,
  title: { en: 'Comorbidity', nl: 'Comorbiditeit' },
});
const nightPain = finding({ ruleId: 'RF-08', urgency: 'SOFT', title: { en: 'Night pain', nl: 'Nachtpijn' } });

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
      'Red flag, emergency referral: Suspected cauda equina syndrome; Fever: possible spinal infection'
    );
    expect(card!.detail).toContain('**Suspected cauda equina syndrome** (RF-01, IMMEDIATE)');
    expect(card!.detail).toContain('Emergency referral today');
    expect(card!.detail).toContain('Body temperature 38.7 °C 2026\\-11\\-19'.replace(/\\/g, ''));
    expect(card!.detail).toContain('`Observation/t1`');
    expect(card!.detail).toContain('free text, please confirm');
    expect(card!.detail).toContain('No exercise programme is proposed while this red flag is open.');
    expect(card!.detail).toContain('Lumbosacral radicular syndrome (EX-01)');
    const extension = card!.extension as Record<string, unknown>;
    expect(extension['org.ruggensteun.ruleset']).toEqual({ version: '2026.11.0' });
    expect(extension['org.ruggensteun.findings']).toEqual([
      expect.objectContaining({ ruleId: 'RF-01', kind: 'red-flag', urgency: 'IMMEDIATE' }),
      {
        ruleId: 'RF-03',
        kind: 'red-flag',
        urgency: 'URGENT',
        evidence: [{ reference: 'Observation/t1', text: 'Body temperature 38.7 °C 2026-11-19' }],
      },
      expect.objectContaining({ ruleId: 'EX-01', kind: 'exclusion' }),
      expect.objectContaining({ ruleId: 'PR-04', kind: 'precaution' }),
    ]);
  });

  it('says "GP evaluation first" when no flag is IMMEDIATE', () => {
    const [card] = renderCards(decision({ redFlags: [fever] }), options());
    expect(card!.summary).toBe('Red flag, GP evaluation first: Fever: possible spinal infection');
  });

  it('gives each exclusion and clearance its own warning card and one card for precautions and soft flags', () => {
    const clearance = finding({
      ruleId: 'CL-01',
      kind: 'clearance',
      urgency: undefined,
      title: { en: 'Severe hypertension', nl: 'Ernstige hypertensie' },
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
      ['warning', 'Exercise programme for non-specific LBP does not apply: Lumbosacral radicular syndrome'],
      ['warning', 'Medical clearance needed before exercise: Severe hypertension'],
      ['warning', 'Precautions for exercise therapy: Night pain; Comorbidity'],
    ]);
    expect(cards[2]!.detail).toContain('(RF-08, soft red flag)');
    expect(new Set(cards.map((card) => card.uuid)).size).toBe(3);
  });

  it('renders the data-quality card with one line per note', () => {
    const quality = finding({
      ruleId: 'DQ-01',
      kind: 'data-quality',
      urgency: undefined,
      evidence: [],
      notes: ['no-recent-temperature', 'age-unknown'],
    });
    const [card] = renderCards(decision({ dataQuality: [quality] }), options());
    expect(card!.indicator).toBe('info');
    expect(card!.detail).toContain('No body temperature measured recently');
    expect(card!.detail).toContain('No birth date');
  });

  it('speaks Dutch', () => {
    const [card] = renderCards(decision({ redFlags: [ces] }), options('nl'));
    expect(card!.summary).toBe('Rode vlag, spoedverwijzing: Verdenking cauda-equinasyndroom');
    expect(card!.detail).toContain('Verwijs vandaag met spoed');
    expect(card!.detail).toContain('vrije tekst, graag bevestigen');
    expect(card!.detail).toContain('Er wordt geen oefenprogramma voorgesteld');
  });

  it('keeps every summary under 140 characters', () => {
    const many = Array.from({ length: 8 }, (_, index) =>
      finding({
        ruleId: `RF-0${index}`,
        title: { en: `A long red flag title number ${index}`, nl: `Lange titel ${index}` },
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

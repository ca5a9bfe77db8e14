import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import request from 'supertest';
import type { CdsCard } from '../src/render/cds-response';
import { testApp } from './support/app';
import { INTERNAL_TAG, RAW_REFERENCE, RULE_ID, englishIn, textsOf } from './support/card-text';
import {
  AMLODIPINE_DRAFT,
  HBA1C_DRAFT,
  draftOrdersOf,
  loadSample,
  orderHookOf,
  patientViewOf,
} from './support/sample-patients';

/**
 * Card quality (issue 13 "done when"), over every sample patient, every hook and every language: a card reads in
 * ten seconds (summary < 140, detail ≤ 700 characters), its text holds no resource reference, rule id or internal
 * source tag, Dutch and French hold no English words, each evidence line appears once, and the override reasons are
 * those the CodeSystem gives the card's kind. Unrelated orders get red flags only.
 */

const SAMPLES = readdirSync(path.join(__dirname, '..', 'fhir-resources', 'sample-patients'))
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.replace(/\.json$/, ''));
const LOCALES = ['nl', 'fr', 'en'] as const;

/** The override reasons per card kind, read from the CodeSystem itself (not from the code under test). */
const codeSystem = JSON.parse(
  readFileSync(path.join(__dirname, '..', 'fhir-resources', 'knowledge', 'CodeSystem-override-reason.json'), 'utf8')
) as { concept: { code: string; property?: { code: string; valueCode?: string }[] }[] };
const reasonsOf = (kind: string) =>
  codeSystem.concept
    .filter((concept) => concept.property?.some((p) => p.code === 'card-kind' && p.valueCode === kind))
    .map((concept) => concept.code);

const { app } = testApp();

/** The card kind its findings make it, as the CodeSystem names kinds. */
function kindOf(card: CdsCard): string {
  const kinds = new Set(
    ((card.extension?.['org.ruggensteun.findings'] ?? []) as { kind: string }[]).map((finding) => finding.kind)
  );
  if (card.indicator === 'critical') {
    return 'red-flag';
  }
  if (kinds.has('imaging')) {
    return 'imaging';
  }
  if (kinds.has('data-quality')) {
    return 'data-quality';
  }
  if (kinds.has('exclusion') || kinds.has('clearance')) {
    return 'exclusion';
  }
  if (kinds.has('precaution') || kinds.has('red-flag')) {
    return 'precaution';
  }
  return 'recommendation';
}

const physiotherapy = draftOrdersOf(loadSample('physio-referral'))[0] as Resource;
const mri = draftOrdersOf(loadSample('lumbar-mri'))[0] as Resource;
const amlodipine = AMLODIPINE_DRAFT;
const labTest = HBA1C_DRAFT;

interface Case {
  readonly name: string;
  readonly body: () => Record<string, unknown>;
  readonly service: string;
  readonly unrelated: boolean;
}

const CASES: Case[] = SAMPLES.flatMap((sample) => [
  {
    name: `${sample} patient-view`,
    body: () => patientViewOf(loadSample(sample)),
    service: 'lbp-patient-view',
    unrelated: false,
  },
  ...(['order-select', 'order-sign'] as const).flatMap((hook) =>
    (
      [
        ['physiotherapy referral', physiotherapy, false],
        ['lumbar MRI', mri, false],
        ['amlodipine', amlodipine, true],
        ['HbA1c', labTest, true],
      ] as const
    ).map(([order, resource, unrelated]) => ({
      name: `${sample} ${hook} ${order}`,
      body: () => orderHookOf(hook, loadSample(sample), resource),
      service: `lbp-${hook}`,
      unrelated,
    }))
  ),
]);

describe.each(LOCALES)('cards in %s', (locale) => {
  it.each(CASES.map((item) => [item.name, item] as const))('%s', async (_name, item) => {
    const res = await request(app)
      .post(`/cds-services/${item.service}`)
      .set('Accept-Language', locale)
      .send(item.body())
      .expect(200);
    const cards = (res.body as { cards: CdsCard[] }).cards;
    for (const card of cards) {
      const where = `${item.name} [${locale}] "${card.summary}"`;
      expect({ where, summary: card.summary.length < 140 }).toEqual({ where, summary: true });
      expect({ where, detail: (card.detail ?? '').length <= 700 }).toEqual({ where, detail: true });
      const text = textsOf(card).join('\n');
      expect({ where, raw: RAW_REFERENCE.exec(text)?.[0] }).toEqual({ where, raw: undefined });
      expect({ where, rule: RULE_ID.exec(text)?.[0] }).toEqual({ where, rule: undefined });
      expect({ where, tag: INTERNAL_TAG.exec(text)?.[0] }).toEqual({ where, tag: undefined });
      // English is checked in the Dutch and French texts only.
      expect({ where, english: locale === 'en' ? [] : englishIn(text) }).toEqual({ where, english: [] });
      const evidence = (card.detail ?? '').split('\n').filter((line) => line.startsWith('- '));
      expect({ where, evidence }).toEqual({ where, evidence: [...new Set(evidence)] });
      expect({ where, reasons: card.overrideReasons?.map((reason) => reason.code) }).toEqual({
        where,
        reasons: reasonsOf(kindOf(card)),
      });
    }
    // RW-10: nothing about exercise or imaging on an unrelated order; red flags (and missing data) only.
    const offTopic = cards.map(kindOf).filter((kind) => kind !== 'red-flag' && kind !== 'data-quality');
    expect({ unrelated: item.unrelated, offTopic: item.unrelated ? offTopic : [] }).toEqual({
      unrelated: item.unrelated,
      offTopic: [],
    });
  });
});

it('the English word list finds English (the check can fail)', () => {
  expect(englishIn('Red flag: refer as an emergency, the patient declines')).toEqual(
    expect.arrayContaining(['the', 'emergency', 'patient declines'])
  );
  expect(englishIn('Verwijs met spoed; de patiënt wil het niet; hoogintensieve training')).toEqual([]);
});

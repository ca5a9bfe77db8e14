import type { QuestionnaireResponse, Resource } from '@medplum/fhirtypes';
import { buildCase, dateOf } from '../../../test/clinical/case-builder';
import type { BuiltCase, CaseSpec, RecordSpec } from '../../../test/clinical/case-builder';
import { TODAY, testKnowledge } from '../../../test/support/app';
import type { GatheredRecord } from '../gathered-record';
import { normaliseRecord } from '../record';
import type { ClinicalRecord } from '../record';
import type { FactContext } from './context';
import { findEpisode } from './episode';
import { startBack } from './stratification';
import type { StartBackFact } from './stratification';

/**
 * The `startBack` fact (YF-02, docs/clinical-specification.md §4): Keele STarT Back groups from a completed
 * QuestionnaireResponse of the project Questionnaire (total and distress subscale) or a total-score
 * Observation (LOINC 91351-7, total only), the most recent within the current LBP episode.
 * The default case has an active LBP Condition with onset 120 days before the evaluation date.
 */
const QUESTIONNAIRE = 'https://ruggensteun.org/fhir/Questionnaire/start-back';
const PARAMS = startBack.params.parse({
  questionnaire: QUESTIONNAIRE,
  totalValueSet: 'sbst-total',
  highDistressMin: 4,
  mediumTotalMin: 4,
});

const knowledge = testKnowledge();

type Scores = (0 | 1 | null)[];

/** Items 1–9 in Keele order; item 9 scores 1 for "very much" (builder), 0 for "slightly". */
const items = (...agreed: number[]): Scores =>
  Array.from({ length: 9 }, (_v, index) => (agreed.includes(index + 1) ? 1 : 0));

const sbst = (scores: Scores, daysAgo = 5, status?: 'completed' | 'in-progress' | 'amended'): RecordSpec => ({
  startBack: scores,
  at: { daysAgo },
  ...(status ? { status } : {}),
});

const totalObservation = (value: number, daysAgo = 5, status?: string): RecordSpec => ({
  observation: 'loinc|91351-7',
  value,
  at: { daysAgo },
  ...(status ? { status } : {}),
});

interface Built {
  readonly record: ClinicalRecord;
  readonly resources: readonly Resource[];
}

/**
 * Builds and normalises a case. `edit` may change the built resources in place, or return another gathered
 * record (e.g. with a hand-made resource) to normalise instead.
 */
function build(spec: Partial<CaseSpec>, edit?: (built: BuiltCase) => GatheredRecord | undefined): Built {
  const built = buildCase({ name: 'startBack', fires: false, ...spec }, TODAY);
  const gathered = edit?.(built) ?? built.gathered;
  const record = normaliseRecord({
    hook: 'patient-view',
    gathered,
    terminology: knowledge.terminology,
    now: TODAY,
    timeZone: knowledge.ruleset.settings.records.timeZone,
    draftOrders: built.orders,
  });
  return { record, resources: built.resources };
}

function compute(record: ClinicalRecord): StartBackFact {
  const context: FactContext = {
    record,
    knowledge: knowledge.ruleset.knowledge,
    episode: () => findEpisode(record, knowledge.ruleset.knowledge),
  };
  return startBack.compute(PARAMS, context, []) as StartBackFact;
}

const referenceOf = (resource: Resource | undefined) => `${resource?.resourceType ?? ''}/${resource?.id ?? ''}`;
const ofType = (resources: readonly Resource[], type: string) => resources.filter((r) => r.resourceType === type);

/** The QuestionnaireResponses of the built case, to edit them by hand. */
function responses(built: BuiltCase): QuestionnaireResponse[] {
  return built.resources.filter((r): r is QuestionnaireResponse => r.resourceType === 'QuestionnaireResponse');
}

describe('startBack fact: risk groups', () => {
  it.each<[string, RecordSpec[], Partial<StartBackFact>]>([
    ['no STarT Back at all → unknown', [], { known: false, group: 'unknown', evidence: [] }],
    ['all items disagree (total 0) → low', [sbst(items())], { known: true, group: 'low', total: 0, distress: 0 }],
    ['total 3 (items 1–3) → low', [sbst(items(1, 2, 3))], { group: 'low', total: 3, distress: 0 }],
    ['total 4 (items 1–4) → medium', [sbst(items(1, 2, 3, 4))], { group: 'medium', total: 4, distress: 0 }],
    [
      'distress 3 (items 5–7), total 3 → low, not high',
      [sbst(items(5, 6, 7))],
      { group: 'low', total: 3, distress: 3 },
    ],
    [
      'distress 3 (items 5–7), total 5 → medium, not high',
      [sbst(items(1, 2, 5, 6, 7))],
      { group: 'medium', total: 5, distress: 3 },
    ],
    ['distress 4 (items 5–8), total 4 → high', [sbst(items(5, 6, 7, 8))], { group: 'high', total: 4, distress: 4 }],
    [
      'distress 4 with item 9 "very much" (items 5, 6, 7, 9), total 4 → high',
      [sbst(items(5, 6, 7, 9))],
      { group: 'high', total: 4, distress: 4 },
    ],
    ['distress 5 (items 5–9), total 5 → high', [sbst(items(5, 6, 7, 8, 9))], { group: 'high', total: 5, distress: 5 }],
    ['total 9 (every item) → high', [sbst(items(1, 2, 3, 4, 5, 6, 7, 8, 9))], { group: 'high', total: 9, distress: 5 }],
    [
      'total 8 with item 9 "slightly" (distress 4) → high',
      [sbst(items(1, 2, 3, 4, 5, 6, 7, 8))],
      { group: 'high', total: 8, distress: 4 },
    ],
    [
      'item 9 "very much" counts in the total: items 1–3 and 9 → total 4, medium',
      [sbst(items(1, 2, 3, 9))],
      { group: 'medium', total: 4, distress: 1 },
    ],
    [
      'item 9 "slightly" does not count: items 1–3 → total 3, low',
      [sbst(items(1, 2, 3))],
      { group: 'low', total: 3, distress: 0 },
    ],
    [
      'item 9 "slightly" does not raise distress: items 5–7 → distress 3, low',
      [sbst(items(5, 6, 7))],
      { group: 'low', total: 3, distress: 3 },
    ],
  ])('%s', (_name, record, expected) => {
    const fact = compute(build({ record }).record);
    expect(fact).toEqual(expect.objectContaining(expected));
  });

  it.each<[string, number, StartBackFact['group']]>([
    ['total-only Observation 0 → low', 0, 'low'],
    ['total-only Observation 3 → low', 3, 'low'],
    ['total-only Observation 4 → medium (subscale unknown, treated as medium)', 4, 'medium'],
    ['total-only Observation 9 → medium (subscale unknown, never high)', 9, 'medium'],
  ])('%s', (_name, total, group) => {
    const fact = compute(build({ record: [totalObservation(total)] }).record);
    expect(fact).toEqual(expect.objectContaining({ known: true, group, total }));
    expect(fact.distress).toBeUndefined();
  });

  it.each<[string, 'extremely' | 'moderately' | 'not-at-all', StartBackFact['group'], number]>([
    ['item 9 "extremely" counts (items 5–7 and 9 → distress 4, high)', 'extremely', 'high', 4],
    ['item 9 "moderately" does not count (items 5–7 → distress 3, low)', 'moderately', 'low', 3],
    ['item 9 "not at all" does not count (items 5–7 → distress 3, low)', 'not-at-all', 'low', 3],
  ])('%s', (_name, code, group, distress) => {
    const { record } = build({ record: [sbst(items(5, 6, 7))] }, (built) => {
      const item9 = responses(built)[0]?.item?.find((item) => item.linkId === 'sbst-9');
      const coding = item9?.answer?.[0]?.valueCoding;
      if (coding === undefined) {
        throw new Error('the builder wrote no answer to item 9');
      }
      coding.code = code;
    });
    expect(compute(record)).toEqual(expect.objectContaining({ known: true, group, distress }));
  });
});

describe('startBack fact: which score counts', () => {
  it.each<[string, RecordSpec[]]>([
    ['incomplete questionnaire (item 4 unanswered) is ignored', [sbst([1, 1, 1, null, 1, 1, 1, 1, 1])]],
    ['incomplete questionnaire (item 9 unanswered) is ignored', [sbst([0, 0, 0, 0, 0, 0, 0, 0, null])]],
    ['in-progress questionnaire is ignored', [sbst(items(1, 2, 3, 4, 5, 6, 7, 8, 9), 5, 'in-progress')]],
    [
      'questionnaire from before the episode start (130 days ago, LBP onset 120 days ago) is ignored',
      [sbst(items(1, 2, 3, 4, 5, 6, 7, 8), 130)],
    ],
    ['total Observation from before the episode start is ignored', [totalObservation(6, 121)]],
    ['entered-in-error total Observation is ignored', [totalObservation(6, 5, 'entered-in-error')]],
    ['Observation with another code is ignored', [{ observation: 'loinc|72514-3', value: 8, at: { daysAgo: 5 } }]],
  ])('%s → unknown', (_name, record) => {
    expect(compute(build({ record }).record)).toEqual({ known: false, group: 'unknown', evidence: [] });
  });

  it('a questionnaire of another canonical is ignored', () => {
    const { record } = build({ record: [sbst(items(1, 2, 3, 4, 5, 6, 7, 8, 9))] }, (built) => {
      const response = responses(built)[0];
      if (response === undefined) {
        throw new Error('the builder wrote no QuestionnaireResponse');
      }
      response.questionnaire = 'https://example.org/fhir/Questionnaire/orebro|1.0';
    });
    expect(compute(record)).toEqual({ known: false, group: 'unknown', evidence: [] });
  });

  it('a questionnaire whose canonical only starts with the project canonical is ignored', () => {
    const { record } = build({ record: [sbst(items(1, 2, 3, 4))] }, (built) => {
      const response = responses(built)[0];
      if (response === undefined) {
        throw new Error('the builder wrote no QuestionnaireResponse');
      }
      response.questionnaire = `${QUESTIONNAIRE}-short`;
    });
    expect(compute(record).known).toBe(false);
  });

  it('a hand-made QuestionnaireResponse of the project canonical without a version counts', () => {
    const handMade: QuestionnaireResponse = {
      resourceType: 'QuestionnaireResponse',
      id: 'qr-by-hand',
      questionnaire: QUESTIONNAIRE,
      status: 'completed',
      subject: { reference: 'Patient/case-patient' },
      authored: dateOf(TODAY, { daysAgo: 3 }),
      item: items(5, 6, 7, 8).map((score, index) => ({
        linkId: `sbst-${index + 1}`,
        answer: [
          {
            valueCoding: {
              system: 'https://ruggensteun.org/fhir/CodeSystem/sbst-answer',
              code: index === 8 ? 'slightly' : score === 1 ? 'agree' : 'disagree',
            },
          },
        ],
      })),
    };
    const { record } = build({}, (built) => ({
      ...built.gathered,
      data: {
        ...built.gathered.data,
        questionnaireResponses: { resources: [handMade], source: 'prefetch', complete: true },
      },
    }));
    expect(compute(record)).toEqual({
      known: true,
      group: 'high',
      total: 4,
      distress: 4,
      evidence: [expect.objectContaining({ kind: 'start-back', reference: 'QuestionnaireResponse/qr-by-hand' })],
    });
  });

  it('an amended questionnaire counts', () => {
    const fact = compute(build({ record: [sbst(items(1, 2, 3, 4), 5, 'amended')] }).record);
    expect(fact).toEqual(expect.objectContaining({ known: true, group: 'medium', total: 4 }));
  });

  it.each<[string, number]>([
    ['on the day the episode started (120 days ago)', 120],
    ['the day after the episode started', 119],
  ])('a questionnaire %s counts', (_name, daysAgo) => {
    const fact = compute(build({ record: [sbst(items(1, 2, 3, 4), daysAgo)] }).record);
    expect(fact).toEqual(expect.objectContaining({ known: true, group: 'medium' }));
  });

  it('the episode start is the earliest active LBP onset: a score after an older active LBP Condition counts', () => {
    const fact = compute(
      build({
        lbp: { onset: { daysAgo: 20 }, recorded: { daysAgo: 20 } },
        record: [{ condition: 'icpc-2|L03', onset: { daysAgo: 200 } }, sbst(items(1, 2, 3, 4), 150)],
      }).record
    );
    expect(fact.group).toBe('medium');
  });

  it('a score taken during an earlier, resolved episode is ignored', () => {
    const fact = compute(
      build({
        lbp: { onset: { daysAgo: 20 }, recorded: { daysAgo: 20 } },
        record: [
          {
            condition: 'icpc-2|L03',
            status: 'resolved',
            onset: { daysAgo: 400 },
            recorded: { daysAgo: 400 },
            abatement: { daysAgo: 300 },
          },
          sbst(items(5, 6, 7, 8, 9), 350),
        ],
      }).record
    );
    expect(fact).toEqual({ known: false, group: 'unknown', evidence: [] });
  });
});

describe('startBack fact: the most recent score wins', () => {
  it.each<[string, RecordSpec[], StartBackFact['group'], 'QuestionnaireResponse' | 'Observation', number]>([
    [
      'older high questionnaire, newer low questionnaire → low',
      [sbst(items(5, 6, 7, 8, 9), 30), sbst(items(1), 3)],
      'low',
      'QuestionnaireResponse',
      1,
    ],
    [
      'older low questionnaire, newer high questionnaire → high',
      [sbst(items(1), 30), sbst(items(5, 6, 7, 8, 9), 3)],
      'high',
      'QuestionnaireResponse',
      1,
    ],
    [
      'older high questionnaire, newer total Observation 3 → low (Observation)',
      [sbst(items(5, 6, 7, 8, 9), 10), totalObservation(3, 5)],
      'low',
      'Observation',
      0,
    ],
    [
      'older total Observation 9, newer low questionnaire → low (questionnaire)',
      [totalObservation(9, 10), sbst(items(1, 2), 2)],
      'low',
      'QuestionnaireResponse',
      0,
    ],
    [
      'older total Observation 2, newer high questionnaire → high (questionnaire)',
      [totalObservation(2, 40), sbst(items(5, 6, 7, 8), 2)],
      'high',
      'QuestionnaireResponse',
      0,
    ],
    [
      'newer total Observation 5 after an older low questionnaire → medium (Observation)',
      [sbst(items(), 40), totalObservation(5, 1)],
      'medium',
      'Observation',
      0,
    ],
    [
      'an in-progress newer questionnaire does not replace a completed older one',
      [sbst(items(1, 2, 3, 4), 20), sbst(items(), 2, 'in-progress')],
      'medium',
      'QuestionnaireResponse',
      0,
    ],
  ])('%s', (_name, specs, group, type, index) => {
    const { record, resources } = build({ record: specs });
    const expected = referenceOf(ofType(resources, type)[index]);
    const fact = compute(record);
    expect(fact.group).toBe(group);
    expect(fact.evidence).toEqual([expect.objectContaining({ kind: 'start-back', reference: expected })]);
  });
});

describe('startBack fact: evidence', () => {
  it('names the QuestionnaireResponse with both scores and its date', () => {
    const { record, resources } = build({ record: [sbst(items(1, 5, 6, 7, 8), 4)] });
    const fact = compute(record);
    expect(fact.evidence).toEqual([
      {
        kind: 'start-back',
        reference: referenceOf(ofType(resources, 'QuestionnaireResponse')[0]),
        text: 'STarT Back total 5/9, distress subscale 4/5',
        date: dateOf(TODAY, { daysAgo: 4 }),
        // YF-02: the card states the group with both scores.
        score: { group: 'high', total: 5, distress: 4 },
      },
    ]);
    expect(fact.evidence[0]?.reference).toMatch(/^QuestionnaireResponse\/.+/);
  });

  it('names the total-score Observation and its date', () => {
    const { record, resources } = build({ record: [totalObservation(6, 8)] });
    const fact = compute(record);
    expect(fact.evidence).toEqual([
      {
        kind: 'start-back',
        reference: referenceOf(ofType(resources, 'Observation')[0]),
        text: 'STarT Back total 6/9',
        date: dateOf(TODAY, { daysAgo: 8 }),
        score: { group: 'medium', total: 6 },
      },
    ]);
    expect(fact.evidence[0]?.reference).toMatch(/^Observation\/.+/);
  });
});

describe('startBack through the rules (acute LBP, onset 10 days ago, patient-view)', () => {
  const acute = { onset: { daysAgo: 10 }, recorded: { daysAgo: 10 } };

  it.each<[string, RecordSpec[], string[], string[]]>([
    ['low risk: advice only (TS-10)', [sbst(items(1, 2), 3)], ['TS-10'], ['TS-11', 'TS-28']],
    ['unknown risk behaves as low in the acute stage (TS-10)', [], ['TS-10'], ['TS-11']],
    [
      'incomplete questionnaire is unknown: advice only (TS-10)',
      [sbst([1, 1, 1, 1, 1, 1, 1, 1, null], 3)],
      ['TS-10'],
      ['TS-11'],
    ],
    [
      'medium risk: exercise programme (TS-11), no behaviour-change note',
      [sbst(items(1, 2, 3, 4), 3)],
      ['TS-11'],
      ['TS-10', 'TS-28'],
    ],
    [
      'high risk: exercise programme with behaviour change (TS-11, TS-28)',
      [sbst(items(5, 6, 7, 8), 3)],
      ['TS-11', 'TS-28'],
      ['TS-10'],
    ],
    [
      'total-only 9 is medium: programme without behaviour-change note',
      [totalObservation(9, 3)],
      ['TS-11'],
      ['TS-10', 'TS-28'],
    ],
  ])('%s', async (_name, record, fires, notFires) => {
    const findings = await knowledge.ruleset.evaluate(build({ lbp: acute, record }).record);
    const fired = findings.map((finding) => finding.ruleId);
    expect(fired).toEqual(expect.arrayContaining(fires));
    for (const id of notFires) {
      expect(fired).not.toContain(id);
    }
  });

  it.each<[string, RecordSpec[], boolean]>([
    ['no STarT Back: data-quality note no-start-back', [], true],
    ['a usable STarT Back: no such note', [sbst(items(1), 3)], false],
  ])('%s', async (_name, record, noted) => {
    const findings = await knowledge.ruleset.evaluate(build({ lbp: acute, record }).record);
    const notes = findings.find((finding) => finding.ruleId === 'DQ-01')?.notes ?? [];
    expect(notes.includes('no-start-back')).toBe(noted);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type {
  ActivityDefinition,
  CodeSystem,
  Extension,
  PlanDefinition,
  PlanDefinitionAction,
  Questionnaire,
  RelatedArtifact,
  Timing,
} from '@medplum/fhirtypes';
import { EXERCISE_TYPES } from '../src/clinical/programme';
import type { ExerciseType } from '../src/clinical/programme';
import { emptyValuesIn, validateR4 } from './support/fhir-validation';

/**
 * The exercise-therapy knowledge in fhir-resources/knowledge (docs/clinical-specification.md §4–§7), loaded at start-up to build
 * the CarePlan draft: CodeSystems, the STarT Back Questionnaire, one ActivityDefinition per exercise type with its dose
 * variants, and the PlanDefinition that ties them together with the programme rules. These tests keep the files valid
 * R4, bilingual (English + Dutch translation extension) and faithful to the dosage table of §6.
 */

const DIR = path.join(__dirname, '..', 'fhir-resources', 'knowledge');
const BASE = 'https://ruggensteun.org/fhir';
const VERSION = '2026.11.0';
const TRANSLATION = 'http://hl7.org/fhir/StructureDefinition/translation';
const DOSE = `${BASE}/StructureDefinition/exercise-dose`;
const EXERCISE_TYPE_SYSTEM = `${BASE}/CodeSystem/exercise-type`;
const SBST_ANSWER_SYSTEM = `${BASE}/CodeSystem/sbst-answer`;
const SBST_CONSTRUCT_SYSTEM = `${BASE}/CodeSystem/sbst-construct`;
const ORDINAL_VALUE = 'http://hl7.org/fhir/StructureDefinition/ordinalValue';
const ARTIFACT_RELATED = 'http://hl7.org/fhir/StructureDefinition/artifact-relatedArtifact';
const SOURCE_TAG = /^(S00[0-4]|KNGF|ACSM|SBST|NICE-NG59|DESIGN): \S/;
/** Titles that are rule ids (PlanDefinition actions) need no translation. */
const RULE_ID = /^[A-Z]{2}-\d{2}$/;

type KnowledgeResource = ActivityDefinition | CodeSystem | PlanDefinition | Questionnaire;

interface KnowledgeFile {
  readonly file: string;
  readonly resource: KnowledgeResource;
}

const files: KnowledgeFile[] = readdirSync(DIR)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({ file, resource: JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as KnowledgeResource }));
const fileCases = files.map((entry): [string, KnowledgeResource] => [entry.file, entry.resource]);

function resourceOf<T extends KnowledgeResource>(type: T['resourceType'], id: string): T {
  const found = files.find((entry) => entry.resource.resourceType === type && entry.resource.id === id);
  if (found === undefined) {
    throw new Error(`missing ${type}/${id}`);
  }
  return found.resource as T;
}

const activityOf = (type: ExerciseType): ActivityDefinition =>
  resourceOf<ActivityDefinition>('ActivityDefinition', `exercise-${type}`);
const codeSystemOf = (id: string): CodeSystem => resourceOf<CodeSystem>('CodeSystem', id);
const questionnaire = (): Questionnaire => resourceOf<Questionnaire>('Questionnaire', 'start-back');
const planDefinition = (): PlanDefinition => resourceOf<PlanDefinition>('PlanDefinition', 'lbp-exercise-programme');

/** The Dutch translation of the primitive `key` of `owner`, read from `_key.extension` (translation extension). */
function dutchOf(owner: object, key: string): string | undefined {
  const element = (owner as Record<string, { extension?: Extension[] } | undefined>)[`_${key}`];
  const translation = element?.extension?.find(
    (extension) =>
      extension.url === TRANSLATION &&
      extension.extension?.some((part) => part.url === 'lang' && part.valueCode === 'nl')
  );
  return translation?.extension?.find((part) => part.url === 'content')?.valueString;
}

const TRANSLATED_KEYS = ['title', 'description', 'textEquivalent', 'text'];

/** JSON paths of human-readable texts (title, description, textEquivalent, text) that lack a Dutch translation. */
function untranslated(value: unknown, at = ''): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((child, index) => untranslated(child, `${at}[${index}]`));
  }
  if (typeof value !== 'object' || value === null) {
    return [];
  }
  return Object.entries(value).flatMap(([key, child]) => {
    const missing =
      TRANSLATED_KEYS.includes(key) &&
      typeof child === 'string' &&
      !(key === 'title' && RULE_ID.test(child)) &&
      (dutchOf(value, key) ?? '').trim() === ''
        ? [`${at}.${key}`]
        : [];
    return [...missing, ...untranslated(child, `${at}.${key}`)];
  });
}

/** The citations of a resource: `relatedArtifact`, or the artifact-relatedArtifact extension where R4 has none. */
function citationsOf(resource: KnowledgeResource): RelatedArtifact[] {
  const own = 'relatedArtifact' in resource ? (resource.relatedArtifact ?? []) : [];
  const extended = (resource.extension ?? [])
    .filter((extension) => extension.url === ARTIFACT_RELATED)
    .flatMap((extension) => (extension.valueRelatedArtifact === undefined ? [] : [extension.valueRelatedArtifact]));
  return [...own, ...extended];
}

interface Dose {
  readonly population: string | undefined;
  readonly textEn: string | undefined;
  readonly textNl: string | undefined;
  readonly timing: Timing | undefined;
  readonly source: string | undefined;
}

/** The dose variants of an ActivityDefinition (complex extension exercise-dose). */
function dosesOf(activity: ActivityDefinition): Dose[] {
  return (activity.extension ?? [])
    .filter((extension) => extension.url === DOSE)
    .map((extension) => {
      const part = (url: string): Extension | undefined => extension.extension?.find((sub) => sub.url === url);
      return {
        population: part('population')?.valueCode,
        textEn: part('text-en')?.valueString,
        textNl: part('text-nl')?.valueString,
        timing: part('timing')?.valueTiming,
        source: part('source')?.valueString,
      };
    });
}

function doseOf(type: ExerciseType, population: string): Dose {
  const dose = dosesOf(activityOf(type)).find((candidate) => candidate.population === population);
  if (dose === undefined) {
    throw new Error(`exercise-${type} has no ${population} dose`);
  }
  return dose;
}

const STRENGTH_TIMING: Timing = { repeat: { frequency: 2, frequencyMax: 3, period: 1, periodUnit: 'wk' } };
const EXPECTED_TIMING: Record<ExerciseType, Timing | undefined> = {
  strength: STRENGTH_TIMING,
  flexibility: STRENGTH_TIMING,
  // "≥ 3 (vigorous) or ≥ 5 (moderate) days/week": at least 3 of the 7 days; "≥ 30 min" has no Timing (no maximum).
  aerobic: { repeat: { frequency: 3, frequencyMax: 7, period: 1, periodUnit: 'wk' } },
  'run-walk': { repeat: { frequency: 3, period: 1, periodUnit: 'wk', duration: 30, durationUnit: 'min' } },
  'high-intensity': {
    repeat: {
      frequency: 2,
      period: 1,
      periodUnit: 'wk',
      duration: 90,
      durationUnit: 'min',
      boundsDuration: { value: 12, unit: 'wk', system: 'http://unitsofmeasure.org', code: 'wk' },
    },
  },
  neuromotor: undefined,
  functional: undefined,
  'mind-body': undefined,
};

const EXPECTED_POPULATIONS: Record<ExerciseType, string[]> = {
  aerobic: ['standard', 'inactive'],
  strength: ['standard', 'novice', 'older-adult'],
  flexibility: ['standard', 'older-adult'],
  neuromotor: ['standard'],
  functional: ['standard'],
  'run-walk': ['standard'],
  'high-intensity': ['standard'],
  'mind-body': ['standard'],
};

/** [type, population, language, text that must appear verbatim]: the numbers of §6 and their Dutch seed wording. */
const DOSE_TEXTS: [ExerciseType, string, 'en' | 'nl', string][] = [
  ['strength', 'standard', 'en', '2–3 days/week, non-consecutive'],
  ['strength', 'standard', 'en', '2–4 sets of 8–12 repetitions'],
  ['strength', 'standard', 'en', '60–70% 1RM'],
  ['strength', 'novice', 'en', '10–15 repetitions'],
  ['strength', 'novice', 'en', '40–50% 1RM'],
  ['strength', 'older-adult', 'en', '10–15 repetitions'],
  ['strength', 'older-adult', 'en', '40–50% 1RM'],
  ['strength', 'standard', 'nl', '2 tot 3 d * wk-1 (niet aaneengesloten)'],
  ['strength', 'standard', 'nl', '2 tot 4 sets van 8 tot 12 herhalingen met 60 tot 70% van 1RM'],
  ['strength', 'novice', 'nl', '10 tot 15 herhalingen met 40 tot 50% van 1RM'],
  ['strength', 'older-adult', 'nl', '10 tot 15 herhalingen met 40 tot 50% van 1RM'],
  ['flexibility', 'standard', 'en', '2–3 days/week'],
  ['flexibility', 'standard', 'en', 'tightness or slight discomfort'],
  ['flexibility', 'standard', 'en', '10–30 s'],
  ['flexibility', 'standard', 'en', '2–4 repetitions of each stretch'],
  ['flexibility', 'older-adult', 'en', '30–60 s'],
  ['flexibility', 'older-adult', 'en', '2–4 repetitions of each stretch'],
  ['flexibility', 'standard', 'nl', '10 tot 30 sec'],
  ['flexibility', 'standard', 'nl', 'rek of een licht ongemak'],
  ['flexibility', 'standard', 'nl', '2 tot 4 herhalingen van iedere rekoefening'],
  ['flexibility', 'older-adult', 'nl', '30 tot 60 sec'],
  ['aerobic', 'standard', 'en', '≥ 5 days/week moderate'],
  ['aerobic', 'standard', 'en', '≥ 3 days/week vigorous'],
  ['aerobic', 'standard', 'en', '≥ 3–5 days/week'],
  ['aerobic', 'standard', 'en', 'moderate to vigorous intensity'],
  ['aerobic', 'standard', 'en', '≥ 30 min'],
  ['aerobic', 'standard', 'en', 'minimum bout of 10 min'],
  ['aerobic', 'standard', 'en', 'best tolerated postures'],
  ['aerobic', 'inactive', 'en', 'light-to-moderate intensity'],
  ['aerobic', 'inactive', 'en', '≥ 30 min'],
  ['aerobic', 'standard', 'nl', '≥ 5 d * wk-1 gematigde inspanning of ≥ 3 d * wk-1 zware inspanning'],
  ['aerobic', 'standard', 'nl', '≥ 3 tot 5 d * wk-1'],
  ['aerobic', 'standard', 'nl', 'gematigde tot zware inspanning'],
  ['aerobic', 'standard', 'nl', '≥ 30 min'],
  ['aerobic', 'standard', 'nl', 'minimale duur van 10 minuten'],
  ['aerobic', 'inactive', 'nl', 'lichte tot matige intensiteit'],
  ['neuromotor', 'standard', 'en', 'quality of movement without increase of pain'],
  ['neuromotor', 'standard', 'nl', 'kwaliteit van bewegen zonder pijntoename'],
  ['functional', 'standard', 'en', 'avoid prolonged sitting'],
  ['functional', 'standard', 'nl', 'langdurig zitten'],
  ['run-walk', 'standard', 'en', '3 sessions/week of 30 min on flat terrain'],
  ['run-walk', 'standard', 'en', 'max 10 km/h'],
  ['run-walk', 'standard', 'en', '6–10 repetitions per session'],
  ['run-walk', 'standard', 'en', '13 levels'],
  ['run-walk', 'standard', 'en', 'stay 1 week in a phase'],
  ['run-walk', 'standard', 'en', '10 repetitions were performed and at least 2 sessions'],
  ['run-walk', 'standard', 'en', '12 weeks'],
  ['run-walk', 'standard', 'en', 'about 6 months, conservative in the first 3 months'],
  ['run-walk', 'standard', 'nl', 'sessies van 30 minuten op vlak terrein'],
  ['run-walk', 'standard', 'nl', 'maximaal 10 km/u'],
  ['run-walk', 'standard', 'nl', 'tussen 6 en 10 herhalingen per sessie'],
  ['run-walk', 'standard', 'nl', '13 niveaus'],
  ['run-walk', 'standard', 'nl', '10 herhalingen zijn uitgevoerd en ten minste 2 sessies'],
  ['high-intensity', 'standard', 'en', '2 sessions/week of about 1.5 h for 12 weeks'],
  ['high-intensity', 'standard', 'en', '100%'],
  ['high-intensity', 'standard', 'en', '60%'],
  ['high-intensity', 'standard', 'en', 'exercise (stress) test'],
  ['high-intensity', 'standard', 'en', 'supervised by experienced physiotherapists'],
  ['high-intensity', 'standard', 'nl', '100 procent van de wattage'],
  ['high-intensity', 'standard', 'nl', '60 procent'],
  ['high-intensity', 'standard', 'nl', 'inspanningstest'],
  ['mind-body', 'standard', 'en', 'pilates, yoga or tai chi'],
  ['mind-body', 'standard', 'nl', 'pilates, yoga of tai chi'],
];

const SBST_CONSTRUCTS = [
  'referred-leg-pain',
  'comorbid-pain',
  'disability',
  'disability',
  'fear',
  'anxiety',
  'catastrophising',
  'depression',
  'bothersomeness',
];

describe('knowledge resources (fhir-resources/knowledge)', () => {
  it('holds exactly the expected files', () => {
    expect(files.map((entry) => entry.file)).toEqual(
      [
        ...EXERCISE_TYPES.map((type) => `ActivityDefinition-exercise-${type}.json`),
        'ActivityDefinition-physiotherapy-referral.json',
        'CodeSystem-exercise-type.json',
        'CodeSystem-override-reason.json',
        'CodeSystem-sbst-answer.json',
        'CodeSystem-sbst-construct.json',
        'PlanDefinition-lbp-exercise-programme.json',
        'Questionnaire-start-back.json',
      ].sort()
    );
  });

  describe.each(fileCases)('%s', (file, resource) => {
    it('is a valid FHIR R4 resource without empty values', () => {
      expect(() => {
        validateR4(resource);
      }).not.toThrow();
      expect(emptyValuesIn(resource)).toEqual([]);
    });

    it('is named <Type>-<id>.json and has the common metadata', () => {
      expect(file).toBe(`${resource.resourceType}-${resource.id ?? '?'}.json`);
      expect(resource.url).toBe(`${BASE}/${resource.resourceType}/${resource.id ?? '?'}`);
      expect(resource.url?.endsWith(`/${resource.id ?? '?'}`)).toBe(true);
      expect(resource).toMatchObject({
        version: VERSION,
        status: 'active',
        publisher: 'Ruggensteun',
        date: '2026-11-21',
      });
      expect(resource.name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
    });

    it('has an English title and description, each with a Dutch translation', () => {
      expect(resource.title).toEqual(expect.any(String));
      expect(resource.description).toEqual(expect.any(String));
      expect(dutchOf(resource, 'title')).toEqual(expect.stringMatching(/\S/));
      expect(dutchOf(resource, 'description')).toEqual(expect.stringMatching(/\S/));
      expect(untranslated(resource)).toEqual([]);
    });

    it('cites its sources by tag', () => {
      const citations = citationsOf(resource);
      expect(citations.length).toBeGreaterThan(0);
      for (const citation of citations) {
        expect(citation.type).toBe('citation');
        expect(citation.display).toMatch(SOURCE_TAG);
      }
    });
  });

  describe('CodeSystems', () => {
    it.each([
      ['exercise-type', [...EXERCISE_TYPES]],
      ['sbst-answer', ['agree', 'disagree', 'not-at-all', 'slightly', 'moderately', 'very-much', 'extremely']],
      [
        'sbst-construct',
        [
          'referred-leg-pain',
          'comorbid-pain',
          'disability',
          'fear',
          'anxiety',
          'catastrophising',
          'depression',
          'bothersomeness',
        ],
      ],
    ])('%s is complete, case-sensitive, with English displays and Dutch designations', (id, codes) => {
      const codeSystem = codeSystemOf(id);
      expect(codeSystem).toMatchObject({ content: 'complete', caseSensitive: true, count: codes.length });
      const concepts = codeSystem.concept ?? [];
      expect(concepts.map((concept) => concept.code)).toEqual(codes);
      for (const concept of concepts) {
        expect(concept.display).toMatch(/\S/);
        expect(concept.designation).toEqual([{ language: 'nl', value: expect.stringMatching(/\S/) }]);
      }
    });

    it('sbst-construct marks the distress subscale constructs (items 5–9)', () => {
      const distress = (codeSystemOf('sbst-construct').concept ?? [])
        .filter((concept) => concept.property?.some((p) => p.code === 'distress-subscale' && p.valueBoolean === true))
        .map((concept) => concept.code);
      expect(distress).toEqual(SBST_CONSTRUCTS.slice(4));
    });
  });

  describe('Questionnaire start-back', () => {
    it('has the items sbst-1 … sbst-9 in the Keele order, each with its construct', () => {
      const items = questionnaire().item ?? [];
      expect(items.map((item) => item.linkId)).toEqual(SBST_CONSTRUCTS.map((_construct, index) => `sbst-${index + 1}`));
      expect(items.map((item) => item.code)).toEqual(
        SBST_CONSTRUCTS.map((construct) => [
          { system: SBST_CONSTRUCT_SYSTEM, code: construct, display: expect.any(String) },
        ])
      );
      expect(items[0]?.text).toBe('My back pain has spread down my leg(s) at some time in the last 2 weeks');
      expect(items[8]?.text).toBe('Overall, how bothersome has your back pain been in the last 2 weeks?');
    });

    it('asks required choice questions answered from sbst-answer, scored as in §4', () => {
      const items = questionnaire().item ?? [];
      const scores = items.map((item) => {
        expect(item).toMatchObject({ type: 'choice', required: true });
        expect(dutchOf(item, 'text')).toMatch(/\S/);
        return Object.fromEntries(
          (item.answerOption ?? []).map((option) => {
            expect(option.valueCoding?.system).toBe(SBST_ANSWER_SYSTEM);
            const score = option.extension?.find((extension) => extension.url === ORDINAL_VALUE)?.valueDecimal;
            return [option.valueCoding?.code ?? '?', score];
          })
        );
      });
      const agreeDisagree = { agree: 1, disagree: 0 };
      expect(scores).toEqual([
        ...Array.from({ length: 8 }, () => agreeDisagree),
        { 'not-at-all': 0, slightly: 0, moderately: 0, 'very-much': 1, extremely: 1 },
      ]);
    });

    it('describes the scoring and the total-score LOINC code, and is not itself coded', () => {
      const resource = questionnaire();
      expect(resource.code).toBeUndefined();
      expect(resource.description).toContain('91351-7');
      expect(resource.description).toContain('items 5–9');
      expect(resource.description).toContain('subscale 4–5 → high risk');
      expect(resource.description).toContain('total 0–3 → low risk, total 4–9 → medium risk');
      expect(resource.description).toContain('official Dutch version');
    });
  });

  describe.each(EXERCISE_TYPES.map((type): [ExerciseType] => [type]))('ActivityDefinition exercise-%s', (type) => {
    it('proposes a ServiceRequest coded as exercise therapy of this type', () => {
      const activity = activityOf(type);
      expect(activity).toMatchObject({ kind: 'ServiceRequest', intent: 'proposal' });
      expect(activity.code?.coding).toEqual([
        { system: 'http://snomed.info/sct', code: '229065009', display: 'Exercise therapy' },
        { system: EXERCISE_TYPE_SYSTEM, code: type, display: activity.title },
      ]);
      expect(activity.code?.text).toBe(activity.title);
      const concept = codeSystemOf('exercise-type').concept?.find((candidate) => candidate.code === type);
      expect(concept?.display).toBe(activity.title);
      expect(concept?.designation?.[0]?.value).toBe(dutchOf(activity, 'title'));
    });

    it('has the expected dose variants, each with English and Dutch text and a source', () => {
      const doses = dosesOf(activityOf(type));
      expect(doses.map((dose) => dose.population)).toEqual(EXPECTED_POPULATIONS[type]);
      for (const dose of doses) {
        expect(dose.textEn).toMatch(/\S/);
        expect(dose.textNl).toMatch(/\S/);
        expect(dose.source).toMatch(/S00[0-4]/);
      }
    });

    it('has the expected timing on its standard dose and on the ActivityDefinition', () => {
      const activity = activityOf(type);
      expect(doseOf(type, 'standard').timing).toEqual(EXPECTED_TIMING[type]);
      expect(activity.timingTiming).toEqual(EXPECTED_TIMING[type]);
    });
  });

  it.each(DOSE_TEXTS)('exercise-%s %s dose (%s) contains "%s"', (type, population, language, text) => {
    const dose = doseOf(type, population);
    expect(language === 'en' ? dose.textEn : dose.textNl).toContain(text);
  });

  it('writes ranges in the English dose texts with an en dash', () => {
    const hyphenRanges = EXERCISE_TYPES.flatMap((type) => dosesOf(activityOf(type)))
      .map((dose) => dose.textEn ?? '')
      .filter((text) => /\d-\d/.test(text));
    expect(hyphenRanges).toEqual([]);
  });

  describe('PlanDefinition lbp-exercise-programme', () => {
    const actions = (): PlanDefinitionAction[] => planDefinition().action ?? [];

    it('is a clinical protocol with four action groups', () => {
      expect(planDefinition().type?.coding).toEqual([
        expect.objectContaining({
          system: 'http://terminology.hl7.org/CodeSystem/plan-definition-type',
          code: 'clinical-protocol',
        }),
      ]);
      expect(actions().map((action) => action.title)).toEqual([
        'Exercise types',
        'Programme rules',
        'Conditional notes',
        'Note groups',
      ]);
    });

    it('references every ActivityDefinition by versioned canonical, with its English and Dutch title', () => {
      const exerciseActions = actions()[0]?.action ?? [];
      expect(exerciseActions.map((action) => action.definitionCanonical)).toEqual(
        EXERCISE_TYPES.map((type) => `${BASE}/ActivityDefinition/exercise-${type}|${VERSION}`)
      );
      for (const [index, type] of EXERCISE_TYPES.entries()) {
        const activity = activityOf(type);
        expect(`${activity.url ?? '?'}|${activity.version ?? '?'}`).toBe(exerciseActions[index]?.definitionCanonical);
        expect(exerciseActions[index]?.title).toBe(activity.title);
        expect(dutchOf(exerciseActions[index] ?? {}, 'title')).toBe(dutchOf(activity, 'title'));
      }
    });

    it('carries the programme rules PG-01 … PG-12 in English and Dutch', () => {
      const rules = actions()[1]?.action ?? [];
      const ids = Array.from({ length: 12 }, (_unused, index) => `PG-${String(index + 1).padStart(2, '0')}`);
      expect(rules.map((rule) => rule.id)).toEqual(ids);
      expect(rules.map((rule) => rule.title)).toEqual(ids);
      for (const rule of rules) {
        expect(rule.textEquivalent).toMatch(/\S/);
        expect(dutchOf(rule, 'textEquivalent')).toMatch(/\S/);
      }
      const text = (id: string): string => rules.find((rule) => rule.id === id)?.textEquivalent ?? '';
      expect(text('PG-01')).toContain('before the start');
      expect(text('PG-02')).toContain('every 3 weeks');
      expect(text('PG-03')).toContain('at most 24 hours and then decreases');
      expect(text('PG-03')).toContain('increase after 24 hours');
      expect(text('PG-04')).toContain('light-to-moderate');
      expect(text('PG-06')).toContain('frequency and intensity of exercising do not decrease');
      expect(text('PG-07')).toContain('e-health');
      expect(text('PG-09')).toContain('stop the training and contact the physician');
      expect(text('PG-12')).toContain('stay active');
    });

    it('carries the conditional notes TS-00, TS-01, TS-03, TS-04, TS-28, TS-29 and PR-01 with the condition in the description', () => {
      const notes = actions()[2]?.action ?? [];
      expect(notes.map((note) => note.id).sort()).toEqual([
        'PR-01',
        'TS-00',
        'TS-01',
        'TS-03',
        'TS-04',
        'TS-28',
        'TS-29',
      ]);
      for (const note of notes) {
        expect(note.title).toBe(note.id);
        expect(note.description).toMatch(/\S/);
        expect(dutchOf(note, 'textEquivalent')).toMatch(/\S/);
      }
      const text = (id: string): string => notes.find((note) => note.id === id)?.textEquivalent ?? '';
      expect(text('TS-01')).toContain('Include each type only if a related impairment is found');
      expect(text('TS-28')).toContain('behaviour-change');
      expect(text('TS-28')).toContain('multidisciplinary care');
      expect(text('TS-29')).toContain('e-health');
      expect(text('PR-01')).toBe('Adapt to pregnancy; the dosage tables are for non-pregnant adults.');
      expect(text('TS-03')).toBe('Adapt the exercise therapy when comorbidity limits physical functioning.');
    });
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadTerminology } from './knowledge/terminology';
import { RulesetError } from './knowledge/rule-schema';
import type { RuleSource } from './knowledge/rule-schema';
import { buildRuleset } from './rules-engine';

/** Start-up validation of the rule files: every mistake is reported with its file and rule. */
const RULES_DIR = path.join(__dirname, '..', '..', 'rules');
const terminology = loadTerminology();
const read = (file: string): RuleSource => ({ file, text: readFileSync(path.join(RULES_DIR, file), 'utf8') });
const settings = read('ruleset.json');
const keywords = read('keywords.json');
const language = ['text-normalisation.json', 'context-modifiers.json'].map(read);

function rule(overrides: Record<string, unknown> = {}, condition: Record<string, unknown> = {}) {
  return {
    name: 'RF-03',
    description: 'test rule',
    priority: 50,
    conditions: {
      any: [
        {
          fact: 'temperature',
          params: { valueSet: 'body-temperature', within: { days: 7 }, plausibleCelsius: { min: 25, max: 45 } },
          path: '$.maxCelsius',
          operator: 'greaterThan',
          value: 38,
          ...condition,
        },
      ],
    },
    event: {
      type: 'finding',
      params: {
        kind: 'red-flag',
        urgency: 'URGENT',
        source: 'TEST',
        title: { en: 'Fever', nl: 'Koorts', fr: 'Fièvre' },
      },
    },
    ...overrides,
  };
}

const file = (name: string, rules: unknown[]): RuleSource => ({ file: name, text: JSON.stringify({ rules }) });

function problemsOf(sources: RuleSource[]): string[] {
  try {
    buildRuleset(sources, terminology);
  } catch (err) {
    if (err instanceof RulesetError) {
      return [...err.problems];
    }
    throw err;
  }
  return [];
}

describe('buildRuleset', () => {
  it('accepts the shipped rule files', () => {
    const sources = [
      'ruleset.json',
      'keywords.json',
      'text-normalisation.json',
      'context-modifiers.json',
      'scope.json',
      'red-flags.json',
      'exclusions.json',
      'precautions.json',
      'data-quality.json',
      'conditions.json',
      'exercise.json',
      'dosage.json',
      'imaging.json',
    ].map(read);
    const ruleset = buildRuleset(sources, terminology);
    expect(ruleset.version).toMatch(/^\d{4}\.\d+\.\d+$/);
    expect(ruleset.rules.length).toBeGreaterThanOrEqual(30);
  });

  it.each([
    ['malformed JSON', [{ file: 'broken.json', text: '{ "rules": [' }], /broken\.json: not valid JSON/],
    [
      'an unknown fact',
      [file('x.json', [rule({}, { fact: 'bodyHeat' })])],
      /x\.json rule RF-03: unknown fact "bodyHeat"/,
    ],
    [
      'params the fact does not take',
      [file('x.json', [rule({}, { params: { valueSet: 'body-temperature', within: { weeks: 1 } } })])],
      /x\.json rule RF-03: fact temperature params\.within/,
    ],
    [
      'an unknown value-set id',
      [
        file('x.json', [
          rule({}, { params: { valueSet: 'body-heat', within: { days: 7 }, plausibleCelsius: { min: 25, max: 45 } } }),
        ]),
      ],
      /x\.json rule RF-03: unknown value set "body-heat"/,
    ],
    [
      'an unknown keyword list',
      [
        file('x.json', [
          rule(
            {},
            { fact: 'textMention', params: { keywords: 'heat' }, path: '$.present', operator: 'equal', value: true }
          ),
        ]),
      ],
      /x\.json rule RF-03: unknown keyword list "heat"/,
    ],
    [
      'a duplicate rule id',
      [file('a.json', [rule()]), file('b.json', [rule()])],
      /b\.json rule RF-03: duplicate rule id \(also in a\.json\)/,
    ],
    [
      'a name that is not a rule id',
      [file('x.json', [rule({ name: 'fever' })])],
      /x\.json rule fever: name: must be a rule id/,
    ],
    [
      'a red flag without urgency',
      [
        file('x.json', [
          rule({
            event: { type: 'finding', params: { kind: 'red-flag', source: 'T', title: { en: 'a', nl: 'b', fr: 'c' } } },
          }),
        ]),
      ],
      /x\.json rule RF-03: .*urgency/,
    ],
    [
      'a missing Dutch title',
      [
        file('x.json', [
          rule({ event: { type: 'finding', params: { kind: 'precaution', source: 'T', title: { en: 'a' } } } }),
        ]),
      ],
      /x\.json rule RF-03: .*title\.nl/,
    ],
    ['an unknown operator', [file('x.json', [rule({}, { operator: 'above' })])], /x\.json rule RF-03: /],
    [
      'a reference to a rule that runs later',
      [
        file('x.json', [
          rule(
            { name: 'RF-C', priority: 60 },
            { fact: 'firedRules', params: { ids: ['RF-08'] }, path: '$.count', operator: 'greaterThan', value: 0 }
          ),
          rule({ name: 'RF-08', priority: 50 }),
        ]),
      ],
      /x\.json rule RF-C: refers to RF-08, which must have a higher priority/,
    ],
    [
      'an unknown guideline link',
      [
        file('x.json', [
          rule({
            event: {
              type: 'finding',
              params: { kind: 'precaution', source: 'T', link: 'cochrane', title: { en: 'a', nl: 'b', fr: 'c' } },
            },
          }),
        ]),
      ],
      /x\.json rule RF-03: unknown link "cochrane"/,
    ],
  ])('rejects %s, naming the file and rule', (_name, sources, message) => {
    const problems = problemsOf([settings, keywords, ...language, ...sources]);
    expect(problems.join('\n')).toMatch(message);
  });

  it('requires ruleset.json', () => {
    expect(problemsOf([keywords, ...language, file('x.json', [rule()])]).join('\n')).toMatch(/ruleset\.json: missing/);
  });

  it('rejects an invalid keyword', () => {
    const broken = {
      file: 'keywords.json',
      text: JSON.stringify({ lists: { lbp: { usedBy: ['SC-05'], keywords: ['rug/pijn'] } } }),
    };
    expect(problemsOf([settings, broken, ...language]).join('\n')).toMatch(/keywords\.json: list "lbp"/);
  });

  it('rejects a broken term pattern, naming the file, the list and the term', () => {
    const lists = { fever: { usedBy: ['RF-03'], keywords: ['koorts', { all: ['koorts', ''] }] } };
    const broken = { file: 'keywords.json', text: JSON.stringify({ lists }) };
    expect(problemsOf([settings, broken, ...language]).join('\n')).toMatch(/keywords\.json: lists\.fever\.keywords\.1/);
  });

  it('rejects a broken ConText modifier, naming the file and the field', () => {
    const modifiers = JSON.parse(read('context-modifiers.json').text) as { modifiers: { direction: string }[] };
    (modifiers.modifiers[0] as { direction: string }).direction = 'sideways';
    const broken = { file: 'context-modifiers.json', text: JSON.stringify(modifiers) };
    const problems = problemsOf([settings, keywords, read('text-normalisation.json'), broken]).join('\n');
    expect(problems).toMatch(/context-modifiers\.json: modifiers\.0\.direction/);
  });

  it('requires the free-text language files', () => {
    expect(problemsOf([settings, keywords]).join('\n')).toMatch(/context-modifiers\.json: missing/);
  });

  it('rejects a time zone the runtime does not know (RW-04)', () => {
    const json = JSON.parse(settings.text) as Record<string, unknown>;
    const broken = {
      file: 'ruleset.json',
      text: JSON.stringify({ ...json, records: { timeZone: 'Europe/Ruggenstein' } }),
    };
    expect(problemsOf([broken, keywords]).join('\n')).toMatch(
      /ruleset\.json: records\.timeZone: must be an IANA time zone/
    );
  });

  it('lists every problem at once', () => {
    const problems = problemsOf([
      settings,
      keywords,
      ...language,
      file('x.json', [rule({}, { fact: 'bodyHeat' }), rule({ name: 'RF-04' }, { operator: 'above' })]),
    ]);
    expect(problems.length).toBeGreaterThanOrEqual(2);
  });
});

/** Every field of rules/ is read by the code or refused at start-up (issue 11 item 8). */
describe('buildRuleset: fields that mean what they say', () => {
  const shipped = () =>
    [
      'ruleset.json',
      'keywords.json',
      'text-normalisation.json',
      'context-modifiers.json',
      'conditions.json',
      'scope.json',
      'red-flags.json',
      'exclusions.json',
    ]
      .concat(['precautions.json', 'exercise.json', 'dosage.json', 'imaging.json', 'data-quality.json'])
      .map(read);
  const replaced = (name: string, edit: (json: Record<string, unknown>) => void): RuleSource[] =>
    shipped().map((source) => {
      if (source.file !== name) {
        return source;
      }
      const json = JSON.parse(source.text) as Record<string, unknown>;
      edit(json);
      return { file: name, text: JSON.stringify(json) };
    });
  type Rules = { rules: { name: string; event: { params: { effects?: string[] } } }[] };
  type Lists = { lists: Record<string, { usedBy: string[] }> };
  type Named = { conditions: Record<string, unknown> };

  it('the shipped files pass', () => {
    expect(problemsOf(shipped())).toEqual([]);
  });

  it('refuses an effect that no code reads', () => {
    const sources = replaced('precautions.json', (json) => {
      (json as unknown as Rules).rules[0]!.event.params.effects = ['consult-before-start'];
    });
    expect(problemsOf(sources).join('\n')).toMatch(/precautions\.json rule PR-01: event\.params\.effects\.0/);
  });

  it('refuses a keyword list whose usedBy does not match the rules that use it', () => {
    const sources = replaced('keywords.json', (json) => {
      (json as unknown as Lists).lists.fever!.usedBy = ['RF-03', 'RF-04'];
    });
    expect(problemsOf(sources).join('\n')).toMatch(/list "fever": usedBy says RF-03, RF-04, but it is used by RF-03/);
  });

  it('refuses a keyword list that no rule uses', () => {
    const sources = replaced('keywords.json', (json) => {
      (json as unknown as Lists).lists.unused = { usedBy: ['RF-03'], keywords: ['iets'] } as never;
    });
    expect(problemsOf(sources).join('\n')).toMatch(/list "unused" is used by no rule/);
  });

  it('refuses a reference to an unknown named condition', () => {
    const sources = replaced('imaging.json', (json) => {
      const text = JSON.stringify(json).replace('no-red-flag-that-needs-imaging', 'no-red-flag-at-all');
      Object.assign(json, JSON.parse(text));
    });
    const problems = problemsOf(sources).join('\n');
    expect(problems).toMatch(/imaging\.json rule IM-05: unknown named condition "no-red-flag-at-all"/);
    expect(problems).toMatch(/condition "no-red-flag-that-needs-imaging" is used by no rule/);
  });

  it('refuses a named condition that refers to another', () => {
    const sources = replaced('conditions.json', (json) => {
      (json as unknown as Named).conditions['programme-chosen'] = {
        description: 'nested',
        when: { all: [{ condition: 'nothing-rules-out-run-walk' }] },
      };
    });
    expect(problemsOf(sources).join('\n')).toMatch(/named conditions cannot be nested/);
  });

  it('expands a named condition into the rules that use it: TS-20 still needs a programme rule', () => {
    const ruleset = buildRuleset(shipped(), terminology);
    const ts20 = ruleset.rules.find((rule) => rule.definition.name === 'TS-20');
    expect(JSON.stringify(ts20?.definition.conditions)).toContain('"ids":["TS-11","TS-12","TS-13","TS-14"]');
  });
});

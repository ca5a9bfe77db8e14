import type { TextSource } from './text-match';
import { compileKeywords } from '../../test/support/text-knowledge';
import { normaliseText } from './text-match';

function source(text: string, reference = 'Condition/c1', field = 'note'): TextSource {
  return { reference, field, text };
}

/** The keywords that fire in `text`, in text order. */
function fired(keywords: readonly string[], text: string): string[] {
  return compileKeywords(keywords)
    .findAll([source(text)])
    .map((m) => m.keyword);
}

// Keyword lists as the rule files use them (docs/clinical-specification.md §2, §3, §6).
const FEVER = ['koorts', 'koortsig', 'rillingen', 'fever', 'chills'];
const CES = ['zadelanesthesie', 'doof gevoel rond anus', 'kan niet plassen', 'urineretentie', 'not able to void'];
const WEIGHT = ['afgevallen', 'gewichtsverlies', 'gewicht verloren', 'kilo kwijt', 'weight loss'];
const CANCER = ['kanker', 'carcinoom', 'metastase', 'tumor', 'cancer'];
const REDNESS = ['roodheid+rug', 'rood+rug', 'warm+rug'];
const NOVICE = ['nooit krachttraining', 'geen sportervaring', 'inactief', 'never strength trained'];

describe('normaliseText', () => {
  test.each([
    ['KOORTS', 'koorts'],
    ['Reumatoïde  artritis', 'reumatoide artritis'],
    ['re\u0075matoi\u0308de', 'reumatoide'], // decomposed diaeresis
    ['  Ischiás\n\tlinks ', 'ischias links'],
    ['koorts\u00ADig', 'koortsig'], // soft hyphen
    ['', ''],
    ['🤒 Koorts', '🤒 koorts'],
  ])('%j → %j', (text, expected) => {
    expect(normaliseText(text)).toBe(expected);
  });
});

describe('keyword matching (case, diacritics, word boundaries, prefix rule)', () => {
  test.each<[string, readonly string[], string, string[]]>([
    ['lower case keyword, capitalised text', ['koorts'], 'Koorts sinds gisteren', ['koorts']],
    ['upper-case text', ['koorts'], 'KOORTS 39', ['koorts']],
    ['keyword without diaeresis, text with', ['reumatoide'], 'reumatoïde artritis', ['reumatoide']],
    ['keyword with diaeresis, text without', ['reumatoïde'], 'reumatoide artritis', ['reumatoïde']],
    ['text with a decomposed diaeresis', ['reumatoide'], 'reumatoi\u0308de artritis', ['reumatoide']],
    ['prefix: koorts → koortsig', ['koorts'], 'pt voelt zich koortsig', ['koorts']],
    ['prefix: metastase → metastasen', ['metastase'], 'bekende metastasen', ['metastase']],
    ['prefix: fysiotherap → fysiotherapie', ['fysiotherap'], 'verwezen naar fysiotherapie', ['fysiotherap']],
    ['abbreviation, whole word', ['LBP'], 'LBP', ['LBP']],
    ['abbreviation followed by a comma', ['LBP'], 'sinds 2 weken lbp, geen trauma', ['LBP']],
    ['multi-word keyword', ['gewicht verloren'], 'veel gewicht verloren', ['gewicht verloren']],
    ['multi-word keyword, last word as prefix', ['kilo kwijt'], '3 kilo kwijtgeraakt', ['kilo kwijt']],
    ['multi-word keyword across a hyphen', ['auto ongeluk'], 'auto-ongeluk in maart', ['auto ongeluk']],
    ['hyphenated keyword, text with a space', ['auto-ongeluk'], 'auto ongeluk in maart', ['auto-ongeluk']],
    ['multi-word keyword across extra spaces', ['kan niet plassen'], 'kan  niet\tplassen', ['kan niet plassen']],
    ['no match inside a word (rood / brood)', ['rood'], 'bruin brood gegeten', []],
    ['no match inside a word (no / nothing)', ['no'], 'nothing else', []],
    ['words of one or two letters match whole only (RA / radiculair)', ['RA'], 'radiculaire pijn', []],
    ['a two-letter abbreviation as a whole word', ['RA'], 'bekend met RA.', ['RA']],
    ['three letters act as a stem (rug / rugpijn)', ['rug'], 'rugpijn', ['rug']],
    ['no match at the end of a compound (pijn / rugpijn)', ['pijn'], 'rugpijn', []],
    ['non-last words must match whole', ['gewicht verloren'], 'gewichten verloren', []],
    ['words must be consecutive', ['doof gevoel rond anus'], 'doof gevoel rond de anus', []],
    ['a multi-word keyword does not span a clause mark', ['gewicht verloren'], 'gewicht, verloren', []],
    ['digits are word characters', ['L5'], 'hernia L5-S1', ['L5']],
    ['digits inside a word are not a boundary', ['koorts'], '38koorts', []],
    ['a keyword ending in a digit does not match a longer number', ['L1'], 'fractuur L12', []],
    ['a number keyword does not match a decimal', ['38'], 'temp 38,5', []],
    ['a number keyword matches the number followed by letters', ['L4'], 'L4L5 discectomie', ['L4']],
    ['keyword after emoji', ['koorts'], '🤒koorts🤒', ['koorts']],
    ['soft hyphen inside a word', ['koortsig'], 'koorts\u00ADig', ['koortsig']],
    // One mention per place in the text (ConText, issue 12): "Koortsig" is reported once, under the first term.
    ['RF-03 list', FEVER, 'Koortsig en rillingen', ['koorts', 'rillingen']],
    ['RF-05 list', CANCER, 'Mammacarcinoom 2015, nu metastasen', ['metastase']],
  ])('%s', (_name, keywords, text, expected) => {
    expect(fired(keywords, text)).toEqual(expected);
  });
});

describe('negation', () => {
  test.each<[string, readonly string[], string, string[]]>([
    // §2 examples
    ['§2: negation word after the keyword does not negate it', WEIGHT, '6 kg afgevallen zonder dieet', ['afgevallen']],
    ['§2: geen koorts, wel rillingen', FEVER, 'geen koorts, wel rillingen', ['rillingen']],
    ['§2: phrase with its own negation word', CES, 'kan niet plassen sinds vanochtend', ['kan niet plassen']],
    // Dutch
    ['geen', FEVER, 'Geen koorts', []],
    ['niet', FEVER, 'niet koortsig', []],
    ['nooit', CANCER, 'nooit kanker gehad', []],
    ['ontkent', FEVER, 'patiënt ontkent koorts', []],
    // A checklist answered "ontkend" negates the question before it (RW-09), so nothing fires (issue 12).
    ['ontkend', FEVER, 'koorts en rillingen? ontkend koorts', []],
    ['ontkend before the keyword', FEVER, 'ontkend koorts', []],
    ['zonder', FEVER, 'zonder koorts', []],
    ['negation with a diacritic-free match', ['reumatoide'], 'geen reumatoïde artritis', []],
    // English
    ['no', FEVER, 'No fever', []],
    ['not', FEVER, 'not feverish', []],
    ['denies', FEVER, 'Denies chills', []],
    ['denied', FEVER, 'denied fever', []],
    ['negative for (two words)', CANCER, 'Negative for cancer', []],
    // The spelling folds (c → k) make "cancer" and "kanker" one term, reported under the first (issue 12).
    ['"negative" alone is not a negation', CANCER, 'negative cancer screening', ['kanker']],
    ['"for" alone is not a negation', CANCER, 'referred for cancer', ['kanker']],
    ['"negative for" split by a line break is not a negation', CANCER, 'negative\nfor cancer', ['kanker']],
    // scope
    ['one negation covers every following keyword in its clause', FEVER, 'geen koorts of rillingen', []],
    ['English: no fever or chills', FEVER, 'no fever or chills', []],
    ['words between negation and keyword', CANCER, 'geen aanwijzingen voor kanker', []],
    ['niet negates a multi-word keyword', WEIGHT, 'heeft niet veel gewicht verloren', []],
    ['no negates a multi-word keyword', ['night pain'], 'no night pain', []],
    ['keyword before the negation stays positive (English)', FEVER, 'fever, no chills', ['fever']],
    ['keyword before the negation in one clause stays positive', FEVER, 'koorts niet gemeten', ['koorts']],
    ['negation words only as whole words (nothing)', FEVER, 'nothing suggests fever', ['fever']],
    ['negation words only as whole words (notably)', FEVER, 'notably fever', ['fever']],
    ['unlisted negation-like word does not negate', FEVER, 'geenszins koorts', ['koorts']],
    ['negation word inside another word (nooitgedacht)', FEVER, 'nooitgedacht koorts', ['koorts']],
    // phrases containing a negation word (§2, DESIGN)
    ['preceding negation negates a phrase', CES, 'geen klachten van kan niet plassen', []],
    // RW-09 checklists ("koorts: nee", "ontkent: …"): ":" no longer ends a negation's scope (issue 12).
    ['a negation before ":" covers the checklist item after it', CES, 'ontkent: kan niet plassen', []],
    ['English phrase with not', CES, 'Patient not able to void since 6 am', ['not able to void']],
    ['English phrase negated by a preceding no', CES, 'no episodes of not able to void', []],
    [
      'inner negation word of a matched phrase negates nothing else',
      [...CES, 'koorts'],
      'kan niet plassen en koorts',
      ['kan niet plassen', 'koorts'],
    ],
    ['inner negation word, English', [...CES, 'fever'], 'not able to void and fever', ['not able to void', 'fever']],
    // "kan niet" (cannot) is a pseudo trigger: "kan niet lopen" affirms an inability (issue 12).
    ['"kan niet" is not a negation', ['kan niet plassen', 'lopen'], 'kan niet lopen', ['lopen']],
    ['an unmatched phrase leaves its negation word active', ['kan niet plassen', 'lopen'], 'niet lopen', []],
    ['novice: phrase starting with geen', NOVICE, 'Heeft geen sportervaring', ['geen sportervaring']],
    ['novice: phrase starting with nooit', NOVICE, 'Nooit krachttraining gedaan', ['nooit krachttraining']],
    ['novice: a single keyword negated', NOVICE, 'niet inactief', []],
    ['novice: a negation before ":" reaches the checklist item', NOVICE, 'niet: inactief', []],
    ['novice: "never" is not a negation word', NOVICE, 'never strength trained', ['never strength trained']],
  ])('%s', (_name, keywords, text, expected) => {
    expect(fired(keywords, text)).toEqual(expected);
  });
});

describe('clause boundaries end a negation', () => {
  test.each([
    ['.', 'geen koorts. rillingen'],
    [';', 'geen koorts; rillingen'],
    ['!', 'geen koorts! rillingen'],
    [',', 'geen koorts,rillingen'],
    ['line break', 'geen koorts\nrillingen'],
    ['CRLF', 'geen koorts\r\nrillingen'],
    ['maar', 'geen koorts maar rillingen'],
    ['wel', 'geen koorts wel rillingen'],
    ['but', 'geen koorts but rillingen'],
    ['Maar (case-insensitive)', 'Geen koorts Maar rillingen'],
    ['ellipsis character', 'geen koorts… rillingen'],
  ])('%s', (_boundary, text) => {
    expect(fired(FEVER, text)).toEqual(['rillingen']);
  });

  test.each([
    ['space', 'geen koorts rillingen'],
    ['hyphen', 'geen koorts - rillingen'],
    ['slash', 'geen koorts/rillingen'],
    ['brackets', 'geen koorts (rillingen)'],
    ['emoji', 'geen 🤒 koorts rillingen'],
    ['decimal comma', 'geen 38,5 koorts of rillingen'],
    ['decimal point', 'geen 38.5 koorts of rillingen'],
    ['word containing maar', 'geen koorts maart rillingen'],
    // Checklists (RW-09, issue 12): ":" and "?" keep the scope open ("koorts: nee", "koorts? nee").
    [':', 'geen koorts: rillingen'],
    ['?', 'geen koorts? rillingen'],
  ])('%s does not end the clause', (_separator, text) => {
    expect(fired(FEVER, text)).toEqual([]);
  });

  test.each([
    ['comma after a number and a space', 'geen 38, koorts'],
    ['point after a number and a space', 'geen 38. koorts'],
    ['comma between a number and a letter', 'geen 38,koorts'],
  ])('%s ends the clause', (_name, text) => {
    expect(fired(FEVER, text)).toEqual(['koorts']);
  });
});

describe("'+' groups (all parts in one clause, none negated)", () => {
  test.each<[string, string, { keyword: string; matched: string }[]]>([
    [
      'parts in keyword order; "rood" also matches "roodheid"',
      'roodheid op de rug',
      // One mention per place in the text (issue 12).
      [{ keyword: 'roodheid+rug', matched: 'roodheid … rug' }],
    ],
    ['parts in reverse order, reported in text order', 'Rug is warm', [{ keyword: 'warm+rug', matched: 'Rug … warm' }]],
    ['prefix rule per part', 'warmte onderin de rugstreek', [{ keyword: 'warm+rug', matched: 'warmte … rugstreek' }]],
    [
      'two groups on one clause',
      'rug rood en warm',
      [
        { keyword: 'rood+rug', matched: 'rug … rood' },
        { keyword: 'warm+rug', matched: 'rug … warm' },
      ],
    ],
    ['one part missing', 'roodheid van de huid', []],
    ['a part only inside a compound word (onderrug)', 'roodheid onderrug', []],
    ['split by a comma', 'roodheid, rug', []],
    // A checklist colon does not split the parts (RW-09, issue 12): "Rug: roodheid" is redness of the back.
    ['a checklist colon', 'Rug: roodheid', [{ keyword: 'roodheid+rug', matched: 'Rug … roodheid' }]],
    ['split by maar', 'roodheid maar rug', []],
    ['split by a line break', 'roodheid\nrug', []],
    ['negated before both parts', 'geen roodheid op de rug', []],
    ['one part negated', 'rug niet rood', []],
    ['negation after both parts', 'rug rood, niet warm', [{ keyword: 'rood+rug', matched: 'rug … rood' }]],
    ['negation in an earlier clause', 'geen koorts, rug rood', [{ keyword: 'rood+rug', matched: 'rug … rood' }]],
  ])('%s', (_name, text, expected) => {
    const matches = compileKeywords(REDNESS).findAll([source(text)]);
    expect(matches.map((m) => ({ keyword: m.keyword, matched: m.matched }))).toEqual(expected);
  });
});

describe('matched and snippet', () => {
  test.each<[string, readonly string[], string, { keyword: string; matched: string; snippet: string }[]]>([
    [
      'original spelling, clause as snippet',
      ['koorts'],
      'Anamnese: geen trauma. Sinds 3 dagen Koortsig en rillerig, wel pijn',
      [{ keyword: 'koorts', matched: 'Koortsig', snippet: 'Sinds 3 dagen Koortsig en rillerig' }],
    ],
    [
      'a clause word opens the snippet',
      FEVER,
      'geen koorts, wel rillingen.',
      [{ keyword: 'rillingen', matched: 'rillingen', snippet: 'wel rillingen' }],
    ],
    [
      'multi-word match keeps the text between the words',
      CES,
      'Kan niet-plassen!',
      [{ keyword: 'kan niet plassen', matched: 'Kan niet-plassen', snippet: 'Kan niet-plassen' }],
    ],
    [
      'several matches, text order',
      [...FEVER, ...WEIGHT],
      'Rillingen; 6 kg afgevallen zonder dieet, koorts',
      [
        { keyword: 'rillingen', matched: 'Rillingen', snippet: 'Rillingen' },
        { keyword: 'afgevallen', matched: 'afgevallen', snippet: '6 kg afgevallen zonder dieet' },
        { keyword: 'koorts', matched: 'koorts', snippet: 'koorts' },
      ],
    ],
    [
      // One mention per place in the text (issue 12): the first keyword of the list names it.
      'same word, several keywords: the first one',
      ['koortsig', 'koorts'],
      'koortsig',
      [{ keyword: 'koortsig', matched: 'koortsig', snippet: 'koortsig' }],
    ],
    [
      'keywords that normalise alike are matched once, under the first spelling',
      ['Koorts', 'koorts', 'KOÖRTS'],
      'koorts',
      [{ keyword: 'Koorts', matched: 'koorts', snippet: 'koorts' }],
    ],
  ])('%s', (_name, keywords, text, expected) => {
    const matches = compileKeywords(keywords).findAll([source(text)]);
    expect(matches.map(({ keyword, matched, snippet }) => ({ keyword, matched, snippet }))).toEqual(expected);
  });

  test('a long clause is cut to about 80 characters around the match, at word boundaries', () => {
    const before = 'de patiënt vertelt uitgebreid over het verloop van de klachten in de afgelopen weken en';
    const after = 'die vooral in de avond optreden en soms tot in de nacht aanhouden volgens de partner';
    const [match] = compileKeywords(['rillingen']).findAll([source(`${before} rillingen ${after}`)]);
    expect(match?.matched).toBe('rillingen');
    const snippet = match?.snippet ?? '';
    expect(snippet).toContain('rillingen');
    expect(snippet.length).toBeLessThanOrEqual(82);
    expect(snippet).toMatch(/^….*…$/u);
    // Cut between words: the visible text without the marks is a run of whole words of the clause.
    const visible = snippet.slice(1, -1);
    expect(` ${before} rillingen ${after} `).toContain(` ${visible} `);
  });

  test('a group snippet spans both parts', () => {
    const [match] = compileKeywords(['rood+rug']).findAll([
      source('Pijn. Huid boven de rug is rood en warm. Geen koorts'),
    ]);
    expect(match).toMatchObject({ matched: 'rug … rood', snippet: 'Huid boven de rug is rood en warm' });
  });
});

describe('sources', () => {
  const sources: TextSource[] = [
    { reference: 'Condition/c1', field: 'code.text', text: 'rillingen en koorts', date: '2025-01-02' },
    { reference: 'Condition/c2', field: 'note', text: 'geen koorts' },
    { reference: 'Observation/o1', field: 'valueString', text: 'metastasen; koorts' },
  ];

  test('matches come in source order, then text order, and point at their source', () => {
    const matches = compileKeywords([...FEVER, ...CANCER]).findAll(sources);
    expect(matches.map((m) => [m.source.reference, m.keyword, m.matched])).toEqual([
      ['Condition/c1', 'rillingen', 'rillingen'],
      ['Condition/c1', 'koorts', 'koorts'],
      ['Observation/o1', 'metastase', 'metastasen'],
      ['Observation/o1', 'koorts', 'koorts'],
    ]);
    expect(matches[0]?.source).toBe(sources[0]);
  });

  test('no sources, no matches', () => {
    const matcher = compileKeywords(FEVER);
    expect(matcher.findAll([])).toEqual([]);
    expect(matcher.matchesAny([])).toBe(false);
  });

  test('keywords are kept as given', () => {
    expect(compileKeywords(['Koorts', 'rood+rug', 'koorts']).keywords).toEqual(['Koorts', 'rood+rug', 'koorts']);
  });
});

describe('matchesAny agrees with findAll', () => {
  const matcher = compileKeywords([...FEVER, ...CES, ...REDNESS, ...NOVICE]);
  test.each([
    'geen koorts',
    'koorts',
    'geen koorts, wel rillingen',
    'rug niet rood',
    'rug rood',
    'roodheid, rug',
    'kan niet plassen',
    'geen kan niet plassen',
    'geen sportervaring',
    '',
    '...',
    'rillingen.\n'.repeat(5),
  ])('%j', (text) => {
    expect(matcher.matchesAny([source(text)])).toBe(matcher.findAll([source(text)]).length > 0);
  });

  test('over several sources', () => {
    const texts = [source('geen koorts'), source('niets bijzonders'), source('rug rood')];
    expect(matcher.matchesAny(texts)).toBe(true);
    expect(matcher.matchesAny(texts.slice(0, 2))).toBe(false);
  });
});

describe('compileKeywords rejects bad keywords', () => {
  test.each([
    ['empty', ''],
    ['whitespace only', '   '],
    ['only punctuation', '!!!'],
    ['only dots', '...'],
    ['only a slash', '/'],
    ['group with an empty last part', 'roodheid+'],
    ['group with an empty first part', '+rug'],
    ['group with an empty middle part', 'rood++rug'],
    ['group with a blank part', 'rood+ +rug'],
    ['alternatives with a slash', 'doof gevoel rond anus/bilnaad'],
    ['optional suffix in brackets', 'metastase(n)'],
    ['a clause mark inside', 'koorts, rillingen'],
    ['a line break inside', 'koorts\nrillingen'],
    ['a clause word inside', 'pijn maar erger'],
  ])('%s: %j', (_name, keyword) => {
    expect(() => compileKeywords(['koorts', keyword])).toThrow(`Invalid keyword ${JSON.stringify(keyword)}`);
  });

  test.each([['lage-rugpijn'], ["'s nachts pijn"], ['L5'], ['38,5'], ['hernia–operatie'], ['  koorts  ']])(
    'accepts %j',
    (keyword) => {
      expect(() => compileKeywords([keyword])).not.toThrow();
    }
  );
});

describe('robustness', () => {
  test.each([
    ['empty text', ''],
    ['only punctuation', '.,;:!?…\n\r'],
    ['only whitespace', ' \t\n '],
    ['emoji and zero-width joiners', '👨‍👩‍👧 🤒🤒 \u200B\u200D'],
    ['other scripts', 'Температура 38,5 — 发烧 — حمى'],
    ['lone surrogates', '\uD83D koorts\uDE00'],
    ['combining marks only', '\u0301\u0308'],
  ])('%s does not throw', (_name, text) => {
    const matcher = compileKeywords([...FEVER, ...REDNESS]);
    expect(() => matcher.findAll([source(text)])).not.toThrow();
  });

  test('a 100 KB text is scanned to its end', () => {
    const filler = 'Patiënt meldt geen koorts en heeft nog steeds last van lage rugpijn bij het tillen; ';
    const text = `${filler.repeat(Math.ceil(100_000 / filler.length))}geen koorts, maar wel rillingen`;
    expect(text.length).toBeGreaterThan(100_000);
    const matches = compileKeywords([...FEVER, ...REDNESS]).findAll([source(text)]);
    expect(matches).toHaveLength(1);
    expect(matches[0]).toMatchObject({ keyword: 'rillingen', matched: 'rillingen', snippet: 'wel rillingen' });
  });

  test('a 100 KB text without any break is scanned to its end', () => {
    const text = `${'x'.repeat(100_000)} geen  ${'y'.repeat(100_000)} koorts`;
    const matches = compileKeywords(FEVER).findAll([source(text)]);
    expect(matches).toEqual([]);
    const [match] = compileKeywords(FEVER).findAll([source(`${'x'.repeat(100_000)} koorts`)]);
    expect(match?.matched).toBe('koorts');
    expect(match?.snippet.length).toBeLessThanOrEqual(82);
  });
});

describe('compound words ("*" keywords)', () => {
  const sources = (text: string) => [{ reference: 'Condition/c1', field: 'note', text }];
  const matcher = compileKeywords(['*kanker', '*incontinentie', 'koorts']);

  it.each([
    ['longkanker in 2019', true],
    ['Darmkanker, geopereerd', true],
    ['kanker', true],
    ['prostaatkankers', true],
    ['urineincontinentie sinds een week', true],
    ['geen longkanker', false],
    ['ontkent urineincontinentie', false],
    ['kankeronderzoek gepland', true],
    ['kan ker', false],
  ])('%s → %s', (text, expected) => {
    expect(matcher.matchesAny(sources(text))).toBe(expected);
  });

  it('reports the whole compound word as matched', () => {
    expect(matcher.findAll(sources('Longkanker 2019'))[0]).toMatchObject({ keyword: '*kanker', matched: 'Longkanker' });
  });

  it('does not extend plain keywords into compounds', () => {
    expect(matcher.matchesAny(sources('hooikoorts'))).toBe(false);
  });

  it('rejects "*" on a phrase of several words', () => {
    expect(() => compileKeywords(['*kan niet plassen'])).toThrow(/only a single word/);
  });
});

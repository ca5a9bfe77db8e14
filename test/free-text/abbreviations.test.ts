import path from 'node:path';
import fc from 'fast-check';
import { parseCorpus } from '../../src/clinical/text/evaluation';
import { repositoryTextKnowledge } from '../support/text-knowledge';
import type { TextMatch } from '../../src/clinical/text/matcher';

/**
 * Properties of the tokeniser's abbreviation, elision and language handling (RW-09): the ways GPs write one thing
 * read the same, and a sentence keeps its reading whatever the language of the sentence next to it.
 */
const knowledge = repositoryTextKnowledge();

function mentions(list: string, text: string): TextMatch[] {
  const matcher = knowledge.lists.get(list);
  if (matcher === undefined) {
    throw new Error(`no list ${list}`);
  }
  return matcher.mentions([{ reference: 'Condition/c1', field: 'code.text', text, date: '2026-11-20' }]);
}

const statusOf = (list: string, text: string) => mentions(list, text)[0]?.status;

/** How Dutch and Belgian GPs write "history of breast cancer" (St.n. = status na). */
const HISTORY = ['St.n.', 'st.n.', 'St. n.', 's.n.', 'S.n.', 'status na', 'Status na', 'VG:', 'vg'];
const BREAST_CANCER = ['mamma-ca', 'mammaca', 'mamma ca', 'Mamma-Ca', 'Ca mammae', 'ca. mammae', 'mammacarcinoom'];

describe('"St.n. mamma-ca 2012" (RF-05: a past cancer is the red flag)', () => {
  it('every way of writing it is a historical cancer mention, which RF-05 counts', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...HISTORY),
        fc.constantFrom(...BREAST_CANCER),
        fc.option(fc.integer({ min: 1990, max: 2026 })),
        fc.constantFrom('', ' li', ' re', ', in remissie'),
        (history, cancer, year, tail) => {
          const text = `${history} ${cancer}${year === null ? '' : ` ${year}`}${tail}`;
          expect(mentions('cancer', text).map((m) => m.status)).toEqual(['historical']);
        }
      )
    );
  });

  it('the abbreviation alone, with or without a year, is a cancer finding', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BREAST_CANCER),
        fc.option(fc.integer({ min: 1990, max: 2026 })),
        (cancer, year) => {
          const status = statusOf('cancer', `${cancer}${year === null ? '' : ` ${year}`}`);
          // A bare year dates the mention in the past: still counted by RF-05 (no window).
          expect(['affirmed', 'historical']).toContain(status);
        }
      )
    );
  });

  it('"ca" before a number stays "circa" where no organ comes before it', () => {
    expect(mentions('cancer', 'Rugpijn sinds ca. 2012')).toEqual([]);
    expect(mentions('cancer', 'Rugpijn sinds ca 2012')).toEqual([]);
    expect(statusOf('weight-loss', 'ca 5 kg afgevallen')).toBe('affirmed');
  });
});

describe('French elision and ligatures', () => {
  it('an elided word reads as the whole word, with either apostrophe', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          ['cauda-equina', 'anesthésie en selle'],
          ['cauda-equina', 'incontinence urinaire'],
          ['weight-loss', 'amaigrissement'],
          ['cancer', 'antécédent de cancer']
        ),
        fc.constantFrom("'", '\u2019'),
        fc.constantFrom('Pas', 'pas', 'Absence'),
        ([list, phrase], apostrophe, negation) => {
          const elided = `${negation} d${apostrophe}${phrase}.`;
          expect(statusOf(list, elided)).toBe('negated');
          expect(statusOf(list, `${phrase}.`)).not.toBe('negated');
        }
      )
    );
  });

  it('"sœur" is "soeur": a family mention either way', () => {
    expect(statusOf('cancer', 'Sa sœur a un cancer du sein.')).toBe('family');
    expect(statusOf('cancer', 'Sa soeur a un cancer du sein.')).toBe('family');
  });
});

describe('mixed Dutch/French notes lose nothing', () => {
  const corpus = (language: string) =>
    parseCorpus(path.join(__dirname, `corpus-${language}.txt`), language).filter((s) => s.labels.size > 0);
  const dutch = corpus('nl');
  const french = corpus('fr');

  it('a labelled sentence keeps its reading next to a sentence of the other language', () => {
    fc.assert(
      fc.property(fc.constantFrom(...dutch), fc.constantFrom(...french), fc.boolean(), (nl, fr, frenchFirst) => {
        const [first, second] = frenchFirst ? [fr, nl] : [nl, fr];
        const joined = `${first.text}\n${second.text}`;
        for (const sentence of [first, second]) {
          for (const list of sentence.labels.keys()) {
            const alone = mentions(list, sentence.text).map((m) => m.status);
            const together = mentions(list, joined)
              .filter((m) => sentence.text.includes(m.matched.split(' … ')[0] ?? ''))
              .map((m) => m.status);
            for (const status of alone) {
              expect(together).toContain(status);
            }
          }
        }
      }),
      { numRuns: 300 }
    );
  });
});

describe('words that would hide a red flag if read too widely', () => {
  it('a systemic route or an unrelated "sleeve" is no local route or bariatric surgery (SF-2, RF-04)', () => {
    expect(mentions('local-route', 'Solu-Medrol 40 mg sous-cutanée')).toEqual([]);
    expect(mentions('local-route', 'méthylprednisolone par voie intraveineuse')).toEqual([]);
    expect(mentions('bariatric-surgery', 'compression sleeve for the knee')).toEqual([]);
    expect(statusOf('bariatric-surgery', 'ATCD : sleeve gastrique 2023')).toBe('historical');
  });

  it('"ant." (anterior) is no history: an anterior wedge fracture is a fracture now', () => {
    expect(statusOf('fracture', 'Ant. wigvormige inzakkingsfractuur L1')).toBe('affirmed');
  });
});

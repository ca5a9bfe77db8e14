import path from 'node:path';
import { parseCorpus, precision, recall, scoreCorpus, total } from '../../src/clinical/text/evaluation';
import { repositoryTextKnowledge } from '../support/text-knowledge';

/**
 * The annotated sentence corpus (RW-09, issue 12): Dutch, English and Belgian French GP note sentences labelled with concept and
 * ConText status. Targets: every affirmed red-flag mention is read as a finding (recall 100 %), and of what is read
 * as a finding at least 95 % is one (negated, family and hypothetical mentions are not findings).
 */
const corpus = [
  ...parseCorpus(path.join(__dirname, 'corpus-nl.txt'), 'nl'),
  ...parseCorpus(path.join(__dirname, 'corpus-en.txt'), 'en'),
  ...parseCorpus(path.join(__dirname, 'corpus-fr.txt'), 'fr'),
];
const scores = scoreCorpus(repositoryTextKnowledge(), corpus);
/** The keyword lists behind the red flags RF-01…RF-08 (rules/red-flags.json). */
const RED_FLAG_CONCEPTS = [
  'cauda-equina',
  'neurological-deficit',
  'fever',
  'weight-loss',
  'cancer',
  'major-trauma',
  'minor-trauma',
  'fracture',
  'non-mechanical-pain',
];

describe('free-text corpus', () => {
  it('has at least 300 Dutch, 150 English and 60 French sentences', () => {
    expect(scores.byLanguage.nl).toBeGreaterThanOrEqual(300);
    expect(scores.byLanguage.en).toBeGreaterThanOrEqual(150);
    expect(scores.byLanguage.fr).toBeGreaterThanOrEqual(60);
  });

  it.each(['nl', 'en', 'fr'])('meets the targets in %s on its own', (language) => {
    const score = scores.languages.get(language);
    expect(score && recall(score.affirmedRecall)).toBe(1);
    expect(score && precision(score.findings)).toBeGreaterThanOrEqual(0.95);
  });

  it.each(RED_FLAG_CONCEPTS)('reads every affirmed %s mention as a finding', (concept) => {
    const score = scores.affirmedRecall.get(concept);
    expect(score?.tp).toBeGreaterThan(0);
    expect(score && recall(score)).toBe(1);
  });

  it('reads findings with a precision of at least 95 %', () => {
    expect(precision(total(scores.findings))).toBeGreaterThanOrEqual(0.95);
  });

  it.each(['negated', 'hypothetical', 'family'] as const)('%s mentions are rarely read as findings', (status) => {
    const score = scores.statuses.get(status);
    expect(score && recall(score)).toBeGreaterThanOrEqual(0.9);
  });
});

import path from 'node:path';
import { formatScores, parseCorpus, scoreCorpus } from '../clinical/text/evaluation';
import { loadTextKnowledge } from '../clinical/text/knowledge';
import { PACKAGE_ROOT } from '../common/version';

/** `npm run text:eval`: precision and recall of the free-text reading on the annotated corpus in test/free-text/. */
const dir = path.join(PACKAGE_ROOT, 'test', 'free-text');
const corpus = [
  ...parseCorpus(path.join(dir, 'corpus-nl.txt'), 'nl'),
  ...parseCorpus(path.join(dir, 'corpus-en.txt'), 'en'),
  ...parseCorpus(path.join(dir, 'corpus-fr.txt'), 'fr'),
];
process.stdout.write(`${formatScores(scoreCorpus(loadTextKnowledge(path.join(PACKAGE_ROOT, 'rules')), corpus))}\n`);

import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import type { TextFile } from '../../src/clinical/text/knowledge';
import { buildTextKnowledge, TEXT_FILES } from '../../src/clinical/text/knowledge';
import { repositoryTextKnowledge } from '../support/text-knowledge';
import type { TextMatch, TextSource } from '../../src/clinical/text/matcher';

/**
 * The speed-ups of the free-text reading (docs/free-text.md "Speed") must not change what is read: identical texts of
 * a record share one reading, a record's texts are indexed by list once, and words are normalised once per turn.
 * The reference reads every source on its own, in a turn of its own (so nothing is shared or remembered), with a
 * lexicon of its own; both must give the same mentions, in the same order, for every keyword list.
 */

const RULES = path.join(__dirname, '../../rules');
const rule = (file: string): unknown => JSON.parse(readFileSync(path.join(RULES, file), 'utf8'));

interface KeywordFile {
  lists: Record<string, { keywords: (string | { all: string[] })[]; exclude?: string[] }>;
}
interface ModifierFile {
  modifiers: { triggers: string[] }[];
  terminators: Record<string, string[]>;
}

const keywords = rule('keywords.json') as KeywordFile;
const modifiers = rule('context-modifiers.json') as ModifierFile;
/** A readable form of each term: its first alternative, parts joined, optional words kept. */
const plain = (term: string) => (term.split('|')[0] ?? '').replace(/[[\]*]/g, '').replace(/\+/g, ' ');
const TERMS = Object.values(keywords.lists).flatMap((list) => [
  ...list.keywords.flatMap((k) => (typeof k === 'string' ? [plain(k)] : k.all.map(plain))),
  ...(list.exclude ?? []),
]);
const TRIGGERS = modifiers.modifiers.flatMap((group) => group.triggers);
const TERMINATORS = Object.values(modifiers.terminators).flat();
const FILLERS = [
  'de',
  'patiënt',
  'sinds',
  '3 dagen',
  'vorig jaar',
  'links',
  'nu',
  'en',
  'of',
  'in 2015',
  'St.n.',
  'RR 150/90',
];
const MARKS = [' ', ' ', ' ', ', ', '. ', '; ', ': ', ' - ', '\n', '? ', ' (', ') ', ' S: '];

const word = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TERMS) },
  { weight: 3, arbitrary: fc.constantFrom(...TRIGGERS) },
  { weight: 1, arbitrary: fc.constantFrom(...TERMINATORS) },
  { weight: 2, arbitrary: fc.constantFrom(...FILLERS) }
);
const casing = fc.constantFrom<(w: string) => string>(
  (w) => w,
  (w) => w.toUpperCase(),
  (w) => w.charAt(0).toUpperCase() + w.slice(1)
);
const text = fc
  .array(fc.tuple(word, casing, fc.constantFrom(...MARKS)), { minLength: 1, maxLength: 12 })
  .map((parts) => parts.map(([w, cased, mark]) => cased(w) + mark).join(''));
/** A record's texts: drawn from a small pool, so identical texts repeat (episode titles), with and without dates. */
const record = fc
  .tuple(
    fc.array(text, { minLength: 1, maxLength: 6 }),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(undefined, '2026-11-20', '2015-03-01')), {
      minLength: 1,
      // Records from a few texts to more than the 32 from which a record's texts are indexed by list.
      maxLength: 80,
      size: 'max',
    })
  )
  .map(([pool, picks]) =>
    picks.map(([k, date], i): TextSource => ({
      reference: `Condition/c${i}`,
      field: i % 2 === 0 ? 'code.text' : 'note',
      text: pool[k % pool.length] ?? '',
      ...(date === undefined ? {} : { date }),
    }))
  );

const files = Object.fromEntries(TEXT_FILES.map((file) => [file, rule(file)])) as Record<TextFile, unknown>;
const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 0));
const shown = (matches: readonly TextMatch[]) => JSON.stringify(matches);

describe('shared free-text reading', () => {
  it('gives every list the same mentions as reading each source alone, in a turn of its own', async () => {
    const fast = repositoryTextKnowledge();
    const reference = buildTextKnowledge(files).knowledge;
    if (reference === undefined) {
      throw new Error('the rule files do not compile');
    }
    await fc.assert(
      fc.asyncProperty(record, async (sources) => {
        const frozen = Object.freeze([...sources]);
        const found = [...fast.lists].map(([name, matcher]) => ({
          name,
          mentions: shown(matcher.mentions(frozen)),
          findings: shown(matcher.findAll(frozen)),
          any: matcher.matchesAny(frozen),
        }));
        const alone: Map<string, TextMatch[]>[] = [];
        for (const source of sources) {
          await nextTurn();
          alone.push(new Map([...reference.lists].map(([name, matcher]) => [name, matcher.mentions([source])])));
        }
        for (const { name, mentions, findings, any } of found) {
          const expected = alone.flatMap((byList) => byList.get(name) ?? []);
          const counted = expected.filter(
            (m) => m.status !== 'negated' && m.status !== 'hypothetical' && m.status !== 'family'
          );
          expect({ name, mentions }).toEqual({ name, mentions: shown(expected) });
          expect({ name, findings }).toEqual({ name, findings: shown(counted) });
          expect({ name, any }).toEqual({ name, any: counted.length > 0 });
        }
      }),
      { numRuns: 25 }
    );
  }, 60_000);
});

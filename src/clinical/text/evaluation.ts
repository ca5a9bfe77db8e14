import { readFileSync } from 'node:fs';
import type { TextKnowledge } from './knowledge';
import type { MentionStatus } from './mentions';
import { MENTION_STATUSES } from './mentions';

/**
 * Precision and recall of the free-text reading on an annotated sentence corpus (test/free-text/corpus-*.txt):
 * per concept for findings (a mention that counts now: affirmed or uncertain) and per ConText status.
 * Used by `npm run text:eval` and by the corpus test that asserts the targets.
 */

export interface CorpusSentence {
  readonly language: string;
  readonly line: number;
  readonly text: string;
  readonly labels: ReadonlyMap<string, MentionStatus>;
}

export interface Score {
  tp: number;
  fp: number;
  fn: number;
}

export interface CorpusScores {
  readonly sentences: number;
  readonly byLanguage: Readonly<Record<string, number>>;
  /** Findings (affirmed or uncertain) per concept. */
  readonly findings: ReadonlyMap<string, Score>;
  /** Gold affirmed mentions read as a finding, per concept (the recall target). */
  readonly affirmedRecall: ReadonlyMap<string, Score>;
  readonly statuses: ReadonlyMap<MentionStatus, Score>;
  /** Per corpus language: all findings, and gold affirmed mentions read as a finding. */
  readonly languages: ReadonlyMap<string, { readonly findings: Score; readonly affirmedRecall: Score }>;
  /** Sentences where the reading differs from the label, for review. */
  readonly errors: readonly string[];
}

const CORPUS_DATE = '2026-11-20';
const FINDING: ReadonlySet<MentionStatus> = new Set(['affirmed', 'uncertain']);
/** When a sentence mentions a concept more than once, the mention that counts most decides. */
const STRENGTH: readonly MentionStatus[] = ['affirmed', 'uncertain', 'historical', 'negated', 'hypothetical', 'family'];

export function parseCorpus(file: string, language: string): CorpusSentence[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((raw, index) => ({ raw, line: index + 1 }))
    .filter(({ raw }) => raw.trim() !== '' && !raw.startsWith('#'))
    .map(({ raw, line }) => {
      const [text = '', labelText = ''] = raw.split('||');
      const labels = new Map<string, MentionStatus>();
      for (const label of labelText
        .split(',')
        .map((l) => l.trim())
        .filter(Boolean)) {
        const [concept = '', status = ''] = label.split('=').map((x) => x.trim());
        if (!(MENTION_STATUSES as readonly string[]).includes(status)) {
          throw new Error(`${file}:${line}: unknown status "${status}"`);
        }
        labels.set(concept, status as MentionStatus);
      }
      return { language, line, text: text.trim(), labels };
    });
}

const add = <K>(map: Map<K, Score>, key: K, field: keyof Score) => {
  const score = map.get(key) ?? { tp: 0, fp: 0, fn: 0 };
  score[field]++;
  map.set(key, score);
};

export function scoreCorpus(knowledge: TextKnowledge, corpus: readonly CorpusSentence[]): CorpusScores {
  const concepts = [...new Set(corpus.flatMap((s) => [...s.labels.keys()]))].sort();
  for (const concept of concepts) {
    if (!knowledge.lists.has(concept)) {
      throw new Error(`corpus concept "${concept}" is not a keywords.json list`);
    }
  }
  const findings = new Map<string, Score>();
  const affirmedRecall = new Map<string, Score>();
  const statuses = new Map<MentionStatus, Score>();
  const errors: string[] = [];
  const byLanguage: Record<string, number> = {};
  const languages = new Map<string, { findings: Score; affirmedRecall: Score }>();
  for (const sentence of corpus) {
    byLanguage[sentence.language] = (byLanguage[sentence.language] ?? 0) + 1;
    const language = languages.get(sentence.language) ?? {
      findings: { tp: 0, fp: 0, fn: 0 },
      affirmedRecall: { tp: 0, fp: 0, fn: 0 },
    };
    languages.set(sentence.language, language);
    // Dated like a note of the tests' evaluation day, so "in 2019" can be placed in time.
    const source = {
      reference: `corpus/${sentence.language}/${sentence.line}`,
      field: 'note',
      text: sentence.text,
      date: CORPUS_DATE,
    };
    for (const concept of concepts) {
      const mentions = knowledge.lists.get(concept)?.mentions([source]) ?? [];
      const predicted = STRENGTH.find((status) => mentions.some((m) => m.status === status));
      const gold = sentence.labels.get(concept);
      if (predicted !== gold) {
        errors.push(
          `${sentence.language}:${sentence.line} ${concept}: ${gold ?? '-'} read as ${predicted ?? '-'} | ${sentence.text}`
        );
      }
      const goldFinding = gold !== undefined && FINDING.has(gold);
      const predictedFinding = predicted !== undefined && FINDING.has(predicted);
      if (goldFinding || predictedFinding) {
        const field = goldFinding && predictedFinding ? 'tp' : goldFinding ? 'fn' : 'fp';
        add(findings, concept, field);
        language.findings[field]++;
      }
      if (gold === 'affirmed') {
        add(affirmedRecall, concept, predictedFinding ? 'tp' : 'fn');
        language.affirmedRecall[predictedFinding ? 'tp' : 'fn']++;
      }
      for (const status of MENTION_STATUSES) {
        if (gold === status && predicted === status) {
          add(statuses, status, 'tp');
        } else if (gold === status) {
          add(statuses, status, 'fn');
        } else if (predicted === status) {
          add(statuses, status, 'fp');
        }
      }
    }
  }
  return { sentences: corpus.length, byLanguage, findings, affirmedRecall, statuses, languages, errors };
}

export const precision = (s: Score): number => (s.tp + s.fp === 0 ? 1 : s.tp / (s.tp + s.fp));
export const recall = (s: Score): number => (s.tp + s.fn === 0 ? 1 : s.tp / (s.tp + s.fn));

export function total(scores: ReadonlyMap<unknown, Score>): Score {
  const sum = { tp: 0, fp: 0, fn: 0 };
  for (const s of scores.values()) {
    sum.tp += s.tp;
    sum.fp += s.fp;
    sum.fn += s.fn;
  }
  return sum;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`.padStart(8);

/** A plain-text report: findings per concept, then per status. */
export function formatScores(scores: CorpusScores): string {
  const rows = (title: string, map: ReadonlyMap<string, Score>) => [
    `${title.padEnd(26)}      n precision   recall`,
    ...[...map].map(
      ([key, s]) => `${key.padEnd(26)} ${String(s.tp + s.fn).padStart(6)} ${pct(precision(s))} ${pct(recall(s))}`
    ),
  ];
  const all = total(scores.findings);
  return [
    `corpus: ${scores.sentences} sentences (${Object.entries(scores.byLanguage)
      .map(([language, n]) => `${language} ${n}`)
      .join(', ')})`,
    '',
    ...rows('finding (affirmed|uncertain)', scores.findings),
    `${'all findings'.padEnd(26)} ${String(all.tp + all.fn).padStart(6)} ${pct(precision(all))} ${pct(recall(all))}`,
    '',
    ...rows('affirmed read as a finding', scores.affirmedRecall),
    '',
    `${'language'.padEnd(26)}      n precision   recall   affirmed n  recall`,
    ...[...scores.languages].map(
      ([language, s]) =>
        `${language.padEnd(26)} ${String(s.findings.tp + s.findings.fn).padStart(6)} ${pct(precision(s.findings))} ${pct(
          recall(s.findings)
        )} ${String(s.affirmedRecall.tp + s.affirmedRecall.fn).padStart(10)} ${pct(recall(s.affirmedRecall))}`
    ),
    '',
    ...rows('status', scores.statuses),
    '',
    `${scores.errors.length} sentence/concept readings differ from the labels${scores.errors.length ? ':' : ''}`,
    ...scores.errors.map((e) => `  ${e}`),
  ].join('\n');
}

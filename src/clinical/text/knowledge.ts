import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Trigger, TextLanguage } from './language';
import { compileLanguage, modifiersSchema, normalisationSchema } from './language';
import type { KeywordMatcher } from './matcher';
import { ContextMatcher, Lexicon } from './matcher';
import type { TermSource } from './term-patterns';
import { termSchema, TermError } from './term-patterns';
import { phraseTokens } from './tokens';

/** The free-text rule files, read once at start-up (docs/free-text.md). */
export const TEXT_FILES = ['keywords.json', 'text-normalisation.json', 'context-modifiers.json'] as const;
export type TextFile = (typeof TEXT_FILES)[number];

const listName = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a list name such as "fever"');

export const keywordFileSchema = z.strictObject({
  description: z.string().optional(),
  /** Most words between the parts of a term ("krachtsverlies … benen"). */
  groupWindow: z.number().int().min(1).max(30).optional(),
  lists: z.record(
    listName,
    z.strictObject({
      usedBy: z.array(z.string()).min(1),
      description: z.string().optional(),
      keywords: z.array(termSchema).min(1),
      /** Words that, where they overlap a match, cancel it ("koortslip" is not "koorts"). */
      exclude: z.array(z.string().min(1)).optional(),
    })
  ),
});

export interface TextKnowledge {
  readonly language: TextLanguage;
  readonly lists: ReadonlyMap<string, KeywordMatcher>;
}

function zodProblems(file: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => `${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

/**
 * Phrases of the concept lists that contain a trigger word ("kan niet plassen") become pseudo triggers, so their
 * own words negate neither them nor a neighbouring concept of another list.
 */
function protect(language: TextLanguage, phrases: readonly string[]): TextLanguage {
  const triggers = new Map<string, Trigger[]>([...language.triggers].map(([k, v]) => [k, [...v]]));
  let added = false;
  for (const phrase of phrases) {
    if (/[+|[*]/u.test(phrase)) {
      continue;
    }
    const tokens = phraseTokens(language, phrase);
    const first = tokens[0];
    if (first === undefined || tokens.length < 2 || !tokens.some((t) => triggers.has(t))) {
      continue;
    }
    const pseudo: Trigger = {
      category: 'pseudo',
      direction: 'forward',
      scope: 'list',
      maxScope: 1,
      requires: [],
      atEnd: false,
      tokens,
    };
    triggers.set(first, [...(triggers.get(first) ?? []), pseudo]);
    added = true;
  }
  if (!added) {
    return language;
  }
  for (const list of triggers.values()) {
    list.sort((a, b) => b.tokens.length - a.tokens.length);
  }
  return { ...language, triggers };
}

const phrasesOf = (terms: readonly TermSource[]) => terms.filter((t): t is string => typeof t === 'string');

/**
 * Validates and compiles the three free-text files. Returns the problems (file, list, term) instead of throwing, so
 * start-up can report them together with those of the other rule files.
 */
export function buildTextKnowledge(files: Partial<Record<TextFile, unknown>>): {
  knowledge?: TextKnowledge;
  problems: string[];
} {
  const problems: string[] = [];
  const parse = <T>(file: TextFile, schema: z.ZodType<T>): T | undefined => {
    if (files[file] === undefined) {
      problems.push(`${file}: missing`);
      return undefined;
    }
    const parsed = schema.safeParse(files[file]);
    if (!parsed.success) {
      problems.push(...zodProblems(file, parsed.error));
      return undefined;
    }
    return parsed.data;
  };
  const normalisation = parse('text-normalisation.json', normalisationSchema);
  const modifiers = parse('context-modifiers.json', modifiersSchema);
  const keywords = parse('keywords.json', keywordFileSchema);
  if (normalisation === undefined || modifiers === undefined || keywords === undefined) {
    return { problems };
  }
  let language: TextLanguage;
  try {
    language = compileLanguage(normalisation, modifiers, phraseTokens);
  } catch (err) {
    return { problems: [err instanceof Error ? err.message : 'context-modifiers.json: invalid'] };
  }
  language = protect(
    language,
    Object.values(keywords.lists).flatMap((list) => phrasesOf(list.keywords))
  );
  const lists = new Map<string, KeywordMatcher>();
  const lexicon = new Lexicon(language, keywords.groupWindow ?? DEFAULT_WINDOW);
  for (const [index, [name, list]] of Object.entries(keywords.lists).entries()) {
    try {
      lists.set(name, new ContextMatcher(lexicon, index, list.keywords, list.exclude ?? []));
    } catch (err) {
      problems.push(
        `keywords.json: list "${name}": ${err instanceof TermError || err instanceof Error ? err.message : 'invalid'}`
      );
    }
  }
  return problems.length > 0 ? { problems } : { knowledge: { language, lists }, problems };
}

/** Words between the parts of a term when keywords.json gives no groupWindow. */
const DEFAULT_WINDOW = 8;

/** The compiled text knowledge of each rules folder read so far (a process and a test file read one). */
const loaded = new Map<string, TextKnowledge>();

/**
 * The free-text knowledge of a rules folder on its own, for tools and tests that compile a list or read a corpus
 * (the service compiles the same files with the other rule files, knowledge/rule-files.ts).
 * @param rulesDir - the rules folder
 * @throws Error naming the problems
 */
export function loadTextKnowledge(rulesDir: string): TextKnowledge {
  const cached = loaded.get(rulesDir);
  if (cached !== undefined) {
    return cached;
  }
  const files = Object.fromEntries(
    TEXT_FILES.map((file) => [file, JSON.parse(readFileSync(path.join(rulesDir, file), 'utf8')) as unknown])
  );
  const built = buildTextKnowledge(files);
  if (built.knowledge === undefined) {
    throw new Error(built.problems.join('\n'));
  }
  loaded.set(rulesDir, built.knowledge);
  return built.knowledge;
}

/** A keyword list compiled on its own, with a language (of loadTextKnowledge) and the list's own protected phrases. */
export function compileList(
  terms: readonly TermSource[],
  options: { language: TextLanguage; exclude?: readonly string[]; window?: number }
): KeywordMatcher {
  const language = protect(options.language, phrasesOf(terms));
  return new ContextMatcher(new Lexicon(language, options.window ?? DEFAULT_WINDOW), 0, terms, options.exclude ?? []);
}

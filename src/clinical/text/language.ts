import { z } from 'zod';

/**
 * The language knowledge of free-text reading (RW-09), from two rule files: `text-normalisation.json` (abbreviations,
 * spelling folds, SOEP prefixes) and `context-modifiers.json` (ConText triggers, terminators, time words). Both are
 * validated with zod and compiled once; see docs/free-text.md for what each field does.
 */

const phrase = z.string().trim().min(1);
const phrases = z.array(phrase);

export const normalisationSchema = z.strictObject({
  description: z.string().optional(),
  abbreviations: z.record(z.string().regex(/^[\p{L}\p{N}]+$/u, 'a single word'), phrase),
  dotted: z.record(
    z.string().regex(/^[\p{L}\p{N}]+([./] ?[\p{L}\p{N}]+)*[./]?$/u, 'letters with dots or slashes'),
    phrase
  ),
  beforeNumber: z.record(phrase, phrase),
  /** French elided words ("d'", "l'", "qu'"): the letters before the apostrophe → the word they stand for. */
  elisions: z.record(z.string().regex(/^[\p{L}]+$/u, 'letters'), z.string().regex(/^[\p{L}]+$/u, 'one word')),
  spellingFolds: z.array(z.tuple([z.string().min(1), z.string()])),
  sectionPrefixes: phrases,
});

export const CATEGORIES = ['negated', 'historical', 'hypothetical', 'family', 'uncertain', 'pseudo'] as const;
export type Category = (typeof CATEGORIES)[number];
/** The categories that change a mention's status (pseudo triggers only block other triggers). */
export type ModifierCategory = Exclude<Category, 'pseudo'>;

const modifierGroup = z.strictObject({
  category: z.enum(CATEGORIES),
  direction: z.enum(['forward', 'backward', 'bidirectional']),
  /** `list`: a comma ends the scope unless a list continues; `clause`: a comma ends it; `sentence`: it does not. */
  scope: z.enum(['list', 'clause', 'sentence']).optional(),
  maxScope: z.number().int().min(1).max(50).optional(),
  requires: phrases.optional(),
  atEnd: z.boolean().optional(),
  triggers: z.array(phrase).min(1),
});

export const modifiersSchema = z.strictObject({
  description: z.string().optional(),
  historicalAfterDays: z.number().int().min(0),
  listConjunctions: phrases,
  resolvedMarkers: phrases,
  terminators: z
    .strictObject({ all: phrases })
    .catchall(phrases)
    .refine(
      (t) => Object.keys(t).every((key) => key === 'all' || (CATEGORIES as readonly string[]).includes(key)),
      'terminator keys are "all" or a category'
    ),
  modifiers: z.array(modifierGroup).min(1),
  /** Headers on a line of their own whose modifier applies to the lines below (sections.ts). */
  sectionHeaders: z.array(
    z.strictObject({
      category: z.enum(['family', 'historical', 'hypothetical', 'uncertain']),
      headers: z.array(phrase).min(1),
    })
  ),
  time: z.strictObject({
    units: z.record(z.string(), z.number().positive()),
    numbers: z.record(z.string(), z.number().positive()),
    ago: phrases,
    /** Words before the number that make it a time ago ("il y a 2 ans"). */
    agoBefore: phrases,
    since: phrases,
    points: z.record(phrase, z.number().min(0)),
  }),
});

export type NormalisationFile = z.infer<typeof normalisationSchema>;
export type ModifiersFile = z.infer<typeof modifiersSchema>;

/** A trigger compiled to normalised tokens (words and punctuation marks). */
export interface Trigger {
  readonly category: Category;
  readonly direction: 'forward' | 'backward' | 'bidirectional';
  readonly scope: 'list' | 'clause' | 'sentence';
  readonly maxScope: number;
  readonly requires: readonly (readonly string[])[];
  readonly atEnd: boolean;
  readonly tokens: readonly string[];
}

export interface TextLanguage {
  /** Word → its expansion (normalised words). */
  readonly abbreviations: ReadonlyMap<string, readonly string[]>;
  /** Expansions used instead when the next word is a number ("ca. 5 kg" = circa). */
  readonly beforeNumber: ReadonlyMap<string, readonly string[]>;
  /** Elided words followed by an apostrophe ("d'" → "de"). */
  readonly elisions: ReadonlyMap<string, string>;
  /** Dotted abbreviations (normalised, spaces removed) → expansion; found before sentences are split. */
  readonly dotted: ReadonlyMap<string, readonly string[]>;
  readonly dottedPattern: RegExp | undefined;
  readonly folds: readonly (readonly [string, string])[];
  readonly sectionPrefixes: ReadonlySet<string>;
  /** Triggers by their first token, longest first. */
  readonly triggers: ReadonlyMap<string, readonly Trigger[]>;
  /** Section headers ("Familieanamnese", "VG"), each a trigger whose scope is the lines below it. */
  readonly sectionHeaders: readonly Trigger[];
  readonly terminators: ReadonlyMap<Category | 'all', readonly (readonly string[])[]>;
  readonly listConjunctions: ReadonlySet<string>;
  readonly resolvedMarkers: readonly (readonly string[])[];
  readonly historicalAfterDays: number;
  readonly time: {
    readonly units: ReadonlyMap<string, number>;
    readonly numbers: ReadonlyMap<string, number>;
    readonly ago: ReadonlySet<string>;
    readonly agoBefore: readonly (readonly string[])[];
    readonly since: ReadonlySet<string>;
    readonly points: readonly { readonly tokens: readonly string[]; readonly days: number }[];
  };
}

const DEFAULT_SCOPE = { forward: 12, backward: 4, bidirectional: 6 } as const;

/** Ligatures that Unicode does not decompose ("sœur" = "soeur"). */
const LIGATURES: Readonly<Record<string, string>> = { œ: 'oe', æ: 'ae', ß: 'ss' };

/** Lower case, diacritics and invisible format characters removed (shared by texts, keywords and triggers). */
export function foldCase(word: string): string {
  return word
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\p{M}\p{Cf}]/gu, '')
    .replace(/[œæß]/gu, (c) => LIGATURES[c] ?? c);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The normalisation part (abbreviations, elisions, dotted forms, spelling folds) with empty modifier parts. */
function compileNormalisation(normalisation: NormalisationFile, historicalAfterDays: number): TextLanguage {
  const simpleWords = (text: string) => foldCase(text).split(/\s+/u).filter(Boolean);
  const dottedKeys = Object.keys(normalisation.dotted).sort((a, b) => b.length - a.length);
  return {
    abbreviations: new Map(Object.entries(normalisation.abbreviations).map(([k, v]) => [foldCase(k), simpleWords(v)])),
    beforeNumber: new Map(
      Object.entries(normalisation.beforeNumber).map(([k, v]) => [foldCase(k).replace(/\s/gu, ''), simpleWords(v)])
    ),
    elisions: new Map(Object.entries(normalisation.elisions).map(([k, v]) => [foldCase(k), foldCase(v)])),
    dotted: new Map(
      Object.entries(normalisation.dotted).map(([k, v]) => [foldCase(k).replace(/\s/gu, ''), simpleWords(v)])
    ),
    dottedPattern:
      dottedKeys.length === 0
        ? undefined
        : new RegExp(
            `(?<![\\p{L}\\p{N}])(?:${dottedKeys.map((k) => escapeRegExp(k).replace(/ /g, '\\s?')).join('|')})(?![\\p{L}\\p{N}])`,
            'giu'
          ),
    folds: normalisation.spellingFolds.map(([from, to]) => [foldCase(from), foldCase(to)] as const),
    sectionPrefixes: new Set(normalisation.sectionPrefixes.map(foldCase)),
    triggers: new Map(),
    sectionHeaders: [],
    terminators: new Map(),
    listConjunctions: new Set(),
    resolvedMarkers: [],
    historicalAfterDays,
    time: { units: new Map(), numbers: new Map(), ago: new Set(), agoBefore: [], since: new Set(), points: [] },
  };
}

type Words = (text: string) => string[];

/** The ConText triggers by their first word, longest first. */
function compileTriggers(modifiers: ModifiersFile, words: Words): Map<string, Trigger[]> {
  const triggers = new Map<string, Trigger[]>();
  for (const group of modifiers.modifiers) {
    for (const text of group.triggers) {
      const tokens = words(text);
      const first = tokens[0];
      if (first === undefined) {
        throw new Error(`context-modifiers.json: ${group.category} trigger ${JSON.stringify(text)} has no words`);
      }
      const trigger: Trigger = {
        category: group.category,
        direction: group.direction,
        scope: group.scope ?? 'list',
        maxScope: group.maxScope ?? DEFAULT_SCOPE[group.direction],
        requires: (group.requires ?? []).map(words),
        atEnd: group.atEnd ?? false,
        tokens,
      };
      triggers.set(first, [...(triggers.get(first) ?? []), trigger]);
    }
  }
  for (const list of triggers.values()) {
    list.sort((a, b) => b.tokens.length - a.tokens.length);
  }
  return triggers;
}

/** The time expressions: units, numbers, "ago" and "since" words and named points, longest first. */
function compileTime(time: ModifiersFile['time'], words: Words): TextLanguage['time'] {
  const foldAll = (list: readonly string[]) => list.map((w) => words(w).join(' '));
  return {
    units: new Map(Object.entries(time.units).map(([k, v]) => [words(k).join(' '), v])),
    numbers: new Map(Object.entries(time.numbers).map(([k, v]) => [words(k).join(' '), v])),
    ago: new Set(foldAll(time.ago)),
    agoBefore: time.agoBefore.map(words).sort((a, b) => b.length - a.length),
    since: new Set(foldAll(time.since)),
    points: Object.entries(time.points)
      .map(([k, days]) => ({ tokens: words(k), days }))
      .sort((a, b) => b.tokens.length - a.tokens.length),
  };
}

/**
 * Compiles the two language files. `words` turns a phrase into normalised tokens with the same tokeniser that reads
 * the texts (it needs the normalisation part, so it is passed in once that part exists).
 */
export function compileLanguage(
  normalisation: NormalisationFile,
  modifiers: ModifiersFile,
  tokenise: (language: TextLanguage, text: string) => string[]
): TextLanguage {
  const base = compileNormalisation(normalisation, modifiers.historicalAfterDays);
  const words = (text: string) => tokenise(base, text);
  const sectionHeaders = modifiers.sectionHeaders.flatMap((group) =>
    group.headers.map((header): Trigger => ({
      category: group.category,
      direction: 'forward',
      scope: 'sentence',
      maxScope: 50,
      requires: [],
      atEnd: false,
      tokens: words(header),
    }))
  );
  return {
    ...base,
    triggers: compileTriggers(modifiers, words),
    sectionHeaders,
    terminators: new Map(
      Object.entries(modifiers.terminators).map(([key, list]) => [key as Category | 'all', list.map(words)])
    ),
    listConjunctions: new Set(modifiers.listConjunctions.map((w) => words(w).join(' '))),
    resolvedMarkers: modifiers.resolvedMarkers.map(words),
    time: compileTime(modifiers.time, words),
  };
}

import path from 'node:path';
import type { KeywordMatcher } from '../../src/clinical/text-match';
import type { TextKnowledge } from '../../src/clinical/text/knowledge';
import { compileList, loadTextKnowledge } from '../../src/clinical/text/knowledge';
import type { TermSource } from '../../src/clinical/text/term-patterns';

const RULES_DIR = path.join(__dirname, '..', '..', 'rules');

/** The free-text knowledge of the repository's rules/. */
export function repositoryTextKnowledge(): TextKnowledge {
  return loadTextKnowledge(RULES_DIR);
}

/**
 * A keyword list compiled on its own with the repository's normalisation and ConText rules (the service compiles
 * keywords.json as a whole at start-up).
 * @throws Error naming the bad keyword
 */
export function compileKeywords(keywords: readonly TermSource[]): KeywordMatcher {
  return compileList(keywords, { language: repositoryTextKnowledge().language });
}

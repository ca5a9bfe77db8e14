import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The specification every "§N" citation and rule id points into. */
export const SPECIFICATION = 'docs/clinical-specification.md';

const RULE_ID = /\b(?:SC|RF|SF|EX|CL|PR|YF|TS|DS|PG|IM|EV|DQ|RW)-(?:\d{1,2}|C)\b/g;
const SECTION = /§\s?(\d+(?:\.\d+)*)/g;
/** A Markdown file named in text: a relative path or a bare name, with an optional #anchor. */
const MARKDOWN_FILE = /(?<![\w./-])((?:\.{1,2}\/|\/)?[\w.-]+(?:\/[\w.-]+)*\.md)\b/g;
/** The project's private inputs, which are not part of the repository. */
const OUTSIDE = /(?:\/work\/|\.\.\/shared\b|\bshared\/(?:docs|seeds)\/)\S*/;
const URL = /\bhttps?:\/\/[^\s)'"`\]>]+/g;

export interface Source {
  /** Path relative to the repository root. */
  readonly file: string;
  readonly text: string;
}

export interface Specification {
  readonly sections: ReadonlySet<string>;
  readonly ruleIds: ReadonlySet<string>;
}

/** The section numbers (headings `## §N …`) and rule ids the specification defines. */
export function readSpecification(text: string): Specification {
  const sections = new Set([...text.matchAll(/^#{2,4} §(\d+(?:\.\d+)*) /gm)].map((match) => match[1] ?? ''));
  const ruleIds = new Set([...text.matchAll(RULE_ID)].map((match) => match[0]));
  return { sections, ruleIds };
}

/**
 * Every reference in `sources` that points nowhere: a path into the project's private inputs (/work/, ../shared),
 * a Markdown file that exists neither next to the citing file
 * nor from the repository root, a "§N" that is not a section of the specification, or (outside test files,
 * which make up ids on purpose) a rule id the specification does not define. One line per problem.
 */
export function danglingReferences(
  sources: readonly Source[],
  specification: Specification,
  exists: (file: string) => boolean
): string[] {
  const problems: string[] = [];
  for (const { file, text } of sources) {
    const lines = text.split('\n');
    lines.forEach((line, index) => {
      const where = `${file}:${index + 1}`;
      const plain = line.replace(URL, '');
      if (OUTSIDE.test(plain)) {
        problems.push(`${where}: points outside the repository (${OUTSIDE.exec(plain)?.[0] ?? ''})`);
      }
      for (const [, cited = ''] of plain.matchAll(MARKDOWN_FILE)) {
        // Next to the citing file, or from the root; never outside the repository (../shared is not shipped).
        const candidates = [path.join(path.dirname(file), cited), path.normalize(cited.replace(/^\//, ''))];
        if (!candidates.some((candidate) => !candidate.startsWith('..') && exists(candidate))) {
          problems.push(`${where}: ${cited} is not a file of the repository`);
        }
      }
      for (const [, section = ''] of plain.matchAll(SECTION)) {
        if (!specification.sections.has(section)) {
          problems.push(`${where}: §${section} is not a section of ${SPECIFICATION}`);
        }
      }
      if (!file.endsWith('.test.ts')) {
        for (const [id] of plain.matchAll(RULE_ID)) {
          if (!specification.ruleIds.has(id)) {
            problems.push(`${where}: ${id} is not a rule id of ${SPECIFICATION}`);
          }
        }
      }
    });
  }
  return problems;
}

const TEXT_FILE = /\.(?:ts|js|mjs|cjs|json|md|html)$/;

/** The text files under `folders` (and the single files named), relative to `root`. */
export function readSources(root: string, entries: readonly string[]): Source[] {
  const sources: Source[] = [];
  const visit = (relative: string) => {
    const absolute = path.join(root, relative);
    if (!existsSync(absolute)) {
      return;
    }
    if (statSync(absolute).isDirectory()) {
      for (const name of readdirSync(absolute)) {
        visit(path.join(relative, name));
      }
    } else if (TEXT_FILE.test(relative) || entries.includes(relative)) {
      sources.push({ file: relative, text: readFileSync(absolute, 'utf8') });
    }
  };
  entries.forEach(visit);
  return sources;
}

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { danglingReferences, readSources, readSpecification, SPECIFICATION } from './support/references';

const ROOT = path.join(__dirname, '..');
const specification = readSpecification(readFileSync(path.join(ROOT, SPECIFICATION), 'utf8'));
/** A private input, spelt so that the scripted rewrite of references (see git log) leaves it alone. */
const PRIVATE = ['..', 'shared', 'docs', ['clinical', 'knowledge.md'].join('-')].join('/');
/** The checker and this test spell out bad references on purpose. */
const SELF = [path.join('test', 'references.test.ts'), path.join('test', 'support', 'references.ts')];
const exists = (file: string) => existsSync(path.join(ROOT, file));

describe('references', () => {
  it('every cited file, § section and rule id exists in the repository', () => {
    const sources = readSources(ROOT, [
      'src',
      'rules',
      'test',
      'fhir-resources',
      'docs',
      'bench',
      'scripts',
      'README.md',
      'Dockerfile',
      '.ci/run',
    ]).filter(({ file }) => !SELF.includes(file));
    expect(sources.length).toBeGreaterThan(100);
    expect(danglingReferences(sources, specification, exists)).toEqual([]);
  });

  it('reports a file outside the repository, a missing section and an unknown rule id', () => {
    const problems = danglingReferences(
      [
        { file: 'src/a.ts', text: `// see ${PRIVATE} §2\n// RF-03 and RF-42 (§11)` },
        { file: 'docs/b.md', text: 'See [rules](rules.md), [spec](clinical-specification.md#§2) and §2, §10.' },
        { file: 'test/c.test.ts', text: "ruleId: 'TS-98' // made up on purpose; https://example.org/x.md" },
      ],
      specification,
      exists
    );
    expect(problems).toEqual([
      `src/a.ts:1: points outside the repository (${PRIVATE})`,
      `src/a.ts:1: ${PRIVATE} is not a file of the repository`,
      'src/a.ts:2: §11 is not a section of docs/clinical-specification.md',
      'src/a.ts:2: RF-42 is not a rule id of docs/clinical-specification.md',
    ]);
  });
});

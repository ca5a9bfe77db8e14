import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Linter } from 'eslint';
import type { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
// The rule is plain CommonJS so that eslint.config.mjs can load it without a build.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const oneDirection = require('../scripts/one-direction.cjs') as {
  LAYERS: string[][];
  plugin: ESLint.Plugin;
};

/** A throw-away src/ tree: each entry is a file and the modules it imports. */
function tree(files: Record<string, readonly string[]>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'one-direction-'));
  for (const [file, imports] of Object.entries(files)) {
    const full = path.join(root, 'src', file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(
      full,
      imports.map((target) => `import { x } from '${target}';`).join('\n') + '\nexport const x = 1;\n'
    );
  }
  return root;
}

function lint(root: string, file: string, code: string): string[] {
  const linter = new Linter({ cwd: root });
  const config = [
    {
      files: ['**/*.ts'],
      languageOptions: { parser: tseslint.parser },
      plugins: { ruggensteun: oneDirection.plugin },
      rules: { 'ruggensteun/one-direction': 'error' as const },
    },
  ];
  return linter.verify(code, config, { filename: path.join(root, 'src', file) }).map((message) => message.message);
}

describe('the one-direction lint rule', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('lets a folder import the folders below it', () => {
    root = tree({ 'hook/run.ts': [], 'clinical/decision.ts': [], 'common/expression.ts': [] });
    expect(lint(root, 'hook/run.ts', "import { x } from '../clinical/decision';")).toEqual([]);
    expect(lint(root, 'clinical/decision.ts', "import type { x } from '../common/expression';")).toEqual([]);
  });

  it.each([
    ['clinical/record.ts', "import type { x } from '../fhir/gather';", 'src/fhir is above src/clinical'],
    ['render/cards.ts', "export { x } from '../cds/response';", 'src/cds is above src/render'],
    ['http/cors.ts', "import type { x } from '../config';", 'src/(root) is above src/http'],
    ['fhir/gather.ts', "import { x } from '../render/cards';", 'peers'],
  ])('rejects an upward or sideways import from %s', (file, code, why) => {
    root = tree({ [file]: [], 'fhir/gather.ts': [], 'cds/response.ts': [], 'config.ts': [], 'render/cards.ts': [] });
    const messages = lint(root, file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(why);
  });

  it('rejects an import that closes a cycle between sibling folders, naming the cycle', () => {
    root = tree({ 'clinical/facts/a.ts': ['../text/b'], 'clinical/text/b.ts': [] });
    const messages = lint(root, 'clinical/text/b.ts', "import { x } from '../facts/a';");
    expect(messages).toEqual([expect.stringContaining('src/clinical/text → src/clinical/facts → src/clinical/text')]);
  });

  it('lets a sub-folder and its parent folder use each other', () => {
    root = tree({ 'clinical/facts/a.ts': ['../dates'], 'clinical/dates.ts': [], 'clinical/ruleset.ts': ['./facts/a'] });
    expect(lint(root, 'clinical/facts/a.ts', "import { x } from '../dates';")).toEqual([]);
  });

  it('places every folder of src/ in exactly one layer', () => {
    const folders = oneDirection.LAYERS.flat();
    const actual = readdirSync(path.join(__dirname, '..', 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect([...actual, '(root)'].sort()).toEqual([...folders].sort());
    root = tree({});
  });
});

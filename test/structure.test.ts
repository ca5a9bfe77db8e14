import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * Small units (docs/architecture.md "Sizes"): no source file over 400 lines and no function over 80. A unit that is
 * one coherent algorithm may be longer if its header says why; there is none today, so none is allowed here.
 */
const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 80;

const SRC = path.join(__dirname, '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === 'public' ? [] : sources(full);
    }
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

function functionName(node: ts.Node): string {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) {
    return node.name.getText();
  }
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    return parent.name.getText();
  }
  return ts.isConstructorDeclaration(node) ? 'constructor' : '(anonymous)';
}

/** `file:function (lines)` of every function longer than the limit. */
function longFunctions(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (last - first + 1 > MAX_FUNCTION_LINES) {
        found.push(`${path.relative(SRC, file)}:${functionName(node)} (${last - first + 1} lines)`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The source files a file imports or re-exports from (relative specifiers, `import type` included). */
function importsOf(file: string, known: ReadonlySet<string>): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => path.resolve(path.dirname(file), specifier))
    .map((base) => [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => known.has(candidate)))
    .filter((target): target is string => target !== undefined);
}

/** Every import cycle between source files, each as the chain of files that closes it. */
function importCycles(files: readonly string[]): string[] {
  const known = new Set(files);
  const graph = new Map(files.map((file) => [file, importsOf(file, known)]));
  const state = new Map<string, 'open' | 'done'>();
  const chain: string[] = [];
  const cycles: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    chain.push(file);
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === 'open') {
        const loop = [...chain.slice(chain.indexOf(target)), target];
        cycles.push(loop.map((step) => path.relative(SRC, step)).join(' → '));
      } else if (!state.has(target)) {
        visit(target);
      }
    }
    chain.pop();
    state.set(file, 'done');
  };
  files.forEach((file) => state.has(file) || visit(file));
  return cycles;
}

describe('small units', () => {
  const files = sources(SRC);

  it(`keeps every source file at most ${MAX_FILE_LINES} lines`, () => {
    const long = files
      .map((file) => ({ file: path.relative(SRC, file), lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > MAX_FILE_LINES)
      .map(({ file, lines }) => `${file} (${lines} lines)`);
    expect(long).toEqual([]);
  });

  it(`keeps every function at most ${MAX_FUNCTION_LINES} lines`, () => {
    const long = files.flatMap(longFunctions);
    expect(long).toEqual([]);
  });

  it('has no import cycle between modules, `import type` included', () => {
    expect(importCycles(files)).toEqual([]);
  });
});

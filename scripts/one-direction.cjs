// @ts-check
'use strict';
/**
 * ESLint rule `ruggensteun/one-direction`: imports inside src/ run one way, from the composition root down to the
 * generic helpers (docs/architecture.md "Layers"). It reports two things:
 * - an import of a folder that is not below the importing folder in LAYERS (also `import type`, which would
 *   hide a cycle from the runtime but not from a reader);
 * - an import that closes a cycle between folders at any depth (clinical/facts → clinical/text → clinical/facts),
 *   found on the import graph of every source file under src/. A folder and its own sub-folders count as one
 *   there: clinical/facts may use clinical/dates.ts while clinical/ruleset.ts uses the facts, but two sibling
 *   folders may not lean on each other. Between the top-level folders the layers already rule out a cycle.
 * Test files may import anything: a test of a low module may use a high-level fixture.
 */
const fs = require('node:fs');
const path = require('node:path');

/** From the top to the bottom; folders on one line are peers and must not import each other. */
const LAYERS = [
  ['tools'],
  ['(root)'],
  ['sandbox'],
  ['cds'],
  ['auth'],
  ['http'],
  ['evaluation'],
  ['hook'],
  ['fhir', 'render', 'store'],
  ['clinical'],
  ['common'],
];

const SOURCE = /\.(ts|cts|mts)$/;
const TEST = /\.test\.ts$/;

/** @param {string} srcDir @param {string} file absolute path of a file under srcDir */
function topFolder(srcDir, file) {
  const parts = path.relative(srcDir, file).split(path.sep);
  return parts.length > 1 ? parts[0] : '(root)';
}

/** @param {string} folder */
function layerOf(folder) {
  return LAYERS.findIndex((layer) => layer.includes(folder));
}

/**
 * Why `from` may not import `to`, or undefined when it may.
 * @param {string} from @param {string} to top-level folders
 */
function layerViolation(from, to) {
  if (from === to) {
    return undefined;
  }
  const fromLayer = layerOf(from);
  const toLayer = layerOf(to);
  if (fromLayer < 0 || toLayer < 0) {
    return `src/${fromLayer < 0 ? from : to} has no place in the layers of scripts/one-direction.cjs`;
  }
  if (toLayer === fromLayer) {
    return `src/${from} and src/${to} are peers and may not import each other`;
  }
  return toLayer < fromLayer ? `src/${to} is above src/${from}` : undefined;
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

/** Resolves a relative specifier to a source file, or undefined when it points elsewhere (a .json file). */
function resolveSpecifier(fromFile, specifier) {
  const base = path.resolve(path.dirname(fromFile), specifier.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, `${base}.cjs`, path.join(base, 'index.ts'), base]) {
    if (SOURCE.test(candidate) || candidate.endsWith('.cjs')) {
      if (fs.existsSync(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

/** @type {Map<string, { mtimeMs: number, targets: string[] }>} the imports of each file, reread when it changes */
const parsed = new Map();

function listSources(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'public') {
        listSources(full, out);
      }
    } else if ((SOURCE.test(entry.name) || entry.name.endsWith('.cjs')) && !TEST.test(entry.name)) {
      out.push(full);
    }
  }
  return out;
}

function importsOf(file) {
  const { mtimeMs } = fs.statSync(file);
  const known = parsed.get(file);
  if (known && known.mtimeMs === mtimeMs) {
    return known.targets;
  }
  const text = fs.readFileSync(file, 'utf8');
  const targets = [];
  for (const match of text.matchAll(SPECIFIER)) {
    const target = resolveSpecifier(file, match[1]);
    if (target) {
      targets.push(target);
    }
  }
  parsed.set(file, { mtimeMs, targets });
  return targets;
}

/** Whether one folder contains the other (or is it). */
const nested = (a, b) => a === b || a.startsWith(b + path.sep) || b.startsWith(a + path.sep);

/** The folder-to-folder graph of src/ (folders at any depth), without edges between a folder and its sub-folders. */
function folderGraph(srcDir) {
  /** @type {Map<string, Set<string>>} */
  const graph = new Map();
  for (const file of listSources(srcDir)) {
    const from = path.dirname(file);
    for (const target of importsOf(file)) {
      const to = path.dirname(target);
      if (!nested(from, to)) {
        let edges = graph.get(from);
        if (!edges) {
          edges = new Set();
          graph.set(from, edges);
        }
        edges.add(to);
      }
    }
  }
  return graph;
}

/** A path of folders from `start` to `goal` in the graph, or undefined. */
function pathBetween(graph, start, goal) {
  const previous = new Map([[start, start]]);
  const queue = [start];
  while (queue.length > 0) {
    const folder = queue.shift();
    if (folder === goal) {
      const route = [goal];
      while (route[0] !== start) {
        route.unshift(previous.get(route[0]));
      }
      return route;
    }
    for (const next of graph.get(folder) ?? []) {
      if (!previous.has(next)) {
        previous.set(next, folder);
        queue.push(next);
      }
    }
  }
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
const oneDirection = {
  meta: {
    type: 'problem',
    docs: { description: 'imports in src/ run one way: down the layers, and never in a cycle between folders' },
    schema: [],
    messages: {
      layer: 'Import of {{target}} goes the wrong way: {{why}} (docs/architecture.md "Layers").',
      cycle: 'Import of {{target}} closes a folder cycle: {{cycle}}.',
    },
  },
  create(context) {
    const file = context.filename;
    const srcDir = path.join(context.cwd, 'src');
    if (!file.startsWith(srcDir + path.sep) || TEST.test(file)) {
      return {};
    }
    /** @type {Map<string, Set<string>> | undefined} */
    let graph;
    const check = (node, specifier) => {
      if (typeof specifier !== 'string' || !specifier.startsWith('.')) {
        return;
      }
      const target = resolveSpecifier(file, specifier);
      if (!target || !target.startsWith(srcDir + path.sep)) {
        return;
      }
      const why = layerViolation(topFolder(srcDir, file), topFolder(srcDir, target));
      if (why) {
        context.report({ node, messageId: 'layer', data: { target: specifier, why } });
        return;
      }
      const from = path.dirname(file);
      const to = path.dirname(target);
      if (nested(from, to)) {
        return;
      }
      graph ??= folderGraph(srcDir);
      const back = pathBetween(graph, to, from);
      if (back) {
        const cycle = [from, ...back].map((folder) => path.relative(context.cwd, folder)).join(' → ');
        context.report({ node, messageId: 'cycle', data: { target: specifier, cycle } });
      }
    };
    const source = (node) => {
      if (node.source) {
        check(node, node.source.value);
      }
    };
    return {
      ImportDeclaration: source,
      ExportNamedDeclaration: source,
      ExportAllDeclaration: source,
      ImportExpression: source,
    };
  },
};

module.exports = { LAYERS, layerViolation, plugin: { rules: { 'one-direction': oneDirection } } };

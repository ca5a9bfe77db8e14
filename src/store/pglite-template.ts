import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startPGlite } from './pglite-worker';

/**
 * The template of a fresh embedded store. PGlite's initdb takes 4–8 s of CPU, most of the service's first start;
 * `npm run build` runs it once and keeps the result (PGlite's own dump of the data folder, gzipped), and a first
 * start loads that instead (about 1 s). The file is named by the PGlite version that made it, so another version
 * never loads it; without one (the service run from its TypeScript sources) the first start runs initdb.
 */

/** The installed PGlite's version (its package.json is not exported, so it is read next to its entry point). */
function pgliteVersion(): string {
  const entry = require.resolve('@electric-sql/pglite');
  const manifest = JSON.parse(readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** Where the build keeps the template: next to this module, named by the PGlite version. */
export function builtTemplatePath(): string {
  return path.join(__dirname, `pglite-template-${pgliteVersion()}.tar.gz`);
}

/** The build's template when there is one for the installed PGlite. */
export function builtTemplate(): string | undefined {
  const file = builtTemplatePath();
  return existsSync(file) ? file : undefined;
}

/**
 * Runs initdb in memory and writes the dump to `file` (under a temporary name first, so a build that stops
 * halfway leaves no truncated template).
 */
export async function makePGliteTemplate(file: string): Promise<void> {
  const pglite = await startPGlite('memory://');
  try {
    await pglite.call({ op: 'query', sql: 'CHECKPOINT', params: undefined, tx: undefined });
    const dump = (await pglite.call({ op: 'dump' })) as Uint8Array;
    await writeFile(`${file}.partial`, dump);
    await rename(`${file}.partial`, file);
  } finally {
    await pglite.call({ op: 'close' }).catch(() => undefined);
    await pglite.terminate();
  }
}

// `node dist/store/pglite-template.js` (the last step of `npm run build`): makes the template unless it exists.
if (require.main === module) {
  const file = builtTemplatePath();
  if (!existsSync(file)) {
    makePGliteTemplate(file).then(
      () => {
        process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
      },
      (error: unknown) => {
        process.stderr.write(`could not make the PGlite template: ${String(error)}\n`);
        process.exitCode = 1;
      }
    );
  }
}

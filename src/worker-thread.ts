import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread from a module of this service, given as a path without extension (e.g.
 * `path.join(__dirname, 'worker')`). The built service runs the compiled JavaScript next to the caller; when the
 * service runs from its TypeScript sources (jest), the worker compiles what it loads with swc (a development
 * dependency) as it goes, as jest does for the main thread.
 * @param modulePath - the module without extension, resolved next to the calling file
 * @param options - workerData, resourceLimits …
 */
export function startWorkerThread(modulePath: string, options: WorkerOptions = {}): Worker {
  const extension = path.extname(__filename);
  const script = `${modulePath}${extension}`;
  if (extension !== '.ts') {
    return new Worker(script, options);
  }
  const source = `
    const { readFileSync } = require('node:fs');
    const { transformSync } = require('@swc/core');
    require.extensions['.ts'] = (module, filename) => {
      const { code } = transformSync(readFileSync(filename, 'utf8'), {
        filename,
        module: { type: 'commonjs' },
        jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      });
      module._compile(code, filename);
    };
    require(${JSON.stringify(script)});
  `;
  return new Worker(source, { ...options, eval: true });
}

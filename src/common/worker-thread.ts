import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread from a module of this service, given as a path without extension (e.g.
 * `path.join(__dirname, 'worker')`). The built service runs the compiled JavaScript next to the caller; when the
 * service runs from its TypeScript sources (jest), the worker compiles what it loads with swc as it goes
 * (source-hook.cjs).
 * @param modulePath - the module without extension, resolved next to the calling file
 * @param options - workerData, resourceLimits …
 */
export function startWorkerThread(modulePath: string, options: WorkerOptions = {}): Worker {
  const extension = path.extname(__filename);
  const script = `${modulePath}${extension}`;
  if (extension !== '.ts') {
    return new Worker(script, options);
  }
  const hook = path.join(__dirname, 'source-hook.cjs');
  const source = `require(${JSON.stringify(hook)}); require(${JSON.stringify(script)});`;
  return new Worker(source, { ...options, eval: true });
}

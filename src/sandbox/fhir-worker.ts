import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import express from 'express';
import { planApplier } from '../hook/plan-apply';
import type { LogLevel } from '../common/logger';
import type { GatherSettings } from '../fhir/gather';
import { errorHandler, unknownRoute } from '../http/errors';
import { loadKnowledge } from '../clinical/knowledge';
import { createLogger } from '../common/logger';
import type { WorkerSettings } from '../evaluation/protocol';
import { createEmbeddedFhirServer } from './fhir-server';
import type { EmbeddedFhirServerOptions } from './fhir-server';

/**
 * The thread of the embedded FHIR server (fhir-thread.ts): it serves the sandbox's FHIR API on a loopback port of
 * its own, so the hook's fetches from it (and the sandbox page's calls) never wait behind hook calls on the main
 * thread's event loop. PlanDefinition/$apply runs the hook's pipeline here, with the knowledge loaded here.
 */

export interface FhirWorkerSettings {
  readonly server: Omit<EmbeddedFhirServerOptions, 'now' | 'apply'> & { readonly now: string };
  readonly evaluation: WorkerSettings;
  readonly gather: GatherSettings;
  readonly logLevel: LogLevel;
}

export type FromFhirWorker =
  | { readonly type: 'ready'; readonly port: number; readonly patients: unknown }
  | { readonly type: 'failed'; readonly message: string };

const port = parentPort;
if (port === null) {
  throw new Error('sandbox/fhir-worker must run as a worker thread');
}
const settings = workerData as FhirWorkerSettings;

async function main(): Promise<void> {
  const { evaluation } = settings;
  const fhir = await createEmbeddedFhirServer({
    ...settings.server,
    now: new Date(settings.server.now),
    apply: planApplier(
      {
        knowledge: loadKnowledge(evaluation),
        defaultLocale: evaluation.defaultLocale,
        translations: evaluation.translations,
        now: () => new Date(),
        newId: randomUUID,
      },
      settings.gather
    ),
  });
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use('/fhir', fhir.router);
  app.use(unknownRoute);
  app.use(errorHandler(createLogger(settings), settings.server.maxBodyBytes));
  const server = app.listen(0, '127.0.0.1', () => {
    const message: FromFhirWorker = {
      type: 'ready',
      port: (server.address() as AddressInfo).port,
      patients: fhir.patients,
    };
    port?.postMessage(message);
  });
  server.keepAliveTimeout = 65_000;
}

main().catch((err: unknown) => {
  const message: FromFhirWorker = { type: 'failed', message: err instanceof Error ? err.message : String(err) };
  port.postMessage(message);
  port.close();
});

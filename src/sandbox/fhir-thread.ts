import http from 'node:http';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import express from 'express';
import type { Logger } from 'pino';
import { serviceUnavailable } from '../common/http-error';
import { startWorkerThread } from '../common/worker-thread';
import type { EmbeddedFhirServer, SamplePatient } from './fhir-server';
import type { FhirWorkerSettings, FromFhirWorker } from './fhir-worker';

/**
 * The embedded FHIR server in a thread of its own (fhir-worker.ts), listening on a loopback port. `/fhir` of the
 * service forwards to it, and the hook's own fetches from `${PUBLIC_BASE_URL}/fhir` go to that port directly
 * (`route`), so they are served by the thread's event loop and never queue behind hook calls on the main one
 * (issue 16: a sandbox call that fetched from the embedded server timed out under load and answered 412).
 * A thread that stops is started again, with the sample data as at start-up.
 */

export interface FhirThread extends EmbeddedFhirServer {
  readonly route: (url: URL) => URL;
  close(): Promise<void>;
}

/** Headers of one connection, not of the message (RFC 9110, section 7.6.1): never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
]);

function forwarded(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

function launch(settings: FhirWorkerSettings): Promise<{ worker: Worker; port: number; patients: SamplePatient[] }> {
  const worker = startWorkerThread(path.join(__dirname, 'fhir-worker'), { workerData: settings });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => {
      reject(new Error(`the embedded FHIR server's thread stopped while starting (exit code ${code})`));
    });
    worker.once('message', (message: FromFhirWorker) => {
      if (message.type === 'ready') {
        worker.removeAllListeners('error');
        worker.removeAllListeners('exit');
        resolve({ worker, port: message.port, patients: message.patients as SamplePatient[] });
      } else {
        reject(new Error(message.message));
      }
    });
  });
}

/**
 * @param settings - the server's options, the knowledge folders for $apply and the gathering limits
 * @param logger - for a thread that stops
 */
export async function startFhirThread(settings: FhirWorkerSettings, logger: Logger): Promise<FhirThread> {
  const publicBase = (settings.server.baseUrl ?? '').replace(/\/+$/, '');
  let current = await launch(settings);
  let closed = false;
  const agent = new http.Agent({ keepAlive: true });

  const watch = (worker: Worker) => {
    worker.on('error', (err) => {
      logger.error({ err }, "the embedded FHIR server's thread failed");
    });
    worker.once('exit', (code) => {
      if (closed) {
        return;
      }
      logger.error({ code }, "the embedded FHIR server's thread stopped; starting it again");
      launch(settings).then(
        (next) => {
          current = next;
          watch(next.worker);
        },
        (err: unknown) => {
          logger.error({ err }, "the embedded FHIR server's thread could not be started again");
        }
      );
    });
  };
  watch(current.worker);

  const router = express.Router();
  router.use((req, res, next) => {
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: current.port,
        path: `/fhir${req.url}`,
        method: req.method,
        headers: forwarded(req.headers),
        agent,
      },
      (answer) => {
        res.status(answer.statusCode ?? 502);
        for (const [name, value] of Object.entries(forwarded(answer.headers))) {
          if (value !== undefined) {
            res.setHeader(name, value);
          }
        }
        answer.pipe(res);
      }
    );
    upstream.on('error', () => {
      if (res.headersSent) {
        res.destroy();
      } else {
        next(serviceUnavailable('The sandbox FHIR server is not available right now; please retry'));
      }
    });
    req.pipe(upstream);
  });

  return {
    router,
    get patients() {
      return current.patients;
    },
    route: (url) =>
      publicBase !== '' && (url.href === publicBase || url.href.startsWith(`${publicBase}/`))
        ? new URL(`http://127.0.0.1:${current.port}/fhir${url.href.slice(publicBase.length)}`)
        : url,
    close: async () => {
      closed = true;
      agent.destroy();
      await current.worker.terminate();
    },
  };
}

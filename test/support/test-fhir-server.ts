import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Patient, Resource } from '@medplum/fhirtypes';

/** What the FHIR server saw: enough to assert the bearer token and URL encoding arrived. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query exactly as received (still URL-encoded). */
  readonly url: string;
  readonly authorization?: string;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

/**
 * A real FHIR server on 127.0.0.1 for tests. By default it serves the resources it holds: reads by id and
 * searches by `patient`, one page per search. Tests replace the handler to make it slow, broken or hostile.
 */
export class TestFhirServer {
  readonly requests: RecordedRequest[] = [];
  private readonly resources: Resource[] = [];
  private handler: Handler = (req, res, url) => {
    this.serveResources(req, res, url);
  };

  private constructor(
    private readonly server: Server,
    readonly origin: string
  ) {}

  /** Starts a server on a free loopback port. */
  static async start(): Promise<TestFhirServer> {
    const holder: { instance?: TestFhirServer } = {};
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      holder.instance?.requests.push({
        method: req.method ?? 'GET',
        url: req.url ?? '',
        authorization: req.headers.authorization,
      });
      holder.instance?.handler(req, res, url);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.instance = new TestFhirServer(server, `http://127.0.0.1:${port}`);
    return holder.instance;
  }

  /** The FHIR base URL to send as `fhirServer`. */
  get baseUrl(): string {
    return `${this.origin}/fhir`;
  }

  /** Replaces the data and restores the default handler. */
  reset(resources: Resource[] = []): void {
    this.resources.splice(0, this.resources.length, ...resources);
    this.requests.length = 0;
    this.handler = (req, res, url) => {
      this.serveResources(req, res, url);
    };
  }

  use(handler: Handler): void {
    this.handler = handler;
  }

  /** Serves `patient` at its read URL normally and lets `misbehave` answer everything else. */
  misbehaveExceptPatient(patient: Patient, misbehave: Handler): void {
    const patientPath = `/fhir/Patient/${patient.id ?? ''}`;
    this.use((req, res, url) => {
      if (url.pathname === patientPath) {
        sendJson(res, 200, patient);
      } else {
        misbehave(req, res, url);
      }
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }

  private serveResources(_req: IncomingMessage, res: ServerResponse, url: URL): void {
    const [, base, type, id] = url.pathname.split('/');
    if (base !== 'fhir' || type === undefined) {
      sendJson(res, 404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
      return;
    }
    if (id !== undefined) {
      const found = this.resources.find((resource) => resource.resourceType === type && resource.id === id);
      if (found) {
        sendJson(res, 200, found);
      } else {
        sendJson(res, 404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
      }
      return;
    }
    const patient = url.searchParams.get('patient');
    const matches = this.resources.filter(
      (resource) =>
        resource.resourceType === type &&
        (resource as { subject?: { reference?: string } }).subject?.reference === `Patient/${patient ?? ''}`
    );
    sendJson(res, 200, searchset(matches));
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/fhir+json' });
  res.end(JSON.stringify(body));
}

/** A searchset Bundle with the given resources and, optionally, a next link. */
export function searchset(resources: readonly Resource[], next?: string): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: resources.length,
    ...(next ? { link: [{ relation: 'next', url: next }] } : {}),
    entry: resources.map((resource) => ({ resource, search: { mode: 'match' } })),
  };
}

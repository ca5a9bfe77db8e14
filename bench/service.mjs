// What the benches share: the service started as a real process (with the probe of bench/memory-probe.cjs preloaded
// for bench/run.mjs and bench/profile.mjs; on PostgreSQL for bench/scaling.mjs), the prefetch an EHR would send, and
// the card set a clinician sees.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');

export async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Sends a message to the probe of bench/memory-probe.cjs in `child` and resolves with its answer. */
export function askerOf(child) {
  return (message) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the probe did not answer "${message}"`)), 10_000);
      child.once('message', (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      child.send(message);
    });
}

/**
 * Spawns `node [nodeArgs] dist/server.js` on a free port of 127.0.0.1, with the bench defaults under `env`; stderr
 * is passed through, stdout dropped. Resolves at once; `untilReady` waits for /readyz.
 * @param options - `nodeArgs` before the script, `env` over the defaults, `ipc` for a probe's message channel
 */
export async function spawnServer({ nodeArgs = [], env = {}, ipc = false } = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'dist', 'server.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_BASE_URL: base,
      // The limiter protects production from one noisy client; the benchmark is that client on purpose.
      RATE_LIMIT_PER_MINUTE: '1000000',
      LOG_LEVEL: 'info',
      ...env,
    },
    // Logs are written as in production (one line per request) but not kept.
    stdio: ['ignore', 'ignore', 'inherit', ...(ipc ? ['ipc'] : [])],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    base,
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Resolves once the server's /readyz has answered 200 `inARow` times in a row; fails when its process exits or
 * after `limitMs`. Several in a row matter where a primary hands connections to its processes in turn.
 */
export async function untilReady(
  { base, child },
  { inARow = 1, limitMs = Number.POSITIVE_INFINITY, pollMs = 10 } = {}
) {
  const deadline = Date.now() + limitMs;
  let ready = 0;
  while (ready < inARow) {
    if (child.exitCode !== null) throw new Error(`the service exited with code ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`the service did not become ready within ${limitMs / 1000} s`);
    try {
      const res = await fetch(`${base}/readyz`);
      await res.arrayBuffer();
      ready = res.status === 200 ? ready + 1 : 0;
    } catch {
      ready = 0; // not listening yet
    }
    if (ready === 0) await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * Starts `node dist/server.js` with the probe of bench/memory-probe.cjs and resolves once /readyz answers 200,
 * with the time that took.
 * @param options - `nodeArgs` before the script (e.g. --cpu-prof), `env` over the bench defaults
 */
export async function startService({ nodeArgs = [], env = {} } = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ruggensteun-bench-'));
  const started = performance.now();
  const probe = path.join(ROOT, 'bench', 'memory-probe.cjs');
  const server = await spawnServer({
    nodeArgs: ['--expose-gc', '--require', probe, ...nodeArgs],
    env: { DATA_DIR: dataDir, ...env },
    ipc: true, // the probe's channel
  });
  const { base, child } = server;
  await untilReady(server);
  const startupMs = performance.now() - started;
  const ask = askerOf(child);
  return {
    base,
    startupMs,
    /** Heap in use after a full collection and resident memory, in MiB. */
    async memory() {
      const { heapUsed, rss } = await ask('memory');
      return { heap: heapUsed / 2 ** 20, rss: rss / 2 ** 20 };
    },
    /** The service process's CPU time so far (user + system, all its threads), in milliseconds. */
    async cpuMs() {
      const { cpuMicros } = await ask('cpu');
      return cpuMicros / 1000;
    },
    /** Starts the main thread's CPU profiler; `profileStop` resolves with the .cpuprofile object. */
    async profileStart() {
      await ask('profile-start');
    },
    async profileStop() {
      const { profile, error } = await ask('profile-stop');
      if (error) throw new Error(`the CPU profile failed: ${error}`);
      return profile;
    },
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the milliseconds it took until `condition` holds; fails after `limitMs`. */
export async function until(condition, limitMs) {
  const started = performance.now();
  while (!(await condition())) {
    if (performance.now() - started > limitMs) throw new Error(`gave up waiting after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return performance.now() - started;
}

/** Waits until the audit store is open, so runs measure the calls and not the store's creation. */
export function storeOpen(base) {
  return until(async () => (await getJson(`${base}/readyz`)).store?.state === 'open', 60_000);
}

export async function getJson(url) {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.json();
}

/** The prefetch an EHR would send: every template of the service's discovery entry, read from the FHIR server. */
export async function prefetchFor(base, service, patientId) {
  const entries = await Promise.all(
    Object.entries(service.prefetch).map(async ([key, template]) => {
      const query = template.replaceAll('{{context.patientId}}', patientId);
      return [key, await getJson(`${base}/fhir/${query}`)];
    })
  );
  return Object.fromEntries(entries);
}

/** What a clinician sees, independent of uuids: indicator, summary and the suggestion labels per card, sorted. */
export function cardSet(body) {
  return JSON.parse(body)
    .cards.map((card) => [card.indicator, card.summary, ...(card.suggestions ?? []).map((s) => s.label)].join(' | '))
    .sort()
    .join('\n');
}

/** Sends one request and returns its response text. */
export async function probe(base, { path: urlPath, body }) {
  const res = await fetch(`${base}${urlPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${urlPath}: HTTP ${res.status}: ${text.slice(0, 500)}`);
  return text;
}

/** The patient-view call of case (a): the chronic-clean sample patient with the full prefetch. */
export async function patientViewCase(base, patientId = 'chronic-clean') {
  const discovery = await getJson(`${base}/cds-services`);
  const service = discovery.services.find((entry) => entry.id === 'lbp-patient-view');
  return {
    name: '(a) patient-view, full prefetch',
    path: '/cds-services/lbp-patient-view',
    body: {
      hook: 'patient-view',
      hookInstance: crypto.randomUUID(),
      context: { userId: 'Practitioner/gp-1', patientId },
      prefetch: await prefetchFor(base, service, patientId),
    },
  };
}

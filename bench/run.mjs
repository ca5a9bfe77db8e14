// The benchmark of `npm run bench` (docs/performance.md). It starts the built service as a real process on
// 127.0.0.1 with its embedded defaults (sandbox FHIR server and sample patients), measures with autocannon and
// exits non-zero when a response is not 200 or a card set differs from the first one of its case: speed that
// comes from wrong answers is not speed. Targets are printed as met/missed; they do not fail the run, because
// the numbers depend on the machine.
//
// Environment: BENCH_DURATION_S (seconds per run, default 5), BENCH_MEMORY_REQUESTS (default 100000; 0 skips).
// The service runs with bench/memory-probe.cjs preloaded, which reports its heap after a full collection.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { describeScaling, measureScaling } from './scaling.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const MEMORY_REQUESTS = Number(process.env.BENCH_MEMORY_REQUESTS ?? 100_000);
const CONNECTIONS = [1, 10];
const RECORD_SIZES = [10, 100, 1000];

const failures = [];

async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Starts `node dist/server.js` and resolves once /readyz answers 200, with the time that took. */
async function startService() {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ruggensteun-bench-'));
  const started = performance.now();
  const probe = path.join(ROOT, 'bench', 'memory-probe.cjs');
  const child = spawn(process.execPath, ['--expose-gc', '--require', probe, path.join(ROOT, 'dist', 'server.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_BASE_URL: base,
      DATA_DIR: dataDir,
      // The limiter protects production from one noisy client; the benchmark is that client on purpose.
      RATE_LIMIT_PER_MINUTE: '1000000',
      LOG_LEVEL: 'info',
    },
    // Logs are written as in production (one line per request) but not kept; the IPC channel is the probe's.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${base}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const startupMs = performance.now() - started;
  return {
    base,
    startupMs,
    /** Heap in use after a full collection and resident memory, in MiB. */
    memory() {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the memory probe did not answer')), 10_000);
        child.once('message', ({ heapUsed, rss }) => {
          clearTimeout(timer);
          resolve({ heap: heapUsed / 2 ** 20, rss: rss / 2 ** 20 });
        });
        child.send('memory');
      });
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the milliseconds it took until `condition` holds; fails after `limitMs`. */
async function until(condition, limitMs) {
  const started = performance.now();
  while (!(await condition())) {
    if (performance.now() - started > limitMs) throw new Error(`gave up waiting after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return performance.now() - started;
}

async function getJson(url) {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.json();
}

/** The prefetch an EHR would send: every template of the service's discovery entry, read from the FHIR server. */
async function prefetchFor(base, service, patientId) {
  const entries = await Promise.all(
    Object.entries(service.prefetch).map(async ([key, template]) => {
      const query = template.replaceAll('{{context.patientId}}', patientId);
      return [key, await getJson(`${base}/fhir/${query}`)];
    })
  );
  return Object.fromEntries(entries);
}

/** What a clinician sees, independent of uuids: indicator, summary and the suggestion labels per card, sorted. */
function cardSet(body) {
  return JSON.parse(body)
    .cards.map((card) => [card.indicator, card.summary, ...(card.suggestions ?? []).map((s) => s.label)].join(' | '))
    .sort()
    .join('\n');
}

/** Sends one request and returns its response text. */
async function probe(base, { path: urlPath, body }) {
  const res = await fetch(`${base}${urlPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${urlPath}: HTTP ${res.status}: ${text.slice(0, 500)}`);
  return text;
}

/**
 * The ceiling of the throughput ratio for this payload: bench/json-floor.mjs, a bare express server that only parses
 * the request of `c` and sends `responseText`, measured next to its own /healthz at 10 connections.
 */
async function jsonCeiling(c, responseText) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ruggensteun-bench-json-'));
  const responseFile = path.join(dir, 'response.json');
  writeFileSync(responseFile, responseText);
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, 'bench', 'json-floor.mjs'), String(port), responseFile], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`bench/json-floor.mjs exited with code ${code}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    const json = { name: '(e) JSON only: parse + serialise', path: '/json', body: c.body };
    const floor = { name: '(f) its GET /healthz', path: '/healthz' };
    const rows = [];
    for (const run of [json, floor]) {
      await measure(`warm-up ${run.name}`, base, run, { connections: 10, duration: 1 });
      rows.push(await measure(run.name, base, run, { connections: 10, duration: DURATION_S }));
    }
    return rows;
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The autocannon request of a case: a GET without body, or a POST of its JSON body. */
function requestOf({ path: urlPath, body }) {
  return body === undefined
    ? { method: 'GET', path: urlPath }
    : { method: 'POST', path: urlPath, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/**
 * One autocannon run. Every response is checked: status 200 and, for hook calls, the same card set as the
 * reference; the first deviations are kept for the report.
 */
async function measure(name, base, c, options) {
  const { expectedCards } = c;
  let wrong = 0;
  const samples = [];
  const request = {
    ...requestOf(c),
    onResponse(status, responseBody) {
      if (status !== 200) {
        wrong++;
        if (samples.length < 3) samples.push(`HTTP ${status}: ${String(responseBody).slice(0, 300)}`);
      } else if (expectedCards !== undefined && cardSet(responseBody) !== expectedCards) {
        wrong++;
        if (samples.length < 3) samples.push(`different cards:\n${cardSet(responseBody)}`);
      }
    },
  };
  const result = await autocannon({ url: base, requests: [request], ...options });
  const errors = result.errors + result.timeouts;
  if (wrong > 0 || errors > 0) {
    failures.push(`${name}: ${wrong} wrong responses, ${errors} errors/timeouts\n  ${samples.join('\n  ')}`);
  }
  return {
    name,
    connections: options.connections,
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: result.requests.average,
  };
}

/** The least-squares slope of y over x. */
function slope(points) {
  const n = points.length;
  const mx = points.reduce((sum, [x]) => sum + x, 0) / n;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const num = points.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0);
  const den = points.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

/** How many resources a prefetch holds. */
function resourceCount(prefetch) {
  return Object.values(prefetch).reduce(
    (count, value) => count + (value?.resourceType === 'Bundle' ? (value.entry ?? []).length : value ? 1 : 0),
    0
  );
}

/** A record of `size` resources: the sample patient's own plus routine heart-rate observations. */
function paddedPrefetch(prefetch, patientId, size) {
  const extra = Math.max(0, size - resourceCount(prefetch));
  const day = 24 * 3600 * 1000;
  const padding = Array.from({ length: extra }, (_, i) => ({
    resource: {
      resourceType: 'Observation',
      id: `bench-hr-${i}`,
      status: 'final',
      subject: { reference: `Patient/${patientId}` },
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
      effectiveDateTime: new Date(Date.now() - (i + 1) * day).toISOString(),
      valueQuantity: { value: 60 + (i % 30), unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
    },
  }));
  const observations = prefetch.observations ?? { resourceType: 'Bundle', type: 'searchset', entry: [] };
  return { ...prefetch, observations: { ...observations, entry: [...(observations.entry ?? []), ...padding] } };
}

const pad = (value, width) => String(value).padStart(width);
const ms = (value) => `${Number(value).toFixed(2)} ms`;

async function main() {
  const service = await startService();
  const { base } = service;
  try {
    const discovery = await getJson(`${base}/cds-services`);
    const serviceOf = (id) => discovery.services.find((entry) => entry.id === id);
    const patientView = serviceOf('lbp-patient-view');
    const orderSelectService = serviceOf('lbp-order-select');

    const chronicId = 'chronic-clean';
    const chronicPrefetch = await prefetchFor(base, patientView, chronicId);
    const prefetchBytes = Buffer.byteLength(JSON.stringify(chronicPrefetch));
    const prefetchResources = resourceCount(chronicPrefetch);
    const context = (patientId) => ({ userId: 'Practitioner/gp-1', patientId });
    const patientViewCall = (patientId, fields) => ({
      path: '/cds-services/lbp-patient-view',
      body: { hook: 'patient-view', hookInstance: randomUUID(), context: context(patientId), ...fields },
    });

    // (c) order-select: the physiotherapy referral of the physio-referral sample patient, as a draft order.
    const referralId = 'physio-referral';
    const referrals = await getJson(`${base}/fhir/ServiceRequest?patient=${referralId}`);
    const referral = referrals.entry?.map((entry) => entry.resource).find((r) => r.status === 'draft');
    if (!referral) throw new Error('the physio-referral sample patient has no draft ServiceRequest');
    const orderSelect = {
      hook: 'order-select',
      hookInstance: randomUUID(),
      context: {
        ...context(referralId),
        selections: [`ServiceRequest/${referral.id}`],
        draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: referral }] },
      },
      prefetch: await prefetchFor(base, orderSelectService, referralId),
    };

    const cases = [
      { name: '(a) patient-view, full prefetch', ...patientViewCall(chronicId, { prefetch: chronicPrefetch }) },
      { name: '(b) patient-view, fetched from FHIR', ...patientViewCall(chronicId, { fhirServer: `${base}/fhir` }) },
      { name: '(c) order-select, physio referral', path: '/cds-services/lbp-order-select', body: orderSelect },
      { name: '(d) GET /healthz (floor)', path: '/healthz' },
    ];
    for (const c of cases) {
      if (c.body) c.expectedCards = cardSet(await probe(base, c));
    }
    if (cases[0].expectedCards !== cases[1].expectedCards) {
      failures.push('(a) and (b) show different cards for the same patient:\n' + cases[1].expectedCards);
    }

    // /readyz is 200 only once the store is usable, so it is open here; kept as a check.
    const storeOpenMs = await until(async () => (await getJson(`${base}/readyz`)).store?.state === 'open', 60_000);

    console.log(`Ruggensteun benchmark on ${base} (Node ${process.version}, ${DURATION_S} s per run)`);
    console.log(
      `start-up to ready: ${service.startupMs.toFixed(0)} ms (audit store open ${storeOpenMs.toFixed(0)} ms later)`
    );
    console.log(`(a) prefetch: ${prefetchResources} resources, ${(prefetchBytes / 1024).toFixed(1)} KB\n`);

    // Warm-up, so the first measured run does not pay for JIT compilation.
    for (const c of cases) await measure(`warm-up ${c.name}`, base, c, { connections: 10, duration: 1 });

    const rows = [];
    for (const connections of CONNECTIONS) {
      for (const c of cases) rows.push(await measure(c.name, base, c, { connections, duration: DURATION_S }));
    }
    console.log(`${'case'.padEnd(40)} ${pad('conn', 4)} ${pad('p50', 9)} ${pad('p99', 9)} ${pad('req/s', 8)}`);
    for (const row of rows) {
      console.log(
        `${row.name.padEnd(40)} ${pad(row.connections, 4)} ${pad(ms(row.p50), 9)} ${pad(ms(row.p99), 9)} ${pad(row.rps.toFixed(0), 8)}`
      );
    }

    const row = (prefix, connections) => rows.find((r) => r.name.startsWith(prefix) && r.connections === connections);
    console.log('\nratio of (a) to the floor (d), requests/second:');
    for (const connections of CONNECTIONS) {
      console.log(
        `  ${connections} conn: ${((row('(a)', connections).rps / row('(d)', connections).rps) * 100).toFixed(0)} %`
      );
    }

    // What the ratio can reach at all with these payloads: no clinical work, no middleware, only the JSON.
    const [jsonOnly, jsonFloor] = await jsonCeiling(cases[0], await probe(base, cases[0]));
    const ceiling = jsonOnly.rps / jsonFloor.rps;
    console.log('\nceiling of that ratio for this payload (bare express server, 10 connections):');
    for (const r of [jsonOnly, jsonFloor]) {
      console.log(`  ${r.name.padEnd(36)} p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, ${r.rps.toFixed(0)} req/s`);
    }
    console.log(`  (e) / (f): ${(ceiling * 100).toFixed(0)} %`);

    console.log('\nlatency by record size, (a) with routine observations added, 1 connection:');
    const small = await prefetchFor(base, patientView, 'acute-low-risk');
    for (const size of RECORD_SIZES) {
      const sized = patientViewCall('acute-low-risk', { prefetch: paddedPrefetch(small, 'acute-low-risk', size) });
      sized.expectedCards = cardSet(await probe(base, sized));
      await measure(`warm-up ${size}`, base, sized, { connections: 1, duration: 1 });
      const r = await measure(`${size} resources`, base, sized, { connections: 1, duration: DURATION_S });
      const kb = Buffer.byteLength(JSON.stringify(sized.body)) / 1024;
      console.log(`  ${pad(size, 5)} resources (${pad(kb.toFixed(0), 4)} KB): p50 ${ms(r.p50)}, p99 ${ms(r.p99)}`);
    }

    let memory;
    if (MEMORY_REQUESTS > 0) {
      // [requests answered, heap after a full collection, resident memory], once a second.
      const points = [];
      let sent = 0;
      const sample = async () => {
        const { heap, rss } = await service.memory();
        points.push([sent, heap, rss]);
      };
      await sample();
      let sampling = Promise.resolve();
      const sampler = setInterval(() => {
        sampling = sampling.then(sample);
      }, 1000);
      const instance = autocannon({
        url: base,
        connections: 10,
        amount: MEMORY_REQUESTS,
        requests: [requestOf(cases[0])],
      });
      instance.on('response', () => sent++);
      const result = await instance;
      clearInterval(sampler);
      await sampling;
      await sample();
      if (result.non2xx + result.errors + result.timeouts > 0) {
        failures.push(`memory run: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
      }
      // The heap trend over the second half, after warm-up and the first collections.
      const half = points.slice(Math.floor(points.length / 2));
      memory = {
        heap: [points[0][1], points.at(-1)[1]],
        rss: [points[0][2], points.at(-1)[2]],
        perTenThousand: half.length > 1 ? slope(half.map(([x, heap]) => [x, heap])) * 10_000 : Number.NaN,
      };
      const range = ([from, to]) => `${from.toFixed(1)} → ${to.toFixed(1)} MiB`;
      console.log(
        `\nmemory over ${result.requests.total} requests of (a), ${points.length} samples:\n` +
          `  heap after full collection ${range(memory.heap)}, trend over the second half ` +
          `${memory.perTenThousand.toFixed(2)} MiB per 10,000 requests\n` +
          `  resident (with the embedded database's page cache) ${range(memory.rss)}`
      );
    }

    // Every hook call of the run is audited: none may have failed (dropped ones are reported).
    const { audit } = await getJson(`${base}/readyz`);
    console.log(
      `\naudit records: ${audit.written} written, ${audit.queued} queued, ${audit.dropped} dropped, ${audit.failed} failed`
    );
    if (audit.failed > 0) {
      failures.push(`audit: ${audit.failed} records could not be written`);
    }

    console.log('\ntargets (2-core reference machine):');
    const target = (text, met) => console.log(`  ${met ? 'met   ' : 'MISSED'} ${text}`);
    target(`(a) p99 ≤ 5 ms at 1 connection: ${ms(row('(a)', 1).p99)}`, row('(a)', 1).p99 <= 5);
    const ratio = row('(a)', 10).rps / row('(d)', 10).rps;
    target(
      `(a) throughput ≥ 50 % of the floor at 10 connections: ${(ratio * 100).toFixed(0)} % ` +
        `(JSON-only ceiling ${(ceiling * 100).toFixed(0)} %)`,
      ratio >= 0.5
    );
    // Latency targets are per call, as a clinician waits for one: at 1 connection (10 queue behind each other).
    target(`(b) p99 ≤ 50 ms at 1 connection: ${ms(row('(b)', 1).p99)}`, row('(b)', 1).p99 <= 50);
    target(`start-up to ready ≤ 3 s: ${service.startupMs.toFixed(0)} ms`, service.startupMs <= 3000);
    if (memory) {
      target(
        `memory stable: heap trend ${memory.perTenThousand.toFixed(2)} MiB per 10,000 requests (|trend| ≤ 1)`,
        Math.abs(memory.perTenThousand) <= 1
      );
    }
  } finally {
    await service.stop();
  }
  // N processes on PostgreSQL (bench/scaling.mjs, its own services); BENCH_SCALING=0 skips it.
  if (process.env.BENCH_SCALING !== '0') {
    const scaling = await measureScaling({ durationS: DURATION_S });
    console.log(`\n${describeScaling(scaling).join('\n')}`);
    for (const row of (scaling.results ?? []).filter((result) => result.non200 > 0)) {
      failures.push(`scaling: ${row.non200} responses not 200 with ${row.processes} processes`);
    }
  }
}

main().then(
  () => {
    if (failures.length > 0) {
      console.error(`\nFAILED: ${failures.length} run(s) had wrong answers:\n${failures.join('\n')}`);
      process.exit(1);
    }
  },
  (error) => {
    console.error(error);
    process.exit(1);
  }
);

// The benchmark of `npm run bench` (docs/performance.md). It starts the built service as a real process on
// 127.0.0.1 with its embedded defaults (sandbox FHIR server and sample patients), measures with autocannon and
// exits non-zero when a response is not 200 or a card set differs from the first one of its case: speed that
// comes from wrong answers is not speed. CPU per call is the server process's own CPU time over each run (its
// counters, read through bench/memory-probe.cjs), so neighbours on a shared machine change it little; the targets
// of issue 16 are printed as met/missed against ratios to the floor and do not fail the run.
//
// Environment: BENCH_DURATION_S (seconds per run, default 5), BENCH_MEMORY_REQUESTS (default 100000; 0 skips),
// BENCH_RECORD_SIZES (default 10,100,1000,10000).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { askerOf, cardSet, freePort, getJson, prefetchFor, probe, ROOT, startService, storeOpen } from './service.mjs';
import { BEFORE, PEERS } from './reference.mjs';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const MEMORY_REQUESTS = Number(process.env.BENCH_MEMORY_REQUESTS ?? 100_000);
const CONNECTIONS = [1, 10];
const RECORD_SIZES = (process.env.BENCH_RECORD_SIZES ?? '10,100,1000,10000').split(',').map(Number);

const failures = [];

/**
 * The ceiling for this payload: bench/json-floor.mjs, a bare express server that only parses the request of `c`
 * and sends `responseText`, measured next to its own /healthz at 10 connections, with its CPU per call.
 */
async function jsonCeiling(c, responseText) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ruggensteun-bench-json-'));
  const responseFile = path.join(dir, 'response.json');
  writeFileSync(responseFile, responseText);
  const port = await freePort();
  const probeFile = path.join(ROOT, 'bench', 'memory-probe.cjs');
  const script = path.join(ROOT, 'bench', 'json-floor.mjs');
  const child = spawn(process.execPath, ['--expose-gc', '--require', probeFile, script, String(port), responseFile], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`bench/json-floor.mjs exited with code ${code}`)));
    });
    const ask = askerOf(child);
    const cpu = { cpuMs: async () => (await ask('cpu')).cpuMicros / 1000 };
    const base = `http://127.0.0.1:${port}`;
    const json = { name: '(e) JSON only: parse + serialise', path: '/json', body: c.body };
    const floor = { name: '(f) its GET /healthz', path: '/healthz' };
    const rows = [];
    for (const run of [json, floor]) {
      await measure(`warm-up ${run.name}`, base, run, { connections: 10, duration: 1 });
      rows.push(await measure(run.name, base, run, { connections: 10, duration: DURATION_S }, cpu));
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
 * reference; the first deviations are kept for the report. With `server` (something with cpuMs()), the server's
 * CPU time over the run divided by the calls answered.
 */
async function measure(name, base, c, options, server) {
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
  const cpuBefore = await server?.cpuMs();
  const result = await autocannon({ url: base, requests: [request], ...options });
  const cpuMs = server ? (await server.cpuMs()) - cpuBefore : Number.NaN;
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
    cpu: cpuMs / Math.max(1, result.requests.total),
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

/** Where an answer's bytes go: all of it, the CarePlans in suggestions, and the card details. */
function answerSizes(text) {
  const bytes = (value) => Buffer.byteLength(JSON.stringify(value));
  const cards = JSON.parse(text).cards;
  const resources = cards.flatMap((card) =>
    (card.suggestions ?? []).flatMap((s) => (s.actions ?? []).map((action) => action.resource).filter(Boolean))
  );
  return {
    total: Buffer.byteLength(text),
    carePlan: resources.filter((r) => r.resourceType === 'CarePlan').reduce((sum, r) => sum + bytes(r), 0),
    detail: cards.reduce((sum, card) => sum + (card.detail ? Buffer.byteLength(card.detail) : 0), 0),
  };
}

/** N-process scaling (bench/scaling.mjs of the cores work), when it is there; its own lines and targets. */
async function scaling() {
  const file = path.join(ROOT, 'bench', 'scaling.mjs');
  if (!existsSync(file)) return undefined;
  const module = await import(file);
  const run = module.runScaling ?? module.default;
  return typeof run === 'function' ? run({ durationS: DURATION_S, failures }) : undefined;
}

const pad = (value, width) => String(value).padStart(width);
const ms = (value) => `${Number(value).toFixed(2)} ms`;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

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
    const answers = new Map();
    for (const c of cases) {
      if (!c.body) continue;
      const text = await probe(base, c);
      answers.set(c.name, text);
      c.expectedCards = cardSet(text);
    }
    if (cases[0].expectedCards !== cases[1].expectedCards) {
      failures.push('(a) and (b) show different cards for the same patient:\n' + cases[1].expectedCards);
    }

    // /readyz is 200 only once the store is usable, so it is open here; kept as a check.
    const storeOpenMs = await storeOpen(base);

    console.log(`Ruggensteun benchmark on ${base} (Node ${process.version}, ${DURATION_S} s per run)`);
    console.log(
      `start-up to ready: ${service.startupMs.toFixed(0)} ms (audit store open ${storeOpenMs.toFixed(0)} ms later)`
    );
    console.log(`(a) prefetch: ${prefetchResources} resources, ${kb(prefetchBytes)}`);
    // On a shared machine the neighbours' load slows every number down; the CPU ratios suffer least.
    const load = () => `load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`;
    console.log(`${load()} at the start\n`);

    // Warm-up, so the first measured run does not pay for JIT compilation.
    for (const c of cases) await measure(`warm-up ${c.name}`, base, c, { connections: 10, duration: 1 });

    const rows = [];
    for (const connections of CONNECTIONS) {
      for (const c of cases) {
        rows.push(await measure(c.name, base, c, { connections, duration: DURATION_S }, service));
      }
    }
    // The self-fetch of (b) under more load than the embedded FHIR server's callers: every answer must be 200.
    const busyFetch = await measure(`${cases[1].name}, 20 conn`, base, cases[1], { connections: 20, duration: 2 });
    console.log(
      `${'case'.padEnd(40)} ${pad('conn', 4)} ${pad('p50', 9)} ${pad('p99', 9)} ${pad('req/s', 8)} ${pad('CPU/call', 10)}`
    );
    for (const r of rows) {
      console.log(
        `${r.name.padEnd(40)} ${pad(r.connections, 4)} ${pad(ms(r.p50), 9)} ${pad(ms(r.p99), 9)} ` +
          `${pad(r.rps.toFixed(0), 8)} ${pad(ms(r.cpu), 10)}`
      );
    }

    const row = (prefix, connections) => rows.find((r) => r.name.startsWith(prefix) && r.connections === connections);
    const cpuRatio = (connections) => row('(a)', connections).cpu / row('(d)', connections).cpu;
    console.log('\nserver CPU per call of (a) over the floor (d), and throughput of (a) over (d):');
    for (const connections of CONNECTIONS) {
      const rps = row('(a)', connections).rps / row('(d)', connections).rps;
      console.log(
        `  ${pad(connections, 2)} conn: CPU ${cpuRatio(connections).toFixed(1)}×, req/s ${(rps * 100).toFixed(0)} %`
      );
    }

    console.log('\nanswer sizes (the CarePlan and card details are part of the total):');
    const sizes = new Map([...answers].map(([name, text]) => [name, answerSizes(text)]));
    for (const [name, size] of sizes) {
      console.log(
        `  ${name.padEnd(40)} ${pad(kb(size.total), 9)}, CarePlan ${kb(size.carePlan)}, details ${kb(size.detail)}`
      );
    }

    // What no express service can go below with these payloads: no clinical work, no middleware, only the JSON.
    const [jsonOnly, jsonFloor] = await jsonCeiling(cases[0], answers.get(cases[0].name));
    console.log('\nthe same JSON on a bare express server (bench/json-floor.mjs, 10 connections):');
    for (const r of [jsonOnly, jsonFloor]) {
      console.log(
        `  ${r.name.padEnd(36)} p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, ${r.rps.toFixed(0)} req/s, CPU ${ms(r.cpu)}/call`
      );
    }
    console.log(
      `  (e) / (f): req/s ${((jsonOnly.rps / jsonFloor.rps) * 100).toFixed(0)} %, CPU ${(jsonOnly.cpu / jsonFloor.cpu).toFixed(1)}×`
    );

    console.log('\nby record size, acute-low-risk with routine observations added, 1 connection:');
    const small = await prefetchFor(base, patientView, 'acute-low-risk');
    for (const size of RECORD_SIZES) {
      const sized = patientViewCall('acute-low-risk', { prefetch: paddedPrefetch(small, 'acute-low-risk', size) });
      sized.expectedCards = cardSet(await probe(base, sized));
      await measure(`warm-up ${size}`, base, sized, { connections: 1, duration: 1 });
      const r = await measure(`${size} resources`, base, sized, { connections: 1, duration: DURATION_S }, service);
      const bodyKb = Buffer.byteLength(JSON.stringify(sized.body)) / 1024;
      console.log(
        `  ${pad(size, 6)} resources (${pad(bodyKb.toFixed(0), 5)} KB): p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, ` +
          `CPU ${ms(r.cpu)}/call`
      );
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

    const scaled = await scaling();
    console.log(`\n${load()} at the end`);

    // Issue 16's targets. CPU targets compare ratios to the floor (d), which this machine's speed and load move
    // alike, with the ratio measured before the work (bench/reference.mjs).
    console.log('\ntargets (issue 16):');
    const target = (text, met) => console.log(`  ${met === undefined ? 'n/a   ' : met ? 'met   ' : 'MISSED'} ${text}`);
    const ratio10 = cpuRatio(10);
    target(
      `(a) server CPU per call ≤ 0.4 × before: ${ms(row('(a)', 10).cpu)} at 10 conn, ${ratio10.toFixed(1)}× the floor ` +
        `(before ${BEFORE.cpuRatioToFloor}×, ${BEFORE.cpuMs} ms on the reference machine): ` +
        `${(ratio10 / BEFORE.cpuRatioToFloor).toFixed(2)} × before`,
      ratio10 <= 0.4 * BEFORE.cpuRatioToFloor
    );
    target(`(a) CPU over the floor ≤ 7×: ${ratio10.toFixed(1)}×`, ratio10 <= 7);
    target(`(a) p99 ≤ 5 ms at 1 connection: ${ms(row('(a)', 1).p99)}`, row('(a)', 1).p99 <= 5);
    const aSize = sizes.get(cases[0].name).total;
    target(`(a) answer ≤ 12 KB in one language: ${kb(aSize)}`, aSize <= 12 * 1024);
    // AHRQ CQL Services with its model-info cache used PEERS.ahrqCpuPerOurs of our CPU per call before this work.
    const perCpu = (PEERS.ahrqCpuPerOurs * BEFORE.cpuRatioToFloor) / ratio10;
    target(
      `throughput per CPU ≥ 2 × AHRQ CQL Services with cache: ${perCpu.toFixed(2)} × (from the CPU ratios)`,
      perCpu >= 2
    );
    target(
      `(b) at 20 connections answers 200 every time: ${busyFetch.requests} calls`,
      !failures.some((failure) => failure.startsWith(busyFetch.name))
    );
    if (scaled === undefined) {
      target('every core in use: N processes ≥ 0.85 × N (bench/scaling.mjs not present)', undefined);
    }
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

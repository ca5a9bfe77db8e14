// Process scaling on PostgreSQL (issue 16, "every core in use"): the throughput of case (a) — lbp-patient-view with
// the full prefetch of the chronic-clean sample patient — served by 1 and by 2 processes (CDS_PROCESSES, node:cluster)
// on one PostgreSQL, and the ratio against the target of ≥ 0.85 × N. Evaluation runs on each process's main thread
// here (EVALUATION_WORKERS=0), so the ratio measures the processes alone; docs/operations.md explains the sizing.
//
//   npm run build && node bench/scaling.mjs          (prints the table; exit code 1 when a response was not 200)
//   import { measureScaling } from './scaling.mjs'    (bench/run.mjs: resolves with the numbers)
//
// PostgreSQL: TEST_DATABASE_URL when set, otherwise a throw-away cluster from scripts/with-postgres.mjs, which this
// script runs itself under. Without PostgreSQL binaries the measurement is skipped and says so.
// Environment: BENCH_DURATION_S (seconds per run, default 5), BENCH_SCALING_CONNECTIONS (default 20).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { patientViewCase, ROOT, spawnServer, untilReady } from './service.mjs';

const PROCESSES = [1, 2];
const TARGET_FACTOR = 0.85;

/** `node dist/server.js` with N processes on the database; resolves once every process answers /readyz 200. */
async function startService(databaseUrl, processes) {
  const server = await spawnServer({
    env: {
      DATABASE_URL: databaseUrl,
      PATIENT_HASH_KEY: randomBytes(32).toString('base64url'),
      CDS_PROCESSES: String(processes),
      EVALUATION_WORKERS: '0',
    },
  });
  // The primary hands connections to the processes in turn: 20 ready answers in a row mean all of them are up.
  await untilReady(server, { inARow: 20, limitMs: 60_000, pollMs: 50 });
  return server;
}

function load(base, body, connections, durationS) {
  return autocannon({
    url: `${base}/cds-services/lbp-patient-view`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration: durationS,
  });
}

/** Measures with the database at `databaseUrl`. */
async function measure(databaseUrl, { durationS, connections }) {
  const results = [];
  for (const processes of PROCESSES) {
    const service = await startService(databaseUrl, processes);
    try {
      // Case (a): the patient-view call with the prefetch an EHR would send, read from the embedded FHIR server.
      const body = JSON.stringify((await patientViewCase(service.base)).body);
      await load(service.base, body, connections, 1); // warm-up: JIT, connections, the audit table
      const result = await load(service.base, body, connections, durationS);
      results.push({
        processes,
        rps: result.requests.average,
        p99: result.latency.p99,
        non200: result.non2xx + result.errors + result.timeouts,
      });
    } finally {
      await service.stop();
    }
  }
  const [one, two] = results;
  const ratio = two.rps / one.rps;
  const target = TARGET_FACTOR * two.processes;
  return { connections, durationS, results, ratio, target, met: ratio >= target };
}

/**
 * Runs the measurement, under scripts/with-postgres.mjs unless TEST_DATABASE_URL names a database.
 * @returns {Promise<{ skipped?: string, results?: object[], ratio?: number, target?: number, met?: boolean }>}
 */
export async function measureScaling({
  durationS = Number(process.env.BENCH_DURATION_S ?? 5),
  connections = Number(process.env.BENCH_SCALING_CONNECTIONS ?? 20),
} = {}) {
  if (process.env.TEST_DATABASE_URL) {
    return measure(process.env.TEST_DATABASE_URL, { durationS, connections });
  }
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'scripts', 'with-postgres.mjs'), process.execPath, fileURLToPath(import.meta.url), '--json'],
    {
      cwd: ROOT,
      env: { ...process.env, BENCH_DURATION_S: String(durationS), BENCH_SCALING_CONNECTIONS: String(connections) },
      stdio: ['ignore', 'pipe', 'inherit'],
    }
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  const last = output.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`bench/scaling.mjs failed (exit ${code})`);
  return JSON.parse(last);
}

/** The lines bench/run.mjs and this script print. */
export function describeScaling(scaling) {
  if (scaling.skipped) return [`process scaling on PostgreSQL: skipped (${scaling.skipped})`];
  const rows = scaling.results.map(
    (row) =>
      `  ${row.processes} process${row.processes === 1 ? ' ' : 'es'}: ${row.rps.toFixed(0).padStart(6)} req/s, ` +
      `p99 ${row.p99} ms${row.non200 > 0 ? `, ${row.non200} not 200` : ''}`
  );
  return [
    `process scaling on PostgreSQL, case (a) at ${scaling.connections} connections, ${scaling.durationS} s each:`,
    ...rows,
    `  ${scaling.met ? 'met   ' : 'MISSED'} ${scaling.results.at(-1).processes} processes ≥ ${TARGET_FACTOR} × N the ` +
      `throughput of one: ${scaling.ratio.toFixed(2)}× (target ${scaling.target.toFixed(2)}×)`,
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const json = process.argv.includes('--json');
  const run = process.env.TEST_DATABASE_URL
    ? measureScaling()
    : json
      ? Promise.resolve({ skipped: 'no PostgreSQL server binaries' })
      : measureScaling();
  run.then(
    (scaling) => {
      if (json) {
        console.log(JSON.stringify(scaling));
      } else {
        console.log(describeScaling(scaling).join('\n'));
      }
      const wrong = (scaling.results ?? []).some((row) => row.non200 > 0);
      process.exit(wrong && !json ? 1 : 0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    }
  );
}

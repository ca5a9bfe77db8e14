// What the audit commit costs a hook call (issue 14, docs/operations.md): the latency (p50, p99) of patient-view
// calls when each answer waits for its audit record to be committed (group commit, as the service runs) and when
// the record is only queued and written after the answer. On PGlite, and on a PostgreSQL of its own that flushes
// commits to disk as in production (fsync on), started with the binaries `npm test` uses.
//
//   npm run build && node bench/audit-cost.mjs
//
// Environment: BENCH_AUDIT_CALLS (calls each way, default 300), BENCH_DATABASE_URL (a PostgreSQL to use instead of
// starting one; its tables are created in a fresh schema and dropped afterwards). Not a test: the numbers depend
// on the machine.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(import.meta.dirname, '..');
const dist = (module) => require(path.join(ROOT, 'dist', module));
const { createApp } = dist('app.js');
const { CLINICAL_PREFETCH } = dist('hook/catalogue.js');
const { hookEvaluator } = dist('hook/evaluator.js');
const { parseConfig } = dist('config.js');
const { loadKnowledge } = dist('clinical/knowledge/index.js');
const { createLogger } = dist('common/logger.js');
const { Readiness } = dist('http/readiness.js');
const { AuditWriter } = dist('store/audit-writer.js');
const { openStore } = dist('store/store.js');
const { PostgresCluster, findBinaries } = require('../scripts/postgres-cluster.cjs');
const { Client } = require('pg');

const CALLS = Number(process.env.BENCH_AUDIT_CALLS ?? 300);
const CONCURRENCY = [1, 8];
/** Calls per block; the two ways alternate block by block. */
const BLOCK = 20;
const logger = createLogger({ logLevel: 'silent' }, new Writable({ write: (_chunk, _encoding, done) => done() }));
const config = parseConfig({ NODE_ENV: 'test', RATE_LIMIT_PER_MINUTE: '1000000' }, ROOT);
const knowledge = loadKnowledge(config);
const evaluate = hookEvaluator({
  knowledge,
  defaultLocale: 'en',
  translations: [],
  now: () => new Date(),
  newId: randomUUID,
});

/** A patient-view call for the chronic-clean sample patient, with the prefetch an EHR would send. */
const sample = JSON.parse(readFileSync(path.join(ROOT, 'fhir-resources', 'sample-patients', 'chronic-clean.json')));
const resources = sample.entry.map((entry) => entry.resource).filter((r) => r.resourceType !== 'ServiceRequest');
const prefetch = Object.fromEntries(
  Object.entries(CLINICAL_PREFETCH).map(([key, template]) => {
    const matching = resources.filter((resource) => resource.resourceType === template.resourceType);
    return [
      key,
      template.kind === 'read'
        ? (matching[0] ?? null)
        : { resourceType: 'Bundle', type: 'searchset', entry: matching.map((resource) => ({ resource })) },
    ];
  })
);
const patientId = resources.find((resource) => resource.resourceType === 'Patient').id;
const body = () =>
  JSON.stringify({
    hook: 'patient-view',
    hookInstance: randomUUID(),
    context: { userId: 'Practitioner/gp-1', patientId },
    prefetch,
  });

/** Listens on 127.0.0.1:0 with the store's audit writer; `commit` decides whether answers wait for the record. */
async function listen(store, commit) {
  const writer = new AuditWriter(store, { queueSize: 10_000, logger, batchWindowMs: 0 });
  const audit = {
    writer: commit ? writer : { enqueue: (record) => writer.enqueue(record) },
    hashKey: randomBytes(32),
  };
  const readiness = new Readiness();
  readiness.markReady();
  const app = createApp({ config, logger, readiness, evaluate, audit, store: () => store });
  const server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return { url: `http://127.0.0.1:${server.address().port}/cds-services/lbp-patient-view`, server, writer };
}

/** Latencies (ms) of `calls` calls from `concurrency` clients, added to `latencies`. */
async function measure(url, concurrency, calls, latencies) {
  let left = calls;
  const client = async () => {
    while (left-- > 0) {
      const started = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body() });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/**
 * Both ways at once on one store, measured in alternating blocks of BLOCK calls, so that the load of the shared
 * machine falls on both alike.
 */
async function bench(name, store) {
  const rows = [];
  for (const concurrency of CONCURRENCY) {
    const ways = [await listen(store, false), await listen(store, true)];
    const latencies = [[], []];
    for (const way of ways) {
      await measure(way.url, concurrency, 50, []); // warm-up: JIT, connections, the store's caches
      await way.writer.flush(30_000);
    }
    for (let block = 0; block < (2 * CALLS) / BLOCK; block++) {
      const way = block % 2;
      await measure(ways[way].url, concurrency, BLOCK, latencies[way]);
      await ways[way].writer.flush(30_000);
    }
    for (const way of ways) {
      await new Promise((resolve) => way.server.close(resolve));
    }
    const [queued, commit] = latencies.map((values) => {
      const sorted = values.sort((a, b) => a - b);
      return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    });
    const f = (ms) => ms.toFixed(1).padStart(6);
    rows.push(
      `${name.padEnd(22)} ${String(concurrency).padStart(2)} client(s)  after the answer: p50 ${f(queued.p50)} ms, ` +
        `p99 ${f(queued.p99)} ms   committed before it: p50 ${f(commit.p50)} ms, p99 ${f(commit.p99)} ms` +
        `   cost p50 ${f(commit.p50 - queued.p50)} ms, p99 ${f(commit.p99 - queued.p99)} ms`
    );
  }
  return rows;
}

async function main() {
  const lines = [];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ruggensteun-audit-cost-'));
  try {
    const pglite = await openStore({ dataDir });
    try {
      lines.push(...(await bench('PGlite', pglite)));
    } finally {
      await pglite.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }

  let cluster;
  let baseUrl = process.env.BENCH_DATABASE_URL;
  if (!baseUrl) {
    const bindir = findBinaries();
    if (bindir) {
      cluster = new PostgresCluster({ bindir, database: 'ruggensteun_bench', durable: true });
      cluster.create();
      baseUrl = await cluster.start();
    }
  }
  if (baseUrl) {
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: baseUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    try {
      const url = new URL(baseUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      const postgres = await openStore({ dataDir: '', databaseUrl: url.toString() });
      try {
        lines.push(...(await bench(cluster ? 'PostgreSQL (fsync on)' : 'PostgreSQL', postgres)));
      } finally {
        await postgres.close();
      }
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
      cluster?.destroy();
    }
  } else {
    lines.push('PostgreSQL: skipped (no server binaries and no BENCH_DATABASE_URL)');
  }
  console.log(
    `audit commit cost: patient-view, ${CALLS} calls each way, in alternating blocks of ${BLOCK} (after a warm-up)\n${lines.join('\n')}`
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

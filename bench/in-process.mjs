// Where the CPU of one hook call goes, without HTTP and without the neighbours' network load: case (a)'s body run
// through the service's own pipeline in this process (parse, gather, the evaluator, serialise) N times. Prints CPU
// per call by phase, the main thread against the process's other threads (the collector's helpers; Linux only),
// and the bytes allocated per call (sampling heap profiler, collected objects included): numbers that a shared
// machine's load moves much less than wall time. docs/performance.md.
//
// Usage: npm run build && node bench/in-process.mjs [N, default 500]   (writes nothing)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { patientViewCase, ROOT, startService } from './service.mjs';

const N = Number(process.argv[2] ?? 500);
const require = createRequire(import.meta.url);
const dist = (file) => require(path.join(ROOT, 'dist', file));
const { loadKnowledge } = dist('clinical/knowledge/index.js');
const { SERVICES } = dist('hook/catalogue.js');
const { gatherInputOf, parseHookRequest } = dist('hook/hook-request.js');
const { gatherRecord } = dist('fhir/gather.js');
const { hookEvaluator } = dist('hook/evaluator.js');

/** Case (a)'s body, as the bench sends it (the sample patient's prefetch, read from a briefly started service). */
async function caseBody() {
  const service = await startService();
  try {
    return JSON.stringify((await patientViewCase(service.base)).body);
  } finally {
    await service.stop();
  }
}

/** CPU milliseconds of this process's threads, by thread id (Linux /proc; empty elsewhere). */
function threadCpu() {
  const dir = '/proc/self/task';
  if (!existsSync(dir)) return {};
  const tick = 10; // USER_HZ is 100 on Linux
  return Object.fromEntries(
    readdirSync(dir).map((id) => {
      const stat = readFileSync(`${dir}/${id}/stat`, 'utf8');
      const fields = stat.slice(stat.indexOf(')') + 2).split(' ');
      return [id, (Number(fields[11]) + Number(fields[12])) * tick];
    })
  );
}

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function main() {
  const text = await caseBody();
  const knowledge = loadKnowledge({ fhirResourcesDir: 'fhir-resources', rulesDir: 'rules' });
  const service = SERVICES.find((entry) => entry.id === 'lbp-patient-view');
  let ids = 0;
  const evaluate = hookEvaluator({
    knowledge,
    defaultLocale: 'nl',
    now: () => new Date(),
    newId: () => `id-${ids++}`,
  });
  const settings = { requestTimeoutMs: 2000, budgetMs: 2500, maxPages: 5, maxResponseBytes: 10 * 2 ** 20 };
  const spent = { 'JSON.parse + parseHookRequest': 0, gatherRecord: 0, 'evaluate (rules, render)': 0, stringify: 0 };
  const timed = async (phase, work) => {
    const from = cpuMs();
    const result = await work();
    spent[phase] += cpuMs() - from;
    return result;
  };
  const call = async () => {
    const request = await timed('JSON.parse + parseHookRequest', () => parseHookRequest(JSON.parse(text), service));
    const gathered = await timed('gatherRecord', () =>
      gatherRecord(service.prefetch, gatherInputOf(request), settings)
    );
    const result = await timed('evaluate (rules, render)', () =>
      evaluate({ service, request, record: gathered.record, acceptLanguages: [], memory: {} })
    );
    await timed('stringify', () => JSON.stringify(result.response));
  };

  for (let i = 0; i < 300; i++) await call(); // warm-up: JIT
  for (const phase of Object.keys(spent)) spent[phase] = 0;
  const threadsBefore = threadCpu();
  const before = cpuMs();
  for (let i = 0; i < N; i++) await call();
  const total = cpuMs() - before;
  const threadsAfter = threadCpu();

  console.log(`case (a) in process, ${N} calls: ${(total / N).toFixed(2)} ms CPU per call (all threads)`);
  for (const [phase, ms] of Object.entries(spent)) {
    console.log(`  ${phase.padEnd(30)} ${(ms / N).toFixed(3)} ms (includes the collector's pauses)`);
  }
  const main = threadsAfter[String(process.pid)];
  if (main !== undefined) {
    const all = Object.keys(threadsAfter).reduce((sum, id) => sum + threadsAfter[id] - (threadsBefore[id] ?? 0), 0);
    const mainMs = main - threadsBefore[String(process.pid)];
    console.log(`  main thread ${(mainMs / N).toFixed(2)} ms, other threads ${((all - mainMs) / N).toFixed(2)} ms`);
  }

  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  const sampled = Math.min(N, 300);
  for (let i = 0; i < sampled; i++) await call();
  const { profile } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  const bytes = (node) => node.selfSize + node.children.reduce((sum, child) => sum + bytes(child), 0);
  console.log(`  allocated ${(bytes(profile.head) / sampled / 2 ** 20).toFixed(2)} MB per call (sampled)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

// The CPU profile of case (a) for docs/performance.md: starts the built service, drives (a) patient-view with the
// full prefetch at 10 connections for BENCH_DURATION_S seconds (default 5) while the main thread is profiled (the
// probe of bench/memory-probe.cjs, so start-up is not in it), and prints the self time by module, top BENCH_TOP
// (default 10), with the server's CPU per call. `--keep <file>` writes the .cpuprofile for Chrome DevTools.
//
// Usage: npm run build && node bench/profile.mjs [--keep <file.cpuprofile>]
import { writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { patientViewCase, probe, ROOT, startService, storeOpen } from './service.mjs';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const TOP = Number(process.env.BENCH_TOP ?? 10);
const keepAt = process.argv.indexOf('--keep');

/** The module a profile frame belongs to: a package, one of our files, a group of Node internals, or V8's own. */
function moduleOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName || 'anonymous'}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:') || !url.includes('/')) {
    const name = url.replace(/^node:/, '').replace(/^internal\//, '');
    if (/^(_?http|net|stream|streams|dns|tls|timers|url)/.test(name)) return 'node: http, net, streams, timers';
    if (/^(process|async_hooks|promise)/.test(name)) return 'node: process, promises';
    return `node: ${name.split('/')[0]}`;
  }
  const ours = url.indexOf(`${ROOT}/`);
  return ours >= 0 ? url.slice(ours + ROOT.length + 1) : url;
}

/** Self time per module of a .cpuprofile, as [module, share of the busy samples] sorted by share. */
function byModule(profile) {
  const moduleOfNode = new Map(
    profile.nodes.map((node) => [node.id, moduleOf(node.callFrame.url, node.callFrame.functionName)])
  );
  const counts = new Map();
  for (const id of profile.samples) {
    const name = moduleOfNode.get(id);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  counts.delete('(idle)');
  const busy = [...counts.values()].reduce((sum, n) => sum + n, 0);
  return [...counts].map(([name, n]) => [name, n / busy]).sort((a, b) => b[1] - a[1]);
}

async function main() {
  const service = await startService();
  let profile;
  try {
    await storeOpen(service.base);
    const c = await patientViewCase(service.base);
    const answer = await probe(service.base, c);
    const request = {
      method: 'POST',
      path: c.path,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(c.body),
    };
    await autocannon({ url: service.base, connections: 10, duration: 1, requests: [request] });
    await service.profileStart();
    const cpuBefore = await service.cpuMs();
    const result = await autocannon({ url: service.base, connections: 10, duration: DURATION_S, requests: [request] });
    const cpuMs = (await service.cpuMs()) - cpuBefore;
    profile = await service.profileStop();
    console.log(
      `(a) at 10 connections, ${DURATION_S} s: ${result.requests.total} calls, ${result.non2xx} not 2xx, ` +
        `${(cpuMs / result.requests.total).toFixed(2)} ms server CPU per call (profiler on), ` +
        `answer ${Buffer.byteLength(answer)} bytes`
    );
  } finally {
    await service.stop();
  }
  if (keepAt > 0) writeFileSync(process.argv[keepAt + 1], JSON.stringify(profile));
  console.log(`\nmain thread self time by module, top ${TOP}:`);
  for (const [name, share] of byModule(profile).slice(0, TOP)) {
    console.log(`  ${(share * 100).toFixed(1).padStart(5)} %  ${name}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

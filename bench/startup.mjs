// Start-up to ready, as bench/run.mjs measures it (startService of bench/service.mjs: `node dist/server.js`
// until /readyz answers 200, fresh DATA_DIR, sandbox on, default workers), alternating between builds so a noisy
// machine affects them alike. `node bench/startup.mjs <rounds> <root> [<root> …]`, each root a built checkout.
import { loadavg } from 'node:os';
const [rounds, ...roots] = process.argv.slice(2);
const services = await Promise.all(roots.map((r) => import(`${r}/bench/service.mjs`)));
const times = roots.map(() => []);
for (let i = 0; i < Number(rounds); i++) {
  for (const [k, mod] of services.entries()) {
    const load = loadavg()[0].toFixed(1);
    const s = await mod.startService();
    times[k].push(s.startupMs);
    const cpu = await s.cpuMs();
    console.log(`${roots[k]} run ${i}: ${s.startupMs.toFixed(0)} ms, cpu ${cpu.toFixed(0)} ms (load ${load})`);
    await s.stop();
  }
}
for (const [k, t] of times.entries()) {
  const sorted = [...t].sort((a, b) => a - b);
  console.log(
    `${roots[k]}: median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, min ${sorted[0].toFixed(0)}, max ${sorted.at(-1).toFixed(0)}`
  );
}

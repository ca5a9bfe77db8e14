// Free-text scaling (issue 12, RW-08/RW-09): evaluates the real rules on a record of N Conditions that each carry
// a code.text and a note, and reports the wall time and CPU time of normalising + evaluating it.
// Usage: npm run build && node bench/text-scale.mjs [N=10000]
import { loadKnowledge } from '../dist/knowledge.js';
import { loadTestConfig } from '../dist/config.js';
import { normaliseRecord } from '../dist/clinical/record.js';

const n = Number(process.argv[2] ?? 10000);
const config = loadTestConfig();
const knowledge = loadKnowledge(config);
const texts = [
  ['Lage rugpijn sinds 3 dagen', 'S: geen koorts, geen gewichtsverlies. O: SLR neg. P: oefentherapie'],
  ['Rugklachten', 'Koorts: nee; mictie: gb; moeder mammacarcinoom'],
  ['Low back pain', 'denies fever or chills, no weight loss; return if weakness develops'],
  ['Hypertensie', 'RR 150/90, controle over 3 maanden'],
];
const conditions = Array.from({ length: n }, (_, i) => {
  const [codeText, note] = texts[i % texts.length];
  return {
    resourceType: 'Condition',
    id: `c${i}`,
    clinicalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
    },
    // NOTEXT=1: the same record with codes instead of texts, to see what the text reading costs.
    ...(process.env.NOTEXT
      ? { code: { coding: [{ system: 'http://snomed.info/sct', code: '279039007' }] } }
      : { code: { text: codeText }, note: [{ text: note }] }),
    subject: { reference: 'Patient/p1' },
    recordedDate: '2026-11-20',
  };
});
const gathered = {
  patient: { resourceType: 'Patient', id: 'p1', birthDate: '1970-01-01' },
  data: { conditions: { resources: conditions } },
  problems: [],
};
const now = new Date('2026-11-21T10:00:00Z');
let normaliseMs = 0;
const run = async () => {
  const n0 = process.hrtime.bigint();
  const record = normaliseRecord({ hook: 'patient-view', gathered, terminology: knowledge.terminology, now });
  normaliseMs = Number(process.hrtime.bigint() - n0) / 1e6;
  return knowledge.ruleset.evaluate(record);
};
await run(); // warm-up (JIT, caches of the knowledge)
// The best of 3 runs: the machine is shared, so the minimum is the least disturbed measurement.
let ms = Infinity;
let cpuMs = Infinity;
let findings = [];
for (let k = 0; k < 3; k++) {
  await new Promise((resolve) => setImmediate(resolve)); // a new request: no reading of the last one is reused
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  findings = await run();
  ms = Math.min(ms, Number(process.hrtime.bigint() - t0) / 1e6);
  const cpu = process.cpuUsage(cpu0);
  cpuMs = Math.min(cpuMs, (cpu.user + cpu.system) / 1000);
}
console.log(
  JSON.stringify({
    conditions: n,
    wallMs: Math.round(ms),
    normaliseMs: Math.round(normaliseMs),
    cpuMs: Math.round(cpuMs),
    findings: findings.map((f) => f.ruleId).sort(),
  })
);

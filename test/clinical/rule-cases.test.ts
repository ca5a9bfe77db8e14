import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { normaliseRecord } from '../../src/clinical/record';
import { TODAY, testKnowledge } from '../support/app';
import { validateR4 } from '../support/fhir-validation';
import { buildCase } from './case-builder';
import type { CaseSpec, RuleCases } from './case-builder';

/**
 * Table-driven clinical cases: one JSON file per rule id in test/clinical/cases, each case a short
 * vignette with the expected outcome, so a clinician can read and extend them without TypeScript.
 */
const CASES_DIR = path.join(__dirname, 'cases');
const files = readdirSync(CASES_DIR)
  .filter((file) => file.endsWith('.json'))
  .sort();
const suites: [string, RuleCases][] = files.map((file) => [
  file,
  JSON.parse(readFileSync(path.join(CASES_DIR, file), 'utf8')) as RuleCases,
]);
const knowledge = testKnowledge();

async function evaluate(spec: CaseSpec) {
  const built = buildCase(spec, TODAY);
  const record = normaliseRecord({
    hook: spec.hook ?? 'patient-view',
    gathered: built.gathered,
    terminology: knowledge.terminology,
    now: TODAY,
    timeZone: knowledge.ruleset.settings.records.timeZone,
    draftOrders: built.orders,
  });
  return knowledge.ruleset.evaluate(record);
}

describe.each(suites)('%s', (file, suite) => {
  it('is the case file of its rule', () => {
    expect(file).toBe(`${suite.rule}.json`);
  });

  it.each(suite.cases.map((spec): [string, CaseSpec] => [spec.name, spec]))('%s', async (_name, spec) => {
    const findings = await evaluate(spec);
    const fired = new Set(findings.map((finding) => finding.ruleId));
    // Compared as objects so a failure names the rule and shows everything that fired.
    expect({ rule: suite.rule, fires: fired.has(suite.rule), fired: [...fired].sort() }).toEqual({
      rule: suite.rule,
      fires: spec.fires,
      fired: expect.any(Array),
    });
    for (const id of spec.alsoFires ?? []) {
      expect({ id, fired: fired.has(id) }).toEqual({ id, fired: true });
    }
    for (const id of spec.alsoNotFires ?? []) {
      expect({ id, fired: fired.has(id) }).toEqual({ id, fired: false });
    }
    const notes = findings.find((finding) => finding.ruleId === 'DQ-01')?.notes ?? [];
    expect([...notes].sort()).toEqual(expect.arrayContaining(spec.notes ?? []));
  });
});

describe('coverage of the rule set', () => {
  const ruleIds = knowledge.ruleset.rules.map((rule) => rule.definition.name).sort();

  it.each(ruleIds)('%s has a case that fires and one that does not', (id) => {
    const suite = suites.find(([, cases]) => cases.rule === id)?.[1];
    expect(suite?.cases.some((spec) => spec.fires)).toBe(true);
    expect(suite?.cases.some((spec) => !spec.fires)).toBe(true);
  });

  it('every case builds valid FHIR R4 resources', () => {
    for (const [, suite] of suites) {
      for (const spec of suite.cases) {
        const built = buildCase(spec, TODAY);
        for (const resource of [built.patient, ...built.resources, ...built.orders]) {
          expect(() => {
            validateR4(resource);
          }).not.toThrow();
        }
      }
    }
  });
});

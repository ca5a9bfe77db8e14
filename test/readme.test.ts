import { readFileSync } from 'node:fs';
import path from 'node:path';
import { replaceTable, rulesTable } from '../src/clinical/rules-table';
import { testKnowledge } from './support/app';

describe('README', () => {
  const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

  it('has the rule table of the current rules/ (npm run rules:table regenerates it)', () => {
    expect(replaceTable(readme, rulesTable(testKnowledge().ruleset))).toBe(readme);
  });

  it('lists every rule id of the rule set', () => {
    for (const rule of testKnowledge().ruleset.rules) {
      expect(readme).toContain(`| ${rule.definition.name} |`);
    }
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { replaceTable, rulesTable } from '../clinical/rules-table';
import { parseConfig } from '../config';
import { loadKnowledge } from '../knowledge';
import { PACKAGE_ROOT } from '../version';

/**
 * `npm run rules:table`: regenerates the rule table in README.md from rules/. With `--check` it only
 * reports (exit 1) when the README is out of date.
 */
function main(): void {
  const knowledge = loadKnowledge(parseConfig(process.env));
  const readmePath = path.join(PACKAGE_ROOT, 'README.md');
  const current = readFileSync(readmePath, 'utf8');
  const updated = replaceTable(current, rulesTable(knowledge.ruleset));
  if (process.argv.includes('--check')) {
    if (updated !== current) {
      process.stderr.write('README.md rule table is out of date: run npm run rules:table\n');
      process.exit(1);
    }
    return;
  }
  writeFileSync(readmePath, updated);
  process.stdout.write(`README.md: rule table written (${knowledge.ruleset.rules.length} rules)\n`);
}

main();

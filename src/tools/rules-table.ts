import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { replaceTable, rulesTable } from '../clinical/knowledge/rules-table';
import { parseConfig } from '../config';
import { loadKnowledge } from '../clinical/knowledge';
import { PACKAGE_ROOT } from '../common/version';

/**
 * `npm run rules:table`: regenerates the rule table in docs/rules.md from rules/. With `--check` it
 * only reports (exit 1) when the page is out of date.
 */
function main(): void {
  const knowledge = loadKnowledge(parseConfig(process.env));
  const pagePath = path.join(PACKAGE_ROOT, 'docs/rules.md');
  const current = readFileSync(pagePath, 'utf8');
  const updated = replaceTable(current, rulesTable(knowledge.ruleset));
  if (process.argv.includes('--check')) {
    if (updated !== current) {
      process.stderr.write('docs/rules.md rule table is out of date: run npm run rules:table\n');
      process.exit(1);
    }
    return;
  }
  writeFileSync(pagePath, updated);
  process.stdout.write(`docs/rules.md: rule table written (${knowledge.ruleset.rules.length} rules)\n`);
}

main();

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseTrustedIssuers } from '../src/auth/trusted-issuers';
import { replaceTable, rulesTable } from '../src/clinical/knowledge/rules-table';
import { testKnowledge } from './support/app';

const ROOT = path.join(__dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const DOCS = readdirSync(path.join(ROOT, 'docs')).filter((name) => name.endsWith('.md'));

describe('docs/rules.md', () => {
  const page = read('docs/rules.md');

  it('has the rule table of the current rules/ (npm run rules:table regenerates it)', () => {
    expect(replaceTable(page, rulesTable(testKnowledge().ruleset))).toBe(page);
  });

  it('lists every rule id of the rule set', () => {
    for (const rule of testKnowledge().ruleset.rules) {
      expect(page).toContain(`| ${rule.definition.name} |`);
    }
  });
});

describe('docs/clinical-specification.md', () => {
  const spec = read('docs/clinical-specification.md');

  it('defines every rule id of the rule set, and keeps the sections §0–§10', () => {
    for (const rule of testKnowledge().ruleset.rules) {
      expect(spec).toMatch(new RegExp(`\\*\\*${rule.definition.name}[ *]`));
    }
    for (let section = 0; section <= 10; section++) {
      expect(spec).toMatch(new RegExp(`^## §${section} `, 'm'));
    }
  });
});

describe('the documentation pages', () => {
  it.each(DOCS)('%s opens with one paragraph saying who it is for', (name) => {
    const [title, firstParagraph] = read(`docs/${name}`).split('\n\n');
    expect(title).toMatch(/^# /);
    expect(firstParagraph).toMatch(/^\*\*Who this is for\.\*\* /);
  });

  it('the README stays short and links every page', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(220);
    for (const name of DOCS) {
      expect(readme).toContain(`(docs/${name})`);
    }
  });

  it('the offline trust recipe for the public CDS Hooks sandbox is a valid issuer configuration', () => {
    const recipe = /TRUSTED_ISSUERS='([^']+)'/.exec(read('docs/integration.md'))?.[1];
    expect(recipe).toBeDefined();
    const [issuer] = parseTrustedIssuers(recipe ?? '', ROOT);
    expect(issuer?.iss).toBe('https://sandbox.cds-hooks.org');
    expect(JSON.stringify(issuer)).toContain('44823f3d-0b01-4a6c-a80e-b9d3e8a7226f');
  });
});

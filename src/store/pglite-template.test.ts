import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from './database';
import { makePGliteTemplate } from './pglite-template';

/** A fresh store from the build's template, and the marker that makes a half-created folder start over. */

const SLOW = 60_000;

describe('the PGlite template', () => {
  let dir: string;
  let template: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ruggensteun-template-'));
    template = path.join(dir, 'template.tar.gz');
    await makePGliteTemplate(template);
  }, SLOW);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'creates a store that answers, leaves no marker, and opens again without the template',
    async () => {
      const dataDir = path.join(dir, 'fresh');
      const db = await openDatabase({ dataDir, pgliteTemplate: template });
      await db.query('CREATE TABLE kept (x int); INSERT INTO kept VALUES (7)');
      await db.close();
      expect(existsSync(path.join(dataDir, 'pglite.creating'))).toBe(false);
      const again = await openDatabase({ dataDir, pgliteTemplate: path.join(dir, 'no-such-template') });
      expect(await again.query('SELECT x FROM kept')).toEqual([{ x: 7 }]);
      await again.close();
    },
    SLOW
  );

  it(
    'deletes a folder left half-created (its marker still there) and creates it again',
    async () => {
      const dataDir = path.join(dir, 'half');
      mkdirSync(path.join(dataDir, 'pglite'), { recursive: true });
      writeFileSync(path.join(dataDir, 'pglite', 'PG_VERSION'), '');
      writeFileSync(path.join(dataDir, 'pglite.creating'), '');
      const db = await openDatabase({ dataDir, pgliteTemplate: template });
      expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await db.close();
      expect(existsSync(path.join(dataDir, 'pglite.creating'))).toBe(false);
    },
    SLOW
  );
});

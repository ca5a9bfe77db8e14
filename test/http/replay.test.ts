import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { openStore } from '../../src/store/store';
import type { Store } from '../../src/store/store';
import { testApp } from '../support/app';
import { createTestSchema, postgresMaySkip } from '../support/postgres';
import { createTestIssuer } from '../support/test-issuer';
import type { TestIssuer } from '../support/test-issuer';

/**
 * The jti replay record lives in the store: a token used once is refused on another instance sharing the
 * store, and after a restart (a new process: a new verifier with an empty memory cache). On PGlite, and on
 * PostgreSQL when TEST_DATABASE_URL is set (npm test starts one).
 */
const BASE = 'https://cds.example.org';
let ehr: TestIssuer;
let issuers: string;

beforeAll(async () => {
  ehr = await createTestIssuer();
  issuers = ehr.trustedIssuers;
});

const token = () => ehr.token(`${BASE}/cds-services`);

/** One service instance: its own verifier (and memory cache), the shared store. */
const instance = (store: Store) =>
  testApp({ CDS_AUTH: 'required', PUBLIC_BASE_URL: BASE, TRUSTED_ISSUERS: issuers }, { store: () => store }).app;

const stores: [string, () => Promise<{ store: Store; cleanup: () => void }>][] = [
  [
    'PGlite',
    async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'ruggensteun-replay-'));
      const store = await openStore({ dataDir });
      return { store, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
    },
  ],
];
if (!postgresMaySkip('replay protection on PostgreSQL')) {
  stores.push([
    'PostgreSQL',
    async () => {
      const schema = await createTestSchema();
      const store = await openStore({ dataDir: '', databaseUrl: schema.url });
      return { store, cleanup: () => void schema.drop() };
    },
  ]);
}

describe.each(stores)('the jti replay record on %s', (_name, open) => {
  let store: Store;
  let cleanup: () => void;
  beforeAll(async () => {
    ({ store, cleanup } = await open());
  }, 120_000);
  afterAll(async () => {
    await store.close();
    cleanup();
  });

  it('refuses a token replayed on a second instance sharing the store, and after a restart', async () => {
    const jwt = await token();
    const first = instance(store);
    await request(first).get('/cds-services').set('Authorization', `Bearer ${jwt}`).expect(200);
    await request(instance(store)).get('/cds-services').set('Authorization', `Bearer ${jwt}`).expect(401);
    // A restart: another verifier whose memory has never seen the token.
    await request(instance(store)).get('/cds-services').set('Authorization', `Bearer ${jwt}`).expect(401);
    // A fresh token passes on either.
    await request(instance(store))
      .get('/cds-services')
      .set('Authorization', `Bearer ${await token()}`)
      .expect(200);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { openStore } from '../../src/store/store';
import type { Store } from '../../src/store/store';
import { testApp } from '../support/app';
import { createTestSchema, postgresMaySkip } from '../support/postgres';
import type { TestSchema } from '../support/postgres';

/**
 * Concurrent feedback over HTTP: 1,000 posts from 50 concurrent clients, many of them repeating items other
 * clients also send. Nothing is lost and nothing is stored twice, on the embedded store and on PostgreSQL.
 */
const CLIENTS = 50;
const POSTS_PER_CLIENT = 20;
const DISTINCT_CARDS = 300;

const item = (n: number) => ({
  card: `card-${n % DISTINCT_CARDS}`,
  outcome: 'overridden',
  outcomeTimestamp: '2026-11-21T10:00:00Z',
  overrideReason: { reason: { system: 'https://ruggensteun.org/fhir/CodeSystem/override-reason', code: 'other' } },
});

describe.each([
  ['the embedded store (PGlite)', false],
  ['PostgreSQL', true],
])('1,000 feedback posts from 50 concurrent clients on %s', (_name, postgres) => {
  // Locally without PostgreSQL the second variant is skipped; in CI (CI=true) a missing database fails it.
  const suite = postgres && postgresMaySkip('feedback concurrency on PostgreSQL') ? describe.skip : describe;
  suite('over HTTP', () => {
    let store: Store;
    let app: Express;
    let dataDir: string;
    let schema: TestSchema | undefined;

    beforeAll(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'ruggensteun-feedback-'));
      schema = postgres ? await createTestSchema() : undefined;
      store = await openStore({ dataDir, ...(schema ? { databaseUrl: schema.url } : {}) });
      app = testApp({ RATE_LIMIT_PER_MINUTE: '100000' }, { store: () => store }).app;
    }, 60_000);

    afterAll(async () => {
      await store.close();
      await schema?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('stores every distinct item exactly once', async () => {
      const results = await Promise.all(
        Array.from({ length: CLIENTS }, async (_unused, client) => {
          const answers: { stored: boolean }[] = [];
          for (let post = 0; post < POSTS_PER_CLIENT; post++) {
            const res = await request(app)
              .post('/cds-services/lbp-patient-view/feedback')
              .send({ feedback: [item(client * POSTS_PER_CLIENT + post)] })
              .expect(200);
            answers.push(...(res.body as { feedback: { stored: boolean }[] }).feedback);
          }
          return answers;
        })
      );
      const answers = results.flat();
      expect(answers).toHaveLength(CLIENTS * POSTS_PER_CLIENT);
      expect(answers.filter((answer) => answer.stored)).toHaveLength(DISTINCT_CARDS);
      const rows = await store.report({});
      // Unknown cards are kept but not reported; count them in the table itself.
      expect(rows).toEqual([]);
      const stored = await countFeedback(store);
      expect(stored).toBe(DISTINCT_CARDS);
    }, 60_000);
  });
});

/** Feedback rows in the store, counted through a second post of every distinct item (all must be duplicates). */
async function countFeedback(store: Store): Promise<number> {
  const again = await store.recordFeedback(
    'lbp-patient-view',
    Array.from({ length: DISTINCT_CARDS }, (_unused, n) => item(n) as Parameters<Store['recordFeedback']>[1][number])
  );
  return again.filter((result) => !result.stored).length;
}

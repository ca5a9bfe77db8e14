import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { patientViewRequest } from '../support/hook-requests';
import { createTestSchema, postgresMaySkip } from '../support/postgres';
import type { TestSchema } from '../support/postgres';
import { post, readyz, spawnService, until } from '../support/service-process';
import type { ServiceProcess } from '../support/service-process';
import { occurrences, queryStore } from '../support/store-rows';
import type { StoreLocation } from '../support/store-rows';

/**
 * Crash tests (issue 14): the real service in a child process, killed with SIGKILL (no shutdown, no flush)
 * under load and during its first start, then started again on the same store. What it acknowledged is kept:
 * every feedback item answered 200 is stored exactly once (a client retrying the posts it got no answer to
 * stores no duplicate), and every hook call answered 200 has its audit record. On PGlite, and on PostgreSQL
 * (the database `npm test` starts).
 */

interface Variant {
  readonly name: string;
  /** The store of one test, and its environment for the service. */
  open(): Promise<{ where: StoreLocation; env: Record<string, string>; cleanup: () => Promise<void> }>;
}

const VARIANTS: Variant[] = [
  {
    name: 'PGlite',
    open: () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'ruggensteun-crash-'));
      return Promise.resolve({
        where: { dataDir },
        env: { DATA_DIR: dataDir },
        cleanup: () => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })),
      });
    },
  },
];
if (!postgresMaySkip('crash tests on PostgreSQL')) {
  VARIANTS.push({
    name: 'PostgreSQL',
    open: async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'ruggensteun-crash-'));
      const schema: TestSchema = await createTestSchema();
      return {
        where: { dataDir, databaseUrl: schema.url },
        env: { DATA_DIR: dataDir, DATABASE_URL: schema.url, PATIENT_HASH_KEY: randomBytes(32).toString('hex') },
        cleanup: async () => {
          await schema.drop();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  });
}

/** An answer is only sent after its audit commit (a commit slower than this would answer without it). */
const ENV = { AUDIT_COMMIT_TIMEOUT_MS: '30000', STORE_WAIT_MS: '30000' };
const FEEDBACK_CLIENTS = 4;
const HOOK_CLIENTS = 3;
const ITEMS_PER_POST = 3;

const feedbackItem = (card: string) => ({
  card,
  outcome: 'overridden',
  outcomeTimestamp: '2026-11-21T10:00:00Z',
  overrideReason: { userComment: 'crash test' },
});

/** What the clients sent and what the service acknowledged. */
class Load {
  readonly acknowledged = new Set<string>();
  /** Posts that got no answer (the process died): the client sends them again after the restart. */
  readonly unanswered: string[][] = [];
  readonly answeredCalls = new Set<string>();
  private next = 0;
  private stopped = false;

  /**
   * @param prefix - of the card ids
   * @param armed - once true, the next answered hook call triggers `kill` the moment its answer is in: a record
   *   written only after the answer would still be on its way to the store then
   */
  constructor(
    private readonly prefix: string,
    private readonly armed: () => boolean,
    private readonly kill: () => void
  ) {}

  /** Runs the clients until the process dies; resolves when every client has stopped. */
  run(url: string): Promise<void> {
    const feedback = async () => {
      while (!this.stopped) {
        const cards = Array.from({ length: ITEMS_PER_POST }, () => `${this.prefix}-${this.next++}`);
        try {
          const res = await post(`${url}/cds-services/lbp-patient-view/feedback`, {
            feedback: cards.map(feedbackItem),
          });
          if (res.status === 200) {
            cards.forEach((card) => this.acknowledged.add(card));
          } else {
            this.unanswered.push(cards);
          }
        } catch {
          this.unanswered.push(cards);
          this.stopped = true;
        }
      }
    };
    const hooks = async () => {
      while (!this.stopped) {
        const body = patientViewRequest();
        try {
          const res = await post(`${url}/cds-services/lbp-patient-view`, body);
          if (res.status === 200) {
            this.answeredCalls.add(body.hookInstance as string);
            if (this.armed()) {
              this.kill();
            }
          }
        } catch {
          this.stopped = true;
        }
      }
    };
    return Promise.all([
      ...Array.from({ length: FEEDBACK_CLIENTS }, feedback),
      ...Array.from({ length: HOOK_CLIENTS }, hooks),
    ]).then(() => undefined);
  }
}

/** Posts one feedback item and expects it answered 200 `stored: true` within `timeoutMs`. */
async function expectStored(url: string, card: string, timeoutMs: number): Promise<void> {
  const res = await post(
    `${url}/cds-services/lbp-patient-view/feedback`,
    { feedback: [feedbackItem(card)] },
    {},
    timeoutMs
  );
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ feedback: [{ card, stored: true }] });
}

const report = (line: string) => process.stderr.write(`crash test: ${line}\n`);

describe.each(VARIANTS)('kill -9 on $name', (variant) => {
  let services: ServiceProcess[] = [];
  let store: Awaited<ReturnType<Variant['open']>>;
  beforeEach(async () => {
    store = await variant.open();
  });
  afterEach(async () => {
    await Promise.all(services.map((service) => service.kill()));
    services = [];
    await store.cleanup();
  });
  const start = (env: Record<string, string> = {}) => {
    const service = spawnService({ ...ENV, ...store.env, ...env });
    services.push(service);
    return service;
  };

  it('under feedback and hook-call load: every acknowledged item is stored once, every answered call audited', async () => {
    const first = start();
    const url = await first.whenListening();
    expect(await until(async () => (await readyz(url)).status === 200, 40_000)).toBe(true);
    // Kill mid-load, once both kinds of call have been answered a few times: right after a hook answer arrives
    // (or after 30 s at the latest).
    const load: Load = new Load(
      `crash-${randomUUID()}`,
      () => load.acknowledged.size >= 30 && load.answeredCalls.size >= 5,
      () => first.child.kill('SIGKILL')
    );
    const running = load.run(url);
    await Promise.race([first.exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
    await first.kill();
    await running;
    expect(load.acknowledged.size).toBeGreaterThan(0);
    expect(load.answeredCalls.size).toBeGreaterThan(0);

    const second = start();
    const again = await second.whenListening();
    // The client sends again what got no answer, and a few acknowledged posts too: no duplicates either way.
    const retried = [...load.unanswered, ...[...load.acknowledged].slice(0, 6).map((card) => [card])];
    for (const cards of retried) {
      const res = await post(`${again}/cds-services/lbp-patient-view/feedback`, { feedback: cards.map(feedbackItem) });
      expect(res.status).toBe(200);
      cards.forEach((card) => load.acknowledged.add(card));
    }
    expect(await second.stop()).toBe(0);

    const feedback = await occurrences(store.where, 'feedback', 'card_uuid', [...load.acknowledged]);
    const audited = await occurrences(store.where, 'hook_calls', 'hook_instance', [...load.answeredCalls]);
    report(
      `${variant.name}: ${load.acknowledged.size} feedback items acknowledged, ${feedback.size} stored ` +
        `(${[...feedback.values()].filter((n) => n > 1).length} twice); ${load.answeredCalls.size} hook calls ` +
        `answered, ${audited.size} audited; ${load.unanswered.length} unanswered posts retried`
    );
    expect([...load.acknowledged].filter((card) => feedback.get(card) !== 1)).toEqual([]);
    expect([...load.answeredCalls].filter((call) => audited.get(call) !== 1)).toEqual([]);
  }, 120_000);

  const migrated = async () =>
    (
      await queryStore<{ table: string | null }>(store.where, "SELECT to_regclass('schema_migrations')::text AS table")
    )[0]?.table
      ? 'migrated'
      : 'not migrated';

  it('during the first start, at several moments: the next start has a working store, and /readyz says so only then', async () => {
    const creating = path.join(store.where.dataDir, 'pglite.creating');
    const created = path.join(store.where.dataDir, 'pglite');
    const kills: string[] = [];
    // PGlite: from the moment its folder is being created; PostgreSQL: from the start of the process, so that
    // the later kills fall into the migrations.
    const postgres = store.where.databaseUrl !== undefined;
    for (const delayMs of postgres ? [700, 1400, 2100] : [0, 300, 1200]) {
      const service = start();
      await until(() => postgres || existsSync(creating) || existsSync(created), 30_000, 10);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      await service.kill();
      kills.push(
        `${delayMs} ms (${postgres ? await migrated() : existsSync(creating) || !existsSync(created) ? 'creating' : 'created'})`
      );
    }
    report(`${variant.name}: killed during the first start at ${kills.join(', ')}`);

    const service = start();
    const url = await service.whenListening();
    // Poll /readyz; the moment it says ready, the store must take feedback and audit records at once.
    const opened = await until(async () => (await readyz(url)).status === 200, 40_000, 50);
    expect(opened).toBe(true);
    const card = `first-start-${randomUUID()}`;
    await expectStored(url, card, 5000);
    const call = patientViewRequest();
    expect((await post(`${url}/cds-services/lbp-patient-view`, call)).status).toBe(200);
    const ready = await readyz(url);
    expect(ready.body).toMatchObject({ status: 'ready', store: { state: 'open' }, audit: { written: 1, failed: 0 } });
    expect(await service.stop()).toBe(0);
    expect((await occurrences(store.where, 'feedback', 'card_uuid', [card])).get(card)).toBe(1);
    const audited = await occurrences(store.where, 'hook_calls', 'hook_instance', [call.hookInstance as string]);
    expect(audited.get(call.hookInstance as string)).toBe(1);
  }, 120_000);

  it('accepts feedback in the first second after start on a fresh store (it waits for the store, no 503)', async () => {
    // With the default STORE_WAIT_MS: how long feedback waits for a store that is still being created.
    const service = start({ STORE_WAIT_MS: '' });
    const url = await service.whenListening();
    const card = `first-second-${randomUUID()}`;
    await expectStored(url, card, 40_000);
    expect(await service.stop()).toBe(0);
    expect((await occurrences(store.where, 'feedback', 'card_uuid', [card])).get(card)).toBe(1);
  }, 90_000);
});

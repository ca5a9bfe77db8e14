import request from 'supertest';
import { testApp, silentLogger } from '../../test/support/app';
import type { Store } from './store';
import { StoreKeeper } from './store-keeper';

/** A store whose database can be switched off and on: an outage as the service sees it. */
function switchableStore() {
  const state = { up: true };
  const fail = () =>
    Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
  const store: Store = {
    recordAudits: () => (state.up ? Promise.resolve() : fail()),
    recordFeedback: (_service, items) =>
      state.up
        ? Promise.resolve(
            items.map((item) => ({ card: item.card, outcome: item.outcome, stored: true, knownCard: false }))
          )
        : fail(),
    report: () => Promise.resolve([]),
    rememberToken: () => (state.up ? Promise.resolve(true) : fail()),
    rememberNotNow: () => (state.up ? Promise.resolve(0) : fail()),
    notNowAt: () => (state.up ? Promise.resolve(undefined) : fail()),
    redFlagsShownIn: () => (state.up ? Promise.resolve(undefined) : fail()),
    rememberRedFlagsShown: () => (state.up ? Promise.resolve() : fail()),
    ping: () => (state.up ? Promise.resolve() : fail()),
    close: () => Promise.resolve(),
  };
  return { store, state };
}

const until = async (check: () => Promise<boolean>, timeoutMs = 5000) => {
  const end = Date.now() + timeoutMs;
  while (!(await check()) && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('StoreKeeper', () => {
  it('retries opening until the database is there, and feedback posted meanwhile waits instead of a 503', async () => {
    const { store } = switchableStore();
    let attempts = 0;
    const keeper = new StoreKeeper({
      open: () =>
        ++attempts < 3 ? Promise.reject(new Error('the database system is starting up')) : Promise.resolve(store),
      logger: silentLogger,
      checkIntervalMs: 20,
      maxBackoffMs: 50,
    });
    const { app } = testApp(
      { STORE_WAIT_MS: '5000' },
      { store: () => keeper.current(), waitForStore: (ms) => keeper.whenUsable(ms), storeHealth: () => keeper.state() }
    );
    void keeper.start();
    const opening = await request(app).get('/readyz').expect(503);
    expect(opening.body).toMatchObject({ status: 'degraded', degraded: ['store'], store: { state: 'opening' } });
    // Posted in the first moments: answered once the store opens.
    const res = await request(app)
      .post('/cds-services/lbp-patient-view/feedback')
      .send({
        feedback: [
          {
            card: 'c-1',
            outcome: 'overridden',
            outcomeTimestamp: '2026-11-21T10:00:00Z',
            overrideReason: { userComment: 'x' },
          },
        ],
      })
      .expect(200);
    expect(res.body.feedback[0]).toMatchObject({ stored: true });
    expect(attempts).toBe(3);
    await request(app).get('/readyz').expect(200);
    await keeper.close();
  });

  it('waits longer than STORE_WAIT_MS for the first open (a fresh store is being created), only that long after a failure', async () => {
    const { store } = switchableStore();
    let open: (value: Store) => void = () => undefined;
    const keeper = new StoreKeeper({
      open: () => new Promise<Store>((resolve) => (open = resolve)),
      logger: silentLogger,
      firstOpenWaitMs: 5000,
    });
    void keeper.start();
    // The first open takes longer than the caller's 50 ms: it still gets the store.
    const waiting = keeper.whenUsable(50);
    setTimeout(() => open(store), 300);
    expect(await waiting).toBe(store);
    await keeper.close();

    // PostgreSQL down at start-up: once an attempt has failed, a caller waits only what it asked for.
    const failing = new StoreKeeper({
      open: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
      logger: silentLogger,
      firstOpenWaitMs: 5000,
      maxBackoffMs: 50,
    });
    await failing.start();
    const started = Date.now();
    expect(await failing.whenUsable(100)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2000);
    await failing.close();
  });

  it('reports an outage on /readyz (503, naming the store) and recovers when the database is back', async () => {
    const { store, state } = switchableStore();
    const keeper = new StoreKeeper({ open: () => Promise.resolve(store), logger: silentLogger, checkIntervalMs: 20 });
    await keeper.start();
    const { app } = testApp(
      { STORE_WAIT_MS: '100' },
      { store: () => keeper.current(), waitForStore: (ms) => keeper.whenUsable(ms), storeHealth: () => keeper.state() }
    );
    await request(app).get('/readyz').expect(200);
    state.up = false;
    await until(async () => (await request(app).get('/readyz')).status === 503);
    const down = await request(app).get('/readyz').expect(503);
    expect(down.body).toMatchObject({
      degraded: ['store'],
      store: { state: 'unavailable', error: expect.stringContaining('ECONNREFUSED') },
    });
    // Feedback during the outage: a real transient failure, so 503 with Retry-After after the bounded wait.
    const refused = await request(app)
      .post('/cds-services/lbp-patient-view/feedback')
      .send({
        feedback: [
          {
            card: 'c-2',
            outcome: 'overridden',
            outcomeTimestamp: '2026-11-21T10:00:00Z',
            overrideReason: { userComment: 'x' },
          },
        ],
      })
      .expect(503);
    expect(refused.headers['retry-after']).toBe('1');
    state.up = true;
    await until(async () => (await request(app).get('/readyz')).status === 200);
    await request(app).get('/readyz').expect(200);
    await keeper.close();
  });
});

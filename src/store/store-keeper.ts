import type { Logger } from 'pino';
import type { Store } from './store';

/**
 * Keeps the store usable and says truthfully whether it is: opens it in the background, retrying with
 * backoff when the database is not there yet (PostgreSQL down at start-up), then checks it every
 * `checkIntervalMs`; an outage makes it `unavailable` until a check succeeds again (the PostgreSQL pool
 * reconnects by itself). Callers that need the store wait for it, bounded (`whenUsable`).
 */
export type StoreState = 'opening' | 'open' | 'unavailable';

export interface StoreHealth {
  readonly state: StoreState;
  /** Why the store is not usable (a message without row data), when it is not. */
  readonly error?: string;
}

export interface StoreKeeperOptions {
  readonly open: () => Promise<Store>;
  readonly logger: Logger;
  /** How often an open store is checked (default 2000 ms). */
  readonly checkIntervalMs?: number;
  /** Longest pause between open attempts (default 10 000 ms). */
  readonly maxBackoffMs?: number;
  /**
   * How long callers wait while the first attempt to open is still running (default 60 000 ms), when that is
   * longer than what they asked for: creating a fresh embedded store takes 5–12 s on a busy machine, and a
   * client that sends feedback once (the public sandbox) must not get a 503 for it. Once an attempt has failed
   * (PostgreSQL down at start-up) or the store has opened, callers wait only as long as they asked.
   */
  readonly firstOpenWaitMs?: number;
}

/** The store was not usable within the time a caller could wait: a transient failure, worth retrying. */
export class StoreUnavailableError extends Error {
  readonly transient = true;
  constructor(message: string) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class StoreKeeper {
  private store: Store | undefined;
  private health: StoreHealth = { state: 'opening' };
  private waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly checkIntervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly firstOpenWaitMs: number;

  constructor(private readonly options: StoreKeeperOptions) {
    this.checkIntervalMs = options.checkIntervalMs ?? 2000;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.firstOpenWaitMs = options.firstOpenWaitMs ?? 60_000;
  }

  /** Starts opening; resolves once the first attempt has succeeded or failed (for tests and tools). */
  start(): Promise<void> {
    return this.attemptOpen(250);
  }

  /** The store while it is usable, else undefined. */
  current(): Store | undefined {
    return this.health.state === 'open' ? this.store : undefined;
  }

  state(): StoreHealth {
    return this.health;
  }

  /**
   * The store once usable, waiting at most `timeoutMs` (longer during the first open, see `firstOpenWaitMs`);
   * undefined when it did not become usable in time.
   */
  async whenUsable(timeoutMs: number): Promise<Store | undefined> {
    const now = this.current();
    if (now !== undefined || timeoutMs <= 0 || this.stopped) {
      return now;
    }
    const firstOpen = this.health.state === 'opening' && this.health.error === undefined;
    const waitMs = firstOpen ? Math.max(timeoutMs, this.firstOpenWaitMs) : timeoutMs;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, waitMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
    return this.current();
  }

  /**
   * Marks the store unusable after a failed call that looks like an outage (connection lost, worker gone), so
   * readiness says so before the next check; the next successful check makes it usable again.
   */
  reportFailure(error: unknown): void {
    if (this.health.state === 'open') {
      this.setHealth({ state: 'unavailable', error: messageOf(error) });
    }
  }

  /** Stops checking and closes the store. */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake();
    await this.store?.close();
  }

  private async attemptOpen(backoffMs: number): Promise<void> {
    try {
      const store = await this.options.open();
      if (this.stopped) {
        await store.close();
        return;
      }
      this.store = store;
      this.setHealth({ state: 'open' });
      this.schedule(() => this.check(), this.checkIntervalMs);
    } catch (error) {
      if (this.stopped) {
        return;
      }
      this.setHealth({ state: this.health.state === 'opening' ? 'opening' : 'unavailable', error: messageOf(error) });
      this.options.logger.error(
        { error: messageOf(error), retryInMs: backoffMs },
        'the store could not be opened; retrying'
      );
      this.schedule(() => this.attemptOpen(Math.min(backoffMs * 2, this.maxBackoffMs)), backoffMs);
    }
  }

  private async check(): Promise<void> {
    try {
      await this.store?.ping();
      this.setHealth({ state: 'open' });
    } catch (error) {
      this.setHealth({ state: 'unavailable', error: messageOf(error) });
    }
    this.schedule(() => this.check(), this.checkIntervalMs);
  }

  private schedule(step: () => Promise<void>, delayMs: number): void {
    if (this.stopped) {
      return;
    }
    this.timer = setTimeout(() => void step(), delayMs);
    this.timer.unref();
  }

  private setHealth(next: StoreHealth): void {
    const changed = next.state !== this.health.state;
    this.health = next;
    if (changed) {
      const log = next.state === 'open' ? this.options.logger.info : this.options.logger.warn;
      log.call(this.options.logger, { store: next.state, ...(next.error ? { error: next.error } : {}) }, 'store state');
    }
    if (next.state === 'open') {
      this.wake();
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      waiter();
    }
  }
}

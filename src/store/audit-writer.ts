import type { Logger } from 'pino';
import type { AuditRecord, Store } from './store';

export interface AuditWriterStats {
  /** Accepted and not yet written or failed (the records being written included). */
  queued: number;
  written: number;
  /** Refused because the queue was full. */
  dropped: number;
  /** Refused by the store for their content (a data or constraint error); not retried. */
  failed: number;
  /** Waiting to be written again after the store was unavailable (an outage); retried until stored. */
  retrying: number;
}

/** SQLSTATE class 22 (data exception) or 23 (integrity): the record itself is at fault, a retry fails again. */
function isRecordError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

type WriteResult = 'written' | 'refused' | 'unavailable';

interface Entry {
  readonly record: AuditRecord;
  /** Called once the record is written (true) or refused (false): commit() waits on it. */
  readonly done?: (written: boolean) => void;
}

/** The most records written in one transaction. */
const BATCH_SIZE = 100;

/**
 * Writes audit records in the background so that storing them never delays or fails a hook response.
 * Records wait in a bounded in-memory queue; whatever has queued up during the batch window, or while the
 * previous write ran, is written in one transaction (one write per batch instead of per hook call: the
 * embedded database's work per write competed with the hook responses for the CPU). When the store is slow
 * or down the queue fills up and further records are dropped and counted. When a batch fails, its records
 * are written one by one, so one bad record costs only itself; a record the store refuses for its content is
 * logged (without the record: no patient data in logs) and counted, and not retried. Any other failure is an
 * outage (connection lost, store not open): the records stay queued and are retried, with backoff, until stored.
 * `commit` is the group commit of answered hook calls: it resolves once the record is in the store, and every
 * record that arrives while a write runs goes into the next one (concurrent calls share one transaction).
 */
export class AuditWriter {
  private readonly queue: Entry[] = [];
  /** Pause before the next attempt after an outage; 0 while the store works. */
  private backoffMs = 0;
  private readonly queueSize: number;
  private readonly logger: Logger;
  /** Records handed to the store and not yet written or failed. */
  private writing = 0;
  private written = 0;
  private dropped = 0;
  private failed = 0;
  /** Set while records are being dropped, so a full queue is logged once per episode, not per record. */
  private overflowing = false;
  private idle: (() => void)[] = [];
  private readonly batchWindowMs: number;
  /** Pending start of the next write, while the batch window runs. */
  private window: NodeJS.Timeout | undefined;

  /**
   * @param store - where the records go
   * @param options - `queueSize`: records that may wait; `batchWindowMs` (default 0): how long the first record
   *   of a batch waits for others before the write starts
   */
  constructor(
    private readonly store: Pick<Store, 'recordAudits'>,
    options: { queueSize: number; logger: Logger; batchWindowMs?: number }
  ) {
    if (!Number.isInteger(options.queueSize) || options.queueSize < 1) {
      throw new RangeError(`queueSize must be a positive integer, not ${options.queueSize}`);
    }
    this.queueSize = options.queueSize;
    this.logger = options.logger;
    this.batchWindowMs = options.batchWindowMs ?? 0;
  }

  /** Queues a record for writing; returns at once and never throws. */
  enqueue(record: AuditRecord): void {
    this.add({ record });
  }

  /**
   * Queues a record and resolves once it is in the store (true), or false when it was refused, dropped, or not
   * written within `timeoutMs` (it then stays queued and is retried until stored).
   */
  commit(record: AuditRecord, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        resolve(false);
      }, timeoutMs);
      timer.unref();
      const accepted = this.add({
        record,
        done: (written) => {
          clearTimeout(timer);
          resolve(written);
        },
      });
      if (!accepted) {
        clearTimeout(timer);
        resolve(false);
      }
    });
  }

  private add(entry: Entry): boolean {
    try {
      if (this.pending() >= this.queueSize) {
        this.dropped++;
        if (!this.overflowing) {
          this.overflowing = true;
          this.logger.warn(
            { queueSize: this.queueSize, dropped: this.dropped },
            'Audit queue full: dropping audit records until the store catches up'
          );
        }
        return false;
      }
      this.queue.push(entry);
      this.scheduleDrain();
      return true;
    } catch {
      // Only a logger that throws can get here; the hook response must not notice.
      return false;
    }
  }

  stats(): AuditWriterStats {
    return {
      queued: this.pending(),
      written: this.written,
      dropped: this.dropped,
      failed: this.failed,
      retrying: this.backoffMs > 0 ? this.pending() : 0,
    };
  }

  /**
   * Resolves when every record queued so far has been written or has failed. With a store that hangs
   * this never resolves, so give it a time limit (`timeoutMs`) at shutdown: it then resolves anyway.
   */
  flush(timeoutMs?: number): Promise<void> {
    if (this.pending() === 0) {
      return Promise.resolve();
    }
    if (this.window !== undefined) {
      // Shutdown does not wait for the batch window.
      clearTimeout(this.window);
      this.window = undefined;
      void this.drain();
    }
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) {
          clearTimeout(timer);
        }
        this.idle = this.idle.filter((waiter) => waiter !== done);
        resolve();
      };
      this.idle.push(done);
      if (timeoutMs !== undefined) {
        timer = setTimeout(done, timeoutMs);
        timer.unref();
      }
    });
  }

  private pending(): number {
    return this.queue.length + this.writing;
  }

  /** Starts a write after the batch window, unless one is running (it takes the new record) or scheduled. */
  private scheduleDrain(): void {
    if (this.writing > 0 || this.window !== undefined) {
      return;
    }
    if (this.batchWindowMs === 0) {
      void this.drain();
      return;
    }
    this.window = setTimeout(() => {
      this.window = undefined;
      void this.drain();
    }, this.batchWindowMs);
    // A pending window does not keep the process alive; shutdown flushes.
    this.window.unref();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, BATCH_SIZE);
        this.writing = batch.length;
        let result = await this.write(batch);
        if (result === 'refused' && batch.length > 1) {
          // One by one, so that a bad record costs only itself.
          for (const [index, entry] of batch.entries()) {
            result = await this.write([entry]);
            if (result === 'unavailable') {
              this.queue.unshift(...batch.slice(index));
              break;
            }
            this.writing--;
          }
        } else if (result === 'unavailable') {
          this.queue.unshift(...batch);
        }
        this.writing = 0;
        if (result === 'unavailable') {
          // An outage: wait, then try again; the records stay queued (and count as queued and retrying).
          this.backoffMs = Math.min(Math.max(this.backoffMs * 2, 100), 5000);
          await new Promise((resolve) => setTimeout(resolve, this.backoffMs).unref());
          continue;
        }
        this.backoffMs = 0;
        if (this.overflowing && this.pending() < this.queueSize) {
          this.overflowing = false;
          this.logger.info({ dropped: this.dropped }, 'Audit store caught up; queueing audit records again');
        }
      }
    } finally {
      this.writing = 0;
      for (const waiter of [...this.idle]) {
        waiter();
      }
    }
  }

  /**
   * Writes records in one transaction. Only a single record refused for its content is counted and logged as
   * failed: a refused batch is written again one by one, and an outage is retried.
   */
  private async write(entries: Entry[]): Promise<WriteResult> {
    try {
      await this.store.recordAudits(entries.map((entry) => entry.record));
      this.written += entries.length;
      for (const entry of entries) {
        entry.done?.(true);
      }
      return 'written';
    } catch (error) {
      if (!isRecordError(error)) {
        if (this.backoffMs === 0) {
          this.logOutage(error);
        }
        return 'unavailable';
      }
      if (entries.length === 1) {
        this.failed++;
        this.logFailure((entries[0] as Entry).record, error);
        entries[0]?.done?.(false);
      }
      return 'refused';
    }
  }

  private logOutage(error: unknown): void {
    try {
      const { message, code } = error as { message?: unknown; code?: unknown };
      this.logger.warn(
        { error: typeof message === 'string' ? message : String(error), ...(typeof code === 'string' ? { code } : {}) },
        'The audit store is unavailable: audit records are kept and retried until stored'
      );
    } catch {
      // A logger that throws must not stop the writer.
    }
  }

  private logFailure(record: AuditRecord, error: unknown): void {
    try {
      // Only the message and code: a driver error can quote the failing row (with the patient hash).
      const { message, code } = error as { message?: unknown; code?: unknown };
      this.logger.error(
        {
          hookInstance: record.hookInstance,
          serviceId: record.serviceId,
          error: typeof message === 'string' ? message : String(error),
          ...(typeof code === 'string' ? { code } : {}),
          failed: this.failed,
        },
        'Could not write an audit record'
      );
    } catch {
      // A logger that throws must not stop the writer.
    }
  }
}

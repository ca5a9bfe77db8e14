import type { Logger } from 'pino';
import type { AuditRecord, Store } from './store';

export interface AuditWriterStats {
  /** Accepted and not yet written or failed (the records being written included). */
  queued: number;
  written: number;
  /** Refused because the queue was full. */
  dropped: number;
  /** Handed to the store, which rejected them. */
  failed: number;
}

/** The most records written in one transaction. */
const BATCH_SIZE = 100;

/**
 * Writes audit records in the background so that storing them never delays or fails a hook response.
 * Records wait in a bounded in-memory queue; whatever has queued up during the batch window, or while the
 * previous write ran, is written in one transaction (one write per batch instead of per hook call: the
 * embedded database's work per write competed with the hook responses for the CPU). When the store is slow
 * or down the queue fills up and further records are dropped and counted. When a batch fails, its records
 * are written one by one, so one bad record costs only itself; a record that fails alone is logged (without
 * the record: no patient data in logs) and counted, and not retried (a record that fails once, e.g. on a
 * constraint, would usually fail again).
 */
export class AuditWriter {
  private readonly queue: AuditRecord[] = [];
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
        return;
      }
      this.queue.push(record);
      this.scheduleDrain();
    } catch {
      // Only a logger that throws can get here; the hook response must not notice.
    }
  }

  stats(): AuditWriterStats {
    return { queued: this.pending(), written: this.written, dropped: this.dropped, failed: this.failed };
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
        const batchWritten = batch.length > 1 && (await this.write(batch));
        if (!batchWritten) {
          // One by one, so that a bad record costs only itself.
          for (const record of batch) {
            await this.write([record]);
            this.writing--;
          }
        }
        this.writing = 0;
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
   * Writes records in one transaction; false when the store refused them. Only the failure of a single
   * record is counted and logged: a failed batch is written again one by one.
   */
  private async write(records: AuditRecord[]): Promise<boolean> {
    try {
      await this.store.recordAudits(records);
      this.written += records.length;
      return true;
    } catch (error) {
      if (records.length === 1) {
        this.failed++;
        this.logFailure(records[0] as AuditRecord, error);
      }
      return false;
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

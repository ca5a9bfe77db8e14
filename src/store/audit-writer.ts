import type { Logger } from 'pino';
import type { AuditRecord, Store } from './store';

export interface AuditWriterStats {
  /** Accepted and not yet written or failed (the record being written included). */
  queued: number;
  written: number;
  /** Refused because the queue was full. */
  dropped: number;
  /** Handed to the store, which rejected them. */
  failed: number;
}

/**
 * Writes audit records in the background so that storing them never delays or fails a hook response.
 * Records wait in a bounded in-memory queue and are written one at a time; when the store is slow or
 * down the queue fills up and further records are dropped and counted. A write that fails is logged
 * (without the record: no patient data in logs) and counted, and the writer moves on to the next record
 * (no retry: a record that fails once, e.g. on a constraint, would usually fail again).
 */
export class AuditWriter {
  private readonly queue: AuditRecord[] = [];
  private readonly queueSize: number;
  private readonly logger: Logger;
  private writing = false;
  private written = 0;
  private dropped = 0;
  private failed = 0;
  /** Set while records are being dropped, so a full queue is logged once per episode, not per record. */
  private overflowing = false;
  private idle: (() => void)[] = [];

  constructor(
    private readonly store: Pick<Store, 'recordAudit'>,
    options: { queueSize: number; logger: Logger }
  ) {
    if (!Number.isInteger(options.queueSize) || options.queueSize < 1) {
      throw new RangeError(`queueSize must be a positive integer, not ${options.queueSize}`);
    }
    this.queueSize = options.queueSize;
    this.logger = options.logger;
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
      if (!this.writing) {
        void this.drain();
      }
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
    return this.queue.length + (this.writing ? 1 : 0);
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      for (let record = this.queue.shift(); record; record = this.queue.shift()) {
        try {
          await this.store.recordAudit(record);
          this.written++;
          if (this.overflowing) {
            this.overflowing = false;
            this.logger.info({ dropped: this.dropped }, 'Audit store caught up; queueing audit records again');
          }
        } catch (error) {
          this.failed++;
          this.logFailure(record, error);
        }
      }
    } finally {
      this.writing = false;
      for (const waiter of [...this.idle]) {
        waiter();
      }
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

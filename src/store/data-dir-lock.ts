import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * An exclusive lock on DATA_DIR for the embedded store: PGlite serves one process, and two processes writing
 * one folder lose data. The lock is a file holding the holder's pid, created atomically (a hard link of a
 * finished temporary file, which fails when the lock exists). A lock whose pid is no longer running was left by
 * a crash and is taken over.
 */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number
  ) {
    super(
      `DATA_DIR ${dataDir} is in use by process ${holderPid} (lock file ${path.join(dataDir, LOCK_FILE)}); ` +
        'the embedded store serves one process: stop that process, use another DATA_DIR, or DATABASE_URL for several instances'
    );
    this.name = 'DataDirLockedError';
  }
}

export const LOCK_FILE = 'ruggensteun.lock';

export interface DataDirLock {
  /** Removes the lock (only if it is still ours). */
  release(): void;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(lockPath: string): number | undefined {
  try {
    const pid = Number(readFileSync(lockPath, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @param dataDir - the folder to lock (created if missing)
 * @throws DataDirLockedError naming the pid of a running holder (this process included)
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, LOCK_FILE);
  const temp = `${lockPath}.${process.pid}`;
  writeFileSync(temp, `${process.pid}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(temp, lockPath);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw error;
        }
      }
      const holder = holderOf(lockPath);
      // A second conflict means another process took the lock over at the same moment: it holds it now.
      if ((holder !== undefined && isRunning(holder)) || attempt > 0) {
        throw new DataDirLockedError(dataDir, holder ?? 0);
      }
      // Stale (the holder died) or unreadable (a crash while it was written): take it over.
      unlinkSync(lockPath);
    }
  } finally {
    unlinkSync(temp);
  }
  return {
    release: () => {
      if (holderOf(lockPath) === process.pid) {
        unlinkSync(lockPath);
      }
    },
  };
}

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

/**
 * The service as a real child process: `src/server.ts` run by node (compiled on load by swc, as jest does), with
 * its own environment, so tests can kill it with SIGKILL, start two on one store, or take its database away.
 * Log lines (pino JSON on stdout) are kept, parsed, for the test to read.
 */
const ROOT = path.join(__dirname, '..', '..');
const REGISTER = path.join(ROOT, 'src', 'common', 'source-hook.cjs');
const ENTRY = path.join(ROOT, 'src', 'server.ts');

/** Variables every process test starts with: quiet sandbox off, port 0, info logs (to find the URL). */
const BASE_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'info',
  PORT: '0',
  HOST: '127.0.0.1',
  SANDBOX: 'off',
  CDS_LOCALE: 'en',
  // The tests send bursts from one address: the per-address budgets are not what they are about.
  RATE_LIMIT_PER_MINUTE: '1000000',
};

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every JSON log line written so far. */
  readonly logs: Record<string, unknown>[];
  /** stdout and stderr lines that are not JSON (a crash before the logger exists). */
  readonly otherOutput: string[];
  /** Resolves with the exit code (or signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
  /** The URL once the process logged "ready" (rejects when it exits first, or after `timeoutMs`). */
  whenListening(timeoutMs?: number): Promise<string>;
  /** SIGKILL: no shutdown, no flush; resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM: the graceful shutdown; resolves with the exit code once it is gone (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<number | string>;
}

/**
 * Starts `src/server.ts` in a child process.
 * @param env - variables on top of the test defaults (DATA_DIR, DATABASE_URL, …)
 */
export function spawnService(env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ['-r', REGISTER, ENTRY], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...BASE_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const otherOutput: string[] = [];
  const listeners = new Set<() => void>();
  const collect = (stream: NodeJS.ReadableStream) => {
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        try {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          otherOutput.push(line);
        }
      }
      for (const listener of listeners) {
        listener();
      }
    });
  };
  collect(child.stdout);
  collect(child.stderr);
  const exited = once(child, 'exit').then(([code, signal]) => (code as number | null) ?? (signal as string));
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const listener of listeners) {
      listener();
    }
  });

  const whenListening = (timeoutMs = 45_000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`the service did not start within ${timeoutMs} ms:\n${describe()}`));
      }, timeoutMs);
      const check = () => {
        const ready = logs.find((line) => line.msg === 'ready');
        if (ready) {
          finish();
          resolve(ready.url as string);
        } else if (gone) {
          finish();
          reject(new Error(`the service exited before it was ready:\n${describe()}`));
        }
      };
      function finish() {
        clearTimeout(timer);
        listeners.delete(check);
      }
      listeners.add(check);
      check();
    });
  const describe = () =>
    [...otherOutput, ...logs.map((line) => JSON.stringify(line))].slice(-15).join('\n').slice(0, 4000);

  return {
    child,
    pid: child.pid ?? 0,
    logs,
    otherOutput,
    exited,
    whenListening,
    kill: async () => {
      if (!gone) {
        child.kill('SIGKILL');
      }
      await exited;
    },
    stop: async (timeoutMs = 20_000) => {
      if (!gone) {
        child.kill('SIGTERM');
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Waits until `check` resolves true, polling every `intervalMs`; false when `timeoutMs` passed first.
 * @param check - the condition (a failing check counts as false)
 */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 100) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await Promise.resolve(check()).catch(() => false)) {
      return true;
    }
    if (Date.now() >= end) {
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** JSON over HTTP with a time limit; a connection reset or a timeout rejects (the call was not answered). */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 20_000
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined, headers: res.headers };
}

/** GET /readyz: its status and JSON (a refused connection rejects). */
export async function readyz(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

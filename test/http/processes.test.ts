import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { createTestSchema, postgresMaySkip } from '../support/postgres';
import type { TestSchema } from '../support/postgres';
import { freePort } from '../support/free-port';
import { patientViewRequest } from '../support/hook-requests';

/**
 * CDS_PROCESSES=2 on PostgreSQL (node:cluster): the real entry point started as a process from the sources. Both
 * copies serve the port, a copy that is killed is replaced, and SIGTERM stops them all.
 */

const ROOT = path.join(__dirname, '..', '..');

/** The log lines of the primary and its copies (pino JSON on stdout, all sharing the primary's stdout). */
function logLines(child: ChildProcess): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const complete = buffer.split('\n');
    buffer = complete.pop() ?? '';
    for (const line of complete.filter((text) => text.startsWith('{'))) {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  return lines;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('timed out');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const suite = postgresMaySkip('N processes on PostgreSQL (test/http/processes.test.ts)') ? describe.skip : describe;

suite('CDS_PROCESSES=2 on PostgreSQL', () => {
  let schema: TestSchema;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    schema = await createTestSchema();
  });
  afterAll(async () => {
    if (child?.exitCode === null) {
      child.kill('SIGKILL');
    }
    await schema.drop();
  });

  /** The service as `node src/server.ts` with CDS_PROCESSES=2; resolves once both copies logged "ready". */
  async function startCluster() {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const primary = spawn(
      process.execPath,
      ['-r', path.join(ROOT, 'src', 'common', 'source-hook.cjs'), path.join(ROOT, 'src', 'server.ts')],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          NODE_ENV: 'test',
          LOG_LEVEL: 'info',
          PORT: String(port),
          PUBLIC_BASE_URL: base,
          DATABASE_URL: schema.url,
          PATIENT_HASH_KEY: randomBytes(32).toString('base64url'),
          CDS_PROCESSES: '2',
          SANDBOX: 'off',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      }
    );
    child = primary;
    const logs = logLines(primary);
    const readyPids = () => logs.filter((line) => line.msg === 'ready').map((line) => line.pid as number);
    await until(() => readyPids().length === 2, 90_000);
    return { base, primary, logs, readyPids };
  }

  it('serves the port from two processes, replaces one that is killed, and stops them all on SIGTERM', async () => {
    const { base, primary, logs, readyPids } = await startCluster();
    const [first, second] = readyPids();
    expect(first).not.toBe(second);
    expect(readyPids()).not.toContain(primary.pid);

    const call = async () => {
      const res = await fetch(`${base}/cds-services/lbp-patient-view`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(patientViewRequest()),
      });
      await res.arrayBuffer();
      return res.status;
    };
    expect(await Promise.all(Array.from({ length: 6 }, call))).toEqual([200, 200, 200, 200, 200, 200]);

    // One copy dies: another takes its place, and the port is served all along.
    process.kill(first as number, 'SIGKILL');
    await until(() => readyPids().length === 3, 90_000);
    expect(new Set(readyPids()).size).toBe(3);
    expect(logs.some((line) => line.msg === 'a service process stopped; starting another')).toBe(true);
    expect(await Promise.all(Array.from({ length: 4 }, call))).toEqual([200, 200, 200, 200]);

    primary.kill('SIGTERM');
    const [code] = (await once(primary, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(logs.filter((line) => line.msg === 'stopped')).toHaveLength(2);
    for (const pid of readyPids()) {
      expect(() => process.kill(pid, 0)).toThrow();
    }
  }, 180_000);

  it('stops the copies when the primary is killed, instead of leaving them serving the port', async () => {
    const { primary, readyPids } = await startCluster();
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(readyPids().every(alive)).toBe(true);
    primary.kill('SIGKILL');
    await once(primary, 'exit');
    await until(() => !readyPids().some(alive), 30_000);
    expect(readyPids().filter(alive)).toEqual([]);
  }, 180_000);
});

// A throw-away PostgreSQL cluster in a temporary folder: found binaries, initdb, start, stop, delete.
// Used by scripts/with-postgres.mjs (one cluster for the whole test run) and by tests that need a database of
// their own to stop and start again (an outage). Plain Node, no dependencies; CommonJS so that both the
// script and the TypeScript tests (through jest) can load it.
//
// - The server binaries (postgres, initdb, pg_ctl) are looked up on PATH, then in /usr/lib/postgresql/<version>/bin
//   (newest first) and /usr/local/pgsql/bin.
// - The cluster listens on 127.0.0.1 only (a free port, unix sockets inside the folder, fsync off unless `durable`),
//   with a random password for the superuser `postgres`, and holds one database.
// - PostgreSQL refuses to run as root: when this process runs as root, the server runs as the user `nobody`
//   (override with WITH_POSTGRES_USER), which owns the temporary folder.
'use strict';

const { spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const path = require('node:path');

const BINARIES = ['postgres', 'initdb', 'pg_ctl'];
const SUPERUSER = 'postgres';

/** A folder holding all three binaries: PATH first, then the usual package locations; undefined when none. */
function findBinaries() {
  const onPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const versioned = [];
  try {
    for (const version of fs.readdirSync('/usr/lib/postgresql')) {
      versioned.push(path.join('/usr/lib/postgresql', version, 'bin'));
    }
  } catch {
    // not a Debian-style installation
  }
  versioned.sort((a, b) => versionOf(b) - versionOf(a));
  return [...onPath, ...versioned, '/usr/local/pgsql/bin'].find((dir) =>
    BINARIES.every((name) => isExecutable(path.join(dir, name)))
  );
}

function versionOf(bindir) {
  return Number.parseFloat(path.basename(path.dirname(bindir))) || 0;
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The user the server runs as: undefined when we are not root (run as ourselves). */
function serverUser() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return undefined;
  }
  const name = process.env.WITH_POSTGRES_USER || 'nobody';
  const entry = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === name);
  if (!entry) {
    throw new Error(`running as root, and there is no user "${name}" to run PostgreSQL as (set WITH_POSTGRES_USER)`);
  }
  const uid = Number(entry[2]);
  const gid = Number(entry[3]);
  if (uid === 0) {
    throw new Error(`"${name}" is root; PostgreSQL refuses to run as root (set WITH_POSTGRES_USER)`);
  }
  return { name, uid, gid };
}

function check(result, what) {
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    throw new Error(`${what} failed (exit ${result.status ?? result.signal})${output ? `:\n${output}` : ''}`);
  }
}

/** The temporary folder, or /tmp when the server user could not reach a folder inside it. */
function traversableTmpdir(runAs) {
  const dir = tmpdir();
  if (!runAs) {
    return dir;
  }
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if ((fs.statSync(current).mode & 0o001) === 0) {
      return '/tmp';
    }
    if (current === path.dirname(current)) {
      return dir;
    }
  }
}

function readLog(file) {
  try {
    return `\n${fs.readFileSync(file, 'utf8').split('\n').slice(-20).join('\n')}`;
  } catch {
    return '';
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(address.port));
    });
  });
}

class PostgresCluster {
  /**
   * @param {{ bindir: string, database: string, timeoutS?: number, durable?: boolean }} options - where the
   *   binaries are, the database to create, how long creating or starting may take (default 30 s), and whether
   *   commits are flushed to disk as in production (default false: fsync off, for fast tests)
   */
  constructor({ bindir, database, timeoutS = 30, durable = false }) {
    this.bindir = bindir;
    this.durable = durable;
    this.database = database;
    this.timeoutS = timeoutS;
    this.runAs = serverUser();
    /** The temporary folder; set once `create` has made it, so `destroy` knows what to delete. */
    this.folder = undefined;
    this.dataDir = undefined;
    /** Kept across restarts, so the URL stays the same. */
    this.port = undefined;
    this.password = randomBytes(18).toString('base64url');
    this.version = undefined;
    /** Set when a start was attempted: even a failed start may have left a server behind. */
    this.started = false;
    this.deadline = undefined;
  }

  get url() {
    return `postgres://${SUPERUSER}:${this.password}@127.0.0.1:${this.port}/${this.database}`;
  }

  /** Runs a server binary synchronously, as the server user when we are root (Node drops to uid/gid). */
  run(binary, args, options = {}) {
    const identity = this.runAs ? { uid: this.runAs.uid, gid: this.runAs.gid } : {};
    const result = spawnSync(path.join(this.bindir, binary), args, {
      encoding: 'utf8',
      cwd: this.folder,
      env: { ...process.env, LC_ALL: 'C', LANG: 'C', PGTZ: 'UTC', HOME: this.folder },
      // Creating and starting share one deadline; stopping gets its own time.
      timeout: this.deadline ? Math.max(1000, this.deadline - Date.now()) : 30_000,
      ...identity,
      ...options,
    });
    if (result.error) {
      const timedOut = result.error.code === 'ETIMEDOUT';
      throw new Error(`${binary} ${timedOut ? `did not finish in time` : `could not run: ${result.error.message}`}`);
    }
    return result;
  }

  /** Creates the cluster and its database (initdb, then single-user mode, so no client program is needed). */
  create() {
    this.deadline = Date.now() + this.timeoutS * 1000;
    try {
      this.folder = fs.mkdtempSync(path.join(traversableTmpdir(this.runAs), 'ruggensteun-pg-'));
      if (this.runAs) {
        fs.chownSync(this.folder, this.runAs.uid, this.runAs.gid);
      }
      this.dataDir = path.join(this.folder, 'data');
      const versionCheck = this.run('postgres', ['--version']);
      check(versionCheck, `${path.join(this.bindir, 'postgres')} --version`);
      this.version = versionCheck.stdout.trim();
      // A password, although the server only listens on 127.0.0.1: other local users cannot connect either.
      const passwordFile = path.join(this.folder, 'password');
      fs.writeFileSync(passwordFile, this.password, { mode: 0o600 });
      if (this.runAs) {
        fs.chownSync(passwordFile, this.runAs.uid, this.runAs.gid);
      }
      check(
        this.run('initdb', [
          ...['--pgdata', this.dataDir, '--username', SUPERUSER, '--pwfile', passwordFile],
          ...['--auth-host', 'scram-sha-256', '--auth-local', 'trust', '--encoding', 'UTF8', '--locale', 'C'],
          '--no-sync',
        ]),
        'initdb'
      );
      fs.rmSync(passwordFile, { force: true });
      check(
        this.run('postgres', ['--single', '-D', this.dataDir, '-c', 'fsync=off', 'postgres'], {
          input: `CREATE DATABASE ${this.database};\n`,
        }),
        'creating the database'
      );
    } finally {
      this.deadline = undefined;
    }
  }

  /**
   * Starts the server and waits until it accepts connections; the first start picks a free port (retried up to
   * three times should another process take it first), later starts reuse it.
   * @param {() => boolean} [interrupted] - checked between attempts: stop trying when it returns true
   * @returns {Promise<string>} the database URL
   */
  async start(interrupted = () => false) {
    const started = Date.now();
    this.deadline = started + this.timeoutS * 1000;
    let lastError;
    try {
      for (let attempt = 1; attempt <= 3 && !interrupted(); attempt++) {
        const port = this.port ?? (await freePort());
        const options = [
          `-p ${port}`,
          "-c listen_addresses='127.0.0.1'",
          `-c unix_socket_directories='${this.folder}'`,
          ...(this.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
          '-c max_connections=100',
        ].join(' ');
        const remaining = this.timeoutS - Math.floor((Date.now() - started) / 1000);
        if (remaining <= 0) {
          break;
        }
        const logFile = path.join(this.folder, 'server.log');
        const result = this.run('pg_ctl', [
          ...['start', '-D', this.dataDir, '-l', logFile, '-o', options],
          ...['-w', '-t', String(remaining)],
        ]);
        this.started = true;
        if (result.status === 0) {
          this.port = port;
          return this.url;
        }
        lastError = `${result.stdout}${result.stderr}${readLog(logFile)}`.trim();
        this.stop();
      }
    } finally {
      this.deadline = undefined;
    }
    throw new Error(`PostgreSQL did not start within ${this.timeoutS} s:\n${lastError ?? ''}`);
  }

  /**
   * Stops the server if it runs: `mode` first (fast: disconnects clients and shuts down cleanly; immediate:
   * like a crash), then immediate, then a kill of the postmaster named in its pid file.
   * @param {'fast' | 'immediate'} [mode]
   */
  stop(mode = 'fast') {
    const pidFile = this.dataDir && path.join(this.dataDir, 'postmaster.pid');
    if (!this.started || !pidFile || !fs.existsSync(pidFile)) {
      this.started = false;
      return;
    }
    this.deadline = undefined;
    for (const each of mode === 'fast' ? ['fast', 'immediate'] : ['immediate']) {
      try {
        const result = this.run('pg_ctl', ['stop', '-D', this.dataDir, '-m', each, '-w', '-t', '20']);
        if (result.status === 0 || !fs.existsSync(pidFile)) {
          this.started = false;
          return;
        }
      } catch (error) {
        console.error(`stopping PostgreSQL (${each}): ${error instanceof Error ? error.message : error}`);
      }
    }
    // Last resort: kill the postmaster named in its pid file.
    try {
      const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
      if (pid > 0) {
        process.kill(pid, 'SIGKILL');
      }
    } catch {
      // already gone
    }
    this.started = false;
  }

  /** Stops the server and deletes the folder. */
  destroy() {
    try {
      this.stop();
    } finally {
      if (this.folder) {
        fs.rmSync(this.folder, { recursive: true, force: true });
      }
    }
  }
}

module.exports = { BINARIES, PostgresCluster, findBinaries, readLog };

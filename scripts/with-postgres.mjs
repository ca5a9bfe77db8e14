#!/usr/bin/env node
// Runs a command with TEST_DATABASE_URL pointing at a throw-away PostgreSQL cluster.
//
//   node scripts/with-postgres.mjs <command> [args...]
//
// - TEST_DATABASE_URL already set: the command runs as is.
// - Otherwise the PostgreSQL server binaries (postgres, initdb, pg_ctl) are looked up on PATH, then in
//   /usr/lib/postgresql/<version>/bin (newest first) and /usr/local/pgsql/bin. A cluster is created in a
//   fresh temporary folder, listening on 127.0.0.1 only (a free port, unix sockets inside the folder,
//   fsync off), with a random password; a database is created and the command runs with
//   TEST_DATABASE_URL=postgres://postgres:<password>@127.0.0.1:<port>/ruggensteun_test. Afterwards the
//   server is stopped and the folder deleted, whatever the outcome, also on SIGINT/SIGTERM/SIGHUP.
// - PostgreSQL refuses to run as root: when this script runs as root, the server runs as the user
//   `nobody` (override with WITH_POSTGRES_USER), which owns the temporary folder.
// - No binaries found: a line says so and the command runs without TEST_DATABASE_URL; with CI=true it fails.
// The exit code is the command's (128 + signal number when it was killed by a signal).
//
// Plain Node, no dependencies.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { constants as osConstants, tmpdir } from 'node:os';
import path from 'node:path';

const PREFIX = 'with-postgres:';
const STARTUP_TIMEOUT_S = 30;
const DATABASE = 'ruggensteun_test';
const SUPERUSER = 'postgres';
const BINARIES = ['postgres', 'initdb', 'pg_ctl'];

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error(`usage: node scripts/with-postgres.mjs <command> [args...]`);
  process.exit(2);
}

/** What must be undone on exit; filled in as the cluster comes up. */
const cluster = {
  folder: undefined,
  dataDir: undefined,
  bindir: undefined,
  runAs: undefined,
  started: false,
  deadline: undefined,
};
let child;
let exiting = false;
let interruptedBy;

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => onSignal(signal));
}

main().catch((error) => {
  // A signal during start-up also interrupts initdb or pg_ctl, which then fail: let its handler run first,
  // so an interruption is reported as such and not as a failure.
  setTimeout(() => {
    if (interruptedBy) {
      console.error(`${PREFIX} interrupted by ${interruptedBy}; cleaning up`);
      finish(128 + (signalNumber(interruptedBy) ?? 1));
    } else {
      console.error(`${PREFIX} ${error instanceof Error ? error.message : String(error)}`);
      finish(1);
    }
  }, 50);
});

async function main() {
  if (process.env.TEST_DATABASE_URL) {
    console.error(`${PREFIX} TEST_DATABASE_URL is set; using that database`);
    return runCommand(process.env);
  }
  const bindir = findBinaries();
  if (!bindir) {
    const missing = `no PostgreSQL server binaries (${BINARIES.join(', ')}) on PATH or in /usr/lib/postgresql/*/bin`;
    if (process.env.CI === 'true') {
      // In CI the store tests must run, never skip: fail before the command starts.
      throw new Error(`${missing}, and CI=true: install them (apt-get install postgresql)`);
    }
    console.error(
      `${PREFIX} ${missing}; running without TEST_DATABASE_URL, so the PostgreSQL tests are SKIPPED ` +
        '(install them with apt-get install postgresql)'
    );
    return runCommand(process.env);
  }
  cluster.bindir = bindir;
  cluster.runAs = serverUser();
  const url = await startCluster();
  if (interruptedBy) {
    throw new Error(`interrupted by ${interruptedBy}`);
  }
  return runCommand({ ...process.env, TEST_DATABASE_URL: url });
}

/** A folder holding all three binaries: PATH first, then the usual package locations. */
function findBinaries() {
  const onPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const versioned = [];
  try {
    for (const version of readdirSync('/usr/lib/postgresql')) {
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
    accessSync(file, constants.X_OK);
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
  const entry = readFileSync('/etc/passwd', 'utf8')
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

/** Runs a server binary synchronously, as the server user when we are root (Node drops to uid/gid). */
function server(binary, args, options = {}) {
  const identity = cluster.runAs ? { uid: cluster.runAs.uid, gid: cluster.runAs.gid } : {};
  const result = spawnSync(path.join(cluster.bindir, binary), args, {
    encoding: 'utf8',
    cwd: cluster.folder,
    env: { ...process.env, LC_ALL: 'C', LANG: 'C', PGTZ: 'UTC', HOME: cluster.folder },
    // Start-up steps share one deadline; stopping gets its own time.
    timeout: cluster.deadline ? Math.max(1000, cluster.deadline - Date.now()) : 30_000,
    ...identity,
    ...options,
  });
  if (result.error) {
    const timedOut = result.error.code === 'ETIMEDOUT';
    throw new Error(`${binary} ${timedOut ? `did not finish in time` : `could not run: ${result.error.message}`}`);
  }
  return result;
}

function check(result, what) {
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    throw new Error(`${what} failed (exit ${result.status ?? result.signal})${output ? `:\n${output}` : ''}`);
  }
}

async function startCluster() {
  const started = Date.now();
  cluster.deadline = started + STARTUP_TIMEOUT_S * 1000;
  cluster.folder = mkdtempSync(path.join(traversableTmpdir(), 'ruggensteun-pg-'));
  if (cluster.runAs) {
    chownSync(cluster.folder, cluster.runAs.uid, cluster.runAs.gid);
  }
  cluster.dataDir = path.join(cluster.folder, 'data');
  const versionCheck = server('postgres', ['--version']);
  check(versionCheck, `${path.join(cluster.bindir, 'postgres')} --version`);
  const version = versionCheck.stdout.trim();
  // A password, although the server only listens on 127.0.0.1: other local users cannot connect either.
  const password = randomBytes(18).toString('base64url');
  const passwordFile = path.join(cluster.folder, 'password');
  writeFileSync(passwordFile, password, { mode: 0o600 });
  if (cluster.runAs) {
    chownSync(passwordFile, cluster.runAs.uid, cluster.runAs.gid);
  }
  check(
    server('initdb', [
      '--pgdata',
      cluster.dataDir,
      '--username',
      SUPERUSER,
      '--pwfile',
      passwordFile,
      '--auth-host',
      'scram-sha-256',
      '--auth-local',
      'trust',
      '--encoding',
      'UTF8',
      '--locale',
      'C',
      '--no-sync',
    ]),
    'initdb'
  );
  rmSync(passwordFile, { force: true });
  // Single-user mode creates the database before the server listens, so no client program is needed.
  check(
    server('postgres', ['--single', '-D', cluster.dataDir, '-c', 'fsync=off', 'postgres'], {
      input: `CREATE DATABASE ${DATABASE};\n`,
    }),
    'creating the database'
  );
  let lastError;
  for (let attempt = 1; attempt <= 3 && !interruptedBy; attempt++) {
    const port = await freePort();
    const options = [
      `-p ${port}`,
      "-c listen_addresses='127.0.0.1'",
      `-c unix_socket_directories='${cluster.folder}'`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=100',
    ].join(' ');
    const remaining = STARTUP_TIMEOUT_S - Math.floor((Date.now() - started) / 1000);
    if (remaining <= 0) {
      break;
    }
    const logFile = path.join(cluster.folder, 'server.log');
    const result = server('pg_ctl', [
      'start',
      '-D',
      cluster.dataDir,
      '-l',
      logFile,
      '-o',
      options,
      '-w',
      '-t',
      String(remaining),
    ]);
    cluster.started = true; // even a failed start may have left a server behind: always stop
    if (result.status === 0) {
      const url = `postgres://${SUPERUSER}:${password}@127.0.0.1:${port}/${DATABASE}`;
      console.error(
        `${PREFIX} ${version} (${cluster.bindir}) on 127.0.0.1:${port}` +
          `${cluster.runAs ? ` as ${cluster.runAs.name}` : ''}, ready in ${Date.now() - started} ms`
      );
      cluster.deadline = undefined;
      return url;
    }
    lastError = `${result.stdout}${result.stderr}${readLog(logFile)}`.trim();
    stopCluster();
  }
  cluster.deadline = undefined;
  throw new Error(`PostgreSQL did not start within ${STARTUP_TIMEOUT_S} s:\n${lastError ?? ''}`);
}

/** The temporary folder, or /tmp when the server user could not reach a folder inside it. */
function traversableTmpdir() {
  const dir = tmpdir();
  if (!cluster.runAs) {
    return dir;
  }
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) {
      return '/tmp';
    }
    if (current === path.dirname(current)) {
      return dir;
    }
  }
}

function readLog(file) {
  try {
    return `\n${readFileSync(file, 'utf8').split('\n').slice(-20).join('\n')}`;
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

function runCommand(env) {
  return new Promise(() => {
    child = spawn(command[0], command.slice(1), { stdio: 'inherit', env });
    child.on('error', (error) => {
      console.error(`${PREFIX} could not run ${command[0]}: ${error.message}`);
      finish(127);
    });
    child.on('exit', (code, signal) => {
      finish(code ?? 128 + (signalNumber(signal) ?? 1));
    });
  });
}

function signalNumber(signal) {
  return signal ? osConstants.signals[signal] : undefined;
}

function onSignal(signal) {
  interruptedBy ??= signal;
  if (child && child.exitCode === null && child.signalCode === null) {
    // The command gets the chance to stop; its exit then ends this script through finish().
    child.kill(signal);
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    return;
  }
  if (!cluster.folder || child) {
    finish(128 + (signalNumber(signal) ?? 1));
  }
  // Otherwise start-up is under way; it fails or finishes, and main() then ends the script.
}

/** Stops the server, deletes the folder and exits. */
function finish(code) {
  if (exiting) {
    return;
  }
  exiting = true;
  try {
    stopCluster();
  } finally {
    if (cluster.folder) {
      rmSync(cluster.folder, { recursive: true, force: true });
    }
    process.exit(code);
  }
}

function stopCluster() {
  if (!cluster.started || !cluster.dataDir || !existsSync(path.join(cluster.dataDir, 'postmaster.pid'))) {
    cluster.started = false;
    return;
  }
  cluster.deadline = undefined;
  for (const mode of ['fast', 'immediate']) {
    try {
      const result = server('pg_ctl', ['stop', '-D', cluster.dataDir, '-m', mode, '-w', '-t', '20']);
      if (result.status === 0 || !existsSync(path.join(cluster.dataDir, 'postmaster.pid'))) {
        cluster.started = false;
        return;
      }
    } catch (error) {
      console.error(`${PREFIX} stopping PostgreSQL (${mode}): ${error instanceof Error ? error.message : error}`);
    }
  }
  // Last resort: kill the postmaster named in its pid file.
  try {
    const pid = Number(readFileSync(path.join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (pid > 0) {
      process.kill(pid, 'SIGKILL');
    }
  } catch {
    // already gone
  }
  cluster.started = false;
}

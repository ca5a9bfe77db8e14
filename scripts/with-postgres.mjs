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
// Plain Node, no dependencies; the cluster itself is scripts/postgres-cluster.cjs.

import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import clusters from './postgres-cluster.cjs';

const { BINARIES, PostgresCluster, findBinaries } = clusters;
const PREFIX = 'with-postgres:';
const STARTUP_TIMEOUT_S = 30;
const DATABASE = 'ruggensteun_test';

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error(`usage: node scripts/with-postgres.mjs <command> [args...]`);
  process.exit(2);
}

/** The cluster, once creating it has begun: stopped and deleted on exit. */
let cluster;
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
  const started = Date.now();
  cluster = new PostgresCluster({ bindir, database: DATABASE, timeoutS: STARTUP_TIMEOUT_S });
  cluster.create();
  const url = await cluster.start(() => interruptedBy !== undefined);
  console.error(
    `${PREFIX} ${cluster.version} (${bindir}) on 127.0.0.1:${cluster.port}` +
      `${cluster.runAs ? ` as ${cluster.runAs.name}` : ''}, ready in ${Date.now() - started} ms`
  );
  if (interruptedBy) {
    throw new Error(`interrupted by ${interruptedBy}`);
  }
  return runCommand({ ...process.env, TEST_DATABASE_URL: url });
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
  if (!cluster?.folder || child) {
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
    cluster?.destroy();
  } finally {
    process.exit(code);
  }
}

// Loaded into the service by `npm run bench` only (node --expose-gc --require bench/memory-probe.cjs). It answers
// the benchmark's messages over IPC:
// - "memory": the JavaScript heap in use right after a full collection, and the resident memory. Sampling after a
//   collection keeps a growth trend from hiding in the collector's sawtooth.
// - "cpu": the process's own CPU counters (user + system, microseconds), read before and after each run, so CPU per
//   call is the server's and not the load generator's or the neighbours' on a shared machine.
// - "profile-start" / "profile-stop": the main thread's CPU profile (node:inspector) over exactly the measured run,
//   without the start-up; bench/profile.mjs summarises it.
'use strict';

const inspector = require('node:inspector');

let session;

process.on('message', (message) => {
  if (message === 'memory') {
    globalThis.gc();
    const { heapUsed, rss } = process.memoryUsage();
    process.send({ heapUsed, rss });
  } else if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send({ cpuMicros: user + system });
  } else if (message === 'profile-start') {
    session = new inspector.Session();
    session.connect();
    session.post('Profiler.enable', () => session.post('Profiler.start', () => process.send({ profiling: true })));
  } else if (message === 'profile-stop') {
    session.post('Profiler.stop', (error, result) => {
      session.disconnect();
      process.send(error ? { error: error.message } : { profile: result.profile });
    });
  }
});
// The IPC channel must not keep the service alive after SIGTERM.
process.channel?.unref();

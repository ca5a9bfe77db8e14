// Loaded into the service by `npm run bench` only (node --expose-gc --require bench/memory-probe.cjs): answers
// the benchmark's "memory" message with the JavaScript heap in use right after a full collection, and the
// resident memory. Sampling after a collection keeps a growth trend from hiding in the collector's sawtooth.
'use strict';

process.on('message', (message) => {
  if (message !== 'memory') return;
  globalThis.gc();
  const { heapUsed, rss } = process.memoryUsage();
  process.send({ heapUsed, rss });
});
// The IPC channel must not keep the service alive after SIGTERM.
process.channel?.unref();

// A stand-in evaluation worker for the pool's failure tests (src/evaluation/pool.test.ts,
// test/http/evaluation-workers.test.ts): it speaks the protocol of src/evaluation/protocol.ts, and what it does with
// a call depends on the patient id: "crash" exits the thread, "throw" throws outside any handler, "hang" never
// answers, anything else gets an empty answer. workerData.failStart makes it refuse to start.
const { parentPort, workerData } = require('node:worker_threads');

if (workerData && workerData.failStart) {
  parentPort.postMessage({ type: 'failed', message: 'rules/red-flags.json rule RF-03: unknown fact "bodyHeat"' });
  parentPort.close();
} else {
  parentPort.on('message', (message) => {
    if (message.type !== 'task') {
      return;
    }
    const patientId = message.evaluation.request.context.patientId;
    if (patientId === 'crash') {
      process.exit(3);
    } else if (patientId === 'throw') {
      setTimeout(() => {
        throw new Error('a bug outside any handler');
      });
    } else if (patientId !== 'hang') {
      parentPort.postMessage({ type: 'result', id: message.id, result: { response: { cards: [] }, ruleIds: [] } });
    }
  });
  parentPort.postMessage({ type: 'ready' });
}

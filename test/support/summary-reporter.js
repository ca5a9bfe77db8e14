const fs = require('node:fs');
const path = require('node:path');

/**
 * Writes one plain closing line ("Summary: N passed, N failed, N skipped") to test-output/summary.txt, which
 * .ci/run prints last, so a CI log reader that knows no jest output can still count the tests.
 */
class SummaryReporter {
  constructor(globalConfig) {
    this.file = path.join(globalConfig.rootDir, 'test-output', 'summary.txt');
  }

  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `Summary: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(this.file, line);
  }
}

module.exports = SummaryReporter;

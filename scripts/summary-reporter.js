// A jest reporter that ends the run with one plain line, "jest: N passed, N failed",
// after jest's own summary (CI reads that line to know tests really ran).
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(
      `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}\n`,
    );
  }
}
module.exports = SummaryReporter;

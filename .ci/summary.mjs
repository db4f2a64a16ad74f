// The CI totals from vitest's JSON reports (arguments: report files, the first required), printed as the last line:
// `N passed, N failed[, N skipped]`.
//
// A test that has no result at all (its file's worker died, or the run was cut short) is neither passed nor failed
// in vitest's own counts; here it counts as failed, and its file is named above the totals, so that a red run
// never ends in "0 failed". Environment: CI_STATUS, the exit status of the test commands; when it is not 0 and no
// test failed, one failure is counted for it (vitest exits 1 on an unhandled error even when every test passed).
import { existsSync, readFileSync } from 'node:fs';

const files = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
const notRun = new Map();

for (const file of files) {
  if (!existsSync(file)) {
    console.log(`no test report at ${file}: its run did not finish`);
    failed++;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const counted = (report.numPassedTests ?? 0) + (report.numFailedTests ?? 0) + (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const missing = (report.numTotalTests ?? counted) - counted;
  if (missing > 0) {
    failed += missing;
    for (const result of report.testResults ?? []) {
      // vitest names a test that never got a result "pending" (its mode, `run`), with no duration.
      const without = result.assertionResults.filter((a) => a.status === 'pending' && a.duration == null);
      if (without.length > 0) notRun.set(result.name, without.length);
    }
    if (notRun.size === 0) notRun.set(file, missing);
  }
  const suitesFailed = report.numFailedTestSuites ?? 0;
  if (suitesFailed > 0 && (report.numFailedTests ?? 0) === 0) {
    failed += suitesFailed;
    for (const result of report.testResults ?? []) {
      if (result.status === 'failed') console.log(`test file failed before its tests ran: ${result.name}: ${result.message}`);
    }
  }
}

for (const [name, count] of notRun) console.log(`${count} test(s) without a result (counted as failed): ${name}`);
const status = Number(process.env.CI_STATUS ?? 0);
if (status !== 0 && failed === 0) {
  console.log(`the tests exited with status ${status} although no test failed (an unhandled error: see "Unhandled Errors" above)`);
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));

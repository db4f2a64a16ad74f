/**
 * Concurrent workers in a test (writers, approvers): `allWorkers` waits for every one of them to end before it
 * fails with the first failure. `Promise.all` fails as soon as one worker fails while the others go on writing;
 * the test's clean-up then drops the database under them, and their next writes re-create it. FerretDB 1.24 on
 * SQLite does not survive that: the re-created database opens the old shared-memory file and truncates it while
 * the dropped database's connections still have it mapped, and the whole server dies of SIGBUS
 * (`_walIndexAppend`), failing every other test file of the run with ECONNREFUSED.
 */
export async function allWorkers<T>(workers: Iterable<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(workers);
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
}

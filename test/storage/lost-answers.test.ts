/**
 * Which driver errors tell a write that its command may have run (answerLost: it must not undo what the command
 * points at) and that it may still run later (mayLandLater: the write's claim stays for its lease), built as driver
 * 7.9 raises them. The end-to-end cases are in mongodb-unknown-outcome.test.ts.
 */
import { MongoBulkWriteError, MongoNetworkError, MongoNetworkTimeoutError, MongoServerError, MongoServerSelectionError, MongoWriteConcernError } from 'mongodb';
// @ts-expect-error: internal driver modules, for error classes the package does not export
import { BulkWriteResult } from 'mongodb/lib/bulk/common.js';
// @ts-expect-error: internal driver modules, for error classes the package does not export
import { PoolClearedError, PoolClearedOnNetworkError } from 'mongodb/lib/cmap/errors.js';
import { describe, expect, it } from 'vitest';
import { answerLost, mayLandLater } from '../../src/storage/mongodb/errors.js';

const emptyResult = () =>
  new BulkWriteResult({ ok: 1, writeErrors: [], writeConcernErrors: [], insertedIds: [], nInserted: 0, nUpserted: 0, nMatched: 0, nModified: 0, nRemoved: 0, upserted: [] }, true);
const inBulk = (error: unknown) => new MongoBulkWriteError(error as MongoServerError, emptyResult());

/** A connection the pool could not open (it marks the error with the connection's generation). */
function connectFailure(error: MongoNetworkError): MongoNetworkError {
  (error as { connectionGeneration?: number }).connectionGeneration = 0;
  return error;
}

const cases: [string, boolean, boolean, () => unknown][] = [
  ['a socket time limit on a sent command', true, true, () => new MongoNetworkTimeoutError('connection 3 to 127.0.0.1:27017 timed out')],
  ['the monitor interrupting commands in flight', true, true, () => new PoolClearedOnNetworkError({ address: 'h:1' })],
  ['a connection that broke under a sent command', true, false, () => new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed')],
  ['a write concern failure (applied)', true, false, () => new MongoWriteConcernError({ writeConcernError: { code: 64, errmsg: 'waiting for replication timed out' } } as never)],
  ['a refusal by the server', false, false, () => new MongoServerError({ code: 11000, errmsg: 'E11000 duplicate key' })],
  ['no server selected', false, false, () => new MongoServerSelectionError('Server selection timed out after 2000 ms', { type: 'Unknown' } as never)],
  ['a connection that could not be opened', false, false, () => connectFailure(new MongoNetworkError('connect ECONNREFUSED 127.0.0.1:27017'))],
  ['a connect time limit', false, false, () => connectFailure(new MongoNetworkTimeoutError("Socket 'connect' timed out after 2000ms"))],
  ['a pool cleared before checkout', false, false, () => new PoolClearedError({ address: 'h:1' })],
  ['a bulk write with a time limit on a sent command', true, true, () => inBulk(new MongoNetworkTimeoutError('connection 3 timed out'))],
  ['a bulk write on a broken connection', true, false, () => inBulk(new MongoNetworkError('connection 3 closed'))],
  ['a bulk write whose connection could not be opened', false, false, () => inBulk(connectFailure(new MongoNetworkTimeoutError("Socket 'connect' timed out")))],
  ['a bulk write without a server', false, false, () => inBulk(new MongoServerSelectionError('Server selection timed out', { type: 'Unknown' } as never))],
  ['an error of the registry', false, false, () => new Error('the write claim ran out')],
];

describe('lost answers', () => {
  it.each(cases)('%s: answerLost %s, mayLandLater %s', (_, lost, later, make) => {
    const error = make();
    expect([answerLost(error), mayLandLater(error)]).toEqual([lost, later]);
  });
});

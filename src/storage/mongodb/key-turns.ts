/**
 * Turns on a key: writers of one key (a validation push with an idempotency key that opens issues) run one at a
 * time, so a repeat of the key finds the first one's record and writes nothing.
 *
 *  - Under the `claims` write protocol (FerretDB) a turn is a write claim (claims.ts withLock).
 *  - Under `cas` (write-protocol.ts: the server's conditional updates are atomic; MongoDB) no write claim is taken:
 *    a turn is a document of `key_turns` with the key as its `_id`, inserted (the unique `_id` lets exactly one of
 *    concurrent writers in) and deleted by `{_id, token}` when its write is done. It carries a lease (`expiresAt`,
 *    GRIOT_CLAIM_LEASE_MS), renewed by its holder every third of the lease while the write runs, so a turn left by a
 *    writer that died (process killed, database lost) blocks the next writer one lease at most: it is then taken
 *    over by a compare-and-set on its token (`findOneAndUpdate({_id, token})`, atomic under cas: exactly one of
 *    several waiters takes it). A waiter gives up (StorageUnavailableError) when one live holder kept the turn for
 *    two leases, as withLock does.
 */
import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongodb';
import { StorageUnavailableError } from '../errors.js';
import { backoff, leaseOf, protocolOf, type StoredClaim, withLock } from './claims.js';
import { isDuplicateKeyError } from './errors.js';

export const KEY_TURNS_COLLECTION = 'key_turns';

export interface StoredKeyTurn {
  _id: string;
  token: string;
  expiresAt: Date;
}

/** Runs `run` in the turn of `key`: under claims a write claim (withLock), under cas a `key_turns` document. */
export async function withKeyTurn<T>(claims: Collection<StoredClaim>, turns: Collection<StoredKeyTurn>, key: string, run: () => Promise<T>): Promise<T> {
  if (protocolOf(claims) !== 'cas') return withLock(claims, key, run);
  const leaseMs = leaseOf(claims);
  const token = await takeTurn(turns, key, leaseMs);
  const renewal = setInterval(() => {
    turns.updateOne({ _id: key, token }, { $set: { expiresAt: new Date(Date.now() + leaseMs) } }).catch(() => undefined);
  }, Math.max(1, Math.floor(leaseMs / 3)));
  renewal.unref();
  try {
    return await run();
  } finally {
    clearInterval(renewal);
    // If this fails the turn runs out after a lease (it is no longer renewed).
    await turns.deleteOne({ _id: key, token }).catch(() => undefined);
  }
}

/** Inserts the turn, or takes over one whose lease ran out; waits while a live holder has it. Returns its token. */
async function takeTurn(turns: Collection<StoredKeyTurn>, key: string, leaseMs: number): Promise<string> {
  let holder: string | null = null;
  let since = Date.now();
  for (let attempt = 0; ; attempt++) {
    const token = randomUUID();
    try {
      await turns.insertOne({ _id: key, token, expiresAt: new Date(Date.now() + leaseMs) });
      return token;
    } catch (error) {
      if (!isDuplicateKeyError(error)) {
        await turns.deleteOne({ _id: key, token }).catch(() => undefined); // applied although its answer was lost
        throw error;
      }
    }
    const held = await turns.findOne({ _id: key });
    if (held && held.expiresAt.getTime() < Date.now()) {
      // Its writer is gone (no renewal for a lease): exactly one waiter swaps its token for its own.
      const taken = await turns.findOneAndUpdate({ _id: key, token: held.token }, { $set: { token, expiresAt: new Date(Date.now() + leaseMs) } });
      if (taken) return token;
    }
    if (held && held.token !== holder) {
      holder = held.token;
      since = Date.now();
    }
    if (Date.now() - since > 2 * leaseMs) throw new StorageUnavailableError(`the turn ${JSON.stringify(key)} has been held by one writer for too long`);
    await backoff(attempt);
  }
}

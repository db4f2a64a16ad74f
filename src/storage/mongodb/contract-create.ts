/**
 * The create of one contract on MongoDB, in the write order of contracts.ts (its file comment): claim `@0` (not
 * under cas) → ODCS id and name keys → mark → version 1 and its key → contract → catalog. A batch of creates is
 * contract-batch.ts.
 */
import { randomUUID } from 'node:crypto';
import { type Contract, type CreateContractInput, planCreate } from '../../domain/contracts.js';
import { AlreadyExistsError } from '../../domain/errors.js';
import { odcsIdOf } from '../../domain/odcs-identity.js';
import { StorageUnavailableError } from '../errors.js';
import { insertNewCatalog, settleCatalog } from './catalog.js';
import { assertHeld, keepUntilLeaseEnds, leaseOf } from './claims.js';
import type { BatchWriter } from './contract-batch.js';
import { claimContract, discardVersion } from './contract-writes.js';
import { takeCreateKeys } from './create-keys.js';
import { toStoredContract, toStoredVersion } from './documents/index.js';
import { answerLost, isDuplicateKeyError } from './errors.js';
import type { WriteStep } from './faults.js';
import { putVersionKey, repairName } from './keys.js';
import { markPending } from './repair.js';

/** After each step of a write: the test hook, when there is one. */
async function step(w: BatchWriter, at: WriteStep, contractId: string): Promise<void> {
  if (w.faults) await w.faults(at, contractId);
}

export async function createContract(w: BatchWriter, input: CreateContractInput, actor: string | null): Promise<Contract> {
  const { contract, version } = planCreate(input, input.id ?? randomUUID(), { now: new Date(), actor, policy: w.policy });
  // Under claims, the claim `@0` (always free: the id is new) records the write should it be cut short; under cas
  // (no claim) its keys, then its mark do (contract-cas.ts).
  const fresh = input.id == null; // an id made here: no other write can have claimed or keyed it
  return claimContract(w.collections, contract.id, 0, async (held) => {
    await step(w, 'create:claimed', contract.id);
    // Its keys first: the ODCS id (the identity; see odcs-ids.ts), the name and the first version's key, in one
    // insert (create-keys.ts); a taken one is refused with point reads, nothing else written, and every key is
    // given up again if anything below refuses.
    // Under cas another create takes this one's keys over once they are a lease old (claims.ts waitForCreate), and
    // the repair pass removes the versions of a contract that does not exist once its mark is a lease old: past
    // three quarters of a lease since its first key this create gives up rather than insert a contract that may
    // have lost them (the last quarter is the margin for its insert in flight).
    const keys = await takeCreateKeys(w.keys, w.collections, w.odcsIds, contract, version, odcsIdOf(version.document));
    const token = randomUUID();
    let mark: string | null = null;
    let outcomeUnknown = false;
    try {
      try {
        mark = await markPending(w.collections, contract.id); // before the version: the record of a cut create
        await w.collections.versions.insertOne(toStoredVersion(version, token));
        if (!keys.versionKey) await putVersionKey(w.keys, contract.id, version.version, version.number);
      } catch (error) {
        await keys.release();
        throw error;
      }
      await step(w, 'create:version', contract.id);
      let sent = false;
      try {
        assertHeld(held);
        if (held === null && Date.now() - keys.takenAt > (leaseOf(w.collections.claims) * 3) / 4) throw new StorageUnavailableError(`the create of contract ${contract.id} took longer than its keys' lease allows`);
        sent = true;
        await w.collections.contracts.insertOne(toStoredContract(contract));
      } catch (error) {
        // An answer lost (errors.ts answerLost: a time limit, a broken connection): the contract may have landed,
        // or still land. Its version, keys and mark stay as they are, each valid if it does and taken over or
        // repaired if not (keys.ts, repair.ts); given back now, another create could take the ODCS id that contract
        // holds or is about to hold. Its claim stays until its lease ends, then its taker (the repair pass) removes
        // what a contract that never landed left; a create of its ODCS id or name waits until the contract exists
        // or the claim ran out (claim-waits.ts waitForCreate).
        if (sent && answerLost(error)) {
          outcomeUnknown = true;
          if (held) keepUntilLeaseEnds(held);
          throw error;
        }
        await discardVersion(w.collections, version, token);
        // _id is a fresh UUID: a duplicate key can only be the name, taken by a writer that took over the same
        // stale key at the same time; the key then goes back to the contract that holds the name.
        if (isDuplicateKeyError(error)) {
          await keys.releaseExceptName();
          await repairName(w.keys, w.collections, contract.name);
          throw new AlreadyExistsError('Contract', 'name', contract.name);
        }
        await keys.release();
        throw error;
      }
    } catch (error) {
      if (mark !== null && !outcomeUnknown) await w.collections.catalogPending.deleteOne({ _id: contract.id, token: mark }).catch(() => undefined);
      throw error;
    }
    await step(w, 'create:contract', contract.id);
    // The mark still this write's own: no newer write reached its contract step (repair.ts syncAndSettle).
    await insertNewCatalog(w.collections, contract, false);
    if ((await w.collections.catalogPending.deleteOne({ _id: contract.id, token: mark })).deletedCount !== 1) await settleCatalog(w.collections, contract);
    await step(w, 'create:catalog', contract.id);
    return contract;
  }, fresh);
}

/**
 * Imported first by every file of this folder: the conformance variant on the forced CAS write protocol
 * (test/support/backends.ts conformanceProtocol). Each file here runs one conformance file on MongoDB with
 * GRIOT_WRITE_PROTOCOL=cas (forced where the server failed the atomicity probe, as on FerretDB in CI); cases of
 * concurrent writes of one revision skip themselves where conditional updates are not atomic (helpers.ts
 * requireAtomicWrites). The files are the contract writes' (create, update, rollback, delete, settings, the
 * deprecation and retirement, ODCS ids) and the other writes that took a claim before the CAS path covered them:
 * approval decisions (the approval/<id> lock) and batch creates (their `@0` claims). Issue, comment and run revision
 * writes were a conditional write alone under cas before and are covered by
 * test/storage/mongodb-write-protocol.test.ts, which also pins that none of these sends a command to write_claims.
 */
process.env.GRIOT_CONFORMANCE_PROTOCOL = 'cas';

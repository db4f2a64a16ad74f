/**
 * What the server can do, detected once at start-up by trying it (never assumed from the server's name):
 * text search = the text index can be created AND a `$text` query answers; transactions = a replica set or a
 * mongos; the version from buildInfo (with FerretDB's own version when the server reports one).
 */
import type { Db, Document } from 'mongodb';
import type { StorageCapabilities } from '../types.js';
import { COLLECTIONS } from './documents.js';
import { ensureTextIndex } from './indexes.js';

export const BACKEND_NAME = 'mongodb';

export async function detectCapabilities(db: Db): Promise<StorageCapabilities> {
  const admin = db.admin();
  const [hello, buildInfo, textSearch] = await Promise.all([
    admin
      .command({ hello: 1 })
      .catch(() => admin.command({ isMaster: 1 })) // servers older than `hello`
      .catch(() => null as Document | null),
    admin.command({ buildInfo: 1 }).catch(() => null as Document | null),
    detectTextSearch(db),
  ]);
  return {
    backend: BACKEND_NAME,
    textSearch,
    transactions: hasTransactions(hello),
    serverVersion: serverVersionOf(buildInfo),
  };
}

function hasTransactions(hello: Document | null): boolean {
  if (!hello) return false;
  return (typeof hello.setName === 'string' && hello.setName !== '') || hello.msg === 'isdbgrid';
}

function serverVersionOf(buildInfo: Document | null): string | null {
  if (!buildInfo || typeof buildInfo.version !== 'string') return null;
  const ferret = buildInfo.ferretdbVersion;
  return typeof ferret === 'string' && ferret ? `${buildInfo.version} (FerretDB ${ferret})` : buildInfo.version;
}

/** Creates the text index and runs a `$text` query against it; false when either fails. */
async function detectTextSearch(db: Db): Promise<boolean> {
  try {
    await ensureTextIndex(db);
    await db
      .collection(COLLECTIONS.contracts)
      .find({ $text: { $search: 'capability probe' } }, { projection: { _id: 1 } })
      .limit(1)
      .toArray();
    return true;
  } catch {
    return false;
  }
}

/**
 * Upserts that two writers may send at once (two servers starting together, two pushes of one day): where the
 * document is missing, both try to insert it, and FerretDB 1.x refuses the second as a duplicate key (MongoDB
 * retries such an upsert itself since 4.2). The document exists then, so the same write sent again updates it:
 * what the caller meant, with nothing lost ($max, $set and whole markers give the same result in either order).
 */
import { isDuplicateKeyError } from './errors.js';

/** Runs `write`; on a duplicate key, once more (then the document exists and the upsert is an update). */
export async function upsertRacing<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    return write();
  }
}

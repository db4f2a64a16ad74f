/** DataLoader batch sizes: a batch function that reports how many keys it got to the request's metrics (if any). */
import { currentRequest } from './request-scope.js';

export function measuredBatch<K, V>(loader: string, batch: (keys: readonly K[]) => Promise<V>): (keys: readonly K[]) => Promise<V> {
  return (keys) => {
    currentRequest()?.batches?.(loader, keys.length);
    return batch(keys);
  };
}

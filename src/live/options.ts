/** The subscription settings (GRIOT_REDIS_URL, GRIOT_SUBSCRIPTIONS_*, GRIOT_SUBSCRIPTION_*; see src/config.ts). */
export interface LiveOptions {
  /** Redis for the fan-out across instances; null: in-process delivery on this instance only. */
  redisUrl: string | null;
  /** Open subscriptions on this instance, all callers together (0: subscriptions are refused). */
  maxSubscriptions: number;
  /** Open subscriptions of one principal on this instance (anonymous callers share one allowance). */
  maxPerPrincipal: number;
  /** An SSE comment is sent on every open stream this often, so proxies and clients see it alive. */
  heartbeatMs: number;
  /** A waiting subscriber re-reads the log this often even when no wake-up came (a lost bus message delays at most this). */
  pollMs: number;
  /** Events queued for one slow subscriber before it drops the queue and re-reads them from the log. */
  bufferSize: number;
}

export const DEFAULT_LIVE: LiveOptions = {
  redisUrl: null,
  maxSubscriptions: 1000,
  maxPerPrincipal: 20,
  heartbeatMs: 15_000,
  pollMs: 10_000,
  bufferSize: 1000,
};

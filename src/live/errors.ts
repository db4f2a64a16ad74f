/** Why a subscription was refused. Expected failures: they reach the client as GraphQL errors with their code. */
import { RegistryError } from '../domain/errors.js';

/** A subscription cap is reached: the caller's own (GRIOT_SUBSCRIPTIONS_PER_PRINCIPAL) or the server's (GRIOT_SUBSCRIPTIONS_MAX). */
export class SubscriptionLimitError extends RegistryError {
  readonly code = 'TOO_MANY_SUBSCRIPTIONS';
  override name = 'SubscriptionLimitError';
  constructor(
    readonly scope: 'principal' | 'total',
    readonly limit: number,
  ) {
    super(
      scope === 'principal'
        ? `Too many open subscriptions: a caller may hold ${limit} at once on this server (GRIOT_SUBSCRIPTIONS_PER_PRINCIPAL); close one first`
        : `Too many open subscriptions: this server holds at most ${limit} (GRIOT_SUBSCRIPTIONS_MAX); retry later`,
    );
  }
}

/** The server is shutting down: no new subscription starts (open ones complete). */
export class SubscriptionsClosedError extends RegistryError {
  readonly code = 'UNAVAILABLE';
  override name = 'SubscriptionsClosedError';
  constructor() {
    super('The server is shutting down; subscribe again (another instance, or this one once it is back)');
  }
}

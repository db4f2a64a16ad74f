/** Denied calls. Both are expected failures: the server maps them to a GraphQL error with their code, no stack. */
import { RegistryError } from '../domain/errors.js';

/** No principal: no credentials where some are required, or credentials that did not verify. */
export class UnauthenticatedError extends RegistryError {
  readonly code = 'UNAUTHENTICATED';
  override name = 'UnauthenticatedError';
}

/** A principal that lacks the scope the field needs. */
export class ForbiddenError extends RegistryError {
  readonly code = 'FORBIDDEN';
  override name = 'ForbiddenError';
}

/**
 * The rules for writing contracts, as pure functions: what a create, an update, a rollback or a status change
 * produces. Storage backends call these and then only do the I/O. The parts live in contracts/: the model and
 * write inputs (model.ts), writing versions and settings (versions.ts), status changes (status.ts).
 */
export {
  type ChangeKind,
  type Contract,
  type ContractVersion,
  type ContractWrite,
  type CreateContractInput,
  effectiveCompatibility,
  type HeadVersion,
  type RollbackContractInput,
  type SetContractSettingsInput,
  type UpdateContractInput,
  versionId,
  type WriteContext,
} from './contracts/model.js';
export {
  type ActivateContractInput,
  type DeprecateContractInput,
  planActivation,
  planDeprecation,
  planRetirement,
  planReviewClosed,
  planReviewOpened,
  type RetireContractInput,
  type ReviewOutcome,
} from './contracts/status.js';
export { assertAcceptsNewVersion, planCreate, planRollback, planSettingsChange, planUpdate } from './contracts/versions.js';

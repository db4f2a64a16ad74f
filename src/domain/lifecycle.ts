/** The contract lifecycle: which status may follow which. Pure; storage and the API enforce it. */

export const CONTRACT_STATUSES = ['draft', 'in_review', 'active', 'deprecated', 'retired'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

const CONTRACT_TRANSITIONS: Record<ContractStatus, readonly ContractStatus[]> = {
  draft: ['in_review'],
  in_review: ['active', 'draft'],
  active: ['deprecated'],
  deprecated: ['retired'],
  retired: [],
};

export function allowedContractTransitions(from: ContractStatus): readonly ContractStatus[] {
  return CONTRACT_TRANSITIONS[from];
}

export function canTransitionContract(from: ContractStatus, to: ContractStatus): boolean {
  return CONTRACT_TRANSITIONS[from].includes(to);
}

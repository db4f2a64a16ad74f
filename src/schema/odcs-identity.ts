/** The ODCS id as a contract's identity in the API: look a contract up by it; an id clash names its holder. */
import { AlreadyExistsError } from '../domain/errors.js';
import { builder } from './builder.js';
import { ContractRef } from './contracts.js';

builder.objectFields(AlreadyExistsError, (t) => ({
  existingContract: t.field({
    type: ContractRef,
    nullable: true,
    description: 'The contract that holds the value, when a contract does (e.g. the holder of an ODCS id).',
    resolve: (error) => error.existing?.id ?? null,
  }),
}));

builder.queryFields((t) => ({
  contractByOdcsId: t.field({
    type: ContractRef,
    nullable: true,
    description: 'The contract whose identity is this ODCS `id` (what import matches by).',
    args: { odcsId: t.arg.string({ required: true, description: 'The `id` field of an ODCS document, exactly (case-sensitive).' }) },
    resolve: async (_root, args, ctx) => ctx.storage.contracts.getByOdcsId(args.odcsId),
  }),
}));

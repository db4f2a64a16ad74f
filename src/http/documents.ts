/**
 * One size limit for every document the API takes — createContract, updateContract, importContract (its text),
 * previewContractUpdate, any JSON argument — and a nesting limit, checked on each root field's arguments before
 * anything runs. A value past either is BAD_USER_INPUT naming the argument (e.g. `input.document`); nothing is
 * written.
 */
import { GraphQLError, getArgumentValues, getOperationAST, Kind } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { type DocumentLimits, documentLimitProblem } from '../domain/document-limits.js';

function tooLarge(path: string, problem: NonNullable<ReturnType<typeof documentLimitProblem>>): GraphQLError {
  const message =
    problem.limit === 'bytes'
      ? `${path}: must be at most ${problem.max} bytes as JSON`
      : `${path}: must not nest objects and arrays more than ${problem.max} deep`;
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argument: path, limit: problem.limit, max: problem.max } });
}

export function documentLimitsPlugin(limits: DocumentLimits): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const operation = getOperationAST(args.document, args.operationName);
      const root = operation && args.schema.getRootType(operation.operation);
      if (!operation || !root) return;
      const errors: GraphQLError[] = [];
      for (const selection of operation.selectionSet.selections) {
        if (selection.kind !== Kind.FIELD || !selection.arguments?.length) continue;
        const field = root.getFields()[selection.name.value];
        if (!field) continue;
        let values: Record<string, unknown>;
        try {
          values = getArgumentValues(field, selection, (args.variableValues ?? {}) as Record<string, unknown>);
        } catch {
          continue; // invalid arguments: execution reports them
        }
        for (const [name, value] of Object.entries(values)) {
          // An input object is measured field by field, so that the error names e.g. `input.document`.
          const parts = value && typeof value === 'object' && !Array.isArray(value) && field.args.find((a: { name: string }) => a.name === name)?.type.toString().replace(/!$/, '').endsWith('Input')
            ? Object.entries(value as Record<string, unknown>).map(([key, v]) => [`${name}.${key}`, v] as const)
            : [[name, value] as const];
          for (const [path, part] of parts) {
            const problem = documentLimitProblem(part, limits);
            if (problem) errors.push(tooLarge(path, problem));
          }
        }
      }
      if (errors.length) setResultAndStopExecution({ errors });
    },
  };
}

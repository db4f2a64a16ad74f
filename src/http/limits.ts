/**
 * Operation limits, checked before anything executes: nesting (before parsing), tokens (while parsing), depth, aliases and directives
 * (GraphQL Armor validation rules), and a cost that multiplies by the page sizes asked for (the Pothos complexity
 * plugin's rule, run with the request's variables — see src/schema/complexity.ts for what each field costs).
 * A refused operation gets GRAPHQL_VALIDATION_FAILED naming the limit (`extensions.limit`, `max`, `found`).
 */
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { createComplexityRule } from '@pothos/plugin-complexity';
import { type DocumentNode, GraphQLError, type GraphQLSchema, type ParseOptions, type Source, type ValidationContext, validate } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { CostCache } from './cost-cache.js';
import type { LimitsOptions } from './limits-options.js';
import { nestsDeeperThan } from './operation-nesting.js';

export type LimitName = 'nesting' | 'tokens' | 'depth' | 'aliases' | 'directives' | 'cost';

export function limitError(limit: LimitName, max: number, found: number | null, nodes?: GraphQLError['nodes']): GraphQLError {
  const message = found === null ? `The operation exceeds the ${limit} limit of ${max}` : `The operation exceeds the ${limit} limit of ${max} (it has ${found})`;
  return new GraphQLError(message, {
    nodes: nodes ?? undefined,
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit, max, ...(found === null ? {} : { found }), http: { spec: true, status: 400 } },
  });
}

/** Armor reports "Syntax Error: Query depth limit of 12 exceeded, found 40." — we keep the number it found. */
function foundIn(error: GraphQLError): number | null {
  const match = /found (\d+)/.exec(error.message);
  return match ? Number(match[1]) : null;
}

function reject(limit: LimitName, max: number) {
  return {
    n: max,
    propagateOnRejection: false,
    onReject: [(ctx: ValidationContext | null, error: GraphQLError) => ctx?.reportError(limitError(limit, max, foundIn(error)))],
  };
}

/**
 * An operation's cost, summed by the Pothos complexity plugin's rule (src/schema/complexity.ts says what each field
 * costs). Only our own cost counts: variable and operation errors are execution's to report. When reading the
 * arguments fails (e.g. `first: 101` is refused by its own check), that error is thrown: the operation cannot run
 * as asked, and running the rest of it unmeasured would dodge the limit. yoga masks it as usual.
 */
function measureCost(schema: GraphQLSchema, document: DocumentNode, context: object, variableValues: Record<string, unknown>, operationName: string | undefined): number {
  let cost = 0;
  const rule = createComplexityRule({ context, variableValues, operationName, validate: ({ complexity }) => void (cost = complexity) });
  validate(schema, document, [rule]);
  return cost;
}

export function operationLimitsPlugin(limits: LimitsOptions): Plugin {
  const tokens = maxTokensPlugin({ n: limits.maxTokens });
  const rules = [
    maxDepthRule({ ...reject('depth', limits.maxDepth), ignoreIntrospection: true, flattenFragments: true }),
    maxAliasesRule(reject('aliases', limits.maxAliases)),
    maxDirectivesRule(reject('directives', limits.maxDirectives)),
  ];
  const costs = new CostCache();
  return {
    onParse(payload) {
      // Armor's parser counts tokens and stops at the limit; its syntax error becomes our typed limit error. Before
      // it, the nesting is measured without recursion (the parser recurses a few calls per level): a document within
      // the token limit can nest thousands deep.
      tokens.onParse!({
        ...payload,
        setParseFn: (parse: (source: string | Source, options?: ParseOptions) => DocumentNode) =>
          payload.setParseFn((source, options) => {
            if (nestsDeeperThan(source, limits.maxNesting, limits.maxTokens)) throw limitError('nesting', limits.maxNesting, null);
            try {
              return parse(source, options);
            } catch (error) {
              if (error instanceof GraphQLError && /Token limit of \d+ exceeded/.test(error.message)) throw limitError('tokens', limits.maxTokens, null);
              // Last resort, not expected to be reached: past the scan the parser recurses at most maxNesting levels
              // (at most 1,024, which parse in the test server; the stack runs out near 1,500 on Node's default
              // stack). Only a parse entered with most of the stack already used could still overflow here.
              if (error instanceof RangeError) throw limitError('nesting', limits.maxNesting, null);
              throw error;
            }
          }),
      } as never);
    },
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
    onExecute({ args, setResultAndStopExecution }) {
      // Not a validation rule: the cost depends on the variables, and yoga caches validation by document.
      const variableValues = (args.variableValues ?? {}) as Record<string, unknown>;
      const operationName = args.operationName ?? undefined;
      const cost = costs.get(args.document, operationName, variableValues) ?? measureCost(args.schema, args.document, args.contextValue as object, variableValues, operationName);
      costs.set(args.document, operationName, variableValues, cost);
      if (cost > limits.maxCost) setResultAndStopExecution({ errors: [limitError('cost', limits.maxCost, cost)] });
    },
  };
}

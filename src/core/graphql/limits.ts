import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  NoSchemaIntrospectionCustomRule,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { Config } from '../config.js';
import type { Context } from '../context.js';
import { QueryTooComplexError } from '../errors.js';
import { ResultLimits } from './execution-limits.js';
import { operationCost, type CostModel, type OperationCost } from './query-cost.js';

/** The request limits applied identically to HTTP (Apollo) and WebSocket (graphql-ws). */
export interface RequestLimits {
  /** Extra validation rules: depth, aliases, directives; and no introspection in production. */
  validationRules: ValidationRule[];
  /** Apollo plugins: armor's (e.g. hiding field suggestions), then cost, time budget and size ceiling. */
  plugins: ApolloServerPlugin<Context>[];
  /** The refusal of an operation whose cost is over LIMIT_MAX_COST, else null (HTTP and WebSocket). */
  refuseTooComplex: (
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Readonly<Record<string, unknown>> | null | undefined,
  ) => QueryTooComplexError | null;
  /** The response-size ceiling and the execution time budget. */
  results: ResultLimits;
  maxTokens: number;
  introspection: boolean;
  hideSuggestions: boolean;
}

/** The schema's list bounds (src/list-bounds.ts): what the cost assumes of each list field. */
export type SchemaListBounds = Pick<CostModel, 'defaultListBound' | 'listBounds'>;

/** How this schema's operations are costed (README, "Query cost"). */
export function costModel(config: Config, bounds: SchemaListBounds): CostModel {
  return {
    pageDefault: config.limits.pageDefault,
    pageMax: config.limits.pageMax,
    defaultListBound: bounds.defaultListBound,
    listBounds: bounds.listBounds,
  };
}

/**
 * Builds the limits once. armor's own token limit is off: it reports a parse failure as HTTP 500,
 * so the token cap is Apollo's `parseOptions.maxTokens` (and graphql's `parse` on WebSocket). armor's
 * cost limit is off too: it counts each field once whatever the list sizes, and a validation rule
 * cannot see variables (a `first: $n` would count as unknown); the cost is ours (query-cost.ts),
 * computed once variables are known.
 */
export function requestLimits(
  config: Config,
  schema: GraphQLSchema,
  bounds: SchemaListBounds,
): RequestLimits {
  const production = config.nodeEnv === 'production';
  const { limits } = config;
  const armor = new ApolloArmor({
    maxTokens: { enabled: false },
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: limits.maxAliases },
    maxDirectives: { n: limits.maxDirectives },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: production },
  });
  const protection = armor.protect();
  const model = costModel(config, bounds);
  const costs = new KnownCosts();
  const refuseTooComplex: RequestLimits['refuseTooComplex'] = (document, operationName, variables) => {
    const cost = costs.of(document, operationName, variables, () =>
      operationCost(schema, document, operationName, variables, model),
    );
    return cost > limits.maxCost ? new QueryTooComplexError(cost, limits.maxCost) : null;
  };
  const results = new ResultLimits(limits.maxResponseBytes, limits.executionMs);
  return {
    validationRules: [
      ...protection.validationRules,
      ...(production ? [NoSchemaIntrospectionCustomRule] : []),
    ],
    plugins: [
      // armor is typed against Apollo's CommonJS build and we load the ESM one: same objects, two declarations.
      ...(protection.plugins as unknown as ApolloServerPlugin<Context>[]),
      executionLimitsPlugin(refuseTooComplex, results),
    ],
    refuseTooComplex,
    results,
    maxTokens: limits.maxTokens,
    introspection: !production,
    hideSuggestions: production,
  };
}

/** Longest variables (as JSON) whose operation's cost is remembered. */
const MAX_KNOWN_VARIABLES_JSON = 1024;
/** Costs remembered per document (its operation names, and its operation names × variables). */
const MAX_KNOWN_PER_DOCUMENT = 64;

/** Costs remembered for one parsed document. */
interface DocumentCosts {
  /** By operation name: the costs that read no variable (the same whatever the variables). */
  fixed: Map<string, number>;
  /** By operation name and variables (as JSON): the costs that read some. */
  byVariables: Map<string, number>;
}

/**
 * Operation costs already computed, per parsed document (Apollo and graphql-ws keep one parsed
 * document per query text, so a client repeating a query hands the same object) and per operation
 * name, and per variables when the cost read any. The cost is a function of those alone (and of the
 * schema and model, fixed per process), so a remembered cost is the one computing it again would
 * give; walking the document every time was 2 % of the nested read's CPU. A cost that read no
 * variable (a mutation's: its input is no page size) is remembered whatever the variables; its
 * input was coerced and walked anew for every submitDemand. Long variables are not remembered: their
 * JSON would cost more than the walk, and they rarely repeat.
 */
class KnownCosts {
  private readonly byDocument = new WeakMap<DocumentNode, DocumentCosts>();

  of(
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Readonly<Record<string, unknown>> | null | undefined,
    compute: () => OperationCost,
  ): number {
    const name = operationName ?? '';
    let known = this.byDocument.get(document);
    const fixed = known?.fixed.get(name);
    if (fixed !== undefined) return fixed;
    const json = variables ? JSON.stringify(variables) : '';
    const key = json.length > MAX_KNOWN_VARIABLES_JSON ? null : `${name}\n${json}`;
    const cost = key === null ? undefined : known?.byVariables.get(key);
    if (cost !== undefined) return cost;
    const computed = compute();
    if (!known) this.byDocument.set(document, (known = { fixed: new Map(), byVariables: new Map() }));
    if (!computed.readVariables) {
      if (known.fixed.size < MAX_KNOWN_PER_DOCUMENT) known.fixed.set(name, computed.cost);
    } else if (key !== null && known.byVariables.size < MAX_KNOWN_PER_DOCUMENT) {
      known.byVariables.set(key, computed.cost);
    }
    return computed.cost;
  }
}

/**
 * Apollo's side of the limits: the cost once the operation and its variables are known (refused
 * with 400 before anything runs), the time budget from the start of execution, and the size ceiling
 * on the result of either engine (graphql-js or a compiled query). Listed before the plugins that log
 * and count responses, so that they see the refusal.
 */
function executionLimitsPlugin(
  refuseTooComplex: RequestLimits['refuseTooComplex'],
  results: ResultLimits,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operationName, request, response }) {
          const refused = refuseTooComplex(document, operationName, request.variables);
          if (!refused) return;
          response.http.status = 400;
          throw refused;
        },
        async executionDidStart({ contextValue }) {
          contextValue.deadline = results.deadline();
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const checked = results.check(response.body.singleResult, contextValue.deadline);
          if (checked.refusal) response.body.singleResult = checked.refusal;
        },
      };
    },
  };
}

/** Removes graphql-js's "Did you mean …?" hints, which reveal the schema when introspection is off. */
export function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean .+\?$/, '');
}

import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  execute,
  GraphQLError,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { ExecutionDeadline } from './execution-limits.js';

/**
 * Executes Apollo's HTTP queries through graphql-jit: a query document asked for more than once is
 * compiled to a JavaScript function (graphql-jit's code generation) and cached by its hash.
 *
 * Why: graphql-js interprets the selection set anew for each object of every request. For a page of
 * 100 demands with nested category and region that is about two thousand field executions, each
 * paying for argument coercion, path building and promise bookkeeping; the compiled function does
 * the same work without the interpretation (the nested-read benchmark's CPU per request fell by a
 * quarter). Resolvers, scalars, nullability and errors are the schema's own.
 *
 * Where graphql-jit differs from graphql-js, graphql-js keeps the work:
 * - Variables are coerced by graphql-js (graphql-jit refuses an omitted non-null input field that has
 *   a default, which graphql-js fills in). A request whose variables do not coerce runs on
 *   graphql-js, so its errors are graphql-js's; otherwise the compiled query gets the coerced values
 *   (coercing them again changes nothing: every enum's value is its name, and DateTime and JSONObject
 *   accept their own parsed values).
 * - graphql-jit's errors may lack `extensions`, which Apollo's formatting reads: they are rebuilt as
 *   graphql-js errors with the same message, path, locations and original error.
 * - Mutations run on graphql-js: their answers are small, and their order of execution is graphql-js's.
 * - The first execution of a document uses graphql-js: compiling costs far more than one execution,
 *   and a client sending ever-new documents should not make the server compile each one.
 *
 * Apollo offers custom execution only through its gateway interface: this "gateway" hands Apollo the
 * local schema once and answers `executor` calls; parsing, validation, limits, plugins and error
 * formatting stay Apollo's. Subscriptions (graphql-ws) do not come through here. A query it has run
 * compiled is proven (`ProvingGround`): HTTP may answer the same text again without Apollo
 * (proven-queries.ts), and hand back here a result to format (`handOver`).
 */

/** Which engine ran an operation: graphql-jit's compiled function, or graphql-js. */
export type ExecutionEngine = 'compiled' | 'interpreted';

/** How many compiled queries to keep (least recently used go first). */
const MAX_COMPILED = 500;
/** Executions with graphql-js before a document is compiled. */
const COMPILE_AFTER = 1;

type GatewayResult = Awaited<ReturnType<GatewayExecutor>>;

interface Entry {
  seen: number;
  compiled?: CompiledQuery | null;
}

/** Compiled queries by document hash and operation name, least recently used first. */
class CompiledQueries {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly schema: GraphQLSchema) {}

  /** The compiled query for this document, once it has been seen often enough; else undefined. */
  get(key: string, document: DocumentNode, operationName: string | null): CompiledQuery | undefined {
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key); // re-inserted below: Map order is the LRU order
    } else {
      entry = { seen: 0 };
      if (this.entries.size >= MAX_COMPILED) this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(key, entry);
    entry.seen += 1;
    if (entry.compiled === undefined && entry.seen > COMPILE_AFTER) {
      const compiled = compileQuery(this.schema, document, operationName ?? undefined);
      entry.compiled = isCompiledQuery(compiled) ? compiled : null; // null: graphql-js reports its errors
    }
    return entry.compiled ?? undefined;
  }
}

/** A document Apollo validated and the gateway compiled, with its one operation (a query). */
export interface ProvenQuery {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  compiled: CompiledQuery;
}

/** Where the gateway records the queries it compiled and ran (proven-queries.ts's short path). */
export interface ProvingGround {
  prove(source: string, operationName: string | null | undefined, query: ProvenQuery): void;
}

/**
 * The result the short path executed for a request (proven-queries.ts), on its context. A symbol
 * property, not a WeakMap by context: Apollo hands resolvers and the gateway a shallow copy of the
 * context, which keeps own properties but is another object.
 */
const HANDED_OVER = Symbol('handedOver');

/** What the short path's execution gave: a result, or what the compiled query threw. */
export type HandedOver = { result: ExecutionResult } | { thrown: unknown };

interface HandingContext {
  [HANDED_OVER]?: { outcome: HandedOver; deadline: ExecutionDeadline };
  deadline?: ExecutionDeadline;
}

/**
 * Hands Apollo a result the short path executed (with errors, or refused by the limits): the
 * gateway answers this context's request with it instead of executing the operation again, so it is
 * formatted, masked, logged and counted like every other, and nothing runs twice.
 */
export function handOver(context: object, outcome: HandedOver, deadline: ExecutionDeadline): void {
  (context as HandingContext)[HANDED_OVER] = { outcome, deadline };
}

/** The result handed over for this context, taken once, with its deadline put back on the context. */
function takeHandedOver(context: object): HandedOver | undefined {
  const handed = (context as HandingContext)[HANDED_OVER];
  if (!handed) return undefined;
  delete (context as HandingContext)[HANDED_OVER];
  // Apollo's executionDidStart gave the context a fresh deadline: the limits judge the one it ran with.
  (context as HandingContext).deadline = handed.deadline;
  return handed.outcome;
}

/** graphql-jit's error as a graphql-js one (Apollo's error formatting expects `extensions`). */
function asGraphQLError(error: GraphQLError): GraphQLError {
  const rebuilt = new GraphQLError(error.message, {
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions ?? {},
  });
  // graphql-jit reports locations directly (it keeps no AST nodes on its errors).
  return Object.assign(rebuilt, { locations: error.locations });
}

export function compiledExecutionGateway(
  schema: GraphQLSchema,
  onExecution: (engine: ExecutionEngine) => void = () => {},
  proven?: ProvingGround,
): GatewayInterface {
  const compiledQueries = new CompiledQueries(schema);

  const interpreted = (
    document: DocumentNode,
    operationName: string | null,
    contextValue: unknown,
    variableValues: Record<string, unknown> | undefined,
  ) => execute({ schema, document, contextValue, variableValues, operationName });

  const executor: GatewayExecutor = async (request) => {
    const { document, operationName, context, operation } = request;
    // Executed already on the short path (proven-queries.ts), answered here only to be formatted.
    const handed = takeHandedOver(context);
    if (handed) {
      if ('thrown' in handed) throw handed.thrown;
      return withGraphQLErrors(handed.result) as GatewayResult;
    }
    const variables = request.request.variables;
    const compiled =
      operation.operation === 'query'
        ? compiledQueries.get(`${request.queryHash}:${operationName ?? ''}`, document, operationName)
        : undefined;
    const coerced = compiled && coerceVariables(schema, operation, variables);
    if (!compiled || !coerced) {
      onExecution('interpreted');
      return (await interpreted(document, operationName, context, variables)) as GatewayResult;
    }
    onExecution('compiled');
    // Validated by Apollo, compiled, a query: the short path may answer the same text from now on.
    proven?.prove(request.source, request.request.operationName, { document, operation, compiled });
    const result: ExecutionResult = await compiled.query(undefined, context, coerced);
    return withGraphQLErrors(result) as GatewayResult;
  };

  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async load() {
      return { executor };
    },
    async stop() {},
  };
}

/** A compiled query's result with its errors rebuilt as graphql-js errors (asGraphQLError). */
function withGraphQLErrors(result: ExecutionResult): ExecutionResult {
  if (result.errors) result.errors = result.errors.map(asGraphQLError);
  return result;
}

/** The operation's variables coerced by graphql-js, or undefined when they do not coerce. */
export function coerceVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  const result = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, {
    maxErrors: 1,
  });
  return result.errors ? undefined : result.coerced;
}

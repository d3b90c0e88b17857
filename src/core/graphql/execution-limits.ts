import {
  isObjectType,
  type FormattedExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { AppError, ExecutionTimeoutError, ResponseTooLargeError } from '../errors.js';

/**
 * One operation's time budget, kept on its context (`Context.deadline`). HTTP queries and mutations
 * and WebSocket queries and mutations have one; a subscription's events do not (each event's
 * execution is bounded by the subscription's cost and pushed payloads by the size ceiling).
 */
export interface ExecutionDeadline {
  /** `performance.now()` after which no resolver starts. */
  readonly at: number;
  readonly limitMs: number;
  /** Set once a resolver was refused: the result is incomplete and is replaced by the error alone. */
  stopped: boolean;
}

export function startDeadline(limitMs: number): ExecutionDeadline {
  return { at: performance.now() + limitMs, limitMs, stopped: false };
}

type Resolve = GraphQLFieldResolver<unknown, unknown>;

/**
 * Makes every resolver of the schema check its operation's deadline before it runs.
 *
 * What this guarantees: once the deadline has passed, no resolver starts. The first one to find it
 * throws EXECUTION_TIMEOUT instead of running, and so does every later one, so the rest of the
 * selection (nested lists, further SQL statements, dataloader batches) is skipped at the cost of a
 * clock read per field that would have run, and the response is that error alone
 * ({@link ResultLimits.check}). Both engines call these resolvers (graphql-js and graphql-jit's
 * compiled queries), over HTTP and WebSocket. What was already under way at the deadline finishes:
 * one SQL statement a resolver awaits, and the synchronous completion of plain fields between two
 * resolvers, which the cost limit keeps small. Fields without a resolver (plain property reads)
 * are not wrapped: they do no work of their own.
 */
export function stopResolversAtDeadline(schema: GraphQLSchema): void {
  const subscriptionType = schema.getSubscriptionType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || type === subscriptionType) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve as Resolve | undefined;
      if (!resolve) continue;
      field.resolve = (source, args, context, info) => {
        const deadline = (context as { deadline?: ExecutionDeadline } | undefined)?.deadline;
        if (deadline !== undefined && performance.now() > deadline.at) {
          deadline.stopped = true;
          throw new ExecutionTimeoutError(deadline.limitMs);
        }
        return resolve(source, args, context, info);
      };
    }
  }
}

/** An executed result, before or after its errors were formatted. */
interface AnyResult {
  data?: unknown;
  errors?: readonly unknown[];
  extensions?: unknown;
}

/** The response's JSON, or the result that replaces it. */
export type CheckedResult = { json: string; refusal?: undefined } | { refusal: FormattedExecutionResult };

/** The response-size ceiling and the time budget of executed results (README, "Request limits"). */
export class ResultLimits {
  /**
   * Results measured, by their `data`, with their JSON (null: over the ceiling). HTTP serializes a
   * result once ({@link stringify}); subscribers sharing one executed event payload measure it once.
   */
  private readonly measured = new WeakMap<
    object,
    { errors: unknown; extensions: unknown; json: string | null }
  >();

  constructor(
    readonly maxResponseBytes: number,
    readonly executionMs: number,
  ) {}

  deadline(): ExecutionDeadline {
    return startDeadline(this.executionMs);
  }

  /**
   * The result as JSON (fields in the order Apollo sends them), or the error that replaces it: the
   * operation was stopped at its deadline, or its JSON is over the size ceiling. The result was
   * built before it is measured; the cost limit and the time budget bound what it can hold.
   */
  check(result: AnyResult, deadline?: ExecutionDeadline): CheckedResult {
    if (deadline?.stopped) return { refusal: refusal(new ExecutionTimeoutError(deadline.limitMs)) };
    let json = this.known(result);
    if (json === undefined) {
      const text = JSON.stringify({
        errors: result.errors,
        data: result.data,
        extensions: result.extensions,
      });
      // UTF-8 takes at most 3 bytes per UTF-16 unit: most results need no count of their bytes.
      const fits =
        text.length * 3 <= this.maxResponseBytes || Buffer.byteLength(text) <= this.maxResponseBytes;
      json = fits ? text : null;
      if (typeof result.data === 'object' && result.data !== null)
        this.measured.set(result.data, { errors: result.errors, extensions: result.extensions, json });
    }
    return json === null ? { refusal: refusal(new ResponseTooLargeError(this.maxResponseBytes)) } : { json };
  }

  /** Apollo's `stringifyResult`: the JSON {@link check} made for this result, else a fresh one. */
  stringify(result: AnyResult): string {
    return this.known(result) ?? JSON.stringify(result);
  }

  /** The JSON measured for this very result (null: it was too large), or undefined. */
  private known(result: AnyResult): string | null | undefined {
    if (typeof result.data !== 'object' || result.data === null) return undefined;
    const entry = this.measured.get(result.data);
    return entry && entry.errors === result.errors && entry.extensions === result.extensions
      ? entry.json
      : undefined;
  }
}

function refusal(error: AppError): FormattedExecutionResult {
  return { data: null, errors: [{ message: error.message, extensions: { ...error.extensions } }] };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import type { Context } from '../context.js';
import type { RequestLimits } from './limits.js';
import { coerceVariables, handOver, type ProvenQuery, type ProvingGround } from './compiled-execution.js';

/**
 * The short path of a proven query over HTTP: a query document that Apollo has parsed and validated
 * and the gateway has compiled (compiled-execution.ts) is answered, when asked again with the same
 * text, without Apollo's request pipeline.
 *
 * Why: for a small read (an organization by id) Apollo's pipeline — HTTP parsing and content
 * negotiation, hashing the query text, a dozen plugin hooks each awaited, the response's header map —
 * cost the server more than executing the compiled query (docs/architecture.md, "Read path").
 *
 * What stays exactly as on Apollo's path:
 * - Who asks: the context is the request's own (`contextFor`: the viewer from the token, a fresh
 *   unit of work); the resolvers, and so every rights check, are the compiled query's, as on the
 *   gateway.
 * - Validation: a document is proven only after Apollo validated it (validation depends on the text
 *   and the schema alone), and only a query (never a mutation) is proven.
 * - Limits: the same cost refusal, time budget and size ceiling (`RequestLimits`).
 * - Logs and metrics: the same request line and counters (`observe`).
 * Anything else goes to Apollo: another method, media type or Accept header, extensions (persisted
 * queries), a document not proven, a context that fails (a bad token), a cost over the limit,
 * variables that do not coerce. A result with errors, over the size ceiling or stopped at its deadline
 * is handed to Apollo already executed (`handOver`, compiled-execution.ts): its gateway answers with that result instead of
 * executing again, so errors are formatted and masked in one place and nothing runs twice.
 */

/** How many proven documents to keep (least recently used go first), as many as compiled ones. */
const MAX_PROVEN = 500;

/** What the short path reports of each request it answers, as Apollo's plugins do of theirs. */
export interface ProvenObserver {
  /** The request line and the request metrics of an answered query (outcome `ok`). */
  answered(context: Context, operationName: string | null, started: number): void;
  /** The engine that ran it (always `compiled`). */
  executed(): void;
}

export class ProvenQueries implements ProvingGround {
  private readonly queries = new Map<string, ProvenQuery>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly limits: RequestLimits,
  ) {}

  /** Called by the gateway when it ran a compiled query of a document Apollo validated. */
  prove(source: string, operationName: string | null | undefined, query: ProvenQuery): void {
    const key = keyOf(source, operationName);
    if (this.queries.has(key)) return;
    if (this.queries.size >= MAX_PROVEN) this.queries.delete(this.queries.keys().next().value as string);
    this.queries.set(key, query);
  }

  /**
   * Answers the request if it is a proven query that completes without errors; otherwise `apollo`
   * answers it (given the context already made, and the result already executed, if any).
   */
  async answer(
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    makeContext: () => Promise<Context>,
    observer: ProvenObserver,
    apollo: (context: () => Promise<Context>) => Promise<void>,
  ): Promise<void> {
    const asked = this.provenRequest(req, body);
    if (!asked) return apollo(makeContext);
    const { query, variables, operationName } = asked;
    let context: Context;
    try {
      context = await makeContext();
    } catch (error) {
      // contextFor logged and counted the refusal: Apollo only formats it.
      return apollo(() => Promise.reject(error));
    }
    // As Apollo's plugins time a request: from when its context is made.
    const started = performance.now();
    const same = () => Promise.resolve(context);
    if (this.limits.refuseTooComplex(query.document, operationName, variables)) return apollo(same);
    const coerced = coerceVariables(this.schema, query.operation, variables);
    if (!coerced) return apollo(same);
    const deadline = this.limits.results.deadline();
    context.deadline = deadline;
    observer.executed();
    let result: ExecutionResult;
    try {
      result = (await query.compiled.query(undefined, context, coerced)) as ExecutionResult;
    } catch (thrown) {
      handOver(context, { thrown }, deadline);
      return apollo(same);
    }
    const checked = result.errors ? null : this.limits.results.check(result, deadline);
    if (!checked || checked.refusal) {
      handOver(context, { result }, deadline);
      return apollo(same);
    }
    res.writeHead(200, {
      'cache-control': 'no-store',
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(checked.json),
    });
    res.end(checked.json);
    observer.answered(context, query.operation.name?.value ?? null, started);
  }

  /** The proven query a request asks for, if it is one the short path answers. */
  private provenRequest(
    req: IncomingMessage,
    body: unknown,
  ):
    | { query: ProvenQuery; variables: Record<string, unknown> | undefined; operationName: string | null }
    | undefined {
    if (this.queries.size === 0 || req.method !== 'POST') return undefined;
    const contentType = req.headers['content-type'];
    if (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType)) return undefined;
    const accept = req.headers.accept;
    if (accept !== undefined && accept !== '*/*' && accept !== 'application/json') return undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
    const { query: source, variables, operationName, ...rest } = body as Record<string, unknown>;
    if (Object.keys(rest).length) return undefined; // extensions (persisted queries) and the like: Apollo
    if (typeof source !== 'string') return undefined;
    if (operationName != null && typeof operationName !== 'string') return undefined;
    if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return undefined;
    const key = keyOf(source, operationName);
    const query = this.queries.get(key);
    if (!query) return undefined;
    this.queries.delete(key); // re-inserted: Map order is the LRU order
    this.queries.set(key, query);
    return {
      query,
      variables: (variables ?? undefined) as Record<string, unknown> | undefined,
      operationName: operationName ?? null,
    };
  }
}

/** `application/json`, as Apollo accepts a POST body (with a charset parseBody already checked). */
const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

function keyOf(source: string, operationName: string | null | undefined): string {
  return `${operationName ?? ''}\n${source}`;
}

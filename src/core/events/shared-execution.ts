/**
 * Executes a subscription's event once per permission class instead of once per subscriber.
 *
 * graphql-ws runs `subscribe` once per subscription and then `execute` once per event and
 * subscriber. When a feed marks an event payload with a {@link ShareTicket} — "every subscriber
 * with this ticket's class sees these fields of this payload alike" — and a subscription selects
 * only such fields, the executed result is memoized on the ticket, keyed by the document and
 * variables, so the 1,000 subscribers of one class that sent the same operation cost one execution.
 * Anything else (a field whose value depends on more than the class, a payload without a ticket)
 * executes per subscriber, as graphql-js would.
 *
 * @module
 */
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  isAbstractType,
  print,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { mapStream } from './feed-iterator.js';
import { Settling, type MaybePromise } from './settling.js';

/** Where a feed puts its {@link ShareTicket} on an event payload (invisible to GraphQL). */
export const SHARE_TICKET = Symbol('niudai.shareTicket');

/** A feed's promise about one payload, for one permission class. */
export interface ShareTicket {
  /**
   * Schema coordinates (`Type.field`) whose values, under this payload, depend only on the data and
   * on the permission class the ticket was made for — never on anything else about the viewer.
   */
  readonly fields: ReadonlySet<string>;
  /**
   * Executed results of this payload for this class, by operation (document and variables). A feed
   * makes one ticket per event and class (see EventPass), so the map lives as long as the event.
   */
  readonly results: Map<string, Settling<ExecutionResult>>;
}

/** The ticket on a payload, if it has one. */
export function ticketOf(payload: unknown): ShareTicket | null {
  if (typeof payload !== 'object' || payload === null || !(SHARE_TICKET in payload)) return null;
  return (payload as { [SHARE_TICKET]: ShareTicket })[SHARE_TICKET];
}

/**
 * Every schema coordinate the operation can select, fragments included; `__typename` is left out
 * (it never depends on the viewer). Fields selected on an interface or union are listed under the
 * abstract type, which no feed declares shareable, so such selections are never shared.
 */
export function selectedCoordinates(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
): Set<string> {
  const coordinates = new Set<string>();
  const operation = getOperationAST(document, operationName);
  if (!operation) return coordinates;
  const typeInfo = new TypeInfo(schema);
  const visitor = visitWithTypeInfo(typeInfo, {
    Field(node) {
      if (node.name.value === '__typename') return;
      const parent = typeInfo.getParentType();
      // An unknown parent cannot be proven safe: record something no ticket lists.
      const owner = parent && !isAbstractType(parent) ? parent.name : '?';
      coordinates.add(`${owner}.${node.name.value}`);
    },
  });
  visit(operation, visitor);
  for (const definition of document.definitions)
    if (definition.kind === 'FragmentDefinition') visit(definition, visitor);
  return coordinates;
}

/** Whether every selected coordinate is one the ticket vouches for. */
export function coveredBy(selected: ReadonlySet<string>, fields: ReadonlySet<string>): boolean {
  for (const coordinate of selected) if (!fields.has(coordinate)) return false;
  return true;
}

/**
 * `payload` with a fresh {@link ShareTicket} for `fields`: a feed makes it once per event and
 * permission class (`SharedEvent.perClass`) and hands the same object to every subscriber of the class.
 */
export function withShareTicket<P extends object>(
  payload: P,
  fields: ReadonlySet<string>,
): P & { [SHARE_TICKET]: ShareTicket } {
  return { ...payload, [SHARE_TICKET]: { fields, results: new Map() } };
}

/**
 * A drop-in for graphql-js's `subscribe` (graphql-ws's `subscribe` option) that shares executions
 * between subscribers as described above. What a subscription selects, whether a ticket covers it,
 * and its operation key are worked out once per subscription, not per event: thousands of
 * subscribers of one event each pay a map lookup, not a walk of their document.
 */
export async function sharedSubscribe(
  args: ExecutionArgs,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source;
  let selected: Set<string> | null = null;
  let checked: ReadonlySet<string> | null = null;
  let covered = false;
  let operationKey: string | null = null;
  const once = async (payload: unknown) => execute({ ...args, rootValue: payload });
  // Once the shared execution has settled, the class's later subscribers take it without a promise step.
  const run = (payload: unknown): MaybePromise<ExecutionResult> => {
    const ticket = ticketOf(payload);
    if (!ticket) return once(payload);
    if (ticket.fields !== checked) {
      selected ??= selectedCoordinates(args.schema, args.document, args.operationName);
      covered = coveredBy(selected, ticket.fields);
      checked = ticket.fields;
    }
    if (!covered) return once(payload);
    operationKey ??= JSON.stringify([
      print(args.document),
      args.operationName ?? null,
      args.variableValues ?? null,
    ]);
    let result = ticket.results.get(operationKey);
    if (!result) ticket.results.set(operationKey, (result = new Settling(once(payload))));
    return result.now;
  };
  // mapStream passes `return()` straight to the source: an idle feed never yields. Over a feed's
  // mapped stream (rights-feed.ts) it fuses `run` into that stream: one link per event, not two.
  return mapStream(source[Symbol.asyncIterator](), run);
}

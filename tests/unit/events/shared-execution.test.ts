import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildSchema,
  GraphQLID,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  type ExecutionResult,
} from 'graphql';
import {
  coveredBy,
  selectedCoordinates,
  SHARE_TICKET,
  sharedSubscribe,
  type ShareTicket,
} from '../../../src/core/events/shared-execution.js';
import { Settling } from '../../../src/core/events/settling.js';
import { mapStream } from '../../../src/core/events/feed-iterator.js';
import { DEMAND_EVENT_SHAREABLE } from '../../../src/modules/demands/demand-feed.js';

/** A tiny schema whose resolvers count how often they run. */
function counting(): { schema: GraphQLSchema; calls: { id: number; secret: number } } {
  const calls = { id: 0, secret: 0 };
  const Item = new GraphQLObjectType({
    name: 'Item',
    fields: {
      id: { type: GraphQLID, resolve: (item: { id: string }) => (calls.id++, item.id) },
      secret: { type: GraphQLString, resolve: () => (calls.secret++, 'per viewer') },
    },
  });
  const Event = new GraphQLObjectType({ name: 'Event', fields: { item: { type: Item } } });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        feed: {
          type: Event,
          subscribe: (_root, _args, context: { payloads: unknown[] }) =>
            (async function* () {
              yield* context.payloads;
            })(),
          resolve: (payload: unknown) => payload,
        },
      },
    }),
  });
  return { schema, calls };
}

/** A ticket over one results map, as a feed makes for one event and class. */
function ticket(fields: string[], results = new Map<string, Settling<ExecutionResult>>()): ShareTicket {
  return { fields: new Set(fields), results };
}

async function first(
  schema: GraphQLSchema,
  query: string,
  payloads: unknown[],
): Promise<ExecutionResult | undefined> {
  const stream = await sharedSubscribe({ schema, document: parse(query), contextValue: { payloads } });
  if (!(Symbol.asyncIterator in stream)) throw new Error(JSON.stringify(stream));
  const step = await stream.next();
  await stream.return?.();
  return step.value as ExecutionResult | undefined;
}

const SAFE = ['Subscription.feed', 'Event.item', 'Item.id'];

describe('selectedCoordinates', () => {
  it('lists every field the operation selects, through fragments, without __typename', () => {
    const { schema } = counting();
    const document = parse(`subscription { feed { __typename item { ...I } } }
      fragment I on Item { id secret }`);
    expect([...selectedCoordinates(schema, document)].sort()).toEqual([
      'Event.item',
      'Item.id',
      'Item.secret',
      'Subscription.feed',
    ]);
  });

  it('is covered only when every coordinate is vouched for', () => {
    expect(coveredBy(new Set(['A.b']), new Set(['A.b', 'A.c']))).toBe(true);
    expect(coveredBy(new Set(['A.b', 'A.d']), new Set(['A.b', 'A.c']))).toBe(false);
  });
});

describe('sharedSubscribe', () => {
  it('executes once for subscribers of one class sending the same operation', async () => {
    const { schema, calls } = counting();
    const results = new Map<string, Settling<ExecutionResult>>();
    const query = 'subscription { feed { item { id } } }';
    const payload = { item: { id: '7' }, [SHARE_TICKET]: ticket(SAFE, results) };
    const a = await first(schema, query, [payload]);
    const b = await first(schema, query, [{ ...payload, [SHARE_TICKET]: ticket(SAFE, results) }]);
    expect(a).toEqual({ data: { feed: { item: { id: '7' } } } });
    expect(b).toBe(a);
    expect(calls.id).toBe(1);
  });

  it('executes per subscriber when a selected field is not shareable, or the payload has no ticket', async () => {
    const { schema, calls } = counting();
    const results = new Map<string, Settling<ExecutionResult>>();
    const withSecret = 'subscription { feed { item { id secret } } }';
    const payload = { item: { id: '7' }, [SHARE_TICKET]: ticket(SAFE, results) };
    await first(schema, withSecret, [payload]);
    await first(schema, withSecret, [payload]);
    expect(calls.secret).toBe(2);
    const plain = 'subscription { feed { item { id } } }';
    await first(schema, plain, [{ item: { id: '8' } }]);
    await first(schema, plain, [{ item: { id: '8' } }]);
    expect(calls.id).toBe(4);
  });

  it('keeps different variables or documents apart', async () => {
    const { schema, calls } = counting();
    const results = new Map<string, Settling<ExecutionResult>>();
    const payload = { item: { id: '7' }, [SHARE_TICKET]: ticket(SAFE, results) };
    await first(schema, 'subscription A { feed { item { id } } }', [payload]);
    await first(schema, 'subscription B { feed { item { id } } }', [payload]);
    expect(calls.id).toBe(2);
  });
});

describe('sharedSubscribe over a feed', () => {
  it("fuses its execution into the feed's mapped stream: one link per event, the feed's map first", async () => {
    const feed: { stream?: AsyncIterator<unknown> } = {};
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
      subscription: new GraphQLObjectType({
        name: 'Subscription',
        fields: {
          feed: {
            type: GraphQLString,
            // As a feed does (rights-feed.ts): its events mapped to payloads, dropping some.
            subscribe: () =>
              (feed.stream = mapStream(
                (async function* () {
                  yield* [1, 2, 3];
                })(),
                (n: number) => (n === 2 ? null : `payload ${n}`),
              )),
            resolve: (payload: string) => payload,
          },
        },
      }),
    });
    const stream = await sharedSubscribe({ schema, document: parse('subscription { feed }') });
    if (!(Symbol.asyncIterator in stream)) throw new Error(JSON.stringify(stream));
    // The feed's stream was taken over, not read by another link.
    await expect(feed.stream!.next()).rejects.toThrow(/mapped further/);
    expect((await stream.next()).value).toEqual({ data: { feed: 'payload 1' } });
    expect((await stream.next()).value).toEqual({ data: { feed: 'payload 3' } });
    expect((await stream.next()).done).toBe(true);
  });
});

describe('DEMAND_EVENT_SHAREABLE', () => {
  it('names only fields the published schema has', () => {
    const schema = buildSchema(
      readFileSync(new URL('../../../schema/schema.graphql', import.meta.url), 'utf8'),
    );
    for (const coordinate of DEMAND_EVENT_SHAREABLE) {
      const [type, field] = coordinate.split('.') as [string, string];
      const owner = schema.getType(type);
      expect(owner && 'getFields' in owner && field in owner.getFields(), coordinate).toBe(true);
    }
  });
});

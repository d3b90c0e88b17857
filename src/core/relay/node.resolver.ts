import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { Context, NodeSource } from '../context.js';
import { Node } from './node.js';
import { decodeGlobalId } from './global-id.js';
import { BadUserInputError } from '../errors.js';

/** How many ids `nodes` takes at once. */
const MAX_NODES = 100;

/**
 * Fetches one object of a type by its key, applying the same visibility rules as every other path to
 * it; returns null when it does not exist or the viewer may not see it.
 */
export type NodeFetcher = (ctx: Context, key: string) => Promise<Node | null>;

/** Each module registers how to fetch its node types. */
export class NodeRegistry implements NodeSource {
  private readonly fetchers = new Map<string, NodeFetcher>();

  register(typeName: string, fetcher: NodeFetcher): this {
    this.fetchers.set(typeName, fetcher);
    return this;
  }

  /** Registers a type keyed by a bigint id: keys that are not positive integers find nothing. */
  registerById(typeName: string, fetcher: (ctx: Context, id: number) => Promise<Node | null>): this {
    return this.register(typeName, async (ctx, key) => {
      const id = /^\d{1,15}$/.test(key) ? Number(key) : 0;
      return id > 0 ? fetcher(ctx, id) : null;
    });
  }

  async fetch(ctx: Context, id: string): Promise<Node | null> {
    const decoded = decodeGlobalId(id);
    const fetcher = decoded && this.fetchers.get(decoded.typeName);
    return fetcher && decoded ? fetcher(ctx, decoded.key) : null;
  }
}

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: 'Any object by its global id, if you may see it.' })
  node(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Node | null> {
    return ctx.services.nodes.fetch(ctx, id);
  }

  @Query(() => [Node], {
    nullable: 'items',
    description: `Several objects by global id (at most ${MAX_NODES}), in order.`,
  })
  nodes(@Ctx() ctx: Context, @Arg('ids', () => [ID]) ids: string[]): Promise<(Node | null)[]> {
    if (ids.length > MAX_NODES) throw BadUserInputError.field('ids', `at most ${MAX_NODES} ids at once`);
    return Promise.all(ids.map((id) => ctx.services.nodes.fetch(ctx, id)));
  }
}

import { Field, ID, InterfaceType } from 'type-graphql';
import { toGlobalId } from './global-id.js';
import { declareFieldReads } from '../graphql/field-reads.js';

/**
 * Every entity clients can refetch implements Node. Subclasses name their GraphQL type and key;
 * `id` is derived, so it can never disagree with the row.
 */
/** The concrete GraphQL type of a Node value (see `createSchema`, which installs it unwrapped). */
export const resolveNodeType = (value: Node): string => value.nodeTypeName();

@InterfaceType('Node', {
  description: 'An object with a globally unique, opaque id; refetch it with `node(id:)`.',
  resolveType: resolveNodeType,
})
export abstract class Node {
  /** The GraphQL type name; also the prefix of the global id. */
  nodeTypeName(): string {
    return this.constructor.name;
  }

  /** The primary key inside the type. */
  nodeKey(): string | number {
    throw new Error(`${this.constructor.name} must implement nodeKey()`);
  }

  // A method rather than a getter, so MikroORM does not count it as entity data.
  @Field(() => ID, { name: 'id', description: 'Opaque, globally unique id.' })
  globalId(): string {
    return toGlobalId(this.nodeTypeName(), this.nodeKey());
  }
}

// `id` reads the primary key, which every record reads (core/graphql/field-reads.ts).
declareFieldReads(Node, 'id', []);
